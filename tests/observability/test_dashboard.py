"""Every query of the Grafana dashboard and of the alert rules reads metrics the code exports, by name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client.metrics import MetricWrapperBase

from buildtrace_assets.observability import metrics
from buildtrace_assets.observability.collector import DatabaseCollector, SensorCollector
from buildtrace_assets.observability.step_collector import FAMILY_TYPES

CHART_FILES = Path(__file__).parents[2] / "helm" / "buildtrace" / "files"
METRIC_NAME = re.compile(r"\bbuildtrace_[a-z_]+\b")
SAMPLE_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def exported_names() -> set[str]:
    """Sample names of the metrics the processes define, and of the families the exporter's collectors read."""
    names = set(DatabaseCollector.FAMILIES) | set(SensorCollector.FAMILIES)
    for name, kind in FAMILY_TYPES.items():
        names |= {name + suffix for suffix in SAMPLE_SUFFIXES[kind]}
    for metric in vars(metrics).values():
        if isinstance(metric, MetricWrapperBase):
            for family in metric.describe():
                names |= {family.name + suffix for suffix in SAMPLE_SUFFIXES[family.type]}
    return names


def dashboard_queries() -> dict[str, str]:
    dashboard = json.loads((CHART_FILES / "grafana-dashboard.json").read_text())
    return {
        f"{panel['title']} {target['refId']}": target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
    }


def test_every_dashboard_panel_reads_exported_metrics() -> None:
    exported = exported_names()
    queries = dashboard_queries()

    unknown = {title: sorted(set(METRIC_NAME.findall(expr)) - exported) for title, expr in queries.items()}
    assert {title: names for title, names in unknown.items() if names} == {}
    assert all(METRIC_NAME.search(expr) for expr in queries.values())


def test_every_alert_rule_reads_exported_metrics() -> None:
    rules = yaml.safe_load((CHART_FILES / "prometheus-rules.yaml").read_text())
    expressions = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]

    assert set(METRIC_NAME.findall(" ".join(expressions))) <= exported_names()


def test_the_dashboard_shows_jobs_stages_engine_summarizer_and_api() -> None:
    read = set(METRIC_NAME.findall(" ".join(dashboard_queries().values())))

    assert {
        "buildtrace_jobs",
        "buildtrace_job_stages",
        "buildtrace_step_duration_seconds_bucket",
        "buildtrace_engine_seconds_per_sheet_bucket",
        "buildtrace_engine_peak_memory_bytes_bucket",
        "buildtrace_summarizer_calls_total",
        "buildtrace_summarizer_tokens_total",
        "buildtrace_http_request_duration_seconds_bucket",
        "buildtrace_sensor_last_tick_timestamp_seconds",
    } <= read
