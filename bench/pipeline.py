"""The pipeline's two speed targets, measured on real parts.

1. An upload sensor tick over a bucket holding 10,000 earlier uploads and
   nothing new: the cursor must make it read nothing old (target < 1 s).
2. A one-sheet revision landing in storage until its summary is written, with
   the real Dagster daemon launching the runs as it does on a laptop
   (``buildtrace demo``'s processes; target < 60 s).

Writes ``bench/results/pipeline.json`` and prints a Markdown table.

Run: ``.venv/bin/python -m bench.pipeline [--objects N] [--skip-landing]``
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import tempfile
import time
from pathlib import Path

from dagster import DagsterInstance, build_sensor_context

from buildtrace_assets.cli.demo import dagster_processes, demo_user, prepare_dagster_home, progress, upload_revisions
from buildtrace_assets.config import Settings, get_settings
from buildtrace_assets.db.migrate import upgrade
from buildtrace_assets.db.session import make_session_factory
from buildtrace_assets.resources import build_resources
from buildtrace_assets.sensors.uploads import upload_sensor

RESULTS = Path(__file__).parent / "results" / "pipeline.json"
TARGETS = {"idle_tick_s": 1.0, "landing_to_summary_s": 60.0}


def idle_tick_seconds(objects: int, work: Path) -> float:
    """Time one upload sensor tick whose cursor is already past ``objects`` stored uploads."""
    settings = Settings(data_dir=work, summarizer="offline")
    upgrade(settings.database_url)
    blobs = work / "blobs" / "uploads"
    keys = []
    for index in range(objects):
        folder = blobs / f"project-{index // 1000:02d}" / f"drawing-{index // 10:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{index:05d}.pdf").write_bytes(b"%PDF-1.7\n")
        keys.append(f"uploads/project-{index // 1000:02d}/drawing-{index // 10:04d}/{index:05d}.pdf")
    cursor = max(keys)
    with build_sensor_context(
        instance=DagsterInstance.ephemeral(), cursor=cursor, resources=build_resources(settings)
    ) as context:
        started = time.perf_counter()
        result = upload_sensor(context)
        elapsed = time.perf_counter() - started
    assert result.run_requests == [] and result.cursor == cursor
    return elapsed


def landing_to_summary_seconds(work: Path, timeout_s: float = 300.0) -> float:
    """Time from uploading a one-sheet revision pair to its written summary, with the real daemon."""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--skip-landing", action="store_true", help="Only measure the idle sensor tick.")
    args = parser.parse_args()
    measured: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as scratch:
        measured["idle_tick_s"] = idle_tick_seconds(args.objects, Path(scratch) / "tick")
        if not args.skip_landing:
            measured["landing_to_summary_s"] = landing_to_summary_seconds(Path(scratch) / "landing")
    report = {
        name: {"seconds": round(value, 3), "target_s": TARGETS[name], "met": value < TARGETS[name]}
        for name, value in measured.items()
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"objects": args.objects, **report}, indent=2))
    print("| measure | seconds | target | met |\n|---|---|---|---|")
    for name, row in report.items():
        print(f"| {name} | {row['seconds']} | < {row['target_s']} | {'yes' if row['met'] else 'NO'} |")


if __name__ == "__main__":
    main()
