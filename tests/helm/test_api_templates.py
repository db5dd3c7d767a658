"""The chart's API Deployment and Service: valid objects that run ``buildtrace api`` and route to it."""

from __future__ import annotations

import kubernetes_validate
from helm.test_chart import KUBERNETES_VERSION, render


def test_the_api_deployment_runs_the_api_command_with_the_shared_environment_and_its_secret() -> None:
    objects = render()
    deployment = objects[("Deployment", "bt-api")]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]

    assert container["command"] == ["buildtrace", "api"]
    assert "--port=8080" in container["args"] and "--host=0.0.0.0" in container["args"]
    sources = {source.get("configMapRef", source.get("secretRef"))["name"] for source in container["envFrom"]}
    assert sources == {"buildtrace-env", "buildtrace-app-database", "buildtrace-openai", "buildtrace-api"}
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for kind in ("Deployment", "Service"):
        kubernetes_validate.validate(objects[(kind, "bt-api")], KUBERNETES_VERSION, strict=True)


def test_the_api_service_routes_to_the_api_pods_only() -> None:
    objects = render()
    pod_labels = objects[("Deployment", "bt-api")]["spec"]["template"]["metadata"]["labels"]
    portal_labels = objects[("Deployment", "bt-portal")]["spec"]["template"]["metadata"]["labels"]
    selector = objects[("Service", "bt-api")]["spec"]["selector"]

    assert selector.items() <= pod_labels.items() and not selector.items() <= portal_labels.items()


def test_the_api_can_be_switched_off() -> None:
    objects = render({"api": {"enabled": False}})

    assert ("Deployment", "bt-api") not in objects and ("Service", "bt-api") not in objects
