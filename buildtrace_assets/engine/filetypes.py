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
  accept junk before the header;
- DWG by its version magic (``AC1012`` ... ``AC1032``, the first six bytes):
  older (R12 and before) and newer versions than the converter reads are
  refused with the version named, and so is a DWG whose header says it is
  password-protected (R2004 and later keep that flag unencrypted), before any
  converter reads it.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import BinaryIO, Literal

from buildtrace_assets.engine.errors import TooManyPixelsError, UnsupportedFormatError

FileKind = Literal["pdf", "png", "jpeg", "dxf", "dwg"]

MAX_IMAGE_PIXELS = 200_000_000
"""Largest PNG/JPEG accepted (width x height, about 200 MB as grayscale): a big scan fits, a bomb does not."""
PDF_HEADER_WINDOW = 1024
"""How far into the file ``%PDF-`` may start; readers tolerate this much junk before it."""
SUPPORTED = "PDF, PNG, JPEG, DXF or DWG"
CONTENT_TYPES: dict[FileKind, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "dxf": "image/vnd.dxf",
    "dwg": "image/vnd.dwg",
}
DWG_RELEASES = {
    "AC1012": "R13",
    "AC1014": "R14",
    "AC1015": "AutoCAD 2000",
    "AC1018": "AutoCAD 2004",
    "AC1021": "AutoCAD 2007",
    "AC1024": "AutoCAD 2010",
    "AC1027": "AutoCAD 2013",
    "AC1032": "AutoCAD 2018",
}
"""The DWG versions ezdwg reads (R13 to 2018), by the magic that starts the file."""
OLDER_DWG_RELEASES = {"AC1009": "R11/R12", "AC1006": "R10", "AC1004": "R9", "AC1003": "R2.6", "AC1002": "R2.5"}

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
BINARY_DXF_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"
ASCII_DXF_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:999\s*\r?\n[^\n]*\n\s*)*0\s*\r?\n\s*SECTION\s*\r?\n")
DWG_MAGIC = re.compile(rb"\AAC(\d{4})")
DWG_SECURITY_OFFSET = 0x18
"""R2004 and later: the security flags (1 = data encrypted, 2 = properties encrypted) in the plain file header."""
_FIRST_DWG_WITH_SECURITY_FLAGS = "AC1018"
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
    """(width, height) of a PNG or JPEG; None for PDF, DXF and DWG."""

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def detect_file_type(stream: BinaryIO) -> FileType:
    """The kind of the drawing in the seekable ``stream`` (read from its start), or a typed :class:`BadInputError`.

    Raises :class:`UnsupportedFormatError` for anything but PDF, PNG, JPEG,
    DXF or DWG (and images whose header cannot be read, DWGs of other versions
    or password-protected), :class:`TooManyPixelsError`
    for an image over :data:`MAX_IMAGE_PIXELS`. Their messages complete
    "<file> is ...", e.g. "not a PDF, PNG, JPEG, DXF or DWG file".
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
    if DWG_MAGIC.match(head):
        return _checked_dwg(head)
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


def _checked_dwg(head: bytes) -> FileType:
    """A DWG of a version the converter reads and without a password; the version is named when it is not."""
    magic = head[:6].decode("ascii")
    if magic not in DWG_RELEASES:
        supported = "R13 (AC1012) to AutoCAD 2018 (AC1032)"
        if magic in OLDER_DWG_RELEASES or magic < "AC1012":
            release = OLDER_DWG_RELEASES.get(magic, "an early release")
            raise UnsupportedFormatError(
                f"a DWG of AutoCAD {release} ({magic}), older than the versions that can be read ({supported}); "
                "save it as a newer DWG or as DXF"
            )
        raise UnsupportedFormatError(
            f"a DWG of version {magic}, newer than the versions that can be read ({supported}); "
            "save it as AutoCAD 2018 DWG or as DXF"
        )
    if magic >= _FIRST_DWG_WITH_SECURITY_FLAGS and len(head) >= DWG_SECURITY_OFFSET + 4:
        (security,) = struct.unpack_from("<I", head, DWG_SECURITY_OFFSET)
        if security & 0x3:
            raise UnsupportedFormatError("a password-protected DWG; save it without a password and upload it again")
    return FileType("dwg")


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
