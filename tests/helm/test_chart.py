"""The helm chart, checked with Helm's own Go SDK (lint and render, offline) and Kubernetes schemas.

The official Dagster chart is a dependency fetched from its repository by
``helm dependency build``, which needs the network; these tests lint and
render the BuildTrace part and check that the ``dagster:`` values mirror the
local instance (``dagster.yaml``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

CHART = Path(__file__).parents[2] / "helm" / "buildtrace"
KUBERNETES_VERSION = "1.30"
MISSING_OFFICIAL_CHART = "chart directory is missing these dependencies: dagster"


def render(values: dict[str, Any] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """Rendered objects by (kind, name)."""
    with helm.Chart.load(CHART) as chart:
        manifests = chart.render(values or {}, name="bt", namespace="drawings")
    objects = {}
    for path, text in manifests.items():
        if path.endswith(".txt"):
            continue
        for document in yaml.safe_load_all(text):
            if document:
                objects[(document["kind"], document["metadata"]["name"])] = document
    return objects


def chart_values() -> dict[str, Any]:
    return yaml.safe_load((CHART / "values.yaml").read_text())


def test_lint_finds_nothing_but_the_official_chart_that_needs_the_network() -> None:
    report = helm.lint(CHART, strict=True, kube_version=f"v{KUBERNETES_VERSION}.0")

    problems = [message for message in report["messages"] if message["severity"] >= 2]
    assert [problem["error"] for problem in problems] == [MISSING_OFFICIAL_CHART]


def test_chart_depends_on_the_official_dagster_chart_of_the_pinned_version() -> None:
    pinned = next(
        line.split("==")[1].strip('",')
        for line in (CHART.parents[1] / "pyproject.toml").read_text().splitlines()
        if line.strip().startswith('"dagster==')
    )

    (dependency,) = yaml.safe_load((CHART / "Chart.yaml").read_text())["dependencies"]

    assert dependency == {"name": "dagster", "version": pinned, "repository": "https://dagster-io.github.io/helm"}


def test_every_rendered_object_is_valid_kubernetes() -> None:
    objects = render({"openai": {"apiKey": "sk-test"}})

    assert {kind for kind, _ in objects} == {"ConfigMap", "Deployment", "Secret", "Service", "ServiceAccount"}
    for document in objects.values():
        kubernetes_validate.validate(document, KUBERNETES_VERSION, strict=True)


def test_portal_service_routes_to_the_portal_pods() -> None:
    objects = render()
    deployment = objects[("Deployment", "bt-portal")]
    service = objects[("Service", "bt-portal")]

    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert deployment["spec"]["selector"]["matchLabels"] == service["spec"]["selector"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["ports"][0]["name"] == service["spec"]["ports"][0]["targetPort"]


def test_pods_read_gcs_storage_and_select_the_k8s_step_executor() -> None:
    config = render({"storage": {"bucket": "plans", "prefix": "/acme/"}})[("ConfigMap", "buildtrace-env")]

    assert config["data"]["BUILDTRACE_STORAGE_URL"] == "gs://plans/acme"
    assert config["data"]["BUILDTRACE_EXECUTOR"] == "k8s"


def test_a_missing_bucket_is_refused_with_a_clear_message() -> None:
    with pytest.raises(helm.HelmError, match=r"storage.bucket is required"):
        render({"storage": {"bucket": ""}})


def test_openai_secret_is_created_only_when_a_key_is_given() -> None:
    assert ("Secret", "buildtrace-openai") not in render()

    secret = render({"openai": {"apiKey": "sk-test"}})[("Secret", "buildtrace-openai")]

    assert secret["stringData"] == {"OPENAI_API_KEY": "sk-test"}


def test_code_location_runs_and_steps_get_the_same_environment_as_the_portal() -> None:
    values = chart_values()
    objects = render()
    portal = objects[("Deployment", "bt-portal")]["spec"]["template"]["spec"]["containers"][0]
    portal_sources = {source.get("configMapRef", source.get("secretRef"))["name"] for source in portal["envFrom"]}
    (deployment,) = values["dagster"]["dagster-user-deployments"]["deployments"]
    launcher = values["dagster"]["runLauncher"]["config"]["k8sRunLauncher"]

    for consumer in (deployment, launcher):
        names = {item["name"] for item in consumer["envConfigMaps"] + consumer["envSecrets"]}
        assert names == portal_sources
    assert deployment["image"]["repository"] == values["image"]["repository"]
    assert deployment["image"]["tag"] == values["image"]["tag"]
    assert deployment["dagsterApiGrpcArgs"] == ["--module-name", "buildtrace_assets.definitions"]


def test_cluster_instance_mirrors_the_local_instance() -> None:
    local = yaml.safe_load((CHART.parents[1] / "dagster.yaml").read_text())
    dagster = chart_values()["dagster"]
    daemon = dagster["dagsterDaemon"]

    assert local["run_coordinator"]["class"] == daemon["runCoordinator"]["type"] == "QueuedRunCoordinator"
    assert (
        local["run_coordinator"]["config"]["dequeue_interval_seconds"]
        == daemon["runCoordinator"]["config"]["queuedRunCoordinator"]["dequeueIntervalSeconds"]
        == 1
    )
    assert dagster["concurrency"]["enabled"] and dagster["concurrency"]["runs"]["maxConcurrentRuns"] >= 1
    assert "max_concurrent_runs" in local["concurrency"]["runs"]
    assert local["run_monitoring"]["enabled"] is daemon["runMonitoring"]["enabled"] is True
    assert daemon["runMonitoring"]["maxRuntimeSeconds"] >= 3600
    assert local["run_retries"]["enabled"] is daemon["runRetries"]["enabled"] is True
    assert local["run_retries"]["max_retries"] == daemon["runRetries"]["maxRetries"] >= 1
    assert local["run_retries"]["retry_on_asset_or_op_failure"] is daemon["runRetries"]["retryOnAssetOrOpFailure"]
    assert dagster["postgresql"]["postgresqlScheme"] == "postgresql+psycopg2"
    assert dagster["runLauncher"]["type"] == "K8sRunLauncher"
    assert dagster["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]["jobSpecConfig"]["backoffLimit"] == 0
