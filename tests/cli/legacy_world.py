"""A legacy BuildTrace database built in code: the tables of ``gcp/database/models.py`` of
``devbuildtraceasu/buildtrace-dev`` (only the columns the import reads, plus a few it ignores), its drawing files
in blob storage, and rows covering every case the import handles, so the expected outcome is known by construction.

Foreign keys are left out on purpose: real legacy data has rows whose session is gone, and the import must
list them rather than fail.
"""

from __future__ import annotations

import io
from datetime import datetime

from fixtures.database import tiny_pdf
from PIL import Image
from sqlalchemy import JSON, Boolean, Column, DateTime, Float, Integer, MetaData, String, Table, Text, create_engine

from buildtrace_assets.storage import BlobStorage

legacy = MetaData()
Table(
    "users",
    legacy,
    Column("id", String(36), primary_key=True),
    Column("email", String(255), nullable=False),
    Column("name", String(255)),
    Column("company", String(255)),
    Column("password_hash", String(255)),
    Column("created_at", DateTime),
)
Table(
    "projects",
    legacy,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36), nullable=False),
    Column("name", String(255), nullable=False),
    Column("description", Text),
    Column("status", String(50)),
    Column("created_at", DateTime),
)
Table(
    "sessions",
    legacy,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(36)),
    Column("project_id", String(36)),
    Column("session_type", String(50)),
    Column("status", String(50)),
    Column("total_time", Float),
    Column("session_metadata", JSON),
    Column("created_at", DateTime),
)
Table(
    "drawings",
    legacy,
    Column("id", String(36), primary_key=True),
    Column("session_id", String(36), nullable=False),
    Column("drawing_type", String(20), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("original_filename", String(255), nullable=False),
    Column("storage_path", Text),
    Column("drawing_name", String(100)),
    Column("page_number", Integer),
    Column("processed_at", DateTime),
)
Table(
    "comparisons",
    legacy,
    Column("id", String(36), primary_key=True),
    Column("session_id", String(36), nullable=False),
    Column("old_drawing_id", String(36), nullable=False),
    Column("new_drawing_id", String(36), nullable=False),
    Column("drawing_name", String(100), nullable=False),
    Column("overlay_path", Text),
    Column("alignment_score", Float),
    Column("changes_detected", Boolean),
    Column("created_at", DateTime),
)
Table(
    "analysis_results",
    legacy,
    Column("id", String(36), primary_key=True),
    Column("comparison_id", String(36), nullable=False),
    Column("session_id", String(36), nullable=False),
    Column("drawing_name", String(100), nullable=False),
    Column("changes_found", JSON),
    Column("critical_change", Text),
    Column("analysis_summary", Text),
    Column("recommendations", JSON),
    Column("success", Boolean),
    Column("error_message", Text),
    Column("ai_model_used", String(50)),
    Column("created_at", DateTime),
)
Table(
    "processing_jobs",
    legacy,
    Column("id", String(36), primary_key=True),
    Column("session_id", String(36), nullable=False),
    Column("job_type", String(50), nullable=False),
    Column("status", String(20)),
    Column("started_at", DateTime),
    Column("completed_at", DateTime),
    Column("error_message", Text),
    Column("job_metadata", JSON),
    Column("created_at", DateTime),
)

DAY = datetime(2025, 3, 4, 9, 30)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def _drawing(id_: str, session: str, side: str, path: str, name: str = "A-101") -> dict[str, object]:
    return {
        "id": id_,
        "session_id": session,
        "drawing_type": side,
        "filename": f"{id_}.pdf",
        "original_filename": f"{id_}.pdf",
        "storage_path": path,
        "drawing_name": name,
        "page_number": 1,
        "processed_at": DAY,
    }


ROWS: dict[str, list[dict[str, object]]] = {
    "users": [
        {"id": "u-alice", "email": "Alice@Old.test", "name": "Alice", "company": "Acme Builders", "created_at": DAY},
        {"id": "u-bob", "email": "bob@old.test", "name": None, "company": None, "created_at": DAY},
    ],
    "projects": [
        {"id": "p-tower", "user_id": "u-alice", "name": "Tower", "description": "Legacy tower", "created_at": DAY},
        {"id": "p-lost", "user_id": "u-ghost", "name": "Nobody's", "description": None, "created_at": DAY},
    ],
    "sessions": [
        {"id": "s-1", "user_id": "u-alice", "project_id": "p-tower", "status": "completed", "created_at": DAY},
        {"id": "s-2", "user_id": "u-bob", "project_id": None, "status": "error", "created_at": DAY},
        {"id": "s-3", "user_id": "u-alice", "project_id": "p-lost", "status": "completed", "created_at": DAY},
        {"id": "s-4", "user_id": "u-alice", "project_id": "p-tower", "status": "error", "created_at": DAY},
    ],
    "drawings": [
        _drawing("d-1", "s-1", "old", "gs://legacy-bucket/drawings/d-1.pdf"),
        _drawing("d-2", "s-1", "new", "drawings/d-2.pdf"),
        _drawing("d-3", "s-1", "new", "drawings/never-uploaded.pdf"),
        _drawing("d-4", "s-2", "old", "drawings/d-4.pdf", "S-201"),
        _drawing("d-5", "s-2", "new", "drawings/d-5.pdf", "S-201"),
        _drawing("d-6", "s-3", "old", "drawings/d-6.pdf"),
        _drawing("d-7", "s-3", "new", "drawings/d-7.pdf"),
        _drawing("d-9", "s-gone", "old", "drawings/d-9.pdf"),
    ],
    "comparisons": [
        {
            "id": "c-1",
            "session_id": "s-1",
            "old_drawing_id": "d-1",
            "new_drawing_id": "d-2",
            "drawing_name": "A-101",
            "overlay_path": "gs://legacy-bucket/overlays/c-1.png",
            "alignment_score": 0.93,
            "changes_detected": True,
            "created_at": DAY,
        },
        {"id": "c-2", "session_id": "s-1", "old_drawing_id": "d-1", "new_drawing_id": "d-3", "drawing_name": "A-101"},
        {"id": "c-3", "session_id": "s-2", "old_drawing_id": "d-4", "new_drawing_id": "d-5", "drawing_name": "S-201"},
        {"id": "c-4", "session_id": "s-3", "old_drawing_id": "d-6", "new_drawing_id": "d-7", "drawing_name": "A-101"},
        {"id": "c-5", "session_id": "s-gone", "old_drawing_id": "d-9", "new_drawing_id": "d-9", "drawing_name": "X"},
        {"id": "c-6", "session_id": "s-1", "old_drawing_id": "d-1", "new_drawing_id": "d-8", "drawing_name": "A-101"},
    ],
    "analysis_results": [
        {
            "id": "a-1",
            "comparison_id": "c-1",
            "session_id": "s-1",
            "drawing_name": "A-101",
            "changes_found": ["Door 12 moved 3 ft east", "Note 4 revised"],
            "critical_change": "Door 12 moved 3 ft east",
            "analysis_summary": "Two changes on A-101.",
            "recommendations": ["Check the door schedule"],
            "success": True,
            "ai_model_used": "gpt-4-vision-preview",
            "created_at": DAY,
        },
        {
            "id": "a-3",
            "comparison_id": "c-3",
            "session_id": "s-2",
            "drawing_name": "S-201",
            "analysis_summary": None,
            "success": False,
            "error_message": "OpenAI timeout",
        },
        {"id": "a-9", "comparison_id": "c-5", "session_id": "s-gone", "drawing_name": "X", "analysis_summary": "?"},
    ],
    "processing_jobs": [
        {
            "id": "j-1",
            "session_id": "s-1",
            "job_type": "comparison",
            "status": "completed",
            "started_at": datetime(2025, 3, 4, 9, 31),
            "completed_at": datetime(2025, 3, 4, 9, 35),
        },
        {"id": "j-2", "session_id": "s-2", "job_type": "comparison", "status": "failed", "error_message": "timeout"},
        {"id": "j-3", "session_id": "s-1", "job_type": "pdf_extraction", "status": "completed"},
        {"id": "j-4", "session_id": "s-4", "job_type": "comparison", "status": "failed", "error_message": "crashed"},
    ],
}
FILES = {
    "drawings/d-1.pdf": tiny_pdf("legacy d-1"),
    "drawings/d-2.pdf": tiny_pdf("legacy d-2"),
    "drawings/d-4.pdf": tiny_pdf("legacy d-4"),
    "drawings/d-5.pdf": tiny_pdf("legacy d-5"),
    "drawings/d-6.pdf": tiny_pdf("legacy d-6"),
    "drawings/d-7.pdf": tiny_pdf("legacy d-7"),
    "drawings/d-9.pdf": tiny_pdf("legacy d-9"),
}


EXPECTED_CREATED = {
    "organizations": 2,  # Acme Builders, and BuildTrace legacy for Bob (no company)
    "users": 2,
    "projects": 2,  # Tower, and the project of Bob's session that had none
    "drawing_versions": 4,  # d-1, d-2 (c-1) and d-4, d-5 (c-3)
    "jobs": 2,
    "comparisons→diff_results": 2,
    "analysis_results→change_summaries": 1,
    "processing_jobs→jobs": 2,
}
"""What importing :data:`ROWS` creates, by construction."""
EXPECTED_SKIPPED = {
    ("projects", "p-lost"): "its owner u-ghost was not imported",
    ("comparisons", "c-2"): "file 'drawings/never-uploaded.pdf' of drawing d-3 is missing",
    ("comparisons", "c-4"): "session s-3: its project p-lost was not imported",
    ("comparisons", "c-6"): "it references drawing d-8, which its session does not have",
    ("comparisons", "c-5"): "its session s-gone does not exist",
    ("drawings", "d-9"): "its session s-gone does not exist",
    ("analysis_results", "a-3"): "a failed analysis: OpenAI timeout",
    ("analysis_results", "a-9"): "its session s-gone does not exist",
    ("processing_jobs", "j-3"): "a pdf_extraction job, not a comparison",
    ("processing_jobs", "j-4"): "its session has no comparison to import",
}
"""Every legacy row the import leaves out, with its reason."""


def build_legacy(url: str, files: BlobStorage) -> None:
    """Create the legacy tables at ``url``, fill them with :data:`ROWS` and store :data:`FILES`."""
    engine = create_engine(url)
    legacy.create_all(engine)
    with engine.begin() as connection:
        for table in legacy.sorted_tables:
            rows = [{column.name: row.get(column.name) for column in table.columns} for row in ROWS[table.name]]
            connection.execute(table.insert(), rows)
    engine.dispose()
    for key, data in FILES.items():
        files.put_bytes(key, data)
    files.put_bytes("overlays/c-1.png", _png(), content_type="image/png")
