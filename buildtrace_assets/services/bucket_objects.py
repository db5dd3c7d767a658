"""What the bucket intake has looked at: objects under ``uploads/`` registered as versions or refused, by etag.

The upload sensor asks which listed objects are new and records what became
of each, so every object is read once (again only when it is rewritten).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import BucketObject, DrawingVersion
from buildtrace_assets.storage import BlobInfo


def unseen(session: Session, blobs: list[BlobInfo]) -> list[BlobInfo]:
    """The listed blobs that are neither a version's file nor an object handled before in this form."""
    keys = [blob.key for blob in blobs]
    registered = set(session.scalars(select(DrawingVersion.storage_key).where(DrawingVersion.storage_key.in_(keys))))
    handled = dict(session.execute(select(BucketObject.key, BucketObject.etag).where(BucketObject.key.in_(keys))).all())
    return [blob for blob in blobs if blob.key not in registered and handled.get(blob.key) != blob.etag]


def record(session: Session, blob: BlobInfo, version_id: str | None, refusal: str | None) -> None:
    """Remember what became of ``blob``, so the sweep does not read it again until it is rewritten."""
    session.merge(BucketObject(key=blob.key, etag=blob.etag, drawing_version_id=version_id, refusal=refusal))
