"""A comparison built in code with known answers, for the report tests (documents, service, API, CLI, portal).

The new revision is a vector PDF of four sheets: A-101 (18 × 12 in, a
structural grid A–D / 1–3, an OFFICE 101 tag) with four changes — a
dimension modified, linework added and removed, a keynote moved 80 pt right —
A-102 that could not be aligned, A-103 added, and A-105 unchanged; A-104 was
removed. The overlay image and the crops are drawn here too, so every number
a test checks is known by construction.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pymupdf
from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from buildtrace_assets.engine.contract import validate_changes
from buildtrace_assets.engine.model import Word
from buildtrace_assets.reports.inputs import ReportFacts, ReportInput, VersionFacts
from buildtrace_assets.services.access import SYSTEM, Actor
from buildtrace_assets.services.diff_results import record_diff_result
from buildtrace_assets.services.jobs import complete_stage, create_comparison_job
from buildtrace_assets.services.summaries import save_machine_summary
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.storage import BlobStorage

SHEET_SIZE = (1296.0, 864.0)
LETTER = (792.0, 612.0)
OVERLAY_DPI = 100
UNALIGNED_REASON = "too few matching features (12 of 200)"
GRID_X = {"A": 200.0, "B": 400.0, "C": 600.0, "D": 800.0}
GRID_Y = {"1": 200.0, "2": 400.0, "3": 600.0}

DIMENSION = {
    "id": "A-101-1",
    "kind": "modified",
    "bbox": [420.0, 330.0, 480.0, 346.0],
    "old_text": "24'-4\"",
    "new_text": "24'-9\"",
    "confidence": 0.95,
    "crops": {"old": "crops/A-101-1_old.png", "new": "crops/A-101-1_new.png"},
}
WALL_ADDED = {
    "id": "A-101-2",
    "kind": "added",
    "bbox": [700.0, 500.0, 760.0, 540.0],
    "confidence": 0.9,
    "crops": {"old": "crops/A-101-2_old.png", "new": "crops/A-101-2_new.png"},
}
WALL_REMOVED = {
    "id": "A-101-3",
    "kind": "removed",
    "bbox": [250.0, 650.0, 330.0, 700.0],
    "confidence": 0.9,
    "crops": {"old": "crops/A-101-3_old.png", "new": "crops/A-101-3_new.png"},
}
KEYNOTE_MOVED = {
    "id": "A-101-4",
    "kind": "moved",
    "bbox": [1000.0, 300.0, 1060.0, 320.0],
    "from_bbox": [920.0, 300.0, 980.0, 320.0],
    "offset": {"dx": 80.0, "dy": 0.0, "distance": 80.0, "direction": "right", "drawing_distance": "6'-8\""},
    "old_text": None,
    "new_text": None,
    "confidence": 0.9,
    "group": "item",
    "crops": {"old": "crops/A-101-4_old.png", "new": "crops/A-101-4_new.png"},
}
CHANGES = [DIMENSION, WALL_ADDED, WALL_REMOVED, KEYNOTE_MOVED]
IDENTITY = {"matrix": [[1, 0, 0], [0, 1, 0]], "score": 0.98, "ok": True, "reason": None}

DOCUMENT: dict[str, Any] = {
    "schema": "buildtrace.changes/v1",
    "old": {"file": "rev1.pdf", "pages": 4},
    "new": {"file": "rev2.pdf", "pages": 4},
    "dpi": 100,
    "sheets": [
        {
            "sheet_number": "A-101",
            "title": "FIRST FLOOR PLAN",
            "key": "A-101",
            "old_page": 0,
            "new_page": 0,
            "status": "modified",
            "matched_by": "number",
            "alignment": IDENTITY,
            "changes": CHANGES,
            "overlay": "overlays/A-101.png",
        },
        {
            "sheet_number": "A-102",
            "title": "SECOND FLOOR PLAN",
            "key": "A-102",
            "old_page": 1,
            "new_page": 1,
            "status": "modified",
            "matched_by": "number",
            "alignment": {"matrix": [[1, 0, 0], [0, 1, 0]], "score": 0.1, "ok": False, "reason": UNALIGNED_REASON},
            "changes": [],
            "error": {"kind": "unaligned", "message": f"the sheets could not be aligned: {UNALIGNED_REASON}"},
        },
        {
            "sheet_number": "A-103",
            "title": "ROOF PLAN",
            "key": "A-103",
            "old_page": None,
            "new_page": 2,
            "status": "added",
            "matched_by": None,
            "changes": [],
        },
        {
            "sheet_number": "A-105",
            "title": "DETAILS",
            "key": "A-105",
            "old_page": 3,
            "new_page": 3,
            "status": "unchanged",
            "matched_by": "number",
            "alignment": IDENTITY,
            "changes": [],
        },
        {
            "sheet_number": "A-104",
            "title": "SECTIONS",
            "key": "A-104",
            "old_page": 2,
            "new_page": None,
            "status": "removed",
            "matched_by": None,
            "changes": [],
        },
    ],
}
SENTENCES = {
    "A-101-1": 'Dimension at grids B–C/1–2 increased 24\'-4" → 24\'-9" (by 5").',
    "A-101-2": "Linework added at grids C–D/2–3.",
    "A-101-3": "Linework removed at grids A–B/3.",
    "A-101-4": "Keynote moved 6'-8\" right.",
}
SUMMARY: dict[str, Any] = {
    "overall": "Compared 5 sheets: A-101 (4 changes) modified; A-103 added; A-104 removed; 1 unchanged.",
    "items": [
        {
            "sheet": "A-101",
            "change_ids": [change_id],
            "category": "dimension" if change_id == "A-101-1" else "linework",
            "discipline": "architectural",
            "impact": {"A-101-1": "high", "A-101-4": "medium"}.get(change_id, "low"),
            "reason": "by construction",
            "text": text,
        }
        for change_id, text in SENTENCES.items()
    ]
    + [
        {
            "sheet": "A-103",
            "change_ids": [],
            "category": "sheet_added",
            "discipline": "architectural",
            "impact": "high",
            "reason": "a whole sheet entered the set",
            "text": "Sheet A-103 ROOF PLAN added.",
        }
    ],
    "not_summarized": [],
}


def new_revision_pdf() -> bytes:
    """The new revision: vector linework and a text layer on every page, the first with a grid and a room tag."""
    pdf = pymupdf.open()
    sheet = pdf.new_page(width=SHEET_SIZE[0], height=SHEET_SIZE[1])
    for label, x in GRID_X.items():
        sheet.insert_text((x - 4, 60), label, fontsize=12)
        sheet.draw_line((x, 70), (x, 800), color=(0.5, 0.5, 0.5), width=0.5)
    for label, y in GRID_Y.items():
        sheet.insert_text((56, y + 4), label, fontsize=12)
        sheet.draw_line((70, y), (1200, y), color=(0.5, 0.5, 0.5), width=0.5)
    sheet.insert_text((430, 300), "OFFICE", fontsize=10)
    sheet.insert_text((440, 316), "101", fontsize=10)
    sheet.insert_text((425, 343), "24'-9\"", fontsize=10)
    sheet.draw_rect((700, 500, 760, 540), color=(0, 0, 0), width=2)
    sheet.insert_text((1002, 316), "KEYNOTE 7", fontsize=8)
    for number, title in (("A-102", "SECOND FLOOR PLAN"), ("A-103", "ROOF PLAN"), ("A-105", "DETAILS")):
        page = pdf.new_page(width=LETTER[0], height=LETTER[1])
        page.draw_rect((36, 36, 756, 576), color=(0, 0, 0), width=1)
        page.insert_text((600, 560), f"{number} {title}", fontsize=12)
    pdf.set_metadata({})
    return pdf.tobytes(no_new_id=True)


def _png(size: tuple[int, int], draw: Any) -> bytes:
    image = Image.new("RGB", size, "white")
    draw(ImageDraw.Draw(image))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def stored_files() -> dict[str, bytes]:
    """The overlay of A-101 (gray ink, the changes in the legend's colours) and a before/after crop per change."""
    scale = OVERLAY_DPI / 72

    def overlay(draw: ImageDraw.ImageDraw) -> None:
        for x in GRID_X.values():
            draw.line([(x * scale, 70 * scale), (x * scale, 800 * scale)], fill=(180, 180, 180), width=2)
        for change, colour in ((WALL_ADDED, (20, 160, 40)), (WALL_REMOVED, (220, 30, 30))):
            draw.rectangle([v * scale for v in change["bbox"]], outline=colour, width=4)

    files = {"overlays/A-101.png": _png((round(SHEET_SIZE[0] * scale), round(SHEET_SIZE[1] * scale)), overlay)}
    for change in CHANGES:
        for side in ("old", "new"):
            files[change["crops"][side]] = _png((240, 120), lambda d: d.rectangle([60, 30, 180, 90], outline="black"))
    return files


def words() -> dict[int, tuple[Word, ...]]:
    """The new sheets' words as the analysis stores them (the text layer), by new page."""
    with pymupdf.open(stream=new_revision_pdf(), filetype="pdf") as pdf:
        return {
            page.number: tuple(Word(w[4], (w[0], w[1], w[2], w[3])) for w in page.get_text("words")) for page in pdf
        }


def report_input(folder: Path, overlay_changes: list[dict[str, Any]] | None = None) -> ReportInput:
    """The scene as a report input, the new revision written into ``folder``."""
    validate_changes(DOCUMENT)
    new_file = folder / "rev2.pdf"
    new_file.write_bytes(new_revision_pdf())
    files = stored_files()
    return ReportInput(
        facts=ReportFacts(
            project="Tower",
            drawing="Architectural Set",
            old=VersionFacts("v1", "rev1.pdf", datetime(2026, 11, 2, 9, 0, tzinfo=UTC), "ana@acme.test"),
            new=VersionFacts("v2", "rev2.pdf", datetime(2026, 12, 1, 14, 30, tzinfo=UTC), "ben@acme.test"),
            generated_at=datetime(2026, 12, 7, 10, 0, tzinfo=UTC),
            job_id="job-123",
            reviewers=("carla@acme.test",) if overlay_changes is not None else (),
            summary_source="machine · offline",
        ),
        machine_document=DOCUMENT,
        summary=SUMMARY,
        read_file=lambda reference: files[reference],
        fetch_new_file=lambda: new_file,
        overlay_changes=overlay_changes,
        words_by_sheet=words(),
    )


@dataclass(frozen=True)
class StoredJob:
    job_id: str
    diff_result_id: str
    changes_ref: str
    new_version_id: str


def store_finished_job(session: Session, storage: BlobStorage, editor: Actor, project_id: str) -> StoredJob:
    """The scene as a completed job of ``project_id``: both versions uploaded, the diff and the summary stored."""
    from fixtures.database import tiny_pdf

    old = register_upload(session, storage, editor, project_id, "Architectural Set", "rev1.pdf", tiny_pdf("rev 1"))
    new = register_upload(session, storage, editor, project_id, "Architectural Set", "rev2.pdf", new_revision_pdf())
    job = create_comparison_job(session, editor, old.id, new.id)
    changes_ref = f"jobs/{job.id}/diff/changes.json"
    storage.put_bytes(changes_ref, json.dumps(DOCUMENT).encode(), content_type="application/json")
    for reference, data in stored_files().items():
        storage.put_bytes(f"jobs/{job.id}/diff/{reference}", data, content_type="image/png")
    result = record_diff_result(
        session, SYSTEM, job.id, changes_ref=changes_ref, engine_version="test", sheet_count=5, change_count=4
    )
    for version in (old, new):
        complete_stage(session, SYSTEM, job.id, "ocr", version.id)
    complete_stage(session, SYSTEM, job.id, "diff", result_ref=changes_ref)
    save_machine_summary(
        session, SYSTEM, result.id, content=SUMMARY, text=SUMMARY["overall"], model="offline", prompt_version="test"
    )
    complete_stage(session, SYSTEM, job.id, "summary")
    session.commit()
    return StoredJob(job.id, result.id, changes_ref, new.id)
