"""Serving the API with waitress, a production WSGI server that runs the same on every platform."""

from __future__ import annotations

from flask import Flask
from waitress import serve as waitress_serve

DEFAULT_THREADS = 8


def serve(app: Flask, host: str, port: int, threads: int = DEFAULT_THREADS) -> None:
    """Serve ``app`` until interrupted; waitress buffers request bodies, so slow uploads do not hold a thread."""
    waitress_serve(app, host=host, port=port, threads=threads, ident="buildtrace")
