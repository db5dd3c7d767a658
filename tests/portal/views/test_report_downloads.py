"""Report downloads on the review and summary pages: one button per document for a finished job, the reason
otherwise. (What the buttons deliver is checked in a real browser: ``tests/portal/test_browser.py``.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from reports.scene import store_finished_job
from streamlit.testing.v1 import AppTest

from buildtrace_assets.reports.bundle import DOCUMENTS
from tests.portal.support import ComparedPair, People, PortalEnv, seed_review

OpenApp = Callable[..., AppTest]
LABELS = [document.label for document in DOCUMENTS.values()]


@pytest.fixture
def finished(portal_env: PortalEnv, people: People) -> str:
    return portal_env.run(lambda s: store_finished_job(s, portal_env.storage, people.editor, people.project_id)).job_id


def download_labels(app: AppTest) -> list[str]:
    return [button.proto.label for button in app.get("download_button")]


@pytest.mark.parametrize("page", ["views/review.py", "views/summary.py"])
def test_a_finished_jobs_page_offers_the_report_markups_and_change_log(
    open_app: OpenApp, people: People, finished: str, page: str
) -> None:
    app = open_app(people.viewer, page=page)

    assert not app.exception
    assert download_labels(app) == LABELS


def test_an_unfinished_job_says_why_there_is_no_report_yet(
    open_app: OpenApp, portal_env: PortalEnv, people: People, compared_pair: ComparedPair
) -> None:
    seed_review(portal_env, people, compared_pair)
    app = open_app(people.viewer, page="views/summary.py")

    assert not app.exception
    assert download_labels(app) == []
    reports = [caption.value for caption in app.caption if "Reports:" in caption.value]
    assert reports == [":material/schedule: Reports: they follow when the job is completed; it is waiting now."]
