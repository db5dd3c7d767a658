"""Per comparison job: the written summary of its changes, a new version every time it runs.

It summarizes the active manual overlay when a person saved one, else the
machine diff, and reads crops and words from blob storage, not local disk.
"""

import time
from dataclasses import dataclass
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.assets.diff_results import diff_prefix, diff_result, load_changes
from buildtrace_assets.assets.drawing_versions import load_analysis
from buildtrace_assets.assets.overlays import apply_overlay
from buildtrace_assets.assets.policies import STEP_RETRY, step_resources
from buildtrace_assets.assets.tracking import job_stage_tracked
from buildtrace_assets.db.models import DiffResult, DrawingVersion, Job
from buildtrace_assets.partitions import jobs_partitions
from buildtrace_assets.resources import AppDatabaseResource, BlobStorageResource, SummarizerResource
from buildtrace_assets.resources.summarizer import OFFLINE_MODEL_NAME
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.errors import InvalidInput
from buildtrace_assets.services.overlays import active_overlay
from buildtrace_assets.services.summaries import save_machine_summary
from buildtrace_assets.summaries import ChangeSummary as SummaryModel
from buildtrace_assets.summaries import render_markdown

SUMMARY_COVERS_CHANGES = "summary_covers_every_change"


@dataclass(frozen=True)
class SummaryInput:
    """What a summary is written from: the machine diff, or the active manual overlay over it."""

    diff_result_id: str
    changes_ref: str
    new_analysis_ref: str | None
    overlay_id: str | None
    overlay_changes: list[dict[str, Any]] | None


def summary_input(session: Session, job: Job) -> SummaryInput:
    result = session.scalar(select(DiffResult).where(DiffResult.job_id == job.id))
    if result is None:
        raise Failure(f"job {job.id} has no diff result to summarize", allow_retries=False)
    overlay = active_overlay(session, SYSTEM, result.id)
    new_version = session.get_one(DrawingVersion, job.new_drawing_version_id)
    return SummaryInput(
        result.id,
        result.changes_ref,
        new_version.ocr_result_ref,
        overlay.id if overlay else None,
        list(overlay.changes) if overlay else None,
    )


def coverage_check(document: dict[str, Any], summary: SummaryModel) -> AssetCheckResult:
    """Every change id of the summarized document is named by at least one summary item."""
    expected = {change["id"] for sheet in document["sheets"] for change in sheet["changes"]}
    covered = {change_id for item in summary.items for change_id in item.change_ids}
    missing = sorted(expected - covered)
    return AssetCheckResult(
        check_name=SUMMARY_COVERS_CHANGES,
        passed=not missing,
        metadata={"changes": len(expected), "missing": MetadataValue.json(missing)},
    )


@asset(
    partitions_def=jobs_partitions,
    deps=[diff_result],
    retry_policy=STEP_RETRY,
    op_tags=step_resources(cpu="500m", memory="1Gi"),
    group_name="jobs",
    check_specs=[
        AssetCheckSpec(SUMMARY_COVERS_CHANGES, asset="change_summary", description="Every change id is summarized.")
    ],
)
def change_summary(
    context: AssetExecutionContext,
    storage: BlobStorageResource,
    database: AppDatabaseResource,
    summarizer: SummarizerResource,
) -> MaterializeResult:
    """The written summary of the job's changes, from the active manual overlay when there is one.

    Every run adds a new active version; earlier ones stay in the history.
    """
    job_id = context.partition_key
    final_attempt = context.retry_number >= STEP_RETRY.max_retries
    with job_stage_tracked(database, job_id, "summary", context.run.run_id, final_attempt=final_attempt) as stage:
        with database.transaction() as session:
            source = summary_input(session, stage.job)
        document = load_changes(storage, source.changes_ref)
        if source.overlay_changes is not None:
            try:
                document = apply_overlay(document, source.overlay_changes)
            except InvalidInput as error:
                raise Failure(f"overlay {source.overlay_id}: {error}", allow_retries=False) from error
        words = None
        if source.new_analysis_ref:
            words = {page.index: page.words for page in load_analysis(storage, source.new_analysis_ref).pages}
        prefix = diff_prefix(job_id)
        started = time.perf_counter()
        summary = summarizer.get().summarize(document, words, lambda ref: storage.get().get_bytes(f"{prefix}/{ref}"))
        text = render_markdown(summary, document)
        with database.transaction() as session:
            row = save_machine_summary(
                session,
                SYSTEM,
                source.diff_result_id,
                content={
                    "overall": summary.summary,
                    **summary.model_dump(mode="json", exclude={"summary", "metadata"}),
                },
                text=text,
                model=summary.metadata.model or OFFLINE_MODEL_NAME,
                prompt_version=summary.metadata.prompt_version,
                overlay_id=source.overlay_id,
                metadata=summary.metadata.model_dump(mode="json"),
            )
            key = f"jobs/{job_id}/summaries/{row.id}.md"
            storage.get().put_bytes(key, text.encode(), content_type="text/markdown")
            stage.completed(session, key)
    return MaterializeResult(
        metadata={
            "summary_id": row.id,
            "source": row.source,
            "summarizer": summary.metadata.summarizer,
            "model": row.model,
            "prompt_version": row.prompt_version,
            "items": len(summary.items),
            "seconds": round(time.perf_counter() - started, 3),
            "text": MetadataValue.md(text),
        },
        check_results=[coverage_check(document, summary)],
    )
