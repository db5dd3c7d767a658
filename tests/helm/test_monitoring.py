"""The chart's monitoring: alert rules unit-tested with promtool, shipped as a PrometheusRule or a ConfigMap, the
dashboard ConfigMap for Grafana's sidecar, the pipeline exporter, and the probes of the API and the portal."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from helm.test_chart import CHART, render

RULES = CHART / "files" / "prometheus-rules.yaml"
DASHBOARD = CHART / "files" / "grafana-dashboard.json"
RULE_TESTS = Path(__file__).parent / "rules" / "alerts_test.yaml"


def promtool(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("promtool")
    if executable is None:
        pytest.fail("promtool is missing: `make system-deps` installs Debian's prometheus package")
    return subprocess.run([executable, *map(str, arguments)], capture_output=True, text=True, timeout=120)


def alert_names() -> set[str]:
    return {rule["alert"] for group in yaml.safe_load(RULES.read_text())["groups"] for rule in group["rules"]}


def test_every_alert_rule_passes_its_promtool_unit_tests() -> None:
    result = promtool("test", "rules", RULE_TESTS)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_is_shown_firing_and_quiet_in_the_unit_tests() -> None:
    cases = [case for test in yaml.safe_load(RULE_TESTS.read_text())["tests"] for case in test["alert_rule_test"]]

    firing = {case["alertname"] for case in cases if case["exp_alerts"]}
    quiet = {case["alertname"] for case in cases if not case["exp_alerts"]}
    assert firing == alert_names()
    assert quiet >= {"BuildTraceJobFailureRatioHigh", "BuildTraceJobsWaiting", "BuildTraceApiSlowReads"}


def test_without_the_operator_the_rules_are_a_configmap_prometheus_accepts(tmp_path: Path) -> None:
    objects = render({"monitoring": {"rules": {"labels": {"release": "kps"}}}})

    config_map = objects[("ConfigMap", "bt-alerts")]
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text(config_map["data"]["buildtrace-rules.yaml"])
    checked = promtool("check", "rules", rules_file)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert yaml.safe_load(rules_file.read_text()) == yaml.safe_load(RULES.read_text())
    assert config_map["metadata"]["labels"]["release"] == "kps"
    assert ("PrometheusRule", "bt-alerts") not in objects


def test_with_the_operator_the_rules_are_a_prometheus_rule() -> None:
    objects = render({"monitoring": {"rules": {"kind": "PrometheusRule", "labels": {"release": "kps"}}}})

    rule = objects[("PrometheusRule", "bt-alerts")]
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    assert rule["spec"] == yaml.safe_load(RULES.read_text())
    assert rule["metadata"]["labels"]["release"] == "kps"
    assert ("ConfigMap", "bt-alerts") not in objects


def test_the_dashboard_is_a_configmap_the_grafana_sidecar_loads() -> None:
    config_map = render()[("ConfigMap", "bt-dashboard")]

    assert config_map["metadata"]["labels"]["grafana_dashboard"] == "1"
    dashboard = json.loads(config_map["data"]["buildtrace.json"])
    assert dashboard == json.loads(DASHBOARD.read_text())
    rows = [panel["title"] for panel in dashboard["panels"] if panel["type"] == "row"]
    assert rows == ["Jobs", "Stages", "Engine", "Summarizer", "API and portal"]


def test_the_pipeline_exporter_is_one_pod_scraped_on_its_metrics_port() -> None:
    deployment = render()[("Deployment", "bt-metrics")]
    pod = deployment["spec"]["template"]
    (container,) = pod["spec"]["containers"]

    assert deployment["spec"]["replicas"] == 1
    assert container["command"] == ["buildtrace", "metrics", "serve"] and "--port=9464" in container["args"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == "9464"


def test_the_portal_is_ready_when_its_ops_server_says_so() -> None:
    deployment = render()[("Deployment", "bt-portal")]
    pod = deployment["spec"]["template"]
    (container,) = pod["spec"]["containers"]

    assert container["command"] == ["python", "-m", "portal.serve"]
    assert {port["name"]: port["containerPort"] for port in container["ports"]} == {"http": 8501, "ops": 8502}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "ops"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/_stcore/health", "port": "http"}
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == "8502"


def test_every_pod_reads_the_dagster_api_of_its_release_and_logs_json() -> None:
    data = render()[("ConfigMap", "buildtrace-env")]["data"]

    assert data["DAGSTER_GRAPHQL_URL"] == "http://bt-dagster-webserver/graphql"
    assert data["BUILDTRACE_LOG_FORMAT"] == "json"
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in data
    traced = render({"monitoring": {"otlpEndpoint": "http://otel:4318"}})[("ConfigMap", "buildtrace-env")]["data"]
    assert traced["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel:4318"
