"""Fault injection: break the pipeline's parts in the middle of comparisons, then check nothing was lost or stuck.

One world serves every trial: the app database on the local PostgreSQL server
and blob storage on the GCS emulator, each reached through a TCP proxy that
can be cut; an OpenAI-protocol server that can be told to fail; the Dagster
daemon on the repository's ``dagster.yaml`` with the laptop's executor (every
step of a run in its run worker). A trial uploads two revisions of a new
drawing through the services, injects one fault while a chosen stage of the
comparison is under way, and waits for the job to finish.

Faults: SIGKILL of the run worker (the run's steps execute in it, so this is
the crash of the step under way too; ``step_process@diff`` and
``step_process@summary``, the step processes of the multiprocess executor, are
the same faults now and were dropped), of the daemon (which is started
again), of the code server together with its run worker (nothing is left to
report the run's death but the run monitor), the database or the storage
unreachable for a while, the OpenAI server answering errors. Outcomes: ``recovered`` (the job completed),
``failed`` (it ended failed, with its reason on the job), ``stuck`` (not
finished when the deadline passed) and ``lost`` (an upload that was accepted
but has no version or job). After every trial the invariants are checked
across the whole world: no duplicate versions, diff results or active
summaries, no job running without a live run, and storage and rows agreeing.

The run monitor polls every ``MONITOR_POLL_S`` here instead of the
``dagster.yaml`` 30 s, and a dead run's retry is awaited ``RETRY_GRACE_S``
instead of 90 s, so a trial does not wait out the production intervals
(``--monitor-poll 30`` measures with the monitor's); everything else is the
repository's instance configuration.

Run: ``.venv/bin/python -m bench.faults [--rounds N] [--faults KIND@STAGE ...]``
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import psutil
import yaml
from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.assets.runs import JOB_TAG, VERSION_TAG
from buildtrace_assets.db.migrate import upgrade
from buildtrace_assets.db.models import ChangeSummary, DiffResult, DrawingVersion, Job, JobStage, PipelineRequest
from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.projects import create_project
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.services.users import create_user
from buildtrace_assets.storage import BlobStorage, StorageUnavailable, open_storage
from tests.fixtures.gcs import running_emulator

REPOSITORY = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "faults.json"
POSTGRES_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"
MONITOR_POLL_S = 5
RETRY_GRACE_S = 30
"""How long a stage whose run died waits for Dagster's retry before the work is asked for again: 90 s by default,
three production monitor polls; here six of this world's."""
OUTAGE_S = 8.0
OPENAI_FAILURES = 3
STAGE_TIMEOUT_S = 240.0
FINISH_TIMEOUT_S = 300.0
POLL_S = 0.25
"""How often a trial looks at its job (and at the killed run): a row read, cheap next to the seconds a stage takes."""
STOP_GRACE_S = 5.0
"""How long the daemons' processes get to exit on SIGTERM before they are killed."""
FAULTS = (
    "run_worker@analysis",
    "run_worker@diff",
    "run_worker@summary",
    "daemon@diff",
    "code_server@diff",
    "database@diff",
    "storage@analysis",
    "openai@summary",
)
IN_FLIGHT = [DagsterRunStatus.QUEUED, DagsterRunStatus.STARTING, DagsterRunStatus.STARTED]
T = TypeVar("T")


