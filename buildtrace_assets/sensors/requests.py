"""The run requests sensors and schedules make, each with a ``run_key`` that makes repeating it harmless.

Dagster starts at most one run per ``run_key`` and sensor, so a tick that is
evaluated twice, or a job that is seen as ready on every tick until its run
starts, still produces exactly one run.
"""

from dagster import RunRequest

from buildtrace_assets.assets.runs import JOB_TAG, VERSION_TAG, analyze_version_job, compare_job, summarize_job


def analysis_request(version_id: str) -> RunRequest:
    """The run that analyzes one drawing version."""
    return RunRequest(
        run_key=f"analyze:{version_id}",
        partition_key=version_id,
        job_name=analyze_version_job.name,
        tags={VERSION_TAG: version_id},
    )


def compare_request(job_id: str) -> RunRequest:
    """The run that diffs a job's two versions and summarizes the changes."""
    return RunRequest(
        run_key=f"compare:{job_id}", partition_key=job_id, job_name=compare_job.name, tags={JOB_TAG: job_id}
    )


def summary_request(job_id: str, reason: str) -> RunRequest:
    """A run writing a new summary of a job; ``reason`` (an overlay id, a staleness mark) keys it."""
    return RunRequest(
        run_key=f"summarize:{job_id}:{reason}",
        partition_key=job_id,
        job_name=summarize_job.name,
        tags={JOB_TAG: job_id},
    )
