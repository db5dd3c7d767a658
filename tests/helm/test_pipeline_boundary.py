"""The cluster's pipeline boundary: the portal and the API reach Dagster only through its webserver's GraphQL API."""

from __future__ import annotations

from helm.test_chart import render


def _container(objects: dict, name: str) -> dict:
    return objects[("Deployment", name)]["spec"]["template"]["spec"]["containers"][0]


def test_portal_and_api_read_the_webserver_service_of_their_release_and_have_no_dagster_instance() -> None:
    objects = render()
    config = objects[("ConfigMap", "buildtrace-env")]["data"]

    assert config["DAGSTER_GRAPHQL_URL"] == "http://bt-dagster-webserver/graphql"
    for name in ("bt-portal", "bt-api"):
        container = _container(objects, name)
        assert {"name": "buildtrace-env"} in [source.get("configMapRef") for source in container["envFrom"]]
        assert "DAGSTER_HOME" not in {variable["name"] for variable in container.get("env", [])}
        assert "DAGSTER_HOME" not in config
        assert not any("dagster" in mount["mountPath"] for mount in container.get("volumeMounts", []))


def test_a_webserver_elsewhere_is_named_once_for_both() -> None:
    url = "http://dagster.platform.svc/graphql"

    config = render({"monitoring": {"dagsterGraphqlUrl": url}})[("ConfigMap", "buildtrace-env")]["data"]

    assert config["DAGSTER_GRAPHQL_URL"] == url
