"""What an uploaded file really is, judged by its bytes rather than its name.

PDF, PNG and JPEG are recognized by their magic numbers (``puremagic``); DXF
has none it knows, so its two forms are checked here: binary DXF starts with
the ``AutoCAD Binary DXF`` sentinel, ASCII DXF with group code 0 and
``SECTION`` (optionally after a 999 comment). PDFs and images are then opened,
so an encrypted or corrupt file is refused at upload instead of failing later
in the pipeline. A PDF is opened by the engine's sandboxed child, as every
untrusted drawing is: MuPDF never parses an uploaded file in the portal's or
the API's own process, where a crash on a hostile file would take it down.
"""

from __future__ import annotations

import hashlib
import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import puremagic
from PIL import Image, UnidentifiedImageError

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.models import FileKind
from buildtrace_assets.engine.documents import PASSWORD_PROTECTED, open_document
from buildtrace_assets.engine.errors import BadInputError
from buildtrace_assets.services.errors import InvalidInput, PayloadTooLarge, UnsupportedFileType

BINARY_DXF_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"
ASCII_DXF_START = re.compile(rb"\A\s*(?:999\s*\r?\n[^\n]*\n\s*)?0\s*\r?\n\s*SECTION\s*\r?\n")
CONTENT_TYPES: dict[str, FileKind] = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpeg"}
DXF_CONTENT_TYPE = "image/vnd.dxf"
SUPPORTED = "PDF, PNG, JPEG or DXF"


@dataclass(frozen=True)
class InspectedFile:
    """An accepted upload: its kind, MIME type, page count (None when unknown, as for DXF), SHA-256 and size."""

    kind: FileKind
    content_type: str
    page_count: int | None
    sha256: str
    size: int


def inspect_upload(data: bytes, filename: str) -> InspectedFile:
    """Accept ``data`` as a drawing or raise a typed error that says why not."""
    if not data:
        raise InvalidInput(f"{filename} is empty")
    limit = get_settings().max_upload_bytes
    if len(data) > limit:
        raise PayloadTooLarge(f"{filename} is {len(data):,} bytes; the limit is {limit:,} bytes")
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(BINARY_DXF_SENTINEL) or ASCII_DXF_START.match(data[:512]):
        return InspectedFile("dxf", DXF_CONTENT_TYPE, None, digest, len(data))
    content_type = _magic_content_type(data)
    kind = CONTENT_TYPES.get(content_type or "")
    if content_type is None or kind is None:
        raise UnsupportedFileType(f"{filename} is not a {SUPPORTED} file")
    if kind == "pdf":
        return InspectedFile(kind, content_type, _pdf_page_count(data, filename), digest, len(data))
    _check_image(data, filename)
    return InspectedFile(kind, content_type, 1, digest, len(data))


def _magic_content_type(data: bytes) -> str | None:
    try:
        return puremagic.from_string(data[:8192], mime=True)
    except puremagic.PureError:
        return None


def _pdf_page_count(data: bytes, filename: str) -> int:
    with tempfile.TemporaryDirectory(prefix="buildtrace-upload-") as scratch:
        path = Path(scratch) / "upload.pdf"
        path.write_bytes(data)
        try:
            with open_document(path) as document:
                return document.page_count
        except BadInputError as exc:
            if PASSWORD_PROTECTED in str(exc):
                raise UnsupportedFileType(f"{filename} is a password-protected PDF; upload it without encryption") from exc
            reason = str(exc).removeprefix(f"{path.name}: ")
            raise UnsupportedFileType(f"{filename} is a damaged PDF that cannot be read ({reason})") from exc


def _check_image(data: bytes, filename: str) -> None:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UnsupportedFileType(f"{filename} is a damaged image that cannot be read ({exc})") from exc
