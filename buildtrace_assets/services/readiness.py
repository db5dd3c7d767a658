"""Which jobs the pipeline may compare now, and which work waits for a run that may never come.

The job progress sensor asks these on every tick; the rules live here, not in
an asset module or the sensor, so sensors depend on services only.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import DrawingVersion, Job, JobStage
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.jobs import complete_stage, fail_stage


def ocr_ready(session: Session, actor: Actor, job: Job) -> bool:
    """Whether both versions of the job are analyzed; copies version results onto stages still waiting.

    A job made after its versions were analyzed (a third revision compared
    with the second) has ``ocr`` stages nobody is going to run: they take the
    version's outcome here.
    """
    ready = True
    stages = session.scalars(select(JobStage).where(JobStage.job_id == job.id, JobStage.stage == "ocr"))
    for stage in stages:
        if stage.status == "completed":
            continue
        version = session.get_one(DrawingVersion, stage.drawing_version_id)
        if version.ocr_status == "completed":
            complete_stage(session, actor, job.id, "ocr", version.id, version.ocr_result_ref)
        else:
            ready = False
            if version.ocr_status == "failed" and stage.status != "failed":
                message = f"version {version.version_number} ({version.original_filename}) could not be read"
                fail_stage(session, actor, job.id, "ocr", message, version.id)
    return ready


def jobs_ready_to_compare(session: Session, actor: Actor) -> list[str]:
    """Ids of live jobs whose versions are analyzed and whose diff has not started."""
    waiting = session.scalars(
        select(Job)
        .join(JobStage, JobStage.job_id == Job.id)
        .where(Job.status.in_(("pending", "running")), JobStage.stage == "diff", JobStage.status == "pending")
        .order_by(Job.created_at)
    ).all()
    return [job.id for job in waiting if ocr_ready(session, actor, job)]


def stages_awaiting_a_run(session: Session, waited_before: datetime) -> Sequence[JobStage]:
    """Stages of live jobs that a run started and left in progress, or left waiting for a retry since before
    ``waited_before``: the candidates for abandoned work."""
    return session.scalars(
        select(JobStage)
        .join(Job, Job.id == JobStage.job_id)
        .where(
            Job.status.in_(("pending", "running")),
            JobStage.dagster_run_id.is_not(None),
            or_(
                JobStage.status == "in_progress",
                (JobStage.status == "pending")
                & JobStage.error_message.is_not(None)
                & (JobStage.started_at < waited_before),
            ),
        )
    ).all()


def versions_in_analysis(session: Session) -> Sequence[DrawingVersion]:
    """Versions whose analysis is in progress."""
    return session.scalars(select(DrawingVersion).where(DrawingVersion.ocr_status == "in_progress")).all()
