"""Change summaries: versioned, one active per diff result, history kept.

Every save adds a row whose parent is the summary it replaces and
deactivates that one, so a person's edit never overwrites the machine's text
and a later machine run never silently drops a person's edit (it becomes the
new version, with the edit one step back in the history).

``source`` says where the text came from: ``machine`` (from the machine
diff), ``human_corrected`` (machine-written from a person's manual overlay)
or ``human_written`` (typed by a person).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy.orm import Session

from buildtrace_assets.db.models import ChangeSummary, DiffResult, ManualOverlay, Project, SummarySource
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import Actor
from buildtrace_assets.services.diff_results import lock_diff_result, require_diff_result
from buildtrace_assets.services.errors import Conflict, InvalidInput, NotFound
from buildtrace_assets.services.history import active_version, all_versions, next_version_number


def active_summary(session: Session, actor: Actor, diff_result_id: str) -> ChangeSummary | None:
    """The summary in force for the diff result, if any was written."""
    require_diff_result(session, actor, diff_result_id)
    return active_version(session, ChangeSummary, diff_result_id)


def summary_history(session: Session, actor: Actor, diff_result_id: str) -> Sequence[ChangeSummary]:
    """Every summary of the diff result, newest first."""
    require_diff_result(session, actor, diff_result_id)
    return all_versions(session, ChangeSummary, diff_result_id)


def save_machine_summary(
    session: Session,
    actor: Actor,
    diff_result_id: str,
    *,
    content: dict[str, Any],
    text: str,
    model: str,
    prompt_version: str,
    overlay_id: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> ChangeSummary:
    """Make a summarizer's output the active summary (editors, owners and the system).

    ``overlay_id`` names the manual overlay it was written from; then the
    source is ``human_corrected``, otherwise ``machine``.
    """
    result, project = require_diff_result(session, actor, diff_result_id, "editor")
    if overlay_id is not None:
        overlay = session.get(ManualOverlay, overlay_id)
        if overlay is None or overlay.diff_result_id != result.id:
            raise InvalidInput(f"overlay {overlay_id} does not belong to diff result {result.id}")
    return _save(
        session,
        actor,
        result,
        project,
        source="human_corrected" if overlay_id else "machine",
        content=_check_content(content),
        text=_check_text(text),
        model=model,
        prompt_version=prompt_version,
        overlay_id=overlay_id,
        metadata_=dict(metadata or {}),
    )


def edit_summary(
    session: Session,
    actor: Actor,
    diff_result_id: str,
    text: str,
    *,
    expected_active_id: str | None = None,
    content: dict[str, Any] | None = None,
) -> ChangeSummary:
    """Make a person's text the active summary, as a ``human_written`` version (editors and owners).

    ``expected_active_id`` is the summary the person was editing; when another
    version became active meanwhile the edit is refused with :class:`Conflict`
    rather than silently replacing it. ``content`` defaults to the text as the
    overall summary with no items.
    """
    result, project = require_diff_result(session, actor, diff_result_id, "editor")
    text = _check_text(text)
    if expected_active_id is not None:
        active = active_version(session, ChangeSummary, result.id)
        if active is None or active.id != expected_active_id:
            raise Conflict("the summary changed while you were editing it; reload and edit again")
    return _save(
        session,
        actor,
        result,
        project,
        source="human_written",
        content=_check_content(content if content is not None else {"overall": text, "items": []}),
        text=text,
        model=None,
        prompt_version=None,
        overlay_id=None,
        metadata_={},
    )


def restore_summary(session: Session, actor: Actor, diff_result_id: str, summary_id: str) -> ChangeSummary:
    """Make an older version active again, as a new version credited to the person (editors and owners).

    The history only grows: the restored text, items, source and model are
    copied into a new version whose ``metadata`` names the version it came
    from, and the audit log records ``summary.restore``.
    """
    result, project = require_diff_result(session, actor, diff_result_id, "editor")
    old = session.get(ChangeSummary, summary_id)
    if old is None or old.diff_result_id != result.id:
        raise NotFound("summary version not found")
    if old.is_active:
        raise Conflict(f"version {old.version_number} is already the active summary")
    return _save(
        session,
        actor,
        result,
        project,
        source=cast(SummarySource, old.source),
        content=old.content,
        text=old.text,
        model=old.model,
        prompt_version=old.prompt_version,
        overlay_id=old.overlay_id,
        metadata_={**(old.metadata_ or {}), "restored_from": old.version_number},
        action="summary.restore",
    )


def _check_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("a summary needs some text")
    return text.strip()


def _check_content(content: dict[str, Any]) -> dict[str, Any]:
    if (
        not isinstance(content, dict)
        or not isinstance(content.get("overall"), str)
        or not isinstance(content.get("items"), list)
    ):
        raise InvalidInput('summary content must be an object with "overall" text and a list of "items"')
    return content


def _save(
    session: Session,
    actor: Actor,
    result: DiffResult,
    project: Project,
    source: SummarySource,
    action: str | None = None,
    **fields: Any,
) -> ChangeSummary:
    lock_diff_result(session, result)
    previous = active_version(session, ChangeSummary, result.id)
    if previous is not None:
        previous.is_active = False
        session.flush()
    summary = ChangeSummary(
        diff_result_id=result.id,
        version_number=next_version_number(session, ChangeSummary, result.id),
        parent_summary_id=previous.id if previous else None,
        source=source,
        created_by=actor.user_id,
        **fields,
    )
    session.add(summary)
    session.flush()
    audit.record_change(
        session,
        actor,
        action or f"summary.{source}",
        project,
        summary,
        before=audit.snapshot(previous) if previous else None,
    )
    return summary
