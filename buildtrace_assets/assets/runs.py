"""The runs sensors and schedules request: one asset job per kind of work.

Every run is tagged with the BuildTrace job it works for, so cancelling a job
can find and stop its runs, and the run-failure sensor knows whom to tell.
"""

from __future__ import annotations

from dagster import AssetSelection, DagsterRun, define_asset_job

from buildtrace_assets.assets.change_summaries import change_summary
from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.assets.drawing_versions import drawing_analysis

JOB_TAG = "buildtrace/job_id"
"""Run tag naming the BuildTrace job a run works for."""
VERSION_TAG = "buildtrace/drawing_version_id"
"""Run tag naming the drawing version a run analyzes."""
REQUEST_TAG = "buildtrace/request_id"
"""Run tag naming the pipeline request a run carries out."""

analyze_version_job = define_asset_job(
    "analyze_drawing_version",
    selection=AssetSelection.assets(drawing_analysis),
    description="Read every page of one uploaded drawing version.",
)
compare_job = define_asset_job(
    "compare_versions",
    selection=AssetSelection.assets(diff_result, change_summary),
    description="Diff a job's two versions, then summarize the changes.",
)
summarize_job = define_asset_job(
    "summarize_changes",
    selection=AssetSelection.assets(change_summary),
    description="Write a new summary of a job's changes (after a manual overlay, or when stale).",
)

VERSION_ASSETS = frozenset({drawing_analysis.key})
JOB_ASSETS = frozenset({diff_result.key, change_summary.key})
PARTITION_TAG = "dagster/partition"


def run_targets(run: DagsterRun) -> tuple[str | None, str | None]:
    """The drawing version and the BuildTrace job a run works for: from its tags, else from its partition.

    Runs the sensors request carry tags; a run launched by hand (Materialize in
    the Dagster UI, a backfill) has only its partition key, which names a
    version or a job depending on the assets it materializes.
    """
    version_id, job_id = run.tags.get(VERSION_TAG), run.tags.get(JOB_TAG)
    partition = run.tags.get(PARTITION_TAG)
    if version_id is None and job_id is None and partition:
        selected = run.asset_selection or frozenset()
        if run.job_name == analyze_version_job.name or selected & VERSION_ASSETS:
            version_id = partition
        elif run.job_name in (compare_job.name, summarize_job.name) or selected & JOB_ASSETS:
            job_id = partition
    return version_id, job_id
