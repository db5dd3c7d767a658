"""One look for every status the portal shows: the same word, colour and icon on every page.

Jobs, their stages, pipeline requests, a version's analysis and a sheet's
comparison each store their own status words (``completed`` for a job,
``done`` for a request, ``in_progress`` for a stage); people should read one
language, so each word maps to one :class:`Status` here and pages show it
through :func:`badge` (Markdown) or :func:`status_text` (table cells, which
render no Markdown).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    """How a status reads: ``label`` in words, a Material ``icon`` and a Streamlit Markdown ``colour``."""

    label: str
    icon: str
    colour: str
    mark: str
    """A plain character for table cells, in the spirit of the icon."""

    @property
    def material(self) -> str:
        """The icon as Streamlit writes it in an ``icon=`` argument or in Markdown: ``:material/sync:``."""
        return f":material/{self.icon}:"


WAITING = Status("waiting", "schedule", "gray", "◷")
RUNNING = Status("running", "sync", "blue", "⟳")
COMPLETED = Status("completed", "check_circle", "green", "✓")
FAILED = Status("failed", "error", "red", "✕")
CANCELLED = Status("cancelled", "block", "gray", "⊘")
NOT_ALIGNED = Status("not aligned", "warning", "orange", "⚠")

STATUSES: dict[str, Status] = {
    "pending": WAITING,
    "queued": Status("queued", "schedule", "gray", "◷"),
    "running": RUNNING,
    "in_progress": RUNNING,
    "completed": COMPLETED,
    "done": COMPLETED,
    "failed": FAILED,
    "cancelled": CANCELLED,
    "skipped": Status("skipped", "remove_circle", "gray", "–"),
    "unaligned": NOT_ALIGNED,
    "not aligned": NOT_ALIGNED,
    "modified": Status("modified", "edit", "orange", "±"),
    "added": Status("added", "add_circle", "green", "+"),
    "removed": Status("removed", "remove_circle", "red", "−"),
    "unchanged": Status("unchanged", "check", "gray", "="),
}
"""Every status word stored by jobs, stages, requests, analyses and sheets (``None`` reads as waiting)."""


def status_of(value: str | None) -> Status:
    """The look of ``value``; an unknown word is shown as it is, in grey, never hidden."""
    if value is None:
        return WAITING
    return STATUSES.get(value) or Status(value.replace("_", " "), "help", "gray", "?")


def badge(value: str | None) -> str:
    """The status as a coloured Markdown badge with its icon: ``:green-badge[:material/check_circle: completed]``."""
    status = status_of(value)
    return f":{status.colour}-badge[:material/{status.icon}: {status.label}]"


def status_text(value: str | None) -> str:
    """The status for a table cell: ``✓ completed``."""
    status = status_of(value)
    return f"{status.mark} {status.label}"
