"""Shared values of the portal tests (fixtures are in ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session

from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.services.access import Actor
from buildtrace_assets.storage import BlobStorage

APP = Path(__file__).parents[2] / "portal" / "app.py"
PASSWORD = "correct horse battery"
T = TypeVar("T")


@dataclass
class PortalEnv:
    """The back end the portal under test talks to."""

    database_url: str
    storage: BlobStorage

    def run(self, operation: Callable[[Session], T]) -> T:
        """``operation`` in a committed transaction, like the portal does it."""
        factory = make_session_factory(self.database_url)
        try:
            with transaction(factory) as session:
                return operation(session)
        finally:
            factory.kw["bind"].dispose()


@dataclass(frozen=True)
class People:
    owner: Actor
    editor: Actor
    viewer: Actor
    outsider: Actor
    project_id: str
    outsider_project_id: str


W = TypeVar("W")


def labelled(widgets: Iterable[W], label: str) -> W:
    """The one widget of ``widgets`` with this label (AppTest finds widgets by key or position only)."""
    found = [widget for widget in widgets if getattr(widget, "label", None) == label]
    assert len(found) == 1, f"{len(found)} widgets labelled {label!r}"
    return found[0]


def texts(elements: Iterable[object]) -> list[str]:
    """The values of text elements (errors, infos, markdown...)."""
    return [str(getattr(element, "value", "")) for element in elements]
