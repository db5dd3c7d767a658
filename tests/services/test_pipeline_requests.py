"""Pipeline requests: a person's wish for pipeline work is one audited row, refused with nothing written when they
may not ask, recorded once however often they click, and followed through its run to done or failed."""

from __future__ import annotations

import pytest
from fixtures.database import Team
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import AuditLog, DiffResult, Job, PipelineRequest
from buildtrace_assets.services.access import PIPELINE
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from buildtrace_assets.services.jobs import cancel_job
from buildtrace_assets.services.pipeline_requests import (
    follow_run,
    get_request,
    mark_submitted,
    project_requests,
    request_summary,
    retry_request,
    waiting_since,
)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_an_editor_asks_for_a_summary_the_row_names_who_what_why_and_is_audited(
    db_session: Session, team: Team, job: Job, diff_result: DiffResult
) -> None:
    request = request_summary(db_session, team.editor, job.id, "client asked for a shorter summary")

    assert (request.kind, request.job_id, request.requested_by, request.reason, request.status) == (
        "summarize",
        job.id,
        team.editor.user_id,
        "client asked for a shorter summary",
        "pending",
    )
    audited = db_session.scalars(select(AuditLog).where(AuditLog.entity_id == request.id)).one()
    assert (audited.action, audited.user_id, audited.executed_by) == (
        "pipeline_request.summarize",
        team.editor.user_id,
        None,
    )


def test_a_double_click_records_one_request_and_a_new_one_after_its_run_was_asked(
    db_session: Session, team: Team, job: Job, diff_result: DiffResult
) -> None:
    first = request_summary(db_session, team.editor, job.id, "regenerate summary")
    again = request_summary(db_session, team.owner, job.id, "regenerate summary")
    assert again.id == first.id and count(db_session, PipelineRequest) == 1 + _others(db_session, job)

    mark_submitted(db_session, first.id, "run-1")
    later = request_summary(db_session, team.editor, job.id, "regenerate summary")
    assert later.id != first.id


def _others(session: Session, job: Job) -> int:
    """Requests the upload fixtures recorded (analyses, comparisons), not summaries."""
    return session.scalar(select(func.count()).where(PipelineRequest.kind != "summarize")) or 0


@pytest.mark.parametrize(
    ("who", "error"), [("viewer", PermissionDenied), ("outsider", NotFound), ("colleague", NotFound)]
)
def test_people_who_may_not_ask_are_refused_and_nothing_is_written(
    db_session: Session, team: Team, job: Job, diff_result: DiffResult, who: str, error: type[Exception]
) -> None:
    before = (count(db_session, PipelineRequest), count(db_session, AuditLog))

    with pytest.raises(error):
        request_summary(db_session, getattr(team, who), job.id, "regenerate summary")

    assert (count(db_session, PipelineRequest), count(db_session, AuditLog)) == before


def test_a_blank_or_overlong_reason_is_refused(
    db_session: Session, team: Team, job: Job, diff_result: DiffResult
) -> None:
    for reason in ("   ", "x" * 501):
        with pytest.raises(InvalidInput, match="reason of 1 to 500 characters"):
            request_summary(db_session, team.editor, job.id, reason)


def test_a_job_without_a_result_or_cancelled_or_unknown_is_refused(db_session: Session, team: Team, job: Job) -> None:
    with pytest.raises(Conflict, match="no comparison result yet"):
        request_summary(db_session, team.editor, job.id, "regenerate summary")
    with pytest.raises(NotFound):
        request_summary(db_session, team.editor, "no-such-job", "regenerate summary")
    cancel_job(db_session, team.editor, job.id)
    with pytest.raises(Conflict, match="cancelled"):
        request_summary(db_session, team.editor, job.id, "regenerate summary")


def test_the_request_follows_its_run_and_a_failed_one_is_retried_by_a_new_request(
    db_session: Session, team: Team, job: Job, diff_result: DiffResult
) -> None:
    request = request_summary(db_session, team.editor, job.id, "regenerate summary")
    mark_submitted(db_session, request.id, "run-1")
    assert request.status == "queued" and request.dagster_run_id == "run-1"
    follow_run(db_session, request.id, "running", "run-1")
    with pytest.raises(Conflict, match="only a failed request"):
        retry_request(db_session, team.editor, request.id)

    follow_run(db_session, request.id, "failed", "run-1", "change_summary: the model timed out")

    assert (request.status, request.error_message) == ("failed", "change_summary: the model timed out")
    assert request.finished_at is not None
    ended = db_session.scalars(
        select(AuditLog).where(AuditLog.entity_id == request.id, AuditLog.action == "pipeline_request.failed")
    ).one()
    assert (ended.user_id, ended.executed_by) == (None, PIPELINE.executor)
    with pytest.raises(PermissionDenied):
        retry_request(db_session, team.viewer, request.id)
    retried = retry_request(db_session, team.editor, request.id)
    assert (retried.kind, retried.job_id, retried.reason, retried.status) == (
        "summarize",
        job.id,
        f"retry of request {request.id}",
        "pending",
    )


def test_requests_are_read_by_members_only_and_waiting_ones_say_since_when(
    db_session: Session, team: Team, job: Job, diff_result: DiffResult
) -> None:
    request = request_summary(db_session, team.editor, job.id, "regenerate summary")

    assert get_request(db_session, team.viewer, request.id).id == request.id
    with pytest.raises(NotFound):
        get_request(db_session, team.outsider, request.id)
    listed = project_requests(db_session, team.viewer, team.project.id, job_id=job.id)
    assert listed[0].id == request.id
    assert waiting_since(db_session, team.viewer, team.project.id)[job.id] <= request.created_at
    with pytest.raises(NotFound):
        waiting_since(db_session, team.outsider, team.project.id)
