"""The stored diff result of the generation tests, with the database, storage and team around it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from fixtures.database import Team
from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.db.models import ChangeSummary, DiffResult
from buildtrace_assets.db.session import transaction
from buildtrace_assets.services.access import SYSTEM, Actor
from buildtrace_assets.services.summaries import summary_history
from buildtrace_assets.storage import BlobStorage
from buildtrace_assets.summaries import OfflineSummarizer
from buildtrace_assets.summaries.factory import Summarizer
from buildtrace_assets.summaries.generate import regenerate_summary

Result = TypeVar("Result")


@dataclass(frozen=True)
class Scene:
    """The stored diff result with everything a generation needs."""

    sessions: sessionmaker[Session]
    storage: BlobStorage
    team: Team
    diff_result: DiffResult

    def regenerate(self, actor: Actor = SYSTEM, summarizer: Summarizer | None = None) -> ChangeSummary:
        """A new summary by ``summarizer`` (offline by default), as ``actor``."""
        return regenerate_summary(
            self.sessions, self.storage, actor, self.diff_result.id, summarizer or OfflineSummarizer()
        )

    def commit(self, operation: Callable[[Session], Result]) -> Result:
        """Run a service call in its own committed transaction, as the portal does."""
        with transaction(self.sessions) as session:
            return operation(session)

    def history(self) -> list[ChangeSummary]:
        """Every summary of the diff result, newest first."""
        return self.commit(lambda session: list(summary_history(session, SYSTEM, self.diff_result.id)))
