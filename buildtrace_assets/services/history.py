"""Reading and extending the per-diff-result histories (manual overlays, change summaries).

Both keep every version as a row numbered from 1 with at most one active, so
a person's work is never overwritten; these helpers are the one place that
knows how such a history is queried and extended.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import ChangeSummary, ManualOverlay

Version = TypeVar("Version", ManualOverlay, ChangeSummary)


def active_version(session: Session, model: type[Version], diff_result_id: str) -> Version | None:
    """The active row of the diff result's history, if any."""
    return session.scalar(select(model).where(model.diff_result_id == diff_result_id, model.is_active.is_(True)))


def all_versions(session: Session, model: type[Version], diff_result_id: str) -> Sequence[Version]:
    """The diff result's whole history, newest first."""
    return session.scalars(
        select(model).where(model.diff_result_id == diff_result_id).order_by(model.version_number.desc())
    ).all()


def next_version_number(session: Session, model: type[Version], diff_result_id: str) -> int:
    """1 + the highest number so far; call with the diff result locked (``lock_diff_result``)."""
    highest = session.scalar(select(func.max(model.version_number)).where(model.diff_result_id == diff_result_id))
    return (highest or 0) + 1
