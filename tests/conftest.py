"""Suite-wide fixtures: each real external system has its own plugin module in ``fixtures/``."""

import signal
from pathlib import Path

import pytest

pytest_plugins = [
    module
    for module in ("fixtures.database", "fixtures.gcs", "fixtures.openai_server", "fixtures.drawings")
    if (Path(__file__).parent / "fixtures" / f"{module.split('.')[1]}.py").exists()
]


def pytest_configure(config: pytest.Config) -> None:
    """Let Ctrl-C and SIGTERM reach this process and every server a test starts, however pytest was launched.

    A shell starts a background job with SIGINT ignored, and Dagster, when it
    runs a step in this process, copies SIGINT's handler onto SIGTERM. With
    both ignored, every server a test started afterwards inherited the ignored
    SIGTERM and outlived the ``terminate()`` meant to stop it.
    """
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
