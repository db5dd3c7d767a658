"""Shared values of the portal tests (fixtures are in ``conftest.py``)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pymupdf
from PIL import Image
from sqlalchemy.orm import Session

from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.engine.compare import analyze_document, compare_documents
from buildtrace_assets.services import diff_results, drawings, jobs, uploads
from buildtrace_assets.services.access import SYSTEM, Actor
from buildtrace_assets.storage import BlobStorage
from portal import sessions

APP = Path(__file__).parents[2] / "portal" / "app.py"
SERVED_APP = Path(__file__).parents[2] / "portal" / "asgi.py"
"""What a browser talks to: the pages plus the sign-in route that sets the session cookie."""
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


def signed_in_session(env: PortalEnv, actor: Actor) -> str:
    """A live server-side session of ``actor``, as ``/auth/sign-in`` starts one (AppTest cannot send cookies)."""
    return env.run(lambda session: sessions.start(session, str(actor.user_id)))


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


def sheet_pdf(note: str, width_pt: float = 612.0, height_pt: float = 396.0) -> bytes:
    """A one-page vector PDF with a frame, a wall and ``note``: the revisions differ by the note."""
    document = pymupdf.open()
    page = document.new_page(width=width_pt, height=height_pt)
    page.draw_rect(pymupdf.Rect(18, 18, width_pt - 18, height_pt - 18), width=1.5)
    page.draw_line(pymupdf.Point(72, 200), pymupdf.Point(400, 200), width=3)
    page.insert_text(pymupdf.Point(72, 120), note, fontsize=14)
    page.insert_text(pymupdf.Point(width_pt - 120, height_pt - 36), "A-101", fontsize=18)
    data = document.tobytes()
    document.close()
    return data


@dataclass(frozen=True)
class SeededJob:
    job_id: str
    old_version_id: str
    new_version_id: str


def seed_job(
    env: PortalEnv, people: People, drawing: str = "A-101", pdfs: tuple[bytes, bytes] | None = None
) -> SeededJob:
    """Two uploaded versions of ``drawing`` (``pdfs``, else :func:`sheet_pdf` with a dimension changed) and the
    comparison job between them, as the editor."""
    old_pdf, new_pdf = pdfs or (sheet_pdf("WALL 24'-4\""), sheet_pdf("WALL 24'-9\""))

    def seed(session: Session) -> SeededJob:
        old = uploads.register_upload(
            session, env.storage, people.editor, people.project_id, drawing, "rev1.pdf", old_pdf
        )
        new = uploads.register_upload(
            session, env.storage, people.editor, people.project_id, drawing, "rev2.pdf", new_pdf
        )
        job = jobs.create_comparison_job(session, people.editor, old.id, new.id)
        return SeededJob(job.id, old.id, new.id)

    return env.run(seed)


def png_bytes(width: int = 300, height: int = 200) -> bytes:
    """A small white PNG with one black line."""
    image = Image.new("L", (width, height), 255)
    image.paste(0, (10, height // 2, width - 10, height // 2 + 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass(frozen=True)
class ComparedPair:
    """Two revisions compared once by the real engine: their analyses and the comparison's output folder."""

    old_pdf: bytes
    new_pdf: bytes
    old_analysis: bytes
    new_analysis: bytes
    out_dir: Path


def compare_pair(folder: Path, pdfs: tuple[bytes, bytes] | None = None) -> ComparedPair:
    """Run the engine on ``pdfs``, by default a revision pair whose only change is a dimension, ``24'-4"`` →
    ``24'-9"``."""
    old_pdf, new_pdf = pdfs or (sheet_pdf("WALL 24'-4\""), sheet_pdf("WALL 24'-9\""))
    (folder / "old.pdf").write_bytes(old_pdf)
    (folder / "new.pdf").write_bytes(new_pdf)
    old, new = analyze_document(folder / "old.pdf"), analyze_document(folder / "new.pdf")
    compare_documents(
        folder / "old.pdf", folder / "new.pdf", folder / "out", dpi=100, old_analysis=old, new_analysis=new
    )
    return ComparedPair(
        old_pdf,
        new_pdf,
        json.dumps(old.to_json()).encode(),
        json.dumps(new.to_json()).encode(),
        folder / "out",
    )


def seed_review(env: PortalEnv, people: People, pair: ComparedPair, *, analysed: bool = True) -> SeededJob:
    """A job whose versions were analysed and compared, stored the way the pipeline stores them.

    ``analysed=False`` leaves out the per-version analyses, as for a diff made before they were kept.
    """
    seeded = seed_job(env, people, pdfs=(pair.old_pdf, pair.new_pdf))
    prefix = f"jobs/{seeded.job_id}/diff"
    for path in sorted(pair.out_dir.rglob("*.*")):
        env.storage.put_file(f"{prefix}/{path.relative_to(pair.out_dir).as_posix()}", path)

    def record(session: Session) -> None:
        analyses = ((seeded.old_version_id, pair.old_analysis), (seeded.new_version_id, pair.new_analysis))
        for version_id, analysis in analyses if analysed else ():
            key = f"versions/{version_id}/analysis.json"
            env.storage.put_bytes(key, analysis)
            drawings.record_version_processing(session, SYSTEM, version_id, ocr_status="completed", ocr_result_ref=key)
        diff_results.record_diff_result(
            session,
            SYSTEM,
            seeded.job_id,
            changes_ref=f"{prefix}/changes.json",
            engine_version="test",
            overlay_refs={"A-101": f"{prefix}/overlays/A-101.png"},
            sheet_count=1,
            change_count=1,
        )

    env.run(record)
    return seeded
