"""What a drawing file is, judged by its bytes alone: the one judgement the upload check and the loader share.

Names lie (a DXF saved as ``.pdf``, a scan renamed ``.dxf``), so the kind is
decided from content only, the same way everywhere: if the upload accepted a
file the engine must be able to open it as the same kind. Recognized:

- PNG and JPEG by their signatures; their pixel dimensions are read from the
  header (PNG ``IHDR``, JPEG start-of-frame segment) without decoding, so a
  decompression bomb (a few KB claiming 60000 x 60000 pixels) is refused
  before any decoder allocates memory for it;
- binary DXF by its sentinel, ASCII DXF by its first group (``0`` /
  ``SECTION``, optionally after ``999`` comments);
- PDF by ``%PDF-`` anywhere in the first KB, as PDF readers (MuPDF included)
  accept junk before the header.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import BinaryIO, Literal

from buildtrace_assets.engine.errors import TooManyPixelsError, UnsupportedFormatError

FileKind = Literal["pdf", "png", "jpeg", "dxf"]

MAX_IMAGE_PIXELS = 200_000_000
"""Largest PNG/JPEG accepted (width x height, about 200 MB as grayscale): a big scan fits, a bomb does not."""
PDF_HEADER_WINDOW = 1024
"""How far into the file ``%PDF-`` may start; readers tolerate this much junk before it."""
SUPPORTED = "PDF, PNG, JPEG or DXF"
CONTENT_TYPES: dict[FileKind, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "dxf": "image/vnd.dxf",
}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
BINARY_DXF_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"
ASCII_DXF_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:999\s*\r?\n[^\n]*\n\s*)*0\s*\r?\n\s*SECTION\s*\r?\n")
_HEAD_BYTES = 2048
_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
"""Start-of-frame markers SOF0-SOF15; C4 (Huffman tables), C8 (reserved) and CC (arithmetic coding) are not frames."""
_JPEG_STANDALONE_MARKERS = frozenset(range(0xD0, 0xDA)) | {0x01}
"""Markers without a length field (restart markers, start of image, TEM)."""
_JPEG_START_OF_SCAN = 0xDA


@dataclass(frozen=True)
class FileType:
    """The kind of a drawing file; for images also their size in pixels, from the header."""

    kind: FileKind
    pixels: tuple[int, int] | None = None
    """(width, height) of a PNG or JPEG; None for PDF and DXF."""

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def detect_file_type(stream: BinaryIO) -> FileType:
    """The kind of the drawing in the seekable ``stream`` (read from its start), or a typed :class:`BadInputError`.

    Raises :class:`UnsupportedFormatError` for anything but PDF, PNG, JPEG or
    DXF (and images whose header cannot be read), :class:`TooManyPixelsError`
    for an image over :data:`MAX_IMAGE_PIXELS`. Their messages complete
    "<file> is ...", e.g. "not a PDF, PNG, JPEG or DXF file".
    """
    stream.seek(0)
    head = stream.read(_HEAD_BYTES)
    if head.startswith(PNG_SIGNATURE):
        return _checked_image("png", _png_pixels(head))
    if head.startswith(JPEG_SIGNATURE):
        return _checked_image("jpeg", _jpeg_pixels(stream))
    if head.startswith(BINARY_DXF_SENTINEL) or ASCII_DXF_START.match(head):
        return FileType("dxf")
    if b"%PDF-" in head[:PDF_HEADER_WINDOW]:
        return FileType("pdf")
    raise UnsupportedFormatError(f"not a {SUPPORTED} file")


def _checked_image(kind: FileKind, pixels: tuple[int, int]) -> FileType:
    width, height = pixels
    if width <= 0 or height <= 0:
        raise UnsupportedFormatError(f"a {kind.upper()} whose header gives no image size")
    if width * height > MAX_IMAGE_PIXELS:
        raise TooManyPixelsError(
            f"an image of {width:,} x {height:,} pixels ({width * height / 1e6:,.0f} megapixels); "
            f"the limit is {MAX_IMAGE_PIXELS // 1_000_000} megapixels"
        )
    return FileType(kind, pixels)


def _png_pixels(head: bytes) -> tuple[int, int]:
    """Width and height from the ``IHDR`` chunk, which the PNG standard requires to come first."""
    if len(head) < 24 or head[12:16] != b"IHDR":
        raise UnsupportedFormatError("a PNG with a damaged header (no IHDR chunk)")
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def _jpeg_pixels(stream: BinaryIO) -> tuple[int, int]:
    """Width and height from the first start-of-frame segment, skipping the segments before it (EXIF, ICC, ...)."""
    damaged = UnsupportedFormatError("a JPEG with a damaged header (no frame size before the image data)")
    stream.seek(2)
    while True:
        if stream.read(1) != b"\xff":
            raise damaged
        code = stream.read(1)
        while code == b"\xff":  # fill bytes may pad a marker
            code = stream.read(1)
        if not code or code[0] == _JPEG_START_OF_SCAN:
            raise damaged
        marker = code[0]
        if marker in _JPEG_STANDALONE_MARKERS:
            continue
        length_bytes = stream.read(2)
        if len(length_bytes) < 2:
            raise damaged
        (length,) = struct.unpack(">H", length_bytes)
        if marker in _JPEG_FRAME_MARKERS:
            frame = stream.read(5)
            if len(frame) < 5:
                raise damaged
            _precision, height, width = struct.unpack(">BHH", frame)
            return width, height
        if length < 2:
            raise damaged
        stream.seek(length - 2, 1)
