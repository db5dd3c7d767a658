"""One row per change, in the words every report document uses: where it is, what it was and became, who checked it.

The PDF report's tables, the marked-up PDF's annotation texts and the change
log all read these rows, so a change reads the same in every document. The
location is read as the summarizer reads it (grid lines and room tags on the
new sheet, :mod:`buildtrace_assets.summaries.location`); the sentence and the
impact come from the summary item that names the change. Optional fields are
read with ``.get``: the contract grows additively.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from buildtrace_assets.engine.model import BBox
from buildtrace_assets.reports.inputs import ReportInput
from buildtrace_assets.summaries.context import SheetWords
from buildtrace_assets.summaries.document import WordsBySheet
from buildtrace_assets.summaries.location import describe_grid_position, nearest_room
from buildtrace_assets.summaries.overlays import sheet_key
from buildtrace_assets.summaries.wording import ARROW

NOT_REVIEWED = "not reviewed"
CONFIRMED = "confirmed"
CORRECTED = "corrected by reviewer"
ADDED_BY_REVIEWER = "added by reviewer"
REJECTED = "rejected by reviewer"
POINTS_PER_INCH = 72.0


def sheet_label(sheet: Mapping[str, Any]) -> str:
    """How people name a sheet: its number, else its page (as the summary names it)."""
    if sheet.get("sheet_number"):
        return str(sheet["sheet_number"])
    page = sheet["new_page"] if sheet.get("new_page") is not None else sheet.get("old_page")
    return f"page {page + 1}" if page is not None else "unnumbered sheet"


def callout_number(change_id: str) -> str:
    """The number drawn next to a change: its id without the sheet key, as the overlay image labels it."""
    return change_id.rsplit("-", 1)[-1]


def sheet_problem(sheet: Mapping[str, Any]) -> str | None:
    """``could not be aligned: <reason>`` (or why the page could not be read); None for a compared sheet."""
    error = sheet.get("error") or {}
    alignment = sheet.get("alignment") or {}
    if error.get("kind") == "unaligned" or alignment.get("ok") is False:
        return f"could not be aligned: {alignment.get('reason') or error.get('message') or 'no reason recorded'}"
    if error:
        return f"could not be compared: {error.get('message') or error.get('kind')}"
    return None


def offset_text(change: Mapping[str, Any]) -> str:
    """``36.0 pt right (3'-0")`` for a moved change; empty for the other kinds."""
    offset = change.get("offset") or {}
    if change.get("kind") != "moved" or not offset:
        return ""
    distance = offset.get("distance")
    if distance is None:
        distance = (float(offset.get("dx", 0.0)) ** 2 + float(offset.get("dy", 0.0)) ** 2) ** 0.5
    text = f"{float(distance):.1f} pt"
    if offset.get("direction"):
        text += f" {offset['direction']}"
    if offset.get("drawing_distance"):
        text += f" ({offset['drawing_distance']})"
    return text


@dataclass(frozen=True)
class ChangeRow:
    """One change as the documents show it."""

    sheet: str
    sheet_key: str
    change_id: str
    kind: str
    location: str
    old: str
    new: str
    impact: str
    summary: str
    status: str
    bbox: BBox
    new_page: int | None = None
    offset: str = ""
    from_bbox: BBox | None = None

    @property
    def number(self) -> str:
        return callout_number(self.change_id)

    @property
    def kind_text(self) -> str:
        """``moved 36.0 pt right (3'-0")`` for a move, the kind otherwise."""
        return f"moved {self.offset}" if self.offset else self.kind

    @property
    def change_text(self) -> str:
        """``old → new`` when the text changed, the text alone when a block moved with it; empty otherwise."""
        if not (self.old or self.new):
            return ""
        if self.old == self.new:
            return self.old
        return f"{self.old or '∅'} {ARROW} {self.new or '∅'}"

    @property
    def description(self) -> str:
        """Kind, text change and summary sentence in one paragraph: the annotation's contents."""
        parts = [f"{self.change_id}: {self.kind_text}"]
        if self.change_text:
            parts.append(self.change_text)
        if self.summary:
            parts.append(self.summary)
        return "\n".join(parts)


def _sheet_words(sheet: Mapping[str, Any], words_by_sheet: WordsBySheet | None) -> SheetWords:
    """The new sheet's words (by sheet number, else by new page), with its grid and room tags read once."""
    by = words_by_sheet or {}
    words = by.get(sheet.get("sheet_number") or "") or by.get(sheet.get("new_page", -1)) or ()
    return SheetWords(tuple(words))


def _location(words: SheetWords, bbox: BBox) -> str | None:
    """``at grids B–C/2–3 in OFFICE 101``: grid lines and the nearest room tag, as the summarizer reads them."""
    point = ((bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2)
    room = nearest_room(words.rooms, point)
    parts = [describe_grid_position(words.grid, point), f"in {room.name}" if room else None]
    return " ".join(part for part in parts if part) or None


def _bbox(values: Sequence[float]) -> BBox:
    x0, y0, x1, y1 = (float(v) for v in values)
    return x0, y0, x1, y1


def _paper_position(bbox: BBox) -> str:
    """Where a change is on paper, for sheets whose words give no grid or room."""
    x, y = (bbox[0] + bbox[2]) / 2, (bbox[1] + bbox[3]) / 2
    return f"{x / POINTS_PER_INCH:.1f} in from left, {y / POINTS_PER_INCH:.1f} in from top"


def _items_by_change(summary: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    found: dict[str, Mapping[str, Any]] = {}
    for item in summary.get("items") or []:
        for change_id in item.get("change_ids") or []:
            found.setdefault(change_id, item)
    return found


def _machine_changes(report: ReportInput) -> dict[str, Mapping[str, Any]]:
    return {change["id"]: change for sheet in report.machine_document["sheets"] for change in sheet["changes"]}


def _status(change: Mapping[str, Any], machine: Mapping[str, Mapping[str, Any]], reviewed: bool) -> str:
    if not reviewed:
        return NOT_REVIEWED
    original = machine.get(change["id"])
    if original is None:
        return ADDED_BY_REVIEWER
    same = original.get("kind") == change.get("kind") and list(original["bbox"]) == list(change["bbox"])
    return CONFIRMED if same else CORRECTED


def _rows(
    document: Mapping[str, Any],
    words_by_sheet: WordsBySheet | None,
    items: Mapping[str, Mapping[str, Any]],
    status_of: Callable[[Mapping[str, Any]], str],
    only: set[str] | None = None,
) -> Iterable[ChangeRow]:
    for sheet in document["sheets"]:
        words = _sheet_words(sheet, words_by_sheet)
        for change in sheet["changes"]:
            if only is not None and change["id"] not in only:
                continue
            item = items.get(change["id"]) or {}
            bbox = _bbox(change["bbox"])
            yield ChangeRow(
                sheet=sheet_label(sheet),
                sheet_key=sheet_key(sheet),
                change_id=change["id"],
                kind=change["kind"],
                location=_location(words, bbox) or _paper_position(bbox),
                old=change.get("old_text") or "",
                new=change.get("new_text") or "",
                impact=item.get("impact", ""),
                summary=item.get("text", ""),
                status=status_of(change),
                bbox=bbox,
                new_page=sheet.get("new_page"),
                offset=offset_text(change),
                from_bbox=_bbox(change["from_bbox"]) if change.get("from_bbox") else None,
            )


def change_rows(report: ReportInput) -> list[ChangeRow]:
    """Every change in force, in document order."""
    machine = _machine_changes(report)
    return list(
        _rows(
            report.document,
            report.words_by_sheet,
            _items_by_change(report.summary),
            lambda change: _status(change, machine, report.reviewed),
        )
    )


def rejected_rows(report: ReportInput) -> list[ChangeRow]:
    """Machine changes the reviewer's overlay dropped: the change log keeps them, marked rejected."""
    if not report.reviewed:
        return []
    kept = {change["id"] for change in report.overlay_changes or ()}
    dropped = set(_machine_changes(report)) - kept
    if not dropped:
        return []
    return list(_rows(report.machine_document, report.words_by_sheet, {}, lambda _: REJECTED, dropped))
