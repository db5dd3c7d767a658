"""The ``buildtrace.changes/v1`` document: how results are written, and the schema that checks them.

The CLI, the Dagster diff asset, manual overlays and the summarizer all read
and write this one shape (documented in ``docs/changes-v1.md``), so it is
validated on the way out and on the way in.
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from buildtrace_assets.engine.errors import ContractError
from buildtrace_assets.engine.model import Alignment, Change, Offset

if TYPE_CHECKING:
    import jsonschema

SCHEMA_ID = "buildtrace.changes/v1"
COORDINATE_DIGITS = 2
"""Points rounded to 1/100 pt (0.0035 mm): stable JSON, far below drawing precision."""


@lru_cache(maxsize=1)
def load_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) shipped next to this module."""
    text = resources.files("buildtrace_assets.engine").joinpath("changes_v1.schema.json").read_text("utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def changes_validator() -> jsonschema.Draft202012Validator:
    """The schema's validator, built once. jsonschema is imported here rather than with this module (0.15-0.3 s of a
    process's start): a comparison builds it on a thread while it waits for its pages."""
    import jsonschema

    return jsonschema.Draft202012Validator(load_schema())


def validate_changes(document: Any) -> None:
    """Raise :class:`ContractError` naming the first offending field when ``document`` breaks the contract."""
    from jsonschema.exceptions import best_match

    error = best_match(changes_validator().iter_errors(document))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise ContractError(f"not a valid {SCHEMA_ID} document at {where}: {error.message}")


def _round(values: Any) -> Any:
    return [round(float(v), COORDINATE_DIGITS) for v in values]


def change_to_dict(change: Change) -> dict[str, Any]:
    """One change object; ``extra`` carries optional contract fields such as ``crops``."""
    data: dict[str, Any] = {
        "id": change.id,
        "kind": change.kind,
        "bbox": _round(change.bbox),
        "old_text": change.old_text,
        "new_text": change.new_text,
        "confidence": round(float(min(1.0, max(0.0, change.confidence))), 3),
    }
    if change.from_bbox is not None:
        data["from_bbox"] = _round(change.from_bbox)
    if change.offset is not None:
        data["offset"] = offset_to_dict(change.offset)
    if change.group is not None:
        data["group"] = change.group
    return {**data, **change.extra}


def offset_to_dict(offset: Offset) -> dict[str, Any]:
    """A move's offset: points, page direction, and drawing units when the sheet's scale is known."""
    return {
        "dx": round(float(offset.dx), COORDINATE_DIGITS),
        "dy": round(float(offset.dy), COORDINATE_DIGITS),
        "distance": round(float(offset.distance), COORDINATE_DIGITS),
        "direction": offset.direction,
        "drawing_distance": offset.drawing_distance,
    }


def alignment_to_dict(alignment: Alignment) -> dict[str, Any]:
    """The alignment block; ``ok``/``reason`` tell a failed alignment from a perfect one."""
    data: dict[str, Any] = {
        "matrix": [[round(float(v), 6) for v in row] for row in alignment.matrix[:2]],
        "score": round(float(min(1.0, max(0.0, alignment.score))), 4),
        "ok": bool(alignment.ok),
        "reason": alignment.reason,
        "source": alignment.source,
    }
    if alignment.scale > 0:
        data["scale"] = round(alignment.scale, 4)
    if alignment.points:
        data["points"] = [{"old": _round(old), "new": _round(new)} for old, new in alignment.points]
    return data


def write_json_atomic(document: Any, path: Path) -> None:
    """Write JSON so readers never see half a file: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2, ensure_ascii=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
