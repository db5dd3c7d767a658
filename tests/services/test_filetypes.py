"""Uploads are judged by their bytes: what they claim to be by name does not matter."""

from __future__ import annotations

import io

import ezdxf
import pymupdf
import pytest
from fixtures.database import tiny_pdf
from PIL import Image

from buildtrace_assets.config import get_settings
from buildtrace_assets.services.errors import InvalidInput, PayloadTooLarge, UnsupportedFileType
from buildtrace_assets.services.filetypes import inspect_upload


def image_bytes(format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (40, 30), 255).save(buffer, format=format)
    return buffer.getvalue()


def dxf_bytes(binary: bool) -> bytes:
    document = ezdxf.new()
    document.modelspace().add_line((0, 0), (10, 10))
    if binary:
        stream = io.BytesIO()
        document.write(stream, fmt="bin")  # type: ignore[arg-type]
        return stream.getvalue()
    text = io.StringIO()
    document.write(text)
    return text.getvalue().encode()


def test_a_pdf_is_recognized_with_its_page_count() -> None:
    inspected = inspect_upload(tiny_pdf("A-101", pages=3), "set.pdf")
    assert (inspected.kind, inspected.content_type, inspected.page_count) == ("pdf", "application/pdf", 3)
    assert len(inspected.sha256) == 64


@pytest.mark.parametrize(("format", "kind"), [("PNG", "png"), ("JPEG", "jpeg")])
def test_images_are_recognized_whatever_their_name(format: str, kind: str) -> None:
    assert inspect_upload(image_bytes(format), "plan.pdf").kind == kind


@pytest.mark.parametrize("binary", [False, True], ids=["ascii", "binary"])
def test_both_dxf_forms_are_recognized(binary: bool) -> None:
    inspected = inspect_upload(dxf_bytes(binary), "plan.dxf")
    assert (inspected.kind, inspected.page_count) == ("dxf", None)


def test_text_named_pdf_is_refused() -> None:
    with pytest.raises(UnsupportedFileType, match="not a PDF, PNG, JPEG or DXF"):
        inspect_upload(b"just some notes\n", "plan.pdf")


def test_empty_file_is_refused() -> None:
    with pytest.raises(InvalidInput, match="empty"):
        inspect_upload(b"", "plan.pdf")


def test_file_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BUILDTRACE_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    try:
        with pytest.raises(PayloadTooLarge, match="limit"):
            inspect_upload(b"%PDF-1.7\n" + b"0" * (1024 * 1024), "big.pdf")
    finally:
        get_settings.cache_clear()


def test_encrypted_pdf_is_refused() -> None:
    document = pymupdf.open(stream=tiny_pdf("secret"), filetype="pdf")
    encrypted = document.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="user")
    with pytest.raises(UnsupportedFileType, match="password-protected"):
        inspect_upload(encrypted, "secret.pdf")


@pytest.mark.parametrize("data", [tiny_pdf("cut")[:60], b"%PDF-1.7\nnot really a pdf"], ids=["truncated", "garbage"])
def test_damaged_pdf_is_refused(data: bytes) -> None:
    with pytest.raises(UnsupportedFileType, match="damaged PDF"):
        inspect_upload(data, "broken.pdf")


def test_damaged_png_is_refused() -> None:
    with pytest.raises(UnsupportedFileType, match="damaged image"):
        inspect_upload(image_bytes("PNG")[:40], "broken.png")
