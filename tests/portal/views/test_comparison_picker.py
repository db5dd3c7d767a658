"""The sidebar's comparison picker (``portal.job_context.choose_job``) on the pages that review one job."""

from __future__ import annotations

from collections.abc import Callable

from streamlit.testing.v1 import AppTest

from buildtrace_assets.services import jobs
from tests.portal.support import People, PortalEnv, labelled, seed_job

OpenApp = Callable[..., AppTest]


def test_each_comparison_reads_its_status_mark_first_so_the_narrow_sidebar_does_not_cut_the_status(
    open_app: OpenApp, people: People, portal_env: PortalEnv
) -> None:
    first = seed_job(portal_env, people, drawing="Flange")
    seed_job(portal_env, people, drawing="A-101")
    portal_env.run(lambda s: jobs.cancel_job(s, people.editor, first.job_id) and None)

    app = open_app(people.viewer, page="views/summary.py")

    picker = labelled(app.sidebar.selectbox, "Comparison")
    assert picker.options == ["◷ A-101 v1 → v2", "⊘ Flange v1 → v2"]
    assert "◷ waiting" in picker.help and "⊘ cancelled" in picker.help, "the marks explained"
