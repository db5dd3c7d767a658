"""A manual overlay read as a changes document, so the summarizer treats it like the machine's.

An overlay is the full corrected set of change objects of a diff result.
Change ids name their sheet: the engine numbers ``<sheet key>-<n>`` and the
portal ``<sheet key>-m<n>``, where the sheet key is the row's ``key`` (unique
in the document, written by the engine). Documents written before rows had a
key fall back to how it was derived then: the file stem of the sheet's
overlay image, else its sheet number made file-name safe, else ``page-<n>``.
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from pathlib import PurePosixPath
from typing import Any

from buildtrace_assets.services.errors import InvalidInput

_CHANGE_ID = re.compile(r"^(?P<sheet>.+)-m?\d+$")


def sheet_key(sheet: dict[str, Any]) -> str:
    """The key a sheet's change ids start with."""
    if sheet.get("key"):
        return str(sheet["key"])
    if sheet.get("overlay"):
        return PurePosixPath(sheet["overlay"]).stem
    if sheet.get("sheet_number"):
        return re.sub(r"[^A-Za-z0-9.-]+", "_", sheet["sheet_number"])
    return f"page-{sheet['new_page'] + 1}" if sheet.get("new_page") is not None else f"old-page-{sheet['old_page'] + 1}"


def apply_overlay(document: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of ``document`` whose sheets carry the overlay's changes instead of the machine's.

    Raises :class:`InvalidInput` for a change whose id names no sheet of the document.
    """
    by_sheet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for change in changes:
        match = _CHANGE_ID.match(change["id"])
        if match is None:
            raise InvalidInput(f"overlay change id {change['id']!r} does not name a sheet")
        by_sheet[match["sheet"]].append(change)
    corrected = copy.deepcopy(document)
    for sheet in corrected["sheets"]:
        sheet["changes"] = by_sheet.pop(sheet_key(sheet), [])
        if sheet["changes"] and sheet["status"] == "unchanged":
            sheet["status"] = "modified"
    if by_sheet:
        raise InvalidInput(f"overlay changes name sheets the diff does not have: {', '.join(sorted(by_sheet))}")
    return corrected
