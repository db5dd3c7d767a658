"""One trace per upload: its HTTP request, the version's registration, the sensors that hand its work to Dagster,
each step of the runs (with the engine's stages and the summarizer call), down to the stored summary."""

from __future__ import annotations

import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from dagster import DagsterInstance, RunRequest, build_sensor_context, materialize
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, get_current_span
from pipeline.world import World
from sqlalchemy import select

from buildtrace_assets.api import ApiSettings, create_app
from buildtrace_assets.assets.change_summaries import change_summary
from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.assets.drawing_versions import drawing_analysis
from buildtrace_assets.db.models import ChangeSummary
from buildtrace_assets.observability.tracing import (
    TRACE_TAG,
    context_from_traceparent,
    engine_stage,
    installed,
    make_provider,
)
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.sensors.jobs import job_progress_sensor
from buildtrace_assets.sensors.pipeline_requests import pipeline_request_sensor
from buildtrace_assets.services.uploads import register_upload

OWNER_PASSWORD = "correct horse battery"
"""The password of ``world``'s owner (``pipeline/world.py``)."""
API_SECRET = "tracing-test-secret-of-at-least-32-characters"
ENGINE_STAGES = {"engine.load", "engine.render", "engine.align", "engine.diff", "engine.text", "engine.overlay"}
ASSETS = {"analyze_drawing_version": [drawing_analysis], "compare_versions": [diff_result, change_summary]}


def upload(world: World, filename: str, data: bytes) -> str:
    with world.transaction() as session:
        return register_upload(session, world.storage, world.owner, world.project_id, "A-101", filename, data).id


def run_requested(world: World, instance: DagsterInstance, sensor: object) -> list[RunRequest]:
    """One real tick of ``sensor``, then each run it asked for, in process, with the tags it was given."""
    with build_sensor_context(instance=instance, resources=world.resources) as context:
        result = sensor(context)  # type: ignore[operator]
    for request in result.run_requests:
        partitions = "drawing_versions" if request.job_name == "analyze_drawing_version" else "jobs"
        instance.add_dynamic_partitions(partitions, [request.partition_key])
        run = materialize(
            ASSETS[request.job_name],
            partition_key=request.partition_key,
            resources=world.resources,
            instance=instance,
            tags=request.tags,
        )
        assert run.success
    return list(result.run_requests)


def parents(finished: tuple[ReadableSpan, ...]) -> dict[str, set[str | None]]:
    """Each span name with the names of its parents."""
    by_id = {span.context.span_id: span for span in finished}
    found: dict[str, set[str | None]] = {}
    for span in finished:
        parent = by_id.get(span.parent.span_id) if span.parent is not None else None
        found.setdefault(span.name, set()).add(parent.name if parent is not None else None)
    return found


@pytest.mark.slow
def test_an_upload_is_one_trace_from_its_registration_to_its_stored_summary(
    world: World, instance: DagsterInstance, revision_pair: RevisionPair, spans: InMemorySpanExporter
) -> None:
    upload(world, "rev-1.pdf", revision_pair.old_path.read_bytes())
    run_requested(world, instance, pipeline_request_sensor)
    spans.clear()

    new_id = upload(world, "rev-2.pdf", revision_pair.new_path.read_bytes())
    (analysis,) = run_requested(world, instance, pipeline_request_sensor)
    (comparison,) = run_requested(world, instance, job_progress_sensor)

    finished = spans.get_finished_spans()
    assert {span.context.trace_id for span in finished} == {uuid.UUID(new_id).int}
    (root,) = [span for span in finished if span.name == "upload"]
    assert root.parent is None and root.context.span_id == uuid.UUID(new_id).int & (2**64 - 1)
    assert TRACE_TAG in analysis.tags and TRACE_TAG in comparison.tags
    tree = parents(finished)
    assert tree["sensor.submit"] == {"upload"}
    assert tree["step.ocr"] == tree["step.diff"] == tree["step.summary"] == {"sensor.submit"}
    assert tree["summarizer"] == {"step.summary"}
    assert tree.keys() >= ENGINE_STAGES
    assert tree["engine.load"] | tree["engine.render"] | tree["engine.diff"] == {"step.diff"}
    assert tree["engine.align"] == {"engine.diff"}
    with world.session_factory() as session:
        (summary,) = session.scalars(select(ChangeSummary))
    (summary_step,) = [span for span in finished if span.name == "step.summary"]
    assert summary_step.attributes is not None and summary_step.end_time is not None
    assert summary_step.attributes["buildtrace.job_id"] == comparison.partition_key
    assert summary.created_at.timestamp() * 1e9 <= summary_step.end_time


