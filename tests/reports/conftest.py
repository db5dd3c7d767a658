"""Fixtures of the report document tests: the scene of :mod:`reports.scene` as a report input."""

from __future__ import annotations

from pathlib import Path

import pytest
from reports.scene import report_input

from buildtrace_assets.reports.inputs import ReportInput


@pytest.fixture
def scene_input(tmp_path: Path) -> ReportInput:
    """The scene's machine result, not reviewed."""
    return report_input(tmp_path)
