"""Start the portal with its operations endpoints: ``python -m portal.serve [streamlit options]``.

Streamlit serves its own routes only (``/_stcore/health`` says the server is up, nothing about the database),
and ``portal/app.py`` runs only when someone opens a page, too late to start anything a probe must reach. So
this launcher first starts a small server of the process's own on ``BUILDTRACE_PORTAL_OPS_PORT`` (``/healthz``,
``/readyz``: database, storage and the Dagster API; ``/metrics``: page runs and sign-in failures of this
process), then hands over to ``streamlit run portal/asgi.py`` (the pages plus the sign-in route) in the same process.
"""

from __future__ import annotations

import sys
from pathlib import Path

from prometheus_client import REGISTRY
from streamlit.web.cli import main as streamlit_main

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.session import make_session_factory
from buildtrace_assets.observability.health import readiness, standard_checks
from buildtrace_assets.observability.ops_server import OpsServer
from buildtrace_assets.observability.startup import start_observability
from buildtrace_assets.storage import open_storage

APP = Path(__file__).with_name("asgi.py")


def start_ops_server(host: str = "0.0.0.0") -> OpsServer | None:
    """The portal's operations server, or None when its port is 0."""
    settings = get_settings()
    if not settings.portal_ops_port:
        return None
    checks = standard_checks(settings, make_session_factory(settings.database_url), open_storage(settings.storage_url))
    return OpsServer(REGISTRY, lambda: readiness(checks, settings.health_timeout_s), host, settings.portal_ops_port)


def main(argv: list[str]) -> None:
    start_observability("buildtrace-portal", get_settings().log_format)
    start_ops_server()
    sys.argv = ["streamlit", "run", str(APP), "--runner.magicEnabled", "false", *argv]
    streamlit_main()


if __name__ == "__main__":
    main(sys.argv[1:])
