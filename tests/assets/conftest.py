"""Fixtures of the pipeline's test world (see ``pipeline/world.py``)."""

from pipeline.world import gcs_world, instance, revision_pair, world  # noqa: F401
