"""Dagster resources, one module per external system, configured from :func:`get_settings`."""

from __future__ import annotations

from buildtrace_assets.config import Settings
from buildtrace_assets.resources.database import AppDatabaseResource
from buildtrace_assets.resources.engine import EngineSettingsResource
from buildtrace_assets.resources.storage import BlobStorageResource
from buildtrace_assets.resources.summarizer import SummarizerResource

__all__ = [
    "AppDatabaseResource",
    "BlobStorageResource",
    "EngineSettingsResource",
    "SummarizerResource",
    "build_resources",
]


def build_resources(settings: Settings) -> dict[str, object]:
    """The resources of every asset, sensor and schedule, under the names they ask for."""
    return {
        "storage": BlobStorageResource(url=settings.storage_url),
        "database": AppDatabaseResource(url=settings.database_url),
        "engine": EngineSettingsResource(dpi=settings.dpi, ocr_timeout_s=settings.ocr_timeout_s),
        "summarizer": SummarizerResource(
            kind=settings.summarizer,
            openai_model=settings.openai_model,
            openai_base_url=settings.openai_base_url,
            openai_timeout_s=settings.openai_timeout_s,
        ),
    }
