"""Audit rows written in the same transaction as the change they describe."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from buildtrace_assets.db.base import Base
from buildtrace_assets.db.models import AuditLog, Project
from buildtrace_assets.services.access import Actor, require_project

SECRET_COLUMNS = frozenset({"password_hash"})


def snapshot(row: Base) -> dict[str, Any]:
    """The row's column values as JSON-ready data (secrets left out), for ``before``/``after``."""
    values: dict[str, Any] = {}
    for attribute in inspect(row).mapper.column_attrs:
        if attribute.key in SECRET_COLUMNS:
            continue
        value = getattr(row, attribute.key)
        values[attribute.columns[0].name] = value.isoformat() if isinstance(value, datetime) else value
    return values


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: Base,
    *,
    organization_id: str | None,
    project_id: str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Add the audit row of ``action`` on ``entity``; pass ``snapshot(row)`` for the states that exist."""
    session.flush()
    entry = AuditLog(
        organization_id=organization_id,
        project_id=project_id,
        user_id=actor.user_id,
        executed_by=actor.executor,
        action=action,
        entity_type=entity.__tablename__,
        entity_id=entity.id,  # type: ignore[attr-defined]
        before=before,
        after=after,
    )
    session.add(entry)
    session.flush()
    return entry


def record_change(
    session: Session,
    actor: Actor,
    action: str,
    project: Project,
    entity: Base,
    *,
    before: dict[str, Any] | None = None,
    deleted: bool = False,
) -> AuditLog:
    """Audit a change to ``entity`` inside ``project``; ``after`` is the entity's state now, or None once deleted."""
    return record(
        session,
        actor,
        action,
        entity,
        organization_id=project.organization_id,
        project_id=project.id,
        before=before,
        after=None if deleted else snapshot(entity),
    )


def project_history(session: Session, actor: Actor, project_id: str, limit: int = 100) -> Sequence[AuditLog]:
    """The project's audit trail, newest first; any member may read it."""
    require_project(session, actor, project_id)
    return session.scalars(
        select(AuditLog)
        .where(AuditLog.project_id == project_id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id)
        .limit(limit)
    ).all()
