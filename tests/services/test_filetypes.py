"""Uploads are judged by their bytes: what they claim to be by name does not matter."""

from __future__ import annotations

import pymupdf
import pytest
from fixtures.database import tiny_pdf
from fixtures.files import dxf_bytes, image_bytes, png_header_only

from buildtrace_assets.config import get_settings
from buildtrace_assets.services.errors import InvalidInput, PayloadTooLarge, UnsupportedFileType
from buildtrace_assets.services.filetypes import inspect_upload


def test_a_pdf_is_recognized_with_its_page_count() -> None:
    inspected = inspect_upload(tiny_pdf("A-101", pages=3), "set.pdf")
    assert (inspected.kind, inspected.content_type, inspected.page_count) == ("pdf", "application/pdf", 3)
    assert len(inspected.sha256) == 64


@pytest.mark.parametrize(("format", "kind"), [("PNG", "png"), ("JPEG", "jpeg")])
def test_images_are_recognized_whatever_their_name(format: str, kind: str) -> None:
    assert inspect_upload(image_bytes(format), "plan.pdf").kind == kind


@pytest.mark.parametrize("binary", [False, True], ids=["ascii", "binary"])
@pytest.mark.parametrize("filename", ["plan.dxf", "plan.pdf", "plan"])
def test_both_dxf_forms_are_recognized_and_read_whatever_their_name(binary: bool, filename: str) -> None:
    inspected = inspect_upload(dxf_bytes(binary), filename)
    assert (inspected.kind, inspected.content_type, inspected.page_count) == ("dxf", "image/vnd.dxf", 1)


def test_a_pdf_with_junk_before_its_header_is_accepted_as_pdf_readers_read_it() -> None:
    inspected = inspect_upload(b"\x00" * 500 + tiny_pdf("A-101", pages=2), "set.pdf")
    assert (inspected.kind, inspected.page_count) == ("pdf", 2)


def test_a_decompression_bomb_is_too_large_before_anything_decodes_it() -> None:
    with pytest.raises(PayloadTooLarge, match=r"bomb.png is an image of 60,000 x 60,000 pixels"):
        inspect_upload(png_header_only(60_000, 60_000), "bomb.png")


def test_a_dxf_the_engine_cannot_read_is_refused_at_upload() -> None:
    with pytest.raises(UnsupportedFileType, match="damaged DXF"):
        inspect_upload(b"0\nSECTION\n2\nENTITIES\n0\nLINE\n10\nnot-a-number\n", "broken.dxf")


def test_text_named_pdf_is_refused() -> None:
    with pytest.raises(UnsupportedFileType, match="not a PDF, PNG, JPEG, DXF or DWG"):
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


@pytest.mark.parametrize(
    "data",
    [image_bytes("PNG")[:40], image_bytes("JPEG")[:-100], b"%PDF-1.7\nnot really a pdf"],
    ids=["png", "jpeg", "pdf"],
)
def test_refusals_of_damaged_files_show_no_server_paths_or_object_reprs(data: bytes) -> None:
    with pytest.raises(UnsupportedFileType, match="damaged") as refused:
        inspect_upload(data, "broken")
    message = str(refused.value)
    assert "/" not in message and " at 0x" not in message and "BytesIO" not in message, message


@pytest.mark.parametrize(
    "filename",
    ["plan\x00.pdf", "plan\n.pdf", ".buildtrace-tmp-evil.pdf", "x" * 252 + ".pdf", "é" * 130 + ".pdf"],
    ids=["nul", "newline", "reserved-prefix", "too-many-characters", "too-many-bytes"],
)
def test_file_names_that_cannot_be_stored_are_invalid(filename: str) -> None:
    with pytest.raises(InvalidInput, match="file name") as refused:
        inspect_upload(tiny_pdf("x"), filename)
    assert type(refused.value) is InvalidInput
