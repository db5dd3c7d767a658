"""Log lines: one JSON object per line with the ids an operator searches by, or readable text."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from buildtrace_assets.config import Settings
from buildtrace_assets.observability import tracing
from buildtrace_assets.observability.steps import observed_step
from buildtrace_assets.observability.structured_logs import JsonLineFormatter, configure_logging, formatter, log_context

RUN_TAGS: dict[str, str] = {}


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLineFormatter())
    logger = logging.getLogger("buildtrace.test")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield logger, stream
    logger.removeHandler(handler)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_line_outside_any_step_has_every_key_with_null_ids(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured

    logger.warning("disk %s full", "/tmp")

    (line,) = lines(stream)
    assert line["message"] == "disk /tmp full" and line["level"] == "WARNING" and line["logger"] == "buildtrace.test"
    assert str(line["timestamp"]).endswith("+00:00")
    assert [line[key] for key in ("job_id", "drawing_version_id", "run_id", "trace_id")] == [None] * 4


def test_a_step_logs_its_job_run_and_trace(
    captured: tuple[logging.Logger, io.StringIO], spans: InMemorySpanExporter
) -> None:
    logger, stream = captured

    with observed_step("diff", RUN_TAGS, "run-1", job_id="job-1"):
        logger.info("diffing")
    with log_context(drawing_version_id="version-1"):
        logger.info("analysing")

    step, analysis = lines(stream)
    (span,) = spans.get_finished_spans()
    assert (step["job_id"], step["run_id"], step["trace_id"]) == ("job-1", "run-1", f"{span.context.trace_id:032x}")
    assert (analysis["drawing_version_id"], analysis["job_id"]) == ("version-1", None)


def test_an_exception_is_one_line_with_its_traceback(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured

    try:
        raise ValueError("bad sheet")
    except ValueError:
        logger.exception("comparison failed")

    (line,) = lines(stream)
    assert "ValueError: bad sheet" in str(line["exception"]) and len(stream.getvalue().splitlines()) == 1


def test_text_is_the_default_and_json_is_chosen_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().log_format == "text"
    monkeypatch.setenv("BUILDTRACE_LOG_FORMAT", "json")
    assert Settings().log_format == "json"
    assert isinstance(formatter("json"), JsonLineFormatter) and not isinstance(formatter("text"), JsonLineFormatter)


def test_configuring_twice_keeps_one_handler() -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        configure_logging("json")
        handler = configure_logging("text")
        ours = [added for added in root.handlers if added not in before]
        assert ours == [handler]
    finally:
        for added in [added for added in root.handlers if added not in before]:
            root.removeHandler(added)


def test_spans_are_not_exported_without_an_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(tracing.OTLP_ENDPOINT, raising=False)

    assert tracing.configure_tracing("buildtrace-test") is None
