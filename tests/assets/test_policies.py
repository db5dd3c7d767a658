"""How steps retry and fail."""

from __future__ import annotations

from dagster import Backoff, Failure

from buildtrace_assets.assets.change_summaries import change_summary
from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.assets.drawing_versions import drawing_analysis
from buildtrace_assets.assets.policies import STEP_RETRY, bad_input_failure
from buildtrace_assets.engine.errors import BadInputError

ASSETS = (drawing_analysis, diff_result, change_summary)


def test_steps_retry_three_times_waiting_1_3_and_7_seconds() -> None:
    assert (STEP_RETRY.max_retries, STEP_RETRY.backoff) == (3, Backoff.EXPONENTIAL)
    assert [STEP_RETRY.calculate_delay(attempt) for attempt in (1, 2, 3)] == [1, 3, 7]
    assert all(asset.op.retry_policy == STEP_RETRY for asset in ASSETS)


def test_a_bad_drawing_is_a_failure_that_is_not_retried() -> None:
    failure = bad_input_failure(BadInputError("the file is encrypted"), "drawing version v1")

    assert isinstance(failure, Failure) and not failure.allow_retries
    assert failure.description == "drawing version v1: the file is encrypted"
