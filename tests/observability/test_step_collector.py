"""What pipeline steps measured reaches the exporter through the database: figures stored on stage executions
are rolled up into the step totals at scrape time and read back as the step histograms and counters, on SQLite
and PostgreSQL alike, so a step that ran in a pod of its own (the Kubernetes executor) is counted like one that
ran next to the exporter."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic import command
from dagster import DagsterInstance
from fixtures.database import Team, tiny_pdf
from observability.support import UNREACHABLE_DATABASE, sample
from pipeline.world import World, analyzed_job, materialize_partition
from prometheus_client import CollectorRegistry
from prometheus_client.utils import floatToGoString
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.assets.change_summaries import change_summary
from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.db.migrate import alembic_config, upgrade
from buildtrace_assets.db.models import Job, JobStage, StageExecution, StageName, StepMetricTotal
from buildtrace_assets.db.session import make_session_factory
from buildtrace_assets.observability.step_collector import FAMILY_TYPES, StepCollector
from buildtrace_assets.observability.step_totals import roll_up
from buildtrace_assets.observability.steps import StepFigures
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.services.access import PIPELINE
from buildtrace_assets.services.jobs import complete_stage, start_stage
from buildtrace_assets.services.step_figures import record_step_figures
from buildtrace_assets.services.uploads import register_upload
from buildtrace_assets.storage import BlobStorage

MODEL = "gpt-test"


def comparison_job(
    session_factory: sessionmaker[Session], storage: BlobStorage, team: Team, drawing: str = "A-101"
) -> str:
    """The job of two revisions of a new ``drawing``."""
    with session_factory.begin() as session:
        for label in ("r1", "r2"):
            pdf = tiny_pdf(f"{drawing} {label}")
            register_upload(session, storage, team.editor, team.project.id, drawing, f"{label}.pdf", pdf)
        return session.scalars(select(Job.id).order_by(Job.created_at.desc()).limit(1)).one()


def lasted(session: Session, job_id: str, stage: StageName, seconds: float) -> None:
    """Make the stage's finished executions have taken ``seconds`` (the known answer of the duration)."""
    executions = session.scalars(
        select(StageExecution)
        .join(JobStage, JobStage.id == StageExecution.stage_id)
        .where(JobStage.job_id == job_id, JobStage.stage == stage)
    )
    for execution in executions:
        assert execution.finished_at is not None
        execution.started_at = execution.finished_at - timedelta(seconds=seconds)


