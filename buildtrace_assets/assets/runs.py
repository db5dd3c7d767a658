"""The runs sensors and schedules request: one asset job per kind of work.

Every run is tagged with the BuildTrace job it works for, so cancelling a job
can find and stop its runs, and the run-failure sensor knows whom to tell.
"""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job

from buildtrace_assets.assets.change_summaries import change_summary
from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.assets.drawing_versions import drawing_analysis

JOB_TAG = "buildtrace/job_id"
"""Run tag naming the BuildTrace job a run works for."""
VERSION_TAG = "buildtrace/drawing_version_id"
"""Run tag naming the drawing version a run analyzes."""
REQUEST_TAG = "buildtrace/request_id"
"""Run tag naming the pipeline request a run carries out."""
REQUESTED_BY_TAG = "buildtrace/requested_by"
"""Run tag naming the user who asked for the run, or ``system``."""

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
