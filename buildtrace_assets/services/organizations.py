"""Organizations: the tenant boundary every project and user sits inside."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import Organization
from buildtrace_assets.services import audit
from buildtrace_assets.services.access import SYSTEM, Actor
from buildtrace_assets.services.errors import InvalidInput


def get_or_create_organization(session: Session, name: str, actor: Actor = SYSTEM) -> Organization:
    """The organization called ``name``, created when it does not exist yet."""
    name = name.strip()
    if not name:
        raise InvalidInput("organization name must not be empty")
    existing = session.scalar(select(Organization).where(Organization.name == name))
    if existing is not None:
        return existing
    organization = Organization(name=name)
    session.add(organization)
    session.flush()
    audit.record(
        session,
        actor,
        "organization.create",
        organization,
        organization_id=organization.id,
        project_id=None,
        after=audit.snapshot(organization),
    )
    return organization
