"""Suite-wide fixtures: each real external system has its own plugin module in ``fixtures/``."""

from pathlib import Path

pytest_plugins = [
    module
    for module in ("fixtures.database", "fixtures.gcs", "fixtures.openai_server", "fixtures.drawings")
    if (Path(__file__).parent / "fixtures" / f"{module.split('.')[1]}.py").exists()
]
