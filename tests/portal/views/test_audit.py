"""Audit log page: every member reads the project's trail, newest first, people and objects by name, changes as
"field: before → after"; filters by person, action and day; CSV of what is shown; outsiders nothing."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from buildtrace_assets.db.models import Job, Project
from buildtrace_assets.services import jobs, pipeline_requests, projects
from buildtrace_assets.services.access import PIPELINE
from tests.portal.support import People, PortalEnv, labelled, seed_job, texts

OpenApp = Callable[..., AppTest]
PAGE = "views/audit.py"


def test_a_viewer_reads_who_did_what_newest_first(open_app: OpenApp, people: People) -> None:
    app = open_app(people.viewer, page=PAGE)

    trail = app.dataframe[0].value
    assert list(trail["action"]) == ["member added", "member added", "project created"]
    assert set(trail["who"]) == {"owner <owner@acme.test>"}
    assert list(trail["object"])[-1] == 'project "Tower"'


def test_uploads_and_jobs_are_named_like_people_say_them(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seed_job(portal_env, people, drawing="Flange")

    app = open_app(people.owner, page=PAGE)

    trail = app.dataframe[0].value
    named = dict(zip(trail["action"], trail["object"], strict=False))
    assert named["job created"] == 'job "Flange" v1 → v2'
    assert named["drawing added"] == 'drawing "Flange"'
    assert 'drawing "Flange" v2' in set(trail["object"])
    assert not any(len(word) == 36 and word.count("-") == 4 for text in trail["object"] for word in text.split())


def test_stages_and_requests_are_named_and_actions_read_in_words(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seeded = seed_job(portal_env, people, drawing="Flange")

    def work(session: Session) -> None:
        job = session.get_one(Job, seeded.job_id)
        project = session.get_one(Project, people.project_id)
        pipeline_requests.request_comparison(session, people.editor, project, job, "new revision")
        jobs.start_stage(session, PIPELINE, seeded.job_id, "diff")

    portal_env.run(work)
    app = open_app(people.owner, page=PAGE)

    trail = app.dataframe[0].value
    named = dict(zip(trail["action"], trail["object"], strict=False))
    assert named["stage started"] == 'stage "comparison" of job "Flange" v1 → v2'
    assert named["comparison requested"] == 'comparison request for job "Flange" v1 → v2'
    assert not any("." in action or "_" in action for action in trail["action"])


def test_a_change_reads_field_before_and_after_in_full(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    long_description = "Tower block B, " * 30
    portal_env.run(lambda s: projects.update_project(s, people.owner, people.project_id, description=long_description))
    app = open_app(people.owner, page=PAGE)

    app.session_state["audit-table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    app.run()

    assert app.subheader[0].value == 'project changed · project "Tower"'
    assert f"description: A 12-storey tower → {long_description}" in app.code[0].value


def test_filters_by_person_and_action_and_the_csv_holds_what_is_shown(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    seed_job(portal_env, people)
    app = open_app(people.owner, page=PAGE)
    labelled(app.multiselect, "Person").set_value(["editor <editor@acme.test>"])
    labelled(app.multiselect, "Action").set_value(["version uploaded"])
    app.run()

    trail = app.dataframe[0].value
    assert list(trail["action"]) == ["version uploaded"] * 2
    download = app.get("download_button")[0]
    assert download.proto.label == "Download these 2 rows (CSV)"


def test_filters_that_match_nothing_say_so(open_app: OpenApp, people: People, portal_env: PortalEnv) -> None:
    seed_job(portal_env, people)
    app = open_app(people.owner, page=PAGE)
    labelled(app.multiselect, "Person").set_value(["editor <editor@acme.test>"])
    labelled(app.multiselect, "Action").set_value(["member added"])
    app.run()

    assert texts(app.info) == ["No change matches these filters: remove a person or an action, or widen the dates."]
    assert not app.dataframe


def test_an_outsider_sees_nothing_of_the_trail(open_app: OpenApp, people: People) -> None:
    app = open_app(people.outsider, page=PAGE, project_id=people.project_id)

    assert texts(app.error) == ["Project not found."]
    assert not app.dataframe


def test_the_outsiders_own_project_shows_only_its_own_trail(open_app: OpenApp, people: People) -> None:
    app = open_app(people.outsider, page=PAGE)

    assert list(app.dataframe[0].value["action"]) == ["project created"]
    assert "Rival secret" in " ".join(texts(app.caption))
