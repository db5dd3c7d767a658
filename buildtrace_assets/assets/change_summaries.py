"""Per comparison job: the written summary of its changes, a new version every time it runs.

The asset is the Dagster face of :mod:`buildtrace_assets.summaries.generate`,
the one implementation of versioned summary generation (the portal and the
API use it too): inputs are read in one transaction, the model runs with none
open, and the result is saved in a second one. On top of that it tracks the
job's ``summary`` stage, stores the summary as a markdown blob and checks that
every change is summarized. The summary is written in the name of the person
whose request the run carries out (see :mod:`.attribution`).

Its code version is the prompt version and the configured model, so Dagster
marks every summary written with another one stale, and a data engineer can
backfill exactly those.
"""

import time
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

from buildtrace_assets.assets.attribution import requester
from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.assets.policies import STEP_RETRY, step_resources
from buildtrace_assets.assets.tracking import job_stage_tracked
from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.observability.steps import count_tokens, observed_step, summarizer_call
from buildtrace_assets.partitions import jobs_partitions
from buildtrace_assets.resources import AppDatabaseResource, BlobStorageResource, SummarizerResource
from buildtrace_assets.services.diff_results import get_diff_result
from buildtrace_assets.services.errors import InvalidInput, NotFound, PermissionDenied
from buildtrace_assets.services.partition_labels import job_label
from buildtrace_assets.summaries import PROMPT_VERSION, InvalidChangesError
from buildtrace_assets.summaries import ChangeSummary as SummaryModel
from buildtrace_assets.summaries.factory import make_summarizer
from buildtrace_assets.summaries.generate import load_summary_input, save_summary, summarize_input

SUMMARY_COVERS_CHANGES = "summary_covers_every_change"


def summarizer_version(settings: Settings) -> str:
    """The code version of ``change_summary``: what decides a summary's wording besides its input."""
    return f"prompt {PROMPT_VERSION}, model {make_summarizer(settings).model}"


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
    code_version=summarizer_version(get_settings()),
    check_specs=[
        AssetCheckSpec(
            SUMMARY_COVERS_CHANGES,
            asset="change_summary",
            description="Every change id is summarized.",
            partitions_def=jobs_partitions,
        )
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
    A missing diff result or an unreadable changes document or overlay fails
    at once, since retrying cannot repair them; a failing model call is retried.
    """
    job_id, actor = context.partition_key, requester(context.run.tags)
    final_attempt = context.retry_number >= STEP_RETRY.max_retries
    blobs = storage.get()
    with (
        observed_step("summary", context.run.tags, context.run.run_id, job_id=job_id),
        job_stage_tracked(database, job_id, "summary", context.run.run_id, final_attempt=final_attempt) as stage,
    ):
        writer = summarizer.get()
        try:
            with database.transaction() as session:
                source = load_summary_input(session, blobs, actor, get_diff_result(session, actor, job_id).id)
                label = job_label(session, job_id)
            started = time.perf_counter()
            with summarizer_call(writer.model):
                summary = summarize_input(source, blobs, writer)
            count_tokens(summary.metadata.usage)
            seconds = time.perf_counter() - started
        except (NotFound, PermissionDenied, InvalidInput, InvalidChangesError) as error:
            raise Failure(f"job {job_id} cannot be summarized: {error}", allow_retries=False) from error
        with database.transaction() as session:
            row = save_summary(session, actor, source, summary, writer.model)
            key = f"jobs/{job_id}/summaries/{row.id}.md"
            blobs.put_bytes(key, row.text.encode(), content_type="text/markdown")
            stage.completed(session, key)
    return MaterializeResult(
        metadata={
            "job": label,
            "written_for": actor.user_id or "pipeline",
            "summary_id": row.id,
            "source": row.source,
            "summarizer": summary.metadata.summarizer,
            "model": row.model,
            "prompt_version": row.prompt_version,
            "items": len(summary.items),
            "seconds": round(seconds, 3),
            "text": MetadataValue.md(row.text),
        },
        check_results=[coverage_check(source.document, summary)],
    )
