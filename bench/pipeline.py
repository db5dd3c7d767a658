"""The pipeline's speed targets, measured on real parts.

1. An upload sensor tick over a bucket holding 100,000 earlier uploads, all
   seen before: one listing page and two look-ups, wherever the sweep stands
   (target < 1 s).
2. A one-sheet revision landing in storage until its summary is written, with
   the real Dagster daemon launching the runs as it does on a laptop
   (``buildtrace demo``'s processes; target < 60 s).
3. A 20-sheet revision pair through the local instance with the multiprocess
   executor (each step in its own process): the runs the request and job
   sensors request, from the first run's start to the written summary,
   against ``buildtrace compare`` on the same two files (target: within
   1.5x). The runs execute one after another in this process, as a run
   worker does; the daemon's sensor intervals are target 2's business.

Every step process re-runs the main module (multiprocessing's ``__main__``
fix-up); a run worker's is the ``dagster`` command (0.02 s), so this module
imports the demo helpers and the sample generator (PyMuPDF, ~0.6 s) only
inside the functions that use them, or each step would pay for them.

Writes ``bench/results/pipeline.json`` and prints a Markdown table.

Run: ``.venv/bin/python -m bench.pipeline [--objects N] [--skip-landing] [--sheets N]``
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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

RESULTS = Path(__file__).parent / "results" / "pipeline.json"
TARGETS = {"idle_tick_s": 1.0, "landing_to_summary_s": 60.0, "set_through_instance_vs_compare": 1.5}


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
"""Module-level job factories, so the multiprocess executor's step processes can rebuild the job."""


def _run_requested(
    instance: DagsterInstance, settings: Settings, sensor: SensorDefinition, cursor: str | None
) -> str | None:
    """One sensor tick as the daemon does it: add its partitions, then execute each requested run to its end."""
    with build_sensor_context(instance=instance, cursor=cursor, resources=build_resources(settings)) as context:
        result = sensor(context)
    for request in result.dynamic_partitions_requests:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    for request in result.run_requests:
        tags = {**request.tags, "dagster/partition": request.partition_key}
        with execute_job(reconstructable(RUNNABLE_JOBS[request.job_name]), instance=instance, tags=tags) as run:
            if not run.success:
                raise RuntimeError(f"{request.job_name} run for {request.partition_key} failed")
    return result.cursor


def set_through_instance_seconds(sheets: int, work: Path) -> tuple[float, float]:
    """Seconds for the pipeline's runs on a ``sheets``-sheet pair, and for ``buildtrace compare`` on the same files."""
    from buildtrace_assets.cli.demo import demo_user, prepare_dagster_home, upload_pair
    from buildtrace_assets.samples import make_revision_pair

    pair = make_revision_pair(work / "pair", seed=12, n_sheets=sheets)
    os.environ.update(
        BUILDTRACE_DATA_DIR=str(work / "data"), BUILDTRACE_SUMMARIZER="offline", BUILDTRACE_EXECUTOR="multiprocess"
    )
    get_settings.cache_clear()
    settings = get_settings()
    upgrade(settings.database_url)
    os.environ["DAGSTER_HOME"] = str(prepare_dagster_home(settings))
    session_factory = make_session_factory(settings.database_url)
    upload_pair(session_factory, settings, demo_user(session_factory), (pair.old_path, pair.new_path))
    with DagsterInstance.get() as instance:
        started = time.perf_counter()
        _run_requested(instance, settings, pipeline_request_sensor, None)
        _run_requested(instance, settings, job_progress_sensor, None)
        pipeline = time.perf_counter() - started
    command = [
        str(Path(sys.executable).parent / "buildtrace"),
        "compare",
        str(pair.old_path),
        str(pair.new_path),
        "--out",
        str(work / "compare"),
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return pipeline, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--skip-landing", action="store_true", help="Only measure the idle sensor tick.")
    parser.add_argument("--sheets", type=int, default=20, help="Sheets of the pair run through the instance.")
    args = parser.parse_args()
    measured: dict[str, float] = {}
    details: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as scratch:
        measured["idle_tick_s"] = idle_tick_seconds(args.objects, Path(scratch) / "tick")
        if not args.skip_landing:
            measured["landing_to_summary_s"] = landing_to_summary_seconds(Path(scratch) / "landing")
        pipeline, compare = set_through_instance_seconds(args.sheets, Path(scratch) / "set")
        details = {"pipeline_s": round(pipeline, 3), "compare_s": round(compare, 3)}
        measured["set_through_instance_vs_compare"] = pipeline / compare
    report = {
        name: {"value": round(value, 3), "target": TARGETS[name], "met": value < TARGETS[name]}
        for name, value in measured.items()
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"objects": args.objects, "sheets": args.sheets, **report, **details}, indent=2))
    print("| measure | value | target | met |\n|---|---|---|---|")
    for name, row in report.items():
        print(f"| {name} | {row['value']} | < {row['target']} | {'yes' if row['met'] else 'NO'} |")
    print(
        f"\n{args.sheets}-sheet pair: pipeline runs {details['pipeline_s']} s, "
        f"buildtrace compare {details['compare_s']} s"
    )


if __name__ == "__main__":
    main()
