"""What a job produced and what people made of it: diff results, manual overlays, summaries."""

from __future__ import annotations

from typing import Any, Literal, get_args

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from buildtrace_assets.db.base import Base, CreatedAtMixin, IdMixin, check_in

SummarySource = Literal["machine", "human_corrected", "human_written"]
SUMMARY_SOURCES: tuple[str, ...] = get_args(SummarySource)

ACTIVE_ONLY = text("is_active")
"""Partial-index predicate: only the active row of a history must be unique."""


class DiffResult(IdMixin, CreatedAtMixin, Base):
    """The machine-found changes of a job; re-running the diff replaces the row, never adds one."""

    __tablename__ = "diff_results"
    __table_args__ = (CheckConstraint("sheet_count >= 0 AND change_count >= 0", name="counts_non_negative"),)

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), unique=True)
    changes_ref: Mapped[str] = mapped_column(String(1024))
    """Storage key of the ``buildtrace.changes/v1`` document."""
    overlay_refs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Storage keys of rendered overlay images, by sheet number."""
    sheet_count: Mapped[int] = mapped_column(default=0)
    change_count: Mapped[int] = mapped_column(default=0)
    engine_version: Mapped[str] = mapped_column(String(64))


class DiffResultHistory:
    """Columns of a per-diff-result history: numbered versions, at most one active."""

    diff_result_id: Mapped[str] = mapped_column(ForeignKey("diff_results.id", ondelete="CASCADE"), index=True)
    version_number: Mapped[int]
    is_active: Mapped[bool] = mapped_column(default=True)


def history_rules(table: str) -> tuple[UniqueConstraint | CheckConstraint | Index, ...]:
    """Constraints of a :class:`DiffResultHistory` table: unique numbers from 1, one active row."""
    return (
        UniqueConstraint("diff_result_id", "version_number"),
        CheckConstraint("version_number >= 1", name="version_number_positive"),
        Index(
            f"uq_{table}_one_active",
            "diff_result_id",
            unique=True,
            sqlite_where=ACTIVE_ONLY,
            postgresql_where=ACTIVE_ONLY,
        ),
    )


class ManualOverlay(DiffResultHistory, IdMixin, CreatedAtMixin, Base):
    """A person's corrected change regions for a diff result; versioned, at most one active."""

    __tablename__ = "manual_overlays"
    __table_args__ = history_rules("manual_overlays")

    parent_overlay_id: Mapped[str | None] = mapped_column(
        ForeignKey("manual_overlays.id", ondelete="SET NULL"), index=True
    )
    changes: Mapped[list[Any]]
    """Change objects of the ``buildtrace.changes/v1`` contract."""
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)


class ChangeSummary(DiffResultHistory, IdMixin, CreatedAtMixin, Base):
    """A written summary of a diff result; versioned (``parent_summary_id`` = the one it replaced), one active."""

    __tablename__ = "change_summaries"
    __table_args__ = (
        *history_rules("change_summaries"),
        CheckConstraint(check_in("source", SUMMARY_SOURCES), name="source"),
    )

    parent_summary_id: Mapped[str | None] = mapped_column(
        ForeignKey("change_summaries.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str] = mapped_column(String(16))
    overlay_id: Mapped[str | None] = mapped_column(ForeignKey("manual_overlays.id", ondelete="SET NULL"), index=True)
    """The manual overlay the summary was written from; NULL for the machine overlay."""
    content: Mapped[dict[str, Any]]
    """``{"overall": str, "items": [...]}``."""
    text: Mapped[str] = mapped_column(Text)
    """The summary as markdown."""
    model: Mapped[str | None] = mapped_column(String(100))
    prompt_version: Mapped[str | None] = mapped_column(String(32))
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", default=dict)
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)


class SheetAlignment(IdMixin, CreatedAtMixin, Base):
    """Point pairs a person gave to align one sheet of a diff result; the diff uses them instead of the automatic
    alignment. One row per sheet, replaced when the person aligns it again (each save is audited)."""

    __tablename__ = "sheet_alignments"
    __table_args__ = (UniqueConstraint("diff_result_id", "sheet_key"),)

    diff_result_id: Mapped[str] = mapped_column(ForeignKey("diff_results.id", ondelete="CASCADE"), index=True)
    sheet_key: Mapped[str] = mapped_column(String(255))
    """The sheet's key in the changes document."""
    points: Mapped[list[Any]]
    """``[{"old": [x, y], "new": [x, y]}, ...]``: two or three pairs, in points on each sheet."""
    created_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