def test_an_upload_through_the_api_is_traced_from_its_http_request_to_the_run_tag(
    world: World, revision_pair: RevisionPair, spans: InMemorySpanExporter
) -> None:
    app = create_app(
        world.settings,
        ApiSettings(secret=API_SECRET),  # type: ignore[arg-type]
        session_factory=world.session_factory,
        storage=world.storage,
    )
    client = app.test_client()
    login = client.post("/api/v1/auth/login", json={"email": "owner@example.com", "password": OWNER_PASSWORD})
    token = login.get_json()["access_token"]
    spans.clear()

    response = client.post(
        f"/api/v1/projects/{world.project_id}/drawings",
        data={"file": (revision_pair.old_path.open("rb"), "rev-1.pdf"), "name": "A-101"},
        headers={"Authorization": f"Bearer {token}"},
        content_type="multipart/form-data",
    )
    with build_sensor_context(instance=DagsterInstance.ephemeral(), resources=world.resources) as context:
        (run,) = pipeline_request_sensor(context).run_requests

    assert response.status_code == 201, response.get_json()
    finished = spans.get_finished_spans()
    (http,) = [span for span in finished if span.kind is SpanKind.SERVER]
    assert http.parent is None and http.name == "POST /api/v1/projects/<project_id>/drawings"
    assert http.attributes is not None and http.attributes["http.response.status_code"] == 201
    assert {span.context.trace_id for span in finished} == {http.context.trace_id}
    tree = parents(finished)
    assert tree["upload"] == {http.name} and tree["sensor.submit"] == {"upload"}
    (submit,) = [span for span in finished if span.name == "sensor.submit"]
    carried = context_from_traceparent(run.tags[TRACE_TAG])
    assert carried is not None
    assert get_current_span(carried).get_span_context().span_id == submit.context.span_id


def test_a_request_carrying_a_traceparent_continues_the_clients_trace(
    world: World, spans: InMemorySpanExporter
) -> None:
    app = create_app(
        world.settings,
        ApiSettings(secret=API_SECRET),  # type: ignore[arg-type]
        session_factory=world.session_factory,
        storage=world.storage,
    )
    client_trace, client_span = 0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331

    client = app.test_client()
    client.get("/healthz", headers={"traceparent": f"00-{client_trace:032x}-{client_span:016x}-01"})

    (http,) = spans.get_finished_spans()
    assert (http.name, http.kind) == ("GET /healthz", SpanKind.SERVER)
    assert http.context.trace_id == client_trace
    assert http.parent is not None and http.parent.span_id == client_span


def test_without_an_exporter_runs_carry_no_trace_tags(world: World, revision_pair: RevisionPair) -> None:
    upload(world, "rev-1.pdf", revision_pair.old_path.read_bytes())

    with build_sensor_context(instance=DagsterInstance.ephemeral(), resources=world.resources) as context:
        (request,) = pipeline_request_sensor(context).run_requests

    assert TRACE_TAG not in request.tags


def test_with_an_endpoint_spans_go_out_over_otlp_http(monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[tuple[str, str, bytes]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers["Content-Type"], body))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{server.server_address[1]}")
    provider = make_provider("buildtrace-test")
    try:
        with installed(provider), engine_stage("diff", sheet="A-101"):
            pass
        assert provider.force_flush(10_000)
    finally:
        provider.shutdown()
        server.shutdown()

    ((path, content_type, body),) = received
    request = ExportTraceServiceRequest.FromString(body)
    (span,) = request.resource_spans[0].scope_spans[0].spans
    assert (path, content_type, span.name) == ("/v1/traces", "application/x-protobuf", "engine.diff")
    resource = {
        attribute.key: attribute.value.string_value for attribute in request.resource_spans[0].resource.attributes
    }
    assert resource["service.name"] == "buildtrace-test"