class Proxy:
    """A TCP proxy on 127.0.0.1 whose connections can be cut, as a network partition would."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._cut = threading.Event()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self._listener.accept()
            if self._cut.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(client, selectors.EVENT_READ, upstream)
            selector.register(upstream, selectors.EVENT_READ, client)
            try:
                while not self._cut.is_set():
                    for key, _ in selector.select(timeout=0.5):
                        data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                        if not data:
                            return
                        key.data.sendall(data)
            except OSError:
                return
            finally:
                with self._lock:
                    self._open.difference_update((client, upstream))
                client.close()
                upstream.close()

    def cut(self) -> None:
        """Drop every open connection and refuse new ones until :meth:`restore`."""
        self._cut.set()
        with self._lock:
            for connection in list(self._open):
                with suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self._cut.clear()


class FailingOpenAI:
    """An OpenAI-protocol server answering chat completions; told to, it answers HTTP 500 a number of times."""

    def __init__(self) -> None:
        self.failures_left = 0
        self.calls = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.calls += 1
                if server.failures_left > 0:
                    server.failures_left -= 1
                    status, body = 500, {"error": {"message": "injected failure", "type": "server_error"}}
                else:
                    status, body = 200, _completion()
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._http.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self._http.server_address[1]}/v1"

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


def _completion() -> dict[str, Any]:
    content = json.dumps({"summary": "Changes found on the compared sheets.", "items": []})
    return {
        "id": "chatcmpl-faults",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": "gpt-4.1-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh database on the local PostgreSQL server, dropped afterwards; its name."""
    name = f"buildtrace_faults_{uuid.uuid4().hex[:10]}"
    server = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield name
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _tolerant(action: Callable[[], T], timeout_s: float = 60.0) -> T:
    """``action()``, tried again while the database or storage is unreachable (an outage the trial made)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return action()
        except (OperationalError, StorageUnavailable):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@dataclass
class Trial:
    """One fault injected into one comparison, and what became of it."""

    fault: str
    drawing: str
    landed: bool = False
    outcome: str = "stuck"
    job_status: str | None = None
    error: str | None = None
    seconds: float = 0.0
    detected_s: float | None = None
    """For a killed run worker: from the kill until Dagster marked the run failed."""
    violations: list[str] = field(default_factory=list)


def _group_alive(group: int) -> bool:
    """Whether any process of process group ``group`` is still running (zombies count as gone)."""
    for process in psutil.process_iter(["pid", "status"]):
        with suppress(psutil.Error):
            if process.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(process.info["pid"]) == group:
                return True
    return False


class World:
    """The pipeline under test: database, storage, OpenAI server, Dagster daemon, and the harness's view of them."""

    def __init__(self, stack: ExitStack, work: Path, database: str, gcs_port: int, monitor_poll_s: int) -> None:
        self.work = work
        self.monitor_poll_s = monitor_poll_s
        self.database_proxy = Proxy(5432)
        self.storage_proxy = Proxy(gcs_port)
        self.openai = FailingOpenAI()
        stack.callback(self.openai.close)
        self.database_url = f"postgresql+psycopg2://postgres@127.0.0.1:{self.database_proxy.port}/{database}"
        os.environ["STORAGE_EMULATOR_HOST"] = f"http://127.0.0.1:{self.storage_proxy.port}"
        bucket = f"faults-{uuid.uuid4().hex[:8]}"
        from google.cloud import storage as gcs

        gcs.Client(project="buildtrace-local").create_bucket(bucket)
        self.storage_url = f"gs://{bucket}/buildtrace"
        self.storage: BlobStorage = open_storage(self.storage_url)
        upgrade(self.database_url)
        self.sessions: sessionmaker[Session] = make_session_factory(self.database_url)
        with transaction(self.sessions) as session:
            owner = Actor.of(create_user(session, "faults@example.com", "correct horse battery"))
            self.project_id = create_project(session, owner, "Faults").id
        self.owner = owner
        self.home = self._dagster_home()
        os.environ["DAGSTER_HOME"] = str(self.home)
        self.instance = stack.enter_context(DagsterInstance.from_config(str(self.home)))
        self._daemons: list[subprocess.Popen[bytes]] = []
        stack.callback(self.stop_daemons)
        self.start_daemon()

    def _dagster_home(self) -> Path:
        home = self.work / "dagster"
        home.mkdir(parents=True)
        config = yaml.safe_load((REPOSITORY / "dagster.yaml").read_text())
        config["run_monitoring"]["poll_interval_seconds"] = self.monitor_poll_s
        (home / "dagster.yaml").write_text(yaml.safe_dump(config))
        return home

    @property
    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DAGSTER_HOME": str(self.home),
            "BUILDTRACE_DATA_DIR": str(self.work),
            "BUILDTRACE_DATABASE_URL": self.database_url,
            "BUILDTRACE_STORAGE_URL": self.storage_url,
            "BUILDTRACE_EXECUTOR": "in_process",
            "BUILDTRACE_SUMMARIZER": "openai",
            "OPENAI_API_KEY": "faults",
            "OPENAI_BASE_URL": self.openai.base_url,
            "BUILDTRACE_DPI": "100",
            "BUILDTRACE_RUN_RETRY_GRACE_S": str(RETRY_GRACE_S),
        }

    def start_daemon(self) -> None:
        log = open(self.work / "daemon.log", "ab")  # noqa: SIM115 - the daemon writes to it until it stops
        command = [str(Path(sys.executable).parent / "dagster-daemon"), "run", "-w", str(REPOSITORY / "workspace.yaml")]
        self._daemons.append(
            subprocess.Popen(
                command,
                env=self.environment,
                cwd=REPOSITORY,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        log.close()

    def kill_daemon(self) -> None:
        """SIGKILL the daemon process alone, as a crash would; its code server and runs live on."""
        os.kill(self._daemons[-1].pid, signal.SIGKILL)
        self._daemons[-1].wait()

    def stop_daemons(self) -> None:
        """Stop every process the daemons started, by process group: TERM, then KILL what is left after a grace
        period (waited out only while some process of a group is still there)."""
        for daemon in self._daemons:
            with suppress(ProcessLookupError):
                os.killpg(daemon.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        while any(_group_alive(daemon.pid) for daemon in self._daemons) and time.monotonic() < deadline:
            time.sleep(0.1)
        for daemon in self._daemons:
            with suppress(ProcessLookupError):
                os.killpg(daemon.pid, signal.SIGKILL)
        for daemon in self._daemons:
            daemon.wait()

    def read(self, query: Callable[[Session], T]) -> T:
        def attempt() -> T:
            with self.sessions() as session:
                return query(session)

        return _tolerant(attempt)

    def upload(self, drawing: str, filename: str, data: bytes) -> str:
        def attempt() -> str:
            with transaction(self.sessions) as session:
                version = register_upload(session, self.storage, self.owner, self.project_id, drawing, filename, data)
                return version.id

        return _tolerant(attempt)

    def started_run(self, tags: dict[str, str]) -> tuple[str, int] | None:
        """The id and run worker pid of the started run with ``tags``, once it has reported its pid."""
        for record in self.instance.get_run_records(RunsFilter(tags=tags, statuses=[DagsterRunStatus.STARTED])):
            events = self.instance.get_records_for_run(record.dagster_run.run_id, of_type=DagsterEventType.ENGINE_EVENT)
            for event_record in events.records:
                event = event_record.event_log_entry.dagster_event
                data = event.engine_event_data if event is not None else None
                if data is not None and "pid" in data.metadata:
                    return record.dagster_run.run_id, int(data.metadata["pid"].value)  # type: ignore[arg-type]
        return None

    def live_runs(self, tags: dict[str, str]) -> int:
        return len(self.instance.get_run_records(RunsFilter(tags=tags, statuses=IN_FLIGHT)))


def _stage_reached(world: World, stage: str, version_id: str, job_id: str) -> bool:
    if stage == "analysis":
        return world.read(lambda s: s.get_one(DrawingVersion, version_id).ocr_status) != "pending"
    row = world.read(
        lambda s: s.scalars(select(JobStage.status).where(JobStage.job_id == job_id, JobStage.stage == stage)).one()
    )
    return row != "pending"


def _run_tags(stage: str, version_id: str, job_id: str) -> dict[str, str]:
    return {VERSION_TAG: version_id} if stage == "analysis" else {JOB_TAG: job_id}


def inject(world: World, fault: str, version_id: str, job_id: str) -> tuple[bool, str | None]:
    """Wait for the fault's stage to start, then break the part it names.

    Whether anything was hit, and the id of the run whose worker was killed.
    """
    kind, stage = fault.split("@")
    if kind == "openai":
        world.openai.failures_left = OPENAI_FAILURES
        return True, None
    deadline = time.monotonic() + STAGE_TIMEOUT_S
    while not _stage_reached(world, stage, version_id, job_id):
        if time.monotonic() > deadline:
            return False, None
        time.sleep(0.05)
    started = world.started_run(_run_tags(stage, version_id, job_id))
    if kind in ("run_worker", "code_server") and started is not None:
        if kind == "code_server":
            psutil.Process(started[1]).parent().kill()  # type: ignore[union-attr]
        os.kill(started[1], signal.SIGKILL)
        return True, started[0]
    return _break_part(world, kind), None


def _break_part(world: World, kind: str) -> bool:
    if kind == "daemon":
        world.kill_daemon()
        time.sleep(1)
        world.start_daemon()
        return True
    if kind in ("database", "storage"):
        proxy = world.database_proxy if kind == "database" else world.storage_proxy
        proxy.cut()
        time.sleep(OUTAGE_S)
        proxy.restore()
        return True
    return False


def violations(world: World) -> list[str]:
    """What breaks the world's invariants now; empty when everything holds."""

    def check(session: Session) -> list[str]:
        found = []
        duplicates = {
            "versions": select(DrawingVersion.drawing_id).group_by(DrawingVersion.drawing_id, DrawingVersion.file_hash),
            "diff results": select(DiffResult.job_id).group_by(DiffResult.job_id),
            "active summaries": select(ChangeSummary.diff_result_id)
            .where(ChangeSummary.is_active)
            .group_by(ChangeSummary.diff_result_id),
        }
        for name, grouped in duplicates.items():
            if session.execute(grouped.having(func.count() > 1)).first() is not None:
                found.append(f"duplicate {name}")
        for job in session.scalars(select(Job).where(Job.status.in_(("pending", "running")))):
            versions = (job.old_drawing_version_id, job.new_drawing_version_id)
            live = world.live_runs({JOB_TAG: job.id}) + sum(world.live_runs({VERSION_TAG: v}) for v in versions)
            waiting = session.scalar(
                select(func.count()).where(
                    PipelineRequest.status == "pending", PipelineRequest.drawing_version_id.in_(versions)
                )
            )
            if not live and not waiting:
                found.append(f"job {job.id} is {job.status} without a live run")
        keys = set(session.scalars(select(DrawingVersion.storage_key)))
        stored = {info.key for info in world.storage.list("uploads/")}
        if keys - stored:
            found.append(f"versions without their file: {sorted(keys - stored)}")
        if stored - keys:
            found.append(f"files without their version: {sorted(stored - keys)}")
        for ref in session.scalars(select(DiffResult.changes_ref)):
            if not world.storage.exists(ref):
                found.append(f"diff result without its changes document: {ref}")
        return found

    return world.read(check)


def run_trial(world: World, fault: str, number: int, pair: tuple[bytes, bytes]) -> Trial:
    """Two revisions of a new drawing, one fault during their comparison, and what became of it."""
    trial = Trial(fault=fault, drawing=f"F-{number:03d} {fault.replace('@', ' at ')}")
    started = time.monotonic()
    old_id = world.upload(trial.drawing, "rev-1.pdf", pair[0])
    new_id = world.upload(trial.drawing, "rev-2.pdf", pair[1])
    job_id = world.read(lambda s: s.scalars(select(Job.id).where(Job.new_drawing_version_id == new_id)).one_or_none())
    if job_id is None or old_id is None:
        trial.outcome = "lost"
        return trial
    trial.landed, killed_run = inject(world, fault, new_id, job_id)
    injected = time.monotonic()
    deadline = injected + FINISH_TIMEOUT_S
    # The trial waits for both the job to end and the killed run to be reported failed, so every trial of a run
    # worker's fault measures how long Dagster took to see the death.
    while time.monotonic() < deadline:
        run = world.instance.get_run_by_id(killed_run) if killed_run and trial.detected_s is None else None
        if run is not None and run.status == DagsterRunStatus.FAILURE:
            trial.detected_s = round(time.monotonic() - injected, 1)
        job = world.read(lambda s: s.get(Job, job_id)) if trial.job_status is None else None
        if trial.job_status is None and job is None:
            trial.outcome = "lost"
            break
        if job is not None and job.status in ("completed", "failed"):
            trial.outcome = "recovered" if job.status == "completed" else "failed"
            trial.job_status, trial.error = job.status, job.error_message
        if trial.job_status is not None and (killed_run is None or trial.detected_s is not None):
            break
        time.sleep(POLL_S)
    trial.seconds = round(time.monotonic() - started, 1)
    trial.violations = violations(world)
    return trial


def revision_bytes(work: Path) -> tuple[bytes, bytes]:
    from buildtrace_assets.samples import make_revision_pair

    pair = make_revision_pair(work / "pair", seed=21, n_sheets=1)
    return pair.old_path.read_bytes(), pair.new_path.read_bytes()


def run_faults(
    faults: list[str],
    rounds: int,
    report: Callable[[Trial], None] = lambda trial: None,
    monitor_poll_s: int = MONITOR_POLL_S,
    workdir: Path | None = None,
) -> list[Trial]:
    """Every fault ``rounds`` times against one world; the trials in order."""
    trials: list[Trial] = []
    with ExitStack() as stack:
        work = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-faults-")))
        database = stack.enter_context(postgres_database())
        gcs_url = stack.enter_context(running_emulator())
        world = World(stack, work, database, int(gcs_url.rsplit(":", 1)[1]), monitor_poll_s)
        pair = revision_bytes(work)
        for _ in range(rounds):
            for fault in faults:
                trial = run_trial(world, fault, len(trials) + 1, pair)
                trials.append(trial)
                report(trial)
    return trials


def tally(trials: list[Trial]) -> dict[str, int]:
    counts = Counter(trial.outcome for trial in trials)
    return {
        "trials": len(trials),
        "landed": sum(trial.landed for trial in trials),
        "recovered": counts["recovered"],
        "failed": counts["failed"],
        "lost": counts["lost"],
        "stuck": counts["stuck"],
        "violations": sum(bool(trial.violations) for trial in trials),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="How many times each fault is injected.")
    parser.add_argument("--faults", nargs="*", default=list(FAULTS), choices=FAULTS, metavar="KIND@STAGE")
    parser.add_argument(
        "--workdir", type=Path, help="Keep the world (daemon log, instance) here instead of a temp dir."
    )
    parser.add_argument(
        "--monitor-poll", type=int, default=MONITOR_POLL_S, help="Run monitor poll interval (dagster.yaml has 30 s)."
    )
    args = parser.parse_args()

    def report(trial: Trial) -> None:
        detected = f"dead run failed after {trial.detected_s} s " if trial.detected_s is not None else ""
        print(
            f"{trial.fault:24} {trial.outcome:9} landed={trial.landed!s:5} {trial.seconds:6.1f} s {detected}"
            f"{trial.error or ''} {'; '.join(trial.violations)}",
            flush=True,
        )

    trials = run_faults(args.faults, args.rounds, report, args.monitor_poll, args.workdir)
    totals = tally(trials)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"totals": totals, "trials": [asdict(trial) for trial in trials]}, indent=2))
    print(
        "\n| "
        + " | ".join(totals)
        + " |\n|"
        + "---|" * len(totals)
        + "\n| "
        + " | ".join(map(str, totals.values()))
        + " |"
    )


if __name__ == "__main__":
    main()
