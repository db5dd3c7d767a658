"""Which machine-written summaries are out of date and should be written again.

A summary is stale when it was not written from what is in force now (the
active manual overlay, or the machine diff when none is active), or when it
was written with another prompt version or model than the summarizer now
uses. Comparing the overlay it was written from with the active one, rather
than timestamps, also catches a summary written from an overlay that was
replaced while the model was answering, and one written from an overlay
that was withdrawn since. Summaries people typed (``human_written``) are
never stale: a machine does not replace a person's text on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased, load_only

from buildtrace_assets.db.models import ChangeSummary, DiffResult, Job, ManualOverlay


def is_stale(summary: ChangeSummary, active_overlay: ManualOverlay | None, prompt_version: str, model: str) -> bool:
    """Whether the summary should be written again with ``prompt_version`` by the summarizer named ``model``."""
    if summary.source == "human_written":
        return False
    in_force = active_overlay.id if active_overlay is not None else None
    return summary.overlay_id != in_force or summary.prompt_version != prompt_version or summary.model != model


@dataclass(frozen=True)
class StaleSummary:
    """An active summary to rewrite, with the job whose ``change_summary`` partition rewrites it."""

    job_id: str
    diff_result_id: str
    summary_id: str


def stale_summaries(session: Session, prompt_version: str, model: str) -> list[StaleSummary]:
    """Active summaries of live (not cancelled) jobs that :func:`is_stale` rejects, ordered by job id.

    Only the columns the rule reads are loaded, so a nightly pass over every
    summary does not pull their texts.
    """
    overlay = aliased(ManualOverlay)
    rows = session.execute(
        select(Job.id, ChangeSummary, overlay)
        .join(DiffResult, DiffResult.id == ChangeSummary.diff_result_id)
        .join(Job, Job.id == DiffResult.job_id)
        .outerjoin(overlay, and_(overlay.diff_result_id == DiffResult.id, overlay.is_active.is_(True)))
        .where(ChangeSummary.is_active.is_(True), Job.status != "cancelled")
        .options(
            load_only(
                ChangeSummary.diff_result_id,
                ChangeSummary.source,
                ChangeSummary.overlay_id,
                ChangeSummary.model,
                ChangeSummary.prompt_version,
            ),
            load_only(overlay.id),
        )
        .order_by(Job.id)
    )
    return [
        StaleSummary(job_id, summary.diff_result_id, summary.id)
        for job_id, summary, active_overlay in rows
        if is_stale(summary, active_overlay, prompt_version, model)
    ]
