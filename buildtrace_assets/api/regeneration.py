"""Summary regeneration in the background, so ``POST .../summary/regenerate`` can answer 202 at once.

A model call can take a minute; a worker thread runs the same
``regenerate_summary`` the portal and sensors use, which re-checks the
actor's role and never holds a transaction open during the call. Nobody
waits on the thread, so its outcome is written where people look: the job's
``summary`` stage is in progress while the model works, then completed, or
failed with the reason (and the job with it) while the previous summary
stays active. Stage rows are written by the system, as the pipeline does.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy.orm import Session, sessionmaker

from buildtrace_assets.db.session import transaction
from buildtrace_assets.services.access import SYSTEM, Actor
from buildtrace_assets.services.diff_results import require_diff_result
from buildtrace_assets.services.jobs import complete_stage, fail_stage, start_stage
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
        """Start rewriting the summary; the future is done once the job's summary stage shows the outcome."""
        return self._executor.submit(self._run, actor, diff_result_id)

    def _run(self, actor: Actor, diff_result_id: str) -> None:
        try:
            job_id = self._start(actor, diff_result_id)
        except Exception:
            # Nothing to record on: the job is gone, cancelled, or not the actor's to change.
            LOG.exception("summary regeneration of diff result %s could not start", diff_result_id)
            return
        try:
            summary = regenerate_summary(self._session_factory, self._storage, actor, diff_result_id, self._summarizer)
            key = f"jobs/{job_id}/summaries/{summary.id}.md"
            self._storage.put_bytes(key, summary.text.encode(), content_type="text/markdown")
            with transaction(self._session_factory) as session:
                complete_stage(session, SYSTEM, job_id, "summary", result_ref=key)
        except Exception as error:
            LOG.exception("regenerating the summary of diff result %s failed", diff_result_id)
            self._fail(job_id, f"summary regeneration failed: {type(error).__name__}: {error}")

    def _start(self, actor: Actor, diff_result_id: str) -> str:
        """Put the job's summary stage in progress, if the actor may still edit it; the job id."""
        with transaction(self._session_factory) as session:
            result, _ = require_diff_result(session, actor, diff_result_id, "editor")
            start_stage(session, SYSTEM, result.job_id, "summary")
            return result.job_id

    def _fail(self, job_id: str, reason: str) -> None:
        try:
            with transaction(self._session_factory) as session:
                fail_stage(session, SYSTEM, job_id, "summary", reason)
        except Exception:
            LOG.exception("could not record the failed summary regeneration on job %s", job_id)

    def shutdown(self) -> None:
        """Wait for queued rewrites to finish (at server exit, in tests)."""
        self._executor.shutdown(wait=True)
