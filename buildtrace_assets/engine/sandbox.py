"""Run code that parses untrusted files in a disposable child process.

MuPDF (and any C parser) can crash the whole interpreter on a hostile file,
which no ``try`` can catch. So the object that opens a document lives in a
long-lived child process, started once per document and reused for every page
request over a socket (process start costs far more than rendering a page).
Arrays (rendered pages) cross through memory: the child writes the raster
into an anonymous in-memory file (``memfd``), seals it, passes its descriptor
over the socket, and the parent maps it as its array. Pickling a 20 MB page
through a pipe costs as much as rendering it, and even raw bytes through the
socket cost half as much again. The child runs under an address-space limit;
the parent waits with a time limit. When the child dies or hangs, the request
fails with :class:`BadInputError` and the next request starts a fresh child,
so one poisoned page does not take the rest of a sheet set with it.

The child is a fresh interpreter running this module, not a
``multiprocessing`` process: ``spawn`` re-imports the parent's main module in
every child (a Dagster or Streamlit entry point costs seconds), and ``fork``
of a process that runs threads can deadlock the child. It starts with ``-S``:
``site`` and the environment's ``.pth`` hooks cost ~70 ms of every start, and
the child receives the parent's ``sys.path`` before it imports anything else.
A second sandbox can be started ``beside`` a running one: that child forks a
sibling, which begins with every module already imported (a fresh start costs
~0.2 s, most of it importing PyMuPDF); it is a fresh interpreter again after a
crash. A command that knows it will open documents can :func:`prestart` a
child before its own imports: the child imports the renderer meanwhile, on
the other core, and the first sandbox takes it.
"""

from __future__ import annotations

import fcntl
import importlib
import mmap
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from buildtrace_assets.engine.errors import BadInputError, BadPageError, public_message

if TYPE_CHECKING:  # numpy costs ~0.1 s of each child's start, so only the parent imports it (to receive arrays)
    import numpy as np

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_SEALS = fcntl.F_SEAL_SEAL | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE
"""An array's in-memory file can no longer change once sent: the parent maps it, and a file shrunk under a mapping
kills the process that reads it."""
_FORK = "__fork__"
"""The request that makes a child fork a sibling; the sibling's socket follows it as a passed descriptor."""
_PRELOAD = "__preload__"
"""A pre-started child's first message: what to import before the file to open is known."""
_spares: list[tuple[subprocess.Popen, Connection]] = []
"""Children pre-started by :func:`prestart`, not yet taken by a sandbox."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed child."""

    memory_mb: int = 2048
    """Address-space limit; numpy and MuPDF reserve several hundred MB of virtual memory at import."""
    timeout_s: float = 120.0
    """Longest a single request (open, render a page, ...) may take."""
    start_timeout_s: float = 60.0
    """Longest the child may take to start and open the file."""


def _serve(conn: Connection) -> None:
    """Child main loop: build the object, then answer ``(method, args)`` requests until told to stop."""
    first = conn.recv()
    if first[0] == _PRELOAD:
        _preload(*first[1:])
        first = conn.recv()
    factory, args, memory_mb, path = first
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sys.path[:] = path
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
        if method == _FORK:
            conn.send(("ok", _fork_sibling(conn)))
            continue
        try:
            result = getattr(target, method)(*call_args)
        except BaseException as exc:  # noqa: BLE001
            conn.send(_failure(exc))
            continue
        raw = _raw_array(result)
        if raw is not None:
            conn.send(("array", raw.shape, raw.format))
            _send_shared(conn.fileno(), raw.cast("B"))
        else:
            conn.send(("ok", result))


def _preload(target: str, path: list[str]) -> None:
    """Import and call ``target`` (``"module:callable"``) ahead of the file: a failure is left for the factory's own
    import to report, and the file itself is only touched after the memory limit is in place."""
    sys.path[:] = path
    module_name, _, attr = target.partition(":")
    with suppress(Exception):
        getattr(importlib.import_module(module_name), attr)()


def _fork_sibling(conn: Connection) -> int:
    """Fork a child that serves another sandbox over the socket passed next on ``conn``; its pid.

    The sibling is reaped by the kernel (children are ignored here), and it
    closes this child's socket at once, so the parent still sees this child's
    death as the end of its own connection.
    """
    with _borrowed_socket(conn.fileno()) as sock:
        _, fds, _, _ = socket.recv_fds(sock, 1, 1)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    pid = os.fork()
    if pid == 0:
        try:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            conn.close()
            _serve(Connection(fds[0]))
        finally:
            os._exit(0)
    os.close(fds[0])
    return pid


