"""Cost of a Prometheus scrape of the pipeline exporter's database collectors with 100,000 jobs.

The database collector runs one aggregate query per family at every scrape (jobs by status, the oldest waiting
job, jobs finished in the last hour, stages by stage and status, requests by kind and state, summaries by model),
each read from an index; the step collector rolls up the executions that finished since the last scrape and reads
the step totals. Here a fresh database (PostgreSQL on 127.0.0.1:5432, and SQLite) holds ``--jobs`` jobs with four
stages each and one execution per stage (diffs and summaries with what their step measured), one pipeline request
per job (in every state in turn) and a summary for every tenth job, written in bulk, so none of the executions is
rolled up yet: the first scrape rolls them all up (what migration 0011 does for an existing database; reported
as ``first_s``), and the figure is the median wall time of a full collection over the next ``--scrapes`` scrapes.
Target: < 0.5 s on both databases, far under Prometheus's default 10 s scrape timeout.

Writes ``bench/results/observability.json`` and prints a Markdown table.

Run: ``.venv/bin/python -m bench.observability [--jobs 100000] [--scrapes 5]``
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from sqlalchemy import insert

from bench.load import _database
from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.migrate import upgrade
from buildtrace_assets.db.models import (
    ChangeSummary,
    DiffResult,
    Drawing,
    DrawingVersion,
    Job,
    JobStage,
    Organization,
    PipelineRequest,
    Project,
    StageExecution,
)
from buildtrace_assets.db.models.requests import REQUEST_STATUSES
from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.observability.collector import DatabaseCollector
from buildtrace_assets.observability.step_collector import StepCollector

RESULTS = Path(__file__).parent / "results" / "observability.json"
STATUSES = ("pending", "running", "completed", "completed", "completed", "failed", "cancelled")
STEP_FIGURES = {
    "diff": {"engine_seconds": 40.0, "sheets": 8, "peak_memory_bytes": 2**30},
    "summary": {
        "summarizer_model": "gpt-4.1-mini",
        "summarizer_seconds": 6.0,
        "summarizer_failed": False,
        "prompt_tokens": 3000,
        "completion_tokens": 400,
    },
}
"""What the diff and summary steps of every bench job measured."""


def _ids(count: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(count)]


def fill(database_url: str, jobs: int) -> None:
    """``jobs`` jobs between two versions of one drawing, their stages, requests and some summaries, in bulk."""
    sessions = make_session_factory(database_url)
    random.seed(7)
    now = utcnow()
    with transaction(sessions) as session:
        organization = Organization(name="Bench")
        session.add(organization)
        session.flush()
        project = Project(organization_id=organization.id, name="Bench")
        session.add(project)
        session.flush()
        drawing = Drawing(project_id=project.id, name="A-101")
        session.add(drawing)
        session.flush()
        versions = [
            DrawingVersion(
                drawing_id=drawing.id,
                version_number=number,
                storage_key=f"uploads/{number}.pdf",
                original_filename=f"{number}.pdf",
                content_type="application/pdf",
                file_kind="pdf",
                file_hash=f"{number:064d}",
                file_size=1000,
            )
            for number in (1, 2)
        ]
        session.add_all(versions)
        session.flush()
        old, new = versions[0].id, versions[1].id
        project_id = project.id
    job_ids = _ids(jobs)
    for start in range(0, jobs, 10_000):
        chunk = job_ids[start : start + 10_000]
        with transaction(sessions) as session:
            job_rows = []
            for job_id in chunk:
                status = random.choice(STATUSES)
                created = now - timedelta(minutes=random.randint(0, 60 * 24 * 30))
                finished = created + timedelta(minutes=3) if status in ("completed", "failed") else None
                job_rows.append(
                    {
                        "id": job_id,
                        "project_id": project_id,
                        "old_drawing_version_id": old,
                        "new_drawing_version_id": new,
                        "status": status,
                        "created_at": created,
                        "completed_at": finished,
                    }
                )
            session.execute(insert(Job), job_rows)
            stage_rows = [
                {
                    "id": str(uuid.uuid4()),
                    "job_id": row["id"],
                    "stage": stage,
                    "drawing_version_id": version,
                    "status": "failed" if row["status"] == "failed" and stage == "diff" else "completed",
                }
                for row in job_rows
                for stage, version in (("ocr", old), ("ocr", new), ("diff", None), ("summary", None))
            ]
            session.execute(insert(JobStage), stage_rows)
            started = {row["id"]: row["created_at"] for row in job_rows}
            session.execute(
                insert(StageExecution),
                [
                    {
                        "id": str(uuid.uuid4()),
                        "stage_id": stage["id"],
                        "dagster_run_id": "bench",
                        "attempt": 1,
                        "status": stage["status"],
                        "started_at": started[stage["job_id"]],
                        "finished_at": started[stage["job_id"]] + timedelta(seconds=random.randint(5, 600)),
                        **STEP_FIGURES.get(stage["stage"], {}),
                    }
                    for stage in stage_rows
                ],
            )
            session.execute(
                insert(PipelineRequest),
                [
                    {
                        "id": str(uuid.uuid4()),
                        "project_id": project_id,
                        "kind": "compare",
                        "job_id": row["id"],
                        "reason": "bench",
                        "status": REQUEST_STATUSES[number % len(REQUEST_STATUSES)],
                        "created_at": row["created_at"],
                    }
                    for number, row in enumerate(job_rows)
                ],
            )
            summarized = job_rows[::10]
            results = [
                {
                    "id": str(uuid.uuid4()),
                    "job_id": row["id"],
                    "changes_ref": "x",
                    "engine_version": "bench",
                    "overlay_refs": {},
                }
                for row in summarized
            ]
            session.execute(insert(DiffResult), results)
            session.execute(
                insert(ChangeSummary),
                [
                    {
                        "id": str(uuid.uuid4()),
                        "diff_result_id": result["id"],
                        "version_number": 1,
                        "is_active": True,
                        "source": "machine",
                        "content": {"overall": "", "items": []},
                        "text": "bench",
                        "model": "gpt-4.1-mini",
                        "metadata": {},
                    }
                    for result in results
                ],
            )
    sessions.kw["bind"].dispose()


def scrape_seconds(database_url: str, scrapes: int) -> tuple[float, float, int]:
    """Wall time of the first collection (it rolls up every execution), the median of the next ones, and the
    exposition's size in bytes."""
    sessions = make_session_factory(database_url)
    registry = CollectorRegistry()
    registry.register(DatabaseCollector(sessions))
    registry.register(StepCollector(sessions))
    started = time.perf_counter()
    generate_latest(registry)  # also connects and warms the database's caches, as a running exporter has
    first = time.perf_counter() - started
    times, size = [], 0
    for _ in range(scrapes):
        started = time.perf_counter()
        size = len(generate_latest(registry))
        times.append(time.perf_counter() - started)
    sessions.kw["bind"].dispose()
    return first, statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--scrapes", type=int, default=5)
    arguments = parser.parse_args()
    figures = {}
    with _database() as postgres:
        fill(postgres, arguments.jobs)
        figures["postgresql"] = scrape_seconds(postgres, arguments.scrapes)
    with tempfile.TemporaryDirectory(prefix="buildtrace-metrics-") as scratch:
        sqlite = f"sqlite:///{Path(scratch) / 'bench.db'}"
        upgrade(sqlite)
        fill(sqlite, arguments.jobs)
        figures["sqlite"] = scrape_seconds(sqlite, arguments.scrapes)
    result = {
        "jobs": arguments.jobs,
        "scrapes": arguments.scrapes,
        **{
            engine: {"first_s": round(first, 3), "median_s": round(seconds, 4), "bytes": size}
            for engine, (first, seconds, size) in figures.items()
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Pipeline exporter, {arguments.jobs} jobs ({arguments.jobs * 4} stages), median of {arguments.scrapes}\n")
    print("| database | first scrape (roll-up) s | scrape s | exposition bytes |")
    print("| --- | ---: | ---: | ---: |")
    for engine, (first, seconds, size) in figures.items():
        print(f"| {engine} | {first:.3f} | {seconds:.3f} | {size} |")


if __name__ == "__main__":
    main()
