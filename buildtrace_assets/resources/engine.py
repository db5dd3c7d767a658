"""Settings of the comparison engine as a Dagster resource.

Kept apart from the assets so the cluster can trade speed for accuracy (DPI)
or bound Tesseract (timeout) without a code change.
"""

from __future__ import annotations

from dagster import ConfigurableResource
from pydantic import Field


class EngineSettingsResource(ConfigurableResource):
    """Raster resolution and OCR time limit used by every asset that calls the engine."""

    dpi: int = Field(gt=0, description="Raster resolution of rendering, comparison and overlays.")
    ocr_timeout_s: float = Field(gt=0, description="Tesseract time limit per page, in seconds.")
