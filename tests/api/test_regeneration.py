"""A background regeneration shows its outcome on the job's summary stage: in progress, then completed or failed."""

from __future__ import annotations

from api.support import World
from fixtures.openai_server import FakeOpenAIServer, Reply, error_body
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.api.regeneration import BackgroundSummaries
from buildtrace_assets.db.models import AuditLog, ChangeSummary, Job, JobStage
from buildtrace_assets.services.access import Actor
from buildtrace_assets.storage import BlobStorage
from buildtrace_assets.summaries import OfflineSummarizer, OpenAIConfig, OpenAISummarizer
from buildtrace_assets.summaries.factory import Summarizer


def _regenerate(
    sessions: sessionmaker[Session], storage: BlobStorage, summarizer: Summarizer, actor: Actor, world: World
) -> tuple[JobStage, Job, list[str]]:
    """Run one background regeneration to its end; the summary stage, its job, and the stage's audited transitions."""
    worker = BackgroundSummaries(sessions, storage, summarizer)
    try:
        worker.submit(actor, world.diff_result_id).result(timeout=30)
    finally:
        worker.shutdown()
    with sessions() as session:
        stage = session.scalars(
            select(JobStage).where(JobStage.job_id == world.job_id, JobStage.stage == "summary")
        ).one()
        transitions = session.scalars(
            select(AuditLog.action).where(AuditLog.entity_id == stage.id).order_by(AuditLog.created_at)
        ).all()
        return stage, session.get_one(Job, world.job_id), list(transitions)


def test_a_successful_regeneration_moves_the_stage_through_in_progress_to_completed(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, world: World
) -> None:
    stage, job, transitions = _regenerate(session_factory, blob_storage, OfflineSummarizer(), world.team.editor, world)

    assert transitions == ["job_stage.in_progress", "job_stage.completed"]
    assert (stage.status, stage.attempts, stage.error_message) == ("completed", 1, None)
    assert "24'-9\"" in blob_storage.get_bytes(stage.result_ref).decode()
    assert (job.status, job.error_message) == ("running", None)


def test_a_failing_model_fails_the_stage_and_the_job_with_the_reason(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, world: World, openai_server: FakeOpenAIServer
) -> None:
    openai_server.enqueue(Reply(status=500, body=error_body("the model is down")))
    summarizer = OpenAISummarizer(
        OpenAIConfig(api_key="k", base_url=openai_server.base_url, timeout_s=2.0, max_attempts=1)
    )

    stage, job, transitions = _regenerate(session_factory, blob_storage, summarizer, world.team.editor, world)

    assert transitions == ["job_stage.in_progress", "job_stage.failed"]
    assert stage.status == "failed" and "the model is down" in stage.error_message
    assert job.status == "failed" and job.error_message.startswith("summary stage failed: summary regeneration failed")
    with session_factory() as session:
        assert session.scalars(select(ChangeSummary)).all() == []


def test_a_viewer_cannot_touch_the_stage_from_the_background(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, world: World
) -> None:
    stage, job, transitions = _regenerate(session_factory, blob_storage, OfflineSummarizer(), world.team.viewer, world)

    assert (stage.status, job.status, transitions) == ("pending", "pending", [])