def test_step_figures_stored_on_executions_are_exported_as_the_step_metrics(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    job_id = comparison_job(session_factory, blob_storage, team)
    with session_factory.begin() as session:
        start_stage(session, PIPELINE, job_id, "diff", dagster_run_id="run-1")
        figures = StepFigures(engine_seconds=12.0, sheets=4, peak_memory_bytes=300 * 2**20)
        record_step_figures(session, job_id, "diff", figures)
        complete_stage(session, PIPELINE, job_id, "diff", result_ref="changes.json")
        lasted(session, job_id, "diff", 42.0)
    with session_factory.begin() as session:
        start_stage(session, PIPELINE, job_id, "summary", dagster_run_id="run-1")
        failed = StepFigures(summarizer_model=MODEL, summarizer_seconds=3.0, summarizer_failed=True)
        record_step_figures(session, job_id, "summary", failed, "RateLimitError: slow down")
    with session_factory.begin() as session:
        start_stage(session, PIPELINE, job_id, "summary", dagster_run_id="run-1")
        answered = StepFigures(
            summarizer_model=MODEL,
            summarizer_seconds=7.0,
            summarizer_failed=False,
            prompt_tokens=900,
            completion_tokens=120,
        )
        record_step_figures(session, job_id, "summary", answered)
        complete_stage(session, PIPELINE, job_id, "summary", result_ref="summary.md")
    registry = CollectorRegistry()
    registry.register(StepCollector(session_factory))

    diff = {"stage": "diff", "outcome": "succeeded"}
    assert sample("buildtrace_step_duration_seconds_count", registry, **diff) == 1
    assert abs(sample("buildtrace_step_duration_seconds_sum", registry, **diff) - 42.0) < 0.01
    assert sample("buildtrace_step_duration_seconds_bucket", registry, le="30.0", **diff) == 0
    assert sample("buildtrace_step_duration_seconds_bucket", registry, le="60.0", **diff) == 1
    assert sample("buildtrace_step_duration_seconds_count", registry, stage="summary", outcome="failed") == 1
    assert sample("buildtrace_step_failures_total", registry, stage="summary") == 1
    assert sample("buildtrace_step_failures_total", registry, stage="diff") == 0
    assert sample("buildtrace_engine_seconds_per_sheet_sum", registry) == 3.0
    assert sample("buildtrace_engine_seconds_per_sheet_bucket", registry, le="2.0") == 0
    assert sample("buildtrace_engine_seconds_per_sheet_bucket", registry, le="5.0") == 1
    assert sample("buildtrace_engine_peak_memory_bytes_bucket", registry, le=floatToGoString(2**28)) == 0
    assert sample("buildtrace_engine_peak_memory_bytes_bucket", registry, le=floatToGoString(2**29)) == 1
    assert sample("buildtrace_sheets_per_job_sum", registry) == 4
    assert sample("buildtrace_summarizer_calls_total", registry, model=MODEL, outcome="error") == 1
    assert sample("buildtrace_summarizer_calls_total", registry, model=MODEL, outcome="ok") == 1
    assert sample("buildtrace_summarizer_latency_seconds_sum", registry, model=MODEL) == 10.0
    assert sample("buildtrace_summarizer_latency_seconds_bucket", registry, model=MODEL, le="5.0") == 1
    assert sample("buildtrace_summarizer_tokens_total", registry, model=MODEL, kind="prompt") == 900
    assert sample("buildtrace_summarizer_tokens_total", registry, model=MODEL, kind="completion") == 120


@pytest.mark.slow
def test_the_diff_and_summary_steps_store_what_they_measured(
    world: World, instance: DagsterInstance, revision_pair: RevisionPair
) -> None:
    job_id = analyzed_job(world, instance, revision_pair)

    run = materialize_partition(world, instance, [diff_result, change_summary], "jobs", job_id)

    assert run.success
    registry = CollectorRegistry()
    registry.register(StepCollector(world.session_factory))
    assert sample("buildtrace_sheets_per_job_sum", registry) == sample("buildtrace_sheets_per_job_count", registry) == 1
    assert sample("buildtrace_engine_seconds_per_sheet_count", registry) == 1
    assert sample("buildtrace_engine_peak_memory_bytes_sum", registry) > 2**20
    assert sample("buildtrace_step_duration_seconds_count", registry, stage="ocr", outcome="succeeded") == 2
    assert sample("buildtrace_step_duration_seconds_count", registry, stage="summary", outcome="succeeded") == 1
    assert sample("buildtrace_summarizer_calls_total", registry, model="offline", outcome="ok") == 1


def test_a_retried_attempt_is_closed_as_failed_with_its_error_and_a_final_one_keeps_its_end(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    job_id = comparison_job(session_factory, blob_storage, team)
    with session_factory.begin() as session:
        start_stage(session, PIPELINE, job_id, "summary", dagster_run_id="run-1")
        record_step_figures(session, job_id, "summary", StepFigures(), "TimeoutError: no answer")
    with session_factory() as session:
        (execution,) = session.scalars(select(StageExecution))

    assert (execution.status, execution.error_message) == ("failed", "TimeoutError: no answer")
    assert execution.finished_at is not None and execution.summarizer_model is None


def test_the_declared_families_are_the_collected_ones_and_a_database_outage_yields_none(
    session_factory: sessionmaker[Session],
) -> None:
    collector = StepCollector(session_factory)

    assert {family.name for family in collector.collect()} == set(FAMILY_TYPES)
    assert {family.name for family in collector.describe()} == set(FAMILY_TYPES)
    assert list(StepCollector(make_session_factory(UNREACHABLE_DATABASE)).collect()) == []


def finished_diff(session_factory: sessionmaker[Session], job_id: str, seconds: float) -> None:
    """A diff execution of ``job_id`` that took ``seconds`` over 2 sheets."""
    with session_factory.begin() as session:
        start_stage(session, PIPELINE, job_id, "diff", dagster_run_id=f"run-{seconds}")
        record_step_figures(session, job_id, "diff", StepFigures(engine_seconds=seconds, sheets=2))
        complete_stage(session, PIPELINE, job_id, "diff", result_ref="changes.json")
        lasted(session, job_id, "diff", seconds)


def test_each_execution_is_added_once_and_deleting_its_job_does_not_lower_the_totals(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    job_id = comparison_job(session_factory, blob_storage, team)
    finished_diff(session_factory, job_id, 42.0)
    registry = CollectorRegistry()
    registry.register(StepCollector(session_factory))
    diff = {"stage": "diff", "outcome": "succeeded"}

    assert sample("buildtrace_step_duration_seconds_count", registry, **diff) == 1
    assert sample("buildtrace_step_duration_seconds_count", registry, **diff) == 1
    with session_factory.begin() as session:
        assert session.scalar(select(func.count()).where(StageExecution.rolled_up_at.is_(None))) == 0
        session.execute(delete(Job).where(Job.id == job_id))
    assert sample("buildtrace_step_duration_seconds_count", registry, **diff) == 1

    finished_diff(session_factory, comparison_job(session_factory, blob_storage, team, "A-102"), 7.0)

    assert sample("buildtrace_step_duration_seconds_count", registry, **diff) == 2
    assert abs(sample("buildtrace_step_duration_seconds_sum", registry, **diff) - 49.0) < 0.01
    assert sample("buildtrace_step_duration_seconds_bucket", registry, le="15.0", **diff) == 1
    assert sample("buildtrace_engine_seconds_per_sheet_sum", registry) == 21.0 + 3.5


def test_executions_in_progress_wait_until_they_finish(
    session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    job_id = comparison_job(session_factory, blob_storage, team)
    with session_factory.begin() as session:
        start_stage(session, PIPELINE, job_id, "diff", dagster_run_id="run-1")
    with session_factory.begin() as session:
        assert roll_up(session.connection()) == 0
        complete_stage(session, PIPELINE, job_id, "diff", result_ref="changes.json")
    with session_factory.begin() as session:
        assert roll_up(session.connection(), batch_size=1) == 1
        assert roll_up(session.connection()) == 0


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")
def test_the_upgrade_to_0011_rolls_up_the_executions_that_already_exist(
    database_url: str, session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    finished_diff(session_factory, comparison_job(session_factory, blob_storage, team), 42.0)
    session_factory.kw["bind"].dispose()
    command.downgrade(alembic_config(database_url), "0010")

    upgrade(database_url)

    with session_factory() as session:
        assert session.scalar(select(func.count()).where(StageExecution.rolled_up_at.is_(None))) == 0
        assert session.scalar(select(func.count()).select_from(StepMetricTotal)) > 0
    registry = CollectorRegistry()
    registry.register(StepCollector(session_factory))
    assert sample("buildtrace_step_duration_seconds_count", registry, stage="diff", outcome="succeeded") == 1
    assert sample("buildtrace_sheets_per_job_sum", registry) == 2


def test_two_exporters_rolling_up_at_once_add_each_execution_once(
    database_url: str, session_factory: sessionmaker[Session], blob_storage: BlobStorage, team: Team
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time: a second exporter waits for the first one's transaction")
    finished_diff(session_factory, comparison_job(session_factory, blob_storage, team), 42.0)

    with session_factory.begin() as first, session_factory.begin() as second:
        assert roll_up(first.connection()) == 1
        assert roll_up(second.connection()) == 0

    with session_factory() as session:
        counts = session.scalars(
            select(StepMetricTotal.value).where(
                StepMetricTotal.family == "buildtrace_step_duration_seconds", StepMetricTotal.sample == "count"
            )
        ).all()
    assert counts == [1.0]
