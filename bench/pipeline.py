"""The pipeline's speed targets, measured on real parts.

1. An upload sensor tick over a bucket holding 100,000 earlier uploads, all
   seen before: one listing page and two look-ups, wherever the sweep stands
   (target < 1 s).
2. A one-sheet revision landing in storage until its summary is written, with
   the real Dagster daemon launching the runs as it does on a laptop
   (``buildtrace demo``'s processes; target < 60 s).
3. A 20-sheet revision pair through the local instance with the laptop's
   executor (``--executor``, ``in_process``: every step in its run worker;
   ``multiprocess`` for a process per step): the runs the request and job
   sensors request, from the first sensor tick to the written summary,
   against ``buildtrace compare`` on the same two files (issue 17's target:
   within 1.3x). Each run executes in a forked copy of this process, as its
   run worker would (the code location already imported), as many at once as
   ``dagster.yaml``'s ``max_concurrent_runs`` lets the daemon start (the two
   versions' analyses side by side); the daemon's sensor intervals and run
   launches are target 2's business. Pipeline and compare
   alternate for ``--rounds`` rounds, each pipeline round in a fresh process
   and instance (so with ``multiprocess`` it starts its own forkserver, as
   each run worker does); medians of wall and CPU time, and per step the
   seconds its process took to start (step processes only) and the step
   itself.

Every step process re-runs the main module (multiprocessing's ``__main__``
fix-up); a run worker's is the ``dagster`` command (0.02 s), so this module
imports the demo helpers and the sample generator (PyMuPDF, ~0.6 s) only
inside the functions that use them, or each step would pay for them.

Writes ``bench/results/pipeline.json`` and prints a Markdown table.

Run: ``.venv/bin/python -m bench.pipeline [--objects N] [--skip-landing] [--sheets N] [--rounds N]
[--executor in_process|multiprocess]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

import yaml
from dagster import DagsterInstance, JobDefinition, SensorDefinition, build_sensor_context, execute_job, reconstructable
from sqlalchemy import func, insert, select

from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.migrate import upgrade
from buildtrace_assets.db.models import BucketObject, DrawingVersion
from buildtrace_assets.db.session import make_session_factory
from buildtrace_assets.resources import build_resources
from buildtrace_assets.sensors.jobs import job_progress_sensor
from buildtrace_assets.sensors.pipeline_requests import pipeline_request_sensor
from buildtrace_assets.sensors.uploads import upload_sensor
from buildtrace_assets.storage import open_storage

REPOSITORY = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).parent / "results" / "pipeline.json"
TARGETS = {"idle_tick_s": 1.0, "landing_to_summary_s": 60.0, "set_through_instance_vs_compare": 1.3}
MAX_CONCURRENT_RUNS = yaml.safe_load((REPOSITORY / "dagster.yaml").read_text())["concurrency"]["runs"][
    "max_concurrent_runs"
]
"""Runs the daemon starts at once; the benchmark executes a tick's runs as many at a time."""


