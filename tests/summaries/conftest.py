"""A diff result whose changes document, crop and new-version analysis are really in blob storage.

The document is :func:`summaries.summary_samples.revision_document` (A-101 with four
changes, sheets added, removed and unchanged); change ``A-101-1`` names a
``new`` crop stored next to ``changes.json``. The new version's analysis
carries :func:`summaries.summary_samples.plan_words`, so summaries place changes by
grid line and room. ``scene`` bundles that diff result with the database,
the storage and the team (see :class:`summaries.scene.Scene`).
"""

from __future__ import annotations

import io
import json

import pytest
from fixtures.database import Team, tiny_pdf
from PIL import Image
from sqlalchemy.orm import Session, sessionmaker
from summaries.scene import Scene
from summaries.summary_samples import plan_words, revision_document

from buildtrace_assets.db.models import DiffResult, DrawingVersion
from buildtrace_assets.engine.compare import DocumentAnalysis, PageAnalysis
from buildtrace_assets.engine.model import SheetIdentity
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.diff_results import record_diff_result
from buildtrace_assets.services.jobs import create_comparison_job
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.storage import BlobStorage

CROP_SIZE = (40, 16)


def crop_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", CROP_SIZE, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def stored_document() -> dict:
    """The revision document, with a crop reference on its first change (relative to ``changes.json``)."""
    document = revision_document()
    document["sheets"][0]["changes"][0]["crops"] = {"new": "crops/A-101-1-new.png"}
    return document


def _store_analysis(storage: BlobStorage, version: DrawingVersion) -> str:
    page = PageAnalysis(
        index=0,
        width_pt=1224.0,
        height_pt=792.0,
        rotation=0,
        text_source="text_layer",
        words=tuple(plan_words()),
        sheet=SheetIdentity("A-101", "FIRST FLOOR PLAN", 0.9),
        thumbnail=None,
    )
    analysis = DocumentAnalysis(version.original_filename, version.file_hash, "pdf", (page,))
    key = f"analyses/{version.id}.json"
    storage.put_bytes(key, json.dumps(analysis.to_json()).encode())
    return key


@pytest.fixture
def diff_result(db_session: Session, blob_storage: BlobStorage, team: Team) -> DiffResult:
    """The system's diff result of the editor's job comparing two uploads of drawing A-101."""
    old, new = (
        register_upload(
            db_session, blob_storage, team.editor, team.project.id, "A-101", f"{label}.pdf", tiny_pdf(label)
        )
        for label in ("rev 1", "rev 2")
    )
    new.ocr_result_ref = _store_analysis(blob_storage, new)
    job = create_comparison_job(db_session, team.editor, old.id, new.id)
    prefix = f"jobs/{job.id}/diff"
    blob_storage.put_bytes(f"{prefix}/changes.json", json.dumps(stored_document()).encode())
    blob_storage.put_bytes(f"{prefix}/crops/A-101-1-new.png", crop_png())
    result = record_diff_result(
        db_session, SYSTEM, job.id, changes_ref=f"{prefix}/changes.json", engine_version="test", sheet_count=4
    )
    db_session.commit()
    return result


@pytest.fixture
def scene(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team, diff_result: DiffResult
) -> Scene:
    return Scene(session_factory, blob_storage, team, diff_result)
