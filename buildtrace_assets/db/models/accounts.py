"""Who may see what: organizations, users, projects and project members."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from buildtrace_assets.db.base import Base, CreatedAtMixin, IdMixin, check_in, utcnow

Role = Literal["owner", "editor", "viewer"]
ROLES: tuple[str, ...] = get_args(Role)


class Organization(IdMixin, CreatedAtMixin, Base):
    """A company; projects and users belong to exactly one."""

    __tablename__ = "organizations"

    name: Mapped[str] = mapped_column(String(200), unique=True)


class User(IdMixin, CreatedAtMixin, Base):
    """A person who signs in with an e-mail address and a password."""

    __tablename__ = "users"

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)


class Project(IdMixin, CreatedAtMixin, Base):
    """A construction project; everything a member can see hangs from it."""

    __tablename__ = "projects"

    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProjectMember(IdMixin, CreatedAtMixin, Base):
    """A user's role in a project: owner manages members, editor changes data, viewer reads."""

    __tablename__ = "project_members"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id"),
        CheckConstraint(check_in("role", ROLES), name="role"),
    )

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
