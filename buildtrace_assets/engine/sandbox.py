"""Run code that parses untrusted files in a disposable child process.

MuPDF (and any C parser) can crash the whole interpreter on a hostile file,
which no ``try`` can catch. So the object that opens a document lives in a
long-lived child process, started once per document and reused for every page
request over a pipe (process start costs far more than rendering a page). The
child runs under an address-space limit; the parent waits with a time limit.
When the child dies or hangs, the request fails with :class:`BadInputError`
and the next request starts a fresh child, so one poisoned page does not take
the rest of a sheet set with it.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import resource
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from buildtrace_assets.engine.errors import BadInputError, BadPageError

_CONTEXT = multiprocessing.get_context("spawn")
"""``spawn``: forking a process that runs threads (Dagster, Streamlit) can deadlock the child."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed child."""

    memory_mb: int = 2048
    """Address-space limit; numpy and MuPDF reserve several hundred MB of virtual memory at import."""
    timeout_s: float = 120.0
    """Longest a single request (open, render a page, ...) may take."""
    start_timeout_s: float = 60.0
    """Longest the child may take to start and open the file."""


def _serve(conn: Connection, factory: str, args: tuple, memory_mb: int) -> None:
    """Child main loop: build the object, then answer ``(method, args)`` requests until told to stop."""
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    module_name, _, attr = factory.partition(":")
    try:
        target = getattr(importlib.import_module(module_name), attr)(*args)
        conn.send(("ok", None))
    except BaseException as exc:  # noqa: BLE001 - every failure of an untrusted file goes back as a message
        conn.send(_failure(exc))
        return
    while True:
        request = conn.recv()
        if request is None:
            return
        method, call_args = request
        try:
            conn.send(("ok", getattr(target, method)(*call_args)))
        except BaseException as exc:  # noqa: BLE001
            conn.send(_failure(exc))


def _failure(exc: BaseException) -> tuple:
    if isinstance(exc, BadPageError):
        return ("bad_page", exc.page, exc.reason)
    if isinstance(exc, MemoryError):
        return ("bad", "the file needs more memory than allowed")
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ("bad", message)


class Sandbox:
    """A child process holding ``factory(*args)``; call its methods with :meth:`call`.

    ``factory`` is ``"module:callable"`` so the child imports it itself (spawn
    pickles nothing but names and plain arguments).
    """

    def __init__(self, factory: str, *args: Any, limits: Limits | None = None) -> None:
        self._factory = factory
        self._args = args
        self._limits = limits or Limits()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        self._start()

    def _start(self) -> None:
        parent, child = _CONTEXT.Pipe()
        env_backup = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
        # One BLAS thread: each thread reserves address space counted by RLIMIT_AS.
        os.environ.update({"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
        try:
            process = _CONTEXT.Process(
                target=_serve, args=(child, self._factory, self._args, self._limits.memory_mb), daemon=True
            )
            process.start()
        finally:
            for key, value in env_backup.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        child.close()
        self._process, self._conn = process, parent
        try:
            self._receive(self._limits.start_timeout_s, "opening the file")
        except BadInputError:
            self._stop()
            raise

    def call(self, method: str, *args: Any, timeout_s: float | None = None) -> Any:
        """Run ``method(*args)`` in the child; restart the child first if an earlier request killed it."""
        if self._process is None or not self._process.is_alive():
            self._stop()
            self._start()
        assert self._conn is not None
        self._conn.send((method, args))
        return self._receive(timeout_s or self._limits.timeout_s, method)

    def _receive(self, timeout_s: float, what: str) -> Any:
        assert self._conn is not None and self._process is not None
        try:
            ready = self._conn.poll(timeout_s)
            if not ready:
                self._stop()
                raise BadInputError(f"{what} took longer than {timeout_s:g} s")
            reply = self._conn.recv()
        except (EOFError, ConnectionError):
            self._process.join(1)
            code = self._process.exitcode
            self._stop()
            raise BadInputError(f"the file crashed the renderer while {what} (exit code {code})") from None
        status, *payload = reply
        if status == "ok":
            return payload[0]
        if status == "bad_page":
            raise BadPageError(payload[0], payload[1])
        if self._process is not None and not self._process.is_alive():
            self._stop()
        raise BadInputError(payload[0])

    def _stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join(5)
        self._process, self._conn = None, None

    @property
    def pid(self) -> int | None:
        """Process id of the current child (None when stopped); tests use it to kill the child."""
        return self._process.pid if self._process is not None else None

    def close(self) -> None:
        """Ask the child to exit, kill it if it does not."""
        if self._conn is not None and self._process is not None and self._process.is_alive():
            try:
                self._conn.send(None)
                self._process.join(2)
            except (BrokenPipeError, OSError):
                pass
        self._stop()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
