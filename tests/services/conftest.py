"""Fixtures of the service tests beyond ``fixtures.database``: uploaded versions, a job, its diff result."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fixtures.database import Team, tiny_pdf
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import DiffResult, DrawingVersion, Job
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.diff_results import record_diff_result
from buildtrace_assets.services.jobs import create_comparison_job
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.storage import BlobStorage

UploadVersion = Callable[..., DrawingVersion]


@pytest.fixture
def upload_version(db_session: Session, blob_storage: BlobStorage, team: Team) -> UploadVersion:
    """``upload_version(label, drawing="A-101")``: the editor uploads a tiny PDF showing ``label``."""

    def upload(label: str, drawing: str = "A-101") -> DrawingVersion:
        return register_upload(
            db_session, blob_storage, team.editor, team.project.id, drawing, f"{label}.pdf", tiny_pdf(label)
        )

    return upload


@pytest.fixture
def versions(upload_version: UploadVersion) -> tuple[DrawingVersion, DrawingVersion]:
    """Versions 1 and 2 of drawing A-101."""
    return upload_version("rev 1"), upload_version("rev 2")


@pytest.fixture
def job(db_session: Session, team: Team, versions: tuple[DrawingVersion, DrawingVersion]) -> Job:
    """The editor's job comparing ``versions``."""
    return create_comparison_job(db_session, team.editor, versions[0].id, versions[1].id)


@pytest.fixture
def diff_result(db_session: Session, job: Job) -> DiffResult:
    """The pipeline's diff result of ``job``."""
    return record_diff_result(
        db_session, SYSTEM, job.id, changes_ref=f"diffs/{job.id}/changes.json", engine_version="1.0", sheet_count=1
    )
