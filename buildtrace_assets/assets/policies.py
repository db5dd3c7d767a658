"""How pipeline steps retry, fail and ask for cluster resources.

Retries: ``RetryPolicy(max_retries=3, delay=1, backoff=EXPONENTIAL)``. Dagster
waits ``delay * (2**attempt - 1)`` seconds before retry ``attempt``, so a step
that keeps failing runs four times with waits of 1 s, 3 s and 7 s (11 s in
all) before its run fails. Transient trouble (storage, database, model API)
is usually over by then; a bad drawing never is, so it fails at once.
"""

from __future__ import annotations

from dagster import Backoff, Failure, MetadataValue, RetryPolicy

from buildtrace_assets.engine.errors import BadInputError

STEP_RETRY = RetryPolicy(max_retries=3, delay=1, backoff=Backoff.EXPONENTIAL)


def bad_input_failure(error: BadInputError, what: str) -> Failure:
    """A step failure that is not retried: the file is at fault and will be the same next time."""
    return Failure(
        description=f"{what}: {error}",
        metadata={"error": MetadataValue.text(str(error)), "kind": MetadataValue.text(type(error).__name__)},
        allow_retries=False,
    )


def step_resources(cpu: str, memory: str) -> dict[str, dict]:
    """``op_tags`` giving the step's pod these requests under ``k8s_job_executor``.

    Job-level tags do not reach step pods, so every asset that needs more than
    the default states its own; elsewhere (in-process, multiprocess) the tag
    is ignored.
    """
    return {
        "dagster-k8s/config": {
            "container_config": {
                "resources": {"requests": {"cpu": cpu, "memory": memory}, "limits": {"memory": memory}}
            }
        }
    }
