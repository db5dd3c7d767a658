"""Regenerating a job's summary on request, with the pipeline's own summary step.

The button runs the ``summarize_changes`` job of the Dagster definitions for
the job's partition, in this process: the summary is written exactly as the
pipeline writes it (the active overlay in force, the configured summarizer,
stage tracking, asset checks) and the run is recorded in the Dagster instance
when ``DAGSTER_HOME`` names one, so the lineage on the Jobs page shows it.
The definitions are built from the current settings on each call, not taken
from the module-level ``defs`` that froze the settings of its first import.
The caller checks the person's role first: the run itself acts as the system.
"""

from __future__ import annotations

import os

from dagster import DagsterInstance, in_process_executor

from buildtrace_assets.config import get_settings
from portal.lineage import JOB_PARTITIONS

SUMMARIZE_JOB = "summarize_changes"


def regenerate_summary(job_id: str) -> str | None:
    """Write a new summary for ``job_id``; the error text when the run failed, else None."""
    from buildtrace_assets.definitions import make_definitions

    definitions = make_definitions(get_settings(), in_process_executor)
    instance = DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    if not instance.has_dynamic_partition(JOB_PARTITIONS, job_id):
        instance.add_dynamic_partitions(JOB_PARTITIONS, [job_id])
    result = definitions.resolve_job_def(SUMMARIZE_JOB).execute_in_process(
        partition_key=job_id, instance=instance, raise_on_error=False
    )
    if result.success:
        return None
    failures = [event.step_failure_data.error.message.strip() for event in result.all_events if event.is_step_failure]
    return failures[-1] if failures else "the summary run failed"
