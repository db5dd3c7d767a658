"""What converting a drawing lost, said beside its summary where it touches a changed sheet.

A DWG is compared through its conversion to DXF, which may leave out
entities (3D solids, proxy objects, ...). On a changed sheet a reader could
take such an entity's absence for a removal, or trust a sheet the comparison
saw only in part, so the summary names the losses of either version that
touch a sheet the comparison reports as changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

HEADING = "## Conversion warnings"


def conversion_notes(
    document: dict[str, Any], old_warnings: Sequence[dict[str, Any]], new_warnings: Sequence[dict[str, Any]]
) -> tuple[str, ...]:
    """One line per warning of a version that touches a changed sheet (by its ``pages``), naming the sheets."""
    changed = [sheet for sheet in document.get("sheets", []) if sheet.get("status") != "unchanged"]
    notes = []
    for side, warnings, page_key in (("old", old_warnings, "old_page"), ("new", new_warnings, "new_page")):
        for warning in warnings:
            pages = set(warning.get("pages", []))
            sheets = [_label(sheet) for sheet in changed if sheet.get(page_key) in pages]
            if sheets:
                notes.append(f"The {side} version: {warning.get('message', '')} (on {', '.join(sheets)}).")
    return tuple(notes)


def conversion_section(notes: Sequence[str]) -> str:
    """The markdown section that follows the summary; empty when there is nothing to say."""
    if not notes:
        return ""
    return "\n\n" + HEADING + "\n\n" + "\n".join(f"- {note}" for note in notes) + "\n"


def _label(sheet: dict[str, Any]) -> str:
    if sheet.get("sheet_number"):
        return str(sheet["sheet_number"])
    page = sheet["new_page"] if sheet.get("new_page") is not None else sheet.get("old_page")
    return f"page {int(page) + 1}" if page is not None else "a sheet"
