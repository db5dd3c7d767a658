"""Drawings and their uploaded versions."""

from __future__ import annotations

from typing import Literal, get_args

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from buildtrace_assets.db.base import Base, CreatedAtMixin, IdMixin, check_in

FileKind = Literal["pdf", "png", "jpeg", "dxf", "dwg"]
FILE_KINDS: tuple[str, ...] = get_args(FileKind)
OcrStatus = Literal["pending", "in_progress", "completed", "failed"]
OCR_STATUSES: tuple[str, ...] = get_args(OcrStatus)


class Drawing(IdMixin, CreatedAtMixin, Base):
    """A named document of a project (``A-101``, ``Architectural Set``) that gets new versions."""

    __tablename__ = "drawings"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))


class DrawingVersion(IdMixin, CreatedAtMixin, Base):
    """One uploaded file of a drawing; the bytes live in blob storage under ``storage_key``."""

    __tablename__ = "drawing_versions"
    __table_args__ = (
        UniqueConstraint("drawing_id", "version_number"),
        UniqueConstraint("drawing_id", "file_hash"),
        CheckConstraint("version_number >= 1", name="version_number_positive"),
        CheckConstraint("file_size > 0", name="file_size_positive"),
        CheckConstraint(check_in("file_kind", FILE_KINDS), name="file_kind"),
        CheckConstraint(check_in("ocr_status", OCR_STATUSES), name="ocr_status"),
    )

    drawing_id: Mapped[str] = mapped_column(ForeignKey("drawings.id", ondelete="CASCADE"), index=True)
    version_number: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(1024), unique=True)
    original_filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    file_kind: Mapped[str] = mapped_column(String(8))
    file_hash: Mapped[str] = mapped_column(String(64), index=True)
    file_size: Mapped[int] = mapped_column(BigInteger)
    page_count: Mapped[int | None]
    ocr_status: Mapped[str] = mapped_column(String(16), default="pending")
    ocr_result_ref: Mapped[str | None] = mapped_column(String(1024))
    rasterized_image_ref: Mapped[str | None] = mapped_column(String(1024))
    uploaded_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    """NULL when the file was dropped into the bucket by a system rather than uploaded by a person."""
