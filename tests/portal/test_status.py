"""Every status word the database can hold has its one look (label, colour, icon) on every page."""

from __future__ import annotations

from typing import get_args

import pytest

from buildtrace_assets.db.models import JobStatus, OcrStatus, RequestStatus, StageStatus
from portal.status import STATUSES, badge, status_of, status_text

STORED = sorted({word for kind in (JobStatus, StageStatus, RequestStatus, OcrStatus) for word in get_args(kind)})


@pytest.mark.parametrize("word", STORED)
def test_every_stored_status_has_its_look(word: str) -> None:
    assert word in STATUSES


def test_one_meaning_reads_the_same_whoever_stored_it() -> None:
    assert status_of("completed") == status_of("done"), "a job's 'completed' and a request's 'done'"
    assert status_of("running") == status_of("in_progress"), "a job's 'running' and a stage's 'in_progress'"
    assert status_text("pending") == "◷ waiting" and status_of(None) == status_of("pending")


def test_a_badge_is_coloured_markdown_with_an_icon() -> None:
    assert badge("failed") == ":red-badge[:material/error: failed]"
    assert badge("completed") == ":green-badge[:material/check_circle: completed]"


def test_an_unknown_word_is_shown_as_it_is() -> None:
    assert status_text("paused_by_admin") == "? paused by admin"
