"""The two partition sets of the pipeline.

A drawing version is processed once and reused by every job that touches it,
so version-side assets are partitioned by ``drawing_versions`` and job-side
assets by ``jobs``. A job-by-version multi-partition would be the full cross
product, so the link between a job and its two versions lives in the app
database and the job sensor, not in a partition mapping. Partition keys are
the UUID ids of the rows, which never contain the commas or dots Dagster
forbids.
"""

from __future__ import annotations

from dagster import DynamicPartitionsDefinition

drawing_versions_partitions = DynamicPartitionsDefinition(name="drawing_versions")
jobs_partitions = DynamicPartitionsDefinition(name="jobs")
