"""The old and the new version of a set, each opened in its own sandboxed child and served by its own thread.

Both children open, analyse and render side by side (the parent's threads only wait on them), and each document's
requests run in the order they were made, so a document is closed only after its queued renders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from buildtrace_assets.engine.documents import Document, open_document


@dataclass(frozen=True)
class Versions:
    """The old and the new document, each served by its own worker thread: both children work at once,
    and each document's requests run in the order they were made."""

    docs: tuple[Document, Document]
    workers: tuple[ThreadPoolExecutor, ThreadPoolExecutor]

    def submit(self, work: Callable[..., Any], *per_side: tuple[Any, Any]) -> tuple[Future, Future]:
        """Start ``work(old_doc, *old_args)`` and ``work(new_doc, *new_args)``."""
        old_args, new_args = zip(*per_side, strict=True) if per_side else ((), ())
        return (
            self.workers[0].submit(work, self.docs[0], *old_args),
            self.workers[1].submit(work, self.docs[1], *new_args),
        )

    def both(self, work: Callable[..., Any], *per_side: tuple[Any, Any]) -> tuple[Any, Any]:
        """``(work(old_doc, *old_args), work(new_doc, *new_args))``, computed concurrently."""
        old, new = self.submit(work, *per_side)
        return old.result(), new.result()


@contextmanager
def open_versions(old_path: Path | str, new_path: Path | str) -> Iterator[Versions]:
    """Open both documents, the new one's child forked from the old one's; whichever opened is closed again,
    even when the other failed.

    Each is closed on its own worker, after any render still queued there, so no request reaches a closed child;
    the new one first, so the child that forked it is still there to reap it.
    """
    with ThreadPoolExecutor(1, "buildtrace-old") as old_worker, ThreadPoolExecutor(1, "buildtrace-new") as new_worker:
        workers = (old_worker, new_worker)
        old_opening = old_worker.submit(open_document, old_path)
        opening = [old_opening, new_worker.submit(lambda: open_document(new_path, beside=_opened(old_opening)))]
        try:
            yield Versions((opening[0].result(), opening[1].result()), workers)
        finally:
            closed: Future[None] | None = None
            for worker, future in reversed(list(zip(workers, opening, strict=True))):
                if future.exception() is None:
                    closed = worker.submit(_close_after, future.result(), closed)


def _close_after(document: Document, earlier: Future[None] | None) -> None:
    if earlier is not None:
        earlier.exception()
    document.close()


def _opened(opening: Future[Document]) -> Document | None:
    """The document once it is open, or None when it could not be."""
    return None if opening.exception() is not None else opening.result()
