"""A job's lineage rows: each asset partition with its state, and who asked for the run that made it."""

from __future__ import annotations

from datetime import UTC, datetime

from buildtrace_assets.pipeline_api import PartitionState, job_partitions
from portal.lineage import lineage_rows


def test_a_job_s_partitions_are_both_analyses_then_diff_then_summary() -> None:
    assert job_partitions(job_id="j", old_version_id="v1", new_version_id="v2") == [
        ("drawing_analysis", "v1", "old version"),
        ("drawing_analysis", "v2", "new version"),
        ("diff_result", "j", "job"),
        ("change_summary", "j", "job"),
    ]


def test_rows_name_the_person_who_asked_the_pipeline_for_its_own_runs_and_nobody_before_a_run() -> None:
    at = datetime(2026, 12, 7, 12, 3, tzinfo=UTC)
    states = [
        PartitionState("change_summary", "j", "materialized", at, "run-2", "user-1"),
        PartitionState("diff_result", "j", "failed", at, "run-1", "system"),
        PartitionState("drawing_analysis", "v1", "not started", None, None, None),
    ]

    rows = lineage_rows(states, ["job", "job", "old version"], {"user-1": "pm@acme.test"})

    assert [(row["status"], row["asked by"], row["materialized at"]) for row in rows] == [
        ("materialized", "pm@acme.test", "2026-12-07 12:03:00 UTC"),
        ("failed", "pipeline", "2026-12-07 12:03:00 UTC"),
        ("not started", "", ""),
    ]
