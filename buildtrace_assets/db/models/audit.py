"""The audit trail: who changed what, with the row before and after."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from buildtrace_assets.db.base import Base, CreatedAtMixin, IdMixin


class AuditLog(IdMixin, CreatedAtMixin, Base):
    """One change made through the services.

    Audit rows outlive what they describe: deleting a project or a user sets
    ``project_id``/``user_id`` to NULL instead of deleting the row, and
    ``entity_id`` is a plain string (no foreign key), so the trail of a deleted
    project is still there. Only deleting the whole organization removes it.
    """

    __tablename__ = "audit_logs"
    __table_args__ = (
        Index(None, "project_id", "created_at"),
        Index(None, "entity_type", "entity_id"),
    )

    organization_id: Mapped[str | None] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    """The acting user; NULL for the system (sensors, schedules)."""
    executed_by: Mapped[str | None] = mapped_column(String(32))
    """``pipeline`` when the pipeline made the change (for ``user_id``, or on its own); NULL for a person's own."""
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(36))
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
