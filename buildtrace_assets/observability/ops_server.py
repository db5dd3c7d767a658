"""A small HTTP server of a process's own: ``/healthz``, ``/readyz`` and ``/metrics`` beside its main work.

The portal (Streamlit cannot serve extra routes) and the pipeline exporter use it; waitress serves it from a
daemon thread, so it answers even while the process's main loop is busy.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, make_wsgi_app
from waitress.server import create_server

from buildtrace_assets.observability.health import LIVENESS_BODY

Readiness = Callable[[], tuple[bool, dict[str, Any]]]
StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def ops_app(registry: CollectorRegistry, readiness: Readiness) -> Callable[[dict[str, Any], StartResponse], Any]:
    """The WSGI app of the three endpoints; anything else is a 404."""
    metrics = make_wsgi_app(registry)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        body: dict[str, Any]
        if path == "/metrics":
            return metrics(environ, start_response)
        if path == "/healthz":
            status, body = "200 OK", LIVENESS_BODY
        elif path == "/readyz":
            ready, body = readiness()
            status = "200 OK" if ready else "503 Service Unavailable"
        else:
            status, body = "404 Not Found", {"error": {"code": "not_found", "message": f"no route {path}"}}
        payload = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]

    return app


class OpsServer:
    """:func:`ops_app` served on ``host:port`` from a daemon thread until :meth:`close`."""

    def __init__(self, registry: CollectorRegistry, readiness: Readiness, host: str, port: int) -> None:
        self._server = create_server(ops_app(registry, readiness), host=host, port=port, threads=2, ident="buildtrace")
        self._thread = threading.Thread(target=self._server.run, name="buildtrace-ops", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.effective_port)  # type: ignore[union-attr]

    def close(self) -> None:
        self._server.close()
        self._thread.join(timeout=5)
