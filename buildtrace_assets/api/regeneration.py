"""Summary regeneration in the background, so ``POST .../summary/regenerate`` can answer 202 at once.

A model call can take a minute; a worker thread runs the same
``regenerate_summary`` the portal and sensors use, which re-checks the
actor's role and never holds a transaction open during the call. A failure
leaves the previous summary active and is logged with the diff result id.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.services.access import Actor
from buildtrace_assets.storage import BlobStorage
from buildtrace_assets.summaries.factory import Summarizer
from buildtrace_assets.summaries.generate import regenerate_summary

LOG = logging.getLogger(__name__)


class BackgroundSummaries:
    """Queue of summary rewrites, one at a time so a burst of requests cannot flood the model."""

    def __init__(self, session_factory: sessionmaker[Session], storage: BlobStorage, summarizer: Summarizer) -> None:
        self._session_factory = session_factory
        self._storage = storage
        self._summarizer = summarizer
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="summary-regeneration")

    def __call__(self, actor: Actor, diff_result_id: str) -> None:
        self.submit(actor, diff_result_id)

    def submit(self, actor: Actor, diff_result_id: str) -> Future[None]:
        """Start rewriting the summary; the future is done when the new version is saved or the attempt failed."""
        return self._executor.submit(self._run, actor, diff_result_id)

    def _run(self, actor: Actor, diff_result_id: str) -> None:
        try:
            regenerate_summary(self._session_factory, self._storage, actor, diff_result_id, self._summarizer)
        except Exception:
            LOG.exception("regenerating the summary of diff result %s failed", diff_result_id)

    def shutdown(self) -> None:
        """Wait for queued rewrites to finish (at server exit, in tests)."""
        self._executor.shutdown(wait=True)