def _raw_array(result: Any) -> memoryview | None:
    """A C-contiguous view of an array answer: a memoryview, or a numpy array when the child's own code loaded numpy."""
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(result, numpy.ndarray):
        return memoryview(numpy.ascontiguousarray(result))
    return result if isinstance(result, memoryview) else None


def _send_shared(connection_fd: int, data: memoryview) -> None:
    """Write ``data`` into an anonymous in-memory file, seal it and pass its descriptor to the parent.

    Sealed against writes and resizing, the file cannot change under the parent's mapping of it, even if a hostile
    file took over this process.
    """
    memory_fd = os.memfd_create("buildtrace-array", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    try:
        written = 0
        while written < len(data):
            written += os.write(memory_fd, data[written:])
        fcntl.fcntl(memory_fd, fcntl.F_ADD_SEALS, _SEALS)
        with _borrowed_socket(connection_fd) as sock:
            socket.send_fds(sock, [b"a"], [memory_fd])
    finally:
        os.close(memory_fd)


@contextmanager
def _borrowed_socket(fd: int) -> Iterator[socket.socket]:
    """A socket object over a descriptor someone else owns: descriptor passing needs one, closing it must not."""
    sock = socket.socket(fileno=fd)
    try:
        yield sock
    finally:
        sock.detach()


def _failure(exc: BaseException) -> tuple:
    """What the parent is told about a failure: one line, without the child's paths or object reprs."""
    if isinstance(exc, BadPageError):
        return ("bad_page", exc.page, public_message(exc.reason))
    if isinstance(exc, MemoryError):
        return ("bad", "the file needs more memory than allowed")
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return ("bad", public_message(message))


def _spawn(theirs: socket.socket) -> subprocess.Popen:
    """A fresh child interpreter serving the socket ``theirs``."""
    return subprocess.Popen(
        [sys.executable, "-S", "-m", __name__, str(theirs.fileno())],
        pass_fds=(theirs.fileno(),),
        stdin=subprocess.DEVNULL,
        env=_child_environment(),
    )


def prestart(preload: str) -> int:
    """Start a child now that imports and calls ``preload`` (``"module:callable"``) while this process goes on; the
    next sandbox started without ``beside`` takes it instead of starting its own.

    A child nobody takes exits when this process does (its socket closes). Returns the child's pid.
    """
    ours, theirs = socket.socketpair()
    with ours, theirs:
        process = _spawn(theirs)
        conn = Connection(ours.detach())
    conn.send((_PRELOAD, preload, sys.path))
    _spares.append((process, conn))
    return process.pid


def _take_spare() -> tuple[subprocess.Popen, Connection] | None:
    """A pre-started child still running, if any; the dead ones are dropped."""
    while _spares:
        process, conn = _spares.pop()
        if process.poll() is None:
            return process, conn
        conn.close()
    return None


def _child_environment() -> dict[str, str]:
    """The parent's environment, plus this package on the path and one BLAS thread (each reserves address space)."""
    python_path = os.pathsep.join(filter(None, (_PACKAGE_ROOT, os.environ.get("PYTHONPATH"))))
    return {**os.environ, "PYTHONPATH": python_path, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


class _Sibling:
    """A child forked by another sandbox's child: not ours to wait for, so the kernel is asked how it is."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def poll(self) -> int | None:
        """None while it runs; -1 once it is gone (its exit code went to the child that forked it)."""
        try:
            state = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return -1
        return -1 if state in ("Z", "X") else None

    def kill(self) -> None:
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while (code := self.poll()) is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.005)
        return code


class Sandbox:
    """A child process holding ``factory(*args)``; call its methods with :meth:`call`.

    ``factory`` is ``"module:callable"`` so the child imports it itself. With
    ``beside``, the first child is forked by that sandbox's child when it can
    be (same limits, still running).
    """

    def __init__(self, factory: str, *args: Any, limits: Limits | None = None, beside: Sandbox | None = None) -> None:
        self._factory = factory
        self._args = args
        self._limits = limits or Limits()
        self._process: subprocess.Popen | _Sibling | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        """One request at a time: replies are matched to requests by their order."""
        self._start(beside if beside is not None and beside._limits == self._limits else None)

    def _start(self, beside: Sandbox | None = None) -> None:
        spare = _take_spare() if beside is None else None
        if spare is not None:
            self._process, self._conn = spare
        else:
            ours, theirs = socket.socketpair()
            with ours, theirs:
                sibling = beside._fork(theirs) if beside is not None else None
                self._process = sibling or _spawn(theirs)
                self._conn = Connection(ours.detach())
        self._conn.send((self._factory, self._args, self._limits.memory_mb, sys.path))
        try:
            self._receive(self._limits.start_timeout_s, "opening the file")
        except BadInputError:
            self._stop()
            raise

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _fork(self, theirs: socket.socket) -> _Sibling | None:
        """Have this child fork a sibling serving ``theirs``; None when it cannot (then start a fresh one)."""
        with self._lock:
            if self._conn is None or not self._alive():
                return None
            try:
                self._conn.send((_FORK, ()))
                with _borrowed_socket(self._conn.fileno()) as sock:
                    socket.send_fds(sock, [b"f"], [theirs.fileno()])
                return _Sibling(self._receive(self._limits.start_timeout_s, "starting a sibling"))
            except (BadInputError, OSError):
                return None

    def call(self, method: str, *args: Any, timeout_s: float | None = None) -> Any:
        """Run ``method(*args)`` in the child; start a fresh child first if an earlier request killed it.

        Threads may share a sandbox: their requests are served one after another.
        """
        with self._lock:
            if self._process is None:
                self._start()
            assert self._conn is not None
            try:
                self._conn.send((method, args))
            except ConnectionError:
                self._crashed(method)
            return self._receive(timeout_s or self._limits.timeout_s, method)

    def _receive(self, timeout_s: float, what: str) -> Any:
        assert self._conn is not None and self._process is not None
        deadline = time.monotonic() + timeout_s
        try:
            self._await(deadline, timeout_s, what)
            reply = self._conn.recv()
            if reply[0] == "array":
                return self._read_array(reply[1], reply[2], deadline, timeout_s, what)
        except (EOFError, ConnectionError):
            self._crashed(what)
        status, *payload = reply
        if status == "ok":
            return payload[0]
        if status == "bad_page":
            raise BadPageError(payload[0], payload[1])
        if not self._alive():
            self._stop()
        raise BadInputError(payload[0])

    def _crashed(self, what: str) -> NoReturn:
        code = self._wait(1)
        self._stop()
        raise BadInputError(f"the file crashed the renderer while {what} (exit code {code})") from None

    def _await(self, deadline: float, timeout_s: float, what: str) -> None:
        assert self._conn is not None
        if not self._conn.poll(max(0.0, deadline - time.monotonic())):
            self._stop()
            raise BadInputError(f"{what} took longer than {timeout_s:g} s")

    def _read_array(
        self, shape: tuple[int, ...], dtype: str, deadline: float, timeout_s: float, what: str
    ) -> np.ndarray:
        """Map the sealed in-memory file whose descriptor follows an array header as a copy-on-write array.

        Mapping instead of copying spares the parent ~20 MB of fresh memory per page, which the kernel must zero
        before the copy could even start; writes to the array stay private to the parent.
        """
        import numpy as np

        assert self._conn is not None
        self._await(deadline, timeout_s, what)
        with _borrowed_socket(self._conn.fileno()) as sock:
            _, fds, _, _ = socket.recv_fds(sock, 1, 1)
        if not fds:
            raise EOFError
        array_type = np.dtype(dtype)
        size = int(np.prod(shape)) * array_type.itemsize
        try:
            sealed = fcntl.fcntl(fds[0], fcntl.F_GET_SEALS) & _SEALS == _SEALS and os.fstat(fds[0]).st_size == size
            memory = mmap.mmap(fds[0], size, flags=mmap.MAP_PRIVATE) if sealed else None
        except (OSError, ValueError):
            memory = None
        finally:
            os.close(fds[0])
        if memory is None:
            self._stop()
            raise BadInputError(f"the renderer answered {what} with memory it could still change or of the wrong size")
        return np.frombuffer(memory, array_type).reshape(shape)

    def _wait(self, timeout_s: float) -> int | None:
        assert self._process is not None
        try:
            return self._process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def _stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            if self._process.poll() is None:
                self._process.kill()
            self._wait(5)
        self._process, self._conn = None, None

    @property
    def pid(self) -> int | None:
        """Process id of the current child (None when stopped); tests use it to kill the child."""
        return self._process.pid if self._process is not None else None

    def close(self) -> None:
        """Ask the child to exit, kill it if it does not."""
        if self._conn is not None and self._alive():
            try:
                self._conn.send(None)
                self._wait(2)
            except OSError:
                pass
        self._stop()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    with suppress(EOFError):  # the parent went away (a pre-started child nobody took): nothing to answer
        _serve(Connection(int(sys.argv[1])))
    os._exit(0)  # nothing to flush; tearing down MuPDF and numpy would only delay the parent's close()
