"""A file's kind is told by its bytes alone, and an image's size by its header, before anything decodes it."""

from __future__ import annotations

import io

import pymupdf
import pytest
from fixtures.files import dxf_bytes, image_bytes, png_header_only
from PIL import Image

from buildtrace_assets.engine.errors import TooManyPixelsError, UnsupportedFormatError
from buildtrace_assets.engine.filetypes import MAX_IMAGE_PIXELS, FileType, detect_file_type


def detect(data: bytes) -> FileType:
    return detect_file_type(io.BytesIO(data))


def one_page_pdf() -> bytes:
    document = pymupdf.open()
    document.new_page()
    return document.tobytes()


def test_a_pdf_is_a_pdf() -> None:
    assert detect(one_page_pdf()) == FileType("pdf")
    assert detect(one_page_pdf()).content_type == "application/pdf"


def test_a_pdf_may_have_junk_before_its_header_as_pdf_readers_allow() -> None:
    assert detect(b"\x00junk" * 100 + one_page_pdf()).kind == "pdf"


def test_a_pdf_header_later_than_the_first_kilobyte_is_not_a_pdf() -> None:
    with pytest.raises(UnsupportedFormatError, match="not a PDF, PNG, JPEG, DXF or DWG file"):
        detect(b" " * 1100 + one_page_pdf())


def test_png_and_jpeg_give_their_size_in_pixels() -> None:
    assert detect(image_bytes("PNG", (640, 480))) == FileType("png", (640, 480))
    assert detect(image_bytes("JPEG", (641, 479))) == FileType("jpeg", (641, 479))


def test_a_jpeg_size_is_found_after_large_metadata_segments() -> None:
    exif = Image.Exif()
    exif[0x010E] = "x" * 60_000  # ImageDescription: one APP1 segment of ~60 KB before the frame header
    assert detect(image_bytes("JPEG", (300, 200), exif=exif.tobytes())).pixels == (300, 200)


@pytest.mark.parametrize("binary", [False, True], ids=["ascii", "binary"])
def test_both_dxf_forms_are_dxf(binary: bool) -> None:
    assert detect(dxf_bytes(binary)) == FileType("dxf")


def test_an_ascii_dxf_may_start_with_comments() -> None:
    assert detect(b"999\nmade by hand\n  0\nSECTION\n  2\nENTITIES\n  0\nENDSEC\n  0\nEOF\n").kind == "dxf"


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    with pytest.raises(TooManyPixelsError, match=r"60,000 x 60,000 pixels .*limit is 200 megapixels"):
        detect(png_header_only(60_000, 60_000))


def test_an_image_at_the_pixel_limit_is_accepted() -> None:
    assert detect(png_header_only(20_000, MAX_IMAGE_PIXELS // 20_000)).kind == "png"


@pytest.mark.parametrize(
    "data",
    [
        b"just some notes\n",
        b"",
        b"\x89PNG\r\n\x1a\n",  # signature only, no IHDR
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",  # a JPEG cut off before its frame header
        b"\xff\xd8\xff\xda\x00\x08",  # image data before any frame header
        png_header_only(0, 10),
    ],
    ids=["text", "empty", "png-without-header", "jpeg-cut-off", "jpeg-without-frame", "png-without-area"],
)
def test_what_is_not_a_usable_drawing_is_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedFormatError):
        detect(data)
