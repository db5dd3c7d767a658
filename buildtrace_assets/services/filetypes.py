"""What an uploaded file really is, judged by its bytes rather than its name, and whether the engine can read it.

The kind comes from the engine's own detector
(:func:`buildtrace_assets.engine.filetypes.detect_file_type`), so the upload
and the pipeline never disagree about a file: a DXF named ``.pdf`` is a DXF
to both, a PDF with junk before ``%PDF`` is a PDF to both, and an image whose
header claims more pixels than the engine decodes is refused before anything
decodes it. The file is then opened by the engine's loader, in its sandboxed
child as every untrusted drawing is: what the upload accepts the pipeline can
read, and MuPDF, the image decoders, ezdxf and ezdwg never parse an uploaded file in
the portal's or the API's own process, where a crash on a hostile file would
take it down.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from buildtrace_assets.config import get_settings
from buildtrace_assets.engine.documents import PASSWORD_PROTECTED, open_document
from buildtrace_assets.engine.errors import BadInputError, TooManyPixelsError
from buildtrace_assets.engine.filetypes import FileKind, FileType, detect_file_type
from buildtrace_assets.services.errors import InvalidInput, PayloadTooLarge, UnsupportedFileType
from buildtrace_assets.services.names import check_name

MAX_FILENAME_LENGTH = 255
"""The original file name is kept as given (``drawing_versions.original_filename``), so it must fit there."""
READABLE_NAMES: dict[FileKind, str] = {"pdf": "PDF", "png": "image", "jpeg": "image", "dxf": "DXF", "dwg": "DWG"}
"""How a refusal names the kind of file that could not be read."""


@dataclass(frozen=True)
class InspectedFile:
    """An accepted upload: its kind, MIME type, page count (layouts for a DXF), SHA-256 and size."""

    kind: FileKind
    content_type: str
    page_count: int | None
    sha256: str
    size: int


def inspect_upload(data: bytes, filename: str) -> InspectedFile:
    """Accept ``data`` as a drawing or raise a typed error that says why not.

    :class:`InvalidInput` (empty), :class:`PayloadTooLarge` (over the byte
    limit, or an image over the engine's pixel limit),
    :class:`UnsupportedFileType` (not PDF, PNG, JPEG, DXF or DWG; encrypted; damaged; a DWG whose
    conversion would lose too much);
    also :class:`InvalidInput` for a file name that cannot be stored (see :func:`check_name`).
    """
    check_name(filename.strip(), "file name", MAX_FILENAME_LENGTH)
    if not data:
        raise InvalidInput(f"{filename} is empty")
    limit = get_settings().max_upload_bytes
    if len(data) > limit:
        raise PayloadTooLarge(f"{filename} is {len(data):,} bytes; the limit is {limit:,} bytes")
    try:
        file_type = detect_file_type(io.BytesIO(data))
    except TooManyPixelsError as exc:
        raise PayloadTooLarge(f"{filename} is {exc}") from exc
    except BadInputError as exc:
        raise UnsupportedFileType(f"{filename} is {exc}") from exc
    page_count = _readable_page_count(data, file_type, filename)
    digest = hashlib.sha256(data).hexdigest()
    return InspectedFile(file_type.kind, file_type.content_type, page_count, digest, len(data))


def _readable_page_count(data: bytes, file_type: FileType, filename: str) -> int:
    """Open the file as the pipeline will; its page count, or why it cannot be read (never the scratch path)."""
    with tempfile.TemporaryDirectory(prefix="buildtrace-upload-") as scratch:
        path = Path(scratch) / "upload"
        path.write_bytes(data)
        try:
            with open_document(path) as document:
                return document.page_count
        except BadInputError as exc:
            if PASSWORD_PROTECTED in str(exc):
                raise UnsupportedFileType(
                    f"{filename} is a password-protected PDF; upload it without encryption"
                ) from exc
            reason = str(exc).removeprefix(f"{path.name}: ")
            what = READABLE_NAMES[file_type.kind]
            if file_type.kind == "dwg":  # a bomb or a lossy conversion is no damage: say what was found
                raise UnsupportedFileType(f"{filename} is a DWG that cannot be used: {reason}") from exc
            raise UnsupportedFileType(f"{filename} is a damaged {what} that cannot be read ({reason})") from exc