def idle_tick_seconds(objects: int, work: Path) -> float:
    """Median time of an upload sensor tick over ``objects`` stored uploads that were all seen before.

    The sweep lists one page of keys a tick wherever it stands, so the ticks are
    timed at several positions across the bucket.
    """
    settings = Settings(data_dir=work, summarizer="offline")
    upgrade(settings.database_url)
    blobs = work / "blobs" / "uploads"
    for index in range(objects):
        folder = blobs / f"project-{index // 1000:02d}" / f"drawing-{index // 10:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{index:05d}.pdf").write_bytes(b"%PDF-1.7\n")
    seen = [
        {"key": info.key, "etag": info.etag, "refusal": "bench: seen before", "created_at": utcnow()}
        for info in open_storage(settings.storage_url).list("uploads/")
    ]
    session_factory = make_session_factory(settings.database_url)
    with session_factory.begin() as session:
        session.execute(insert(BucketObject), seen)
    positions = [seen[index]["key"] for index in range(0, objects, max(1, objects // 9))]
    timings = []
    for cursor in ["", *positions]:
        with build_sensor_context(
            instance=DagsterInstance.ephemeral(), cursor=cursor, resources=build_resources(settings)
        ) as context:
            started = time.perf_counter()
            result = upload_sensor(context)
            timings.append(time.perf_counter() - started)
        assert result.run_requests == []
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(DrawingVersion)) == 0
    return statistics.median(timings)


def landing_to_summary_seconds(work: Path, timeout_s: float = 300.0) -> float:
    """Time from uploading a one-sheet revision pair to its written summary, with the real daemon."""
    from buildtrace_assets.cli.demo import (
        dagster_processes,
        demo_user,
        prepare_dagster_home,
        progress,
        upload_revisions,
    )

    os.environ["BUILDTRACE_DATA_DIR"] = str(work)
    os.environ["BUILDTRACE_SUMMARIZER"] = "offline"
    get_settings.cache_clear()
    settings = get_settings()
    upgrade(settings.database_url)
    home = prepare_dagster_home(settings)
    os.environ["DAGSTER_HOME"] = str(home)
    session_factory = make_session_factory(settings.database_url)
    user = demo_user(session_factory)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with dagster_processes(settings, home, port):
        started = time.perf_counter()
        uploads = upload_revisions(session_factory, settings, user, seed=11, sheets=1)
        while time.perf_counter() - started < timeout_s:
            state = progress(session_factory, uploads)
            if state.finished:
                assert not state.failed, state.line
                return time.perf_counter() - started
            time.sleep(0.5)
    raise TimeoutError(f"no summary within {timeout_s} s; logs in {settings.data_dir / 'logs'}")


def _analysis_job() -> JobDefinition:
    from buildtrace_assets.definitions import defs

    return defs.resolve_job_def("analyze_drawing_version")


def _compare_job() -> JobDefinition:
    from buildtrace_assets.definitions import defs

    return defs.resolve_job_def("compare_versions")


RUNNABLE_JOBS = {"analyze_drawing_version": _analysis_job, "compare_versions": _compare_job}
"""Module-level job factories, so the step processes of ``--executor multiprocess`` can rebuild the job."""


def _executed(job_name: str, tags: dict[str, str]) -> str:
    """Execute one requested run to its end in this process, as its run worker would; its run id.

    Runs in a forked copy of the benchmark (the code location already imported, so a run worker's own start-up
    is not counted); a forkserver of its steps, if it started one, is stopped and waited for at the end so its CPU
    is counted.
    """
    with DagsterInstance.get() as instance:
        try:
            with execute_job(reconstructable(RUNNABLE_JOBS[job_name]), instance=instance, tags=tags) as run:
                if not run.success:
                    raise RuntimeError(f"{job_name} run for {tags['dagster/partition']} failed")
                return run.run_id
        finally:
            _stop_forkserver()


def _run_requested(
    instance: DagsterInstance, settings: Settings, sensor: SensorDefinition, cursor: str | None
) -> list[str]:
    """One sensor tick as the daemon does it: add its partitions, then execute each requested run in a process
    of its own, at most ``max_concurrent_runs`` at once (the queued run coordinator's limit); their run ids."""
    with build_sensor_context(instance=instance, cursor=cursor, resources=build_resources(settings)) as context:
        result = sensor(context)
    for request in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    requests = result.run_requests
    # Dagster's run execution is not thread-safe (its log handlers are reconfigured per run), and each run
    # worker is a process anyway.
    workers = max(1, min(len(requests), MAX_CONCURRENT_RUNS))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        runs = [
            pool.submit(_executed, request.job_name, {**request.tags, "dagster/partition": request.partition_key})
            for request in requests
        ]
        return [run.result() for run in runs]


def _cpu_seconds() -> float:
    """CPU of this process and of every child it (or a child of theirs) has waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _stop_forkserver() -> None:
    """End the forkserver the multiprocess executor started, if it did, and wait for it, so its CPU (and that of
    the step processes it reaped) is counted, and the next measurement starts one of its own as a run worker does."""
    forkserver._forkserver._stop()  # type: ignore[attr-defined]


def _steps(instance: DagsterInstance, run_ids: list[str]) -> list[dict[str, Any]]:
    """Per step of each run: seconds from asking for its process to the process executing it (``start_s``: the
    forkserver's start-up on a run's first step, a fork after that; none for a step run in its run worker), and
    from its start to its success (``step_s``)."""
    steps = []
    for run_id in run_ids:
        marks: dict[str, dict[str, float]] = {}
        for entry in instance.all_logs(run_id):
            if entry.step_key is not None and entry.dagster_event is not None:
                marks.setdefault(entry.step_key, {})[entry.dagster_event.event_type_value] = entry.timestamp
        for step, times in marks.items():
            row = {"step": step, "step_s": round(times["STEP_SUCCESS"] - times["STEP_START"], 2)}
            if "STEP_WORKER_STARTED" in times:
                row["start_s"] = round(times["STEP_WORKER_STARTED"] - times["STEP_WORKER_STARTING"], 2)
            steps.append(row)
    return steps


def pipeline_round(work: Path, old: Path, new: Path, executor: str) -> dict[str, Any]:
    """Upload ``old`` and ``new`` into a fresh local instance and run what the sensors request to the summary, with
    the ``executor`` of that name.

    Wall and CPU from the first sensor tick to the written summary, and where the wall time went per step.
    """
    from buildtrace_assets.cli.demo import demo_user, prepare_dagster_home, upload_pair

    os.environ.update(BUILDTRACE_DATA_DIR=str(work), BUILDTRACE_SUMMARIZER="offline", BUILDTRACE_EXECUTOR=executor)
    get_settings.cache_clear()
    settings = get_settings()
    upgrade(settings.database_url)
    os.environ["DAGSTER_HOME"] = str(prepare_dagster_home(settings))
    session_factory = make_session_factory(settings.database_url)
    upload_pair(session_factory, settings, demo_user(session_factory), (old, new))
    with DagsterInstance.get() as instance:
        started, cpu = time.perf_counter(), _cpu_seconds()
        runs = _run_requested(instance, settings, pipeline_request_sensor, None)
        runs += _run_requested(instance, settings, job_progress_sensor, None)
        wall = time.perf_counter() - started
        return {"wall_s": wall, "cpu_s": _cpu_seconds() - cpu, "steps": _steps(instance, runs)}


def _timed(command: list[str], environment: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall and CPU seconds of a whole process (and the children it waited for), and what it printed."""
    started, cpu = time.perf_counter(), _cpu_seconds()
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=environment)
    return time.perf_counter() - started, _cpu_seconds() - cpu, done.stdout


def set_through_instance(sheets: int, work: Path, rounds: int, executor: str) -> dict[str, Any]:
    """The pipeline's runs on a ``sheets``-sheet pair with ``executor`` against ``buildtrace compare`` on the same
    files.

    The two alternate, ``rounds`` times, each pipeline round in a fresh process and instance (so each pays what a
    run worker pays, a forkserver with ``multiprocess``) and each compare without an analysis cache; medians.
    """
    from buildtrace_assets.samples import make_revision_pair

    pair = make_revision_pair(work / "pair", seed=12, n_sheets=sheets)
    pipelines: list[dict[str, Any]] = []
    compares: list[tuple[float, float]] = []
    for round_ in range(rounds):
        folder = work / f"round-{round_}"
        pipeline = [sys.executable, "-m", "bench.pipeline", "--executor", executor, "--round", str(folder / "pipeline")]
        _, _, printed = _timed([*pipeline, str(pair.old_path), str(pair.new_path)])
        pipelines.append(json.loads(printed.splitlines()[-1]))
        environment = {**os.environ, "BUILDTRACE_DATA_DIR": str(folder / "compare"), "BUILDTRACE_SUMMARIZER": "offline"}
        compare = [str(Path(sys.executable).parent / "buildtrace"), "compare", str(pair.old_path)]
        wall, cpu, _ = _timed([*compare, str(pair.new_path), "--out", str(folder / "compare" / "out")], environment)
        compares.append((wall, cpu))
    return {
        "pipeline_wall_s": statistics.median(p["wall_s"] for p in pipelines),
        "pipeline_cpu_s": statistics.median(p["cpu_s"] for p in pipelines),
        "compare_wall_s": statistics.median(wall for wall, _ in compares),
        "compare_cpu_s": statistics.median(cpu for _, cpu in compares),
        "rounds": [
            {
                "pipeline": {k: v if k == "steps" else round(v, 2) for k, v in p.items()},
                "compare_wall_s": round(w, 2),
                "compare_cpu_s": round(c, 2),
            }
            for p, (w, c) in zip(pipelines, compares, strict=True)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--skip-landing", action="store_true", help="Only measure the idle sensor tick.")
    parser.add_argument("--sheets", type=int, default=20, help="Sheets of the pair run through the instance.")
    parser.add_argument("--rounds", type=int, default=3, help="Pipeline and compare runs, alternating.")
    parser.add_argument(
        "--executor",
        choices=("in_process", "multiprocess"),
        default="in_process",
        help="How a run executes its steps (BUILDTRACE_EXECUTOR): in its run worker, or a process per step.",
    )
    parser.add_argument("--round", nargs=3, type=Path, metavar=("WORK", "OLD", "NEW"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.round:
        measured_round = pipeline_round(*args.round, args.executor)
        print(json.dumps(measured_round))
        return
    measured: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as scratch:
        measured["idle_tick_s"] = idle_tick_seconds(args.objects, Path(scratch) / "tick")
        if not args.skip_landing:
            measured["landing_to_summary_s"] = landing_to_summary_seconds(Path(scratch) / "landing")
        details = set_through_instance(args.sheets, Path(scratch) / "set", args.rounds, args.executor)
    measured["set_through_instance_vs_compare"] = details["pipeline_wall_s"] / details["compare_wall_s"]
    report = {
        name: {"value": round(value, 3), "target": TARGETS[name], "met": value < TARGETS[name]}
        for name, value in measured.items()
    }
    load = os.getloadavg()[0]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "objects": args.objects,
                "sheets": args.sheets,
                "executor": args.executor,
                "load": load,
                **report,
                **details,
            },
            indent=2,
        )
    )
    print("| measure | value | target | met |\n|---|---|---|---|")
    for name, row in report.items():
        print(f"| {name} | {row['value']} | < {row['target']} | {'yes' if row['met'] else 'NO'} |")
    print(
        f"\n{args.sheets}-sheet pair ({args.executor}), medians of {args.rounds} alternating rounds "
        f"(load average {load:.1f}): "
        f"pipeline runs {details['pipeline_wall_s']:.1f} s wall, {details['pipeline_cpu_s']:.1f} s CPU; "
        f"buildtrace compare {details['compare_wall_s']:.1f} s wall, {details['compare_cpu_s']:.1f} s CPU "
        f"(CPU ratio {details['pipeline_cpu_s'] / details['compare_cpu_s']:.2f})"
    )
    for number, row in enumerate(details["rounds"], 1):
        print(f"round {number}: {json.dumps(row)}")


if __name__ == "__main__":
    main()
