"""``Idempotency-Key`` on POST: the same key and body replay the stored response; another body is a 422.

Keys belong to the signed-in user and expire after ``idempotency_ttl_s``.
The first request claims its key in a transaction of its own, committed
before the work starts, so a concurrent duplicate collides on the unique
(user, key) row and is told the request is in progress (409) instead of
doing the work twice. A successful response is stored in the request's own
transaction, together with its effect; a failed one releases the key, since
nothing happened and the client may try again.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import suppress
from datetime import timedelta

from flask import Response, g, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from buildtrace_assets.api.context import api_context, db
from buildtrace_assets.api.errors import ApiError
from buildtrace_assets.db.base import utcnow
from buildtrace_assets.db.models.api import IdempotencyRecord
from buildtrace_assets.db.session import transaction

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
CLAIM_ATTEMPTS = 2
"""A lost insert race is retried once, which then reads the winner's record."""
HEADER_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "Makes the POST safe to retry: the same key and body replay the first response.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[\\x21-\\x7e]+$"},
}


def request_fingerprint() -> str:
    """SHA-256 of what makes two requests the same: method, path, query and body content.

    Multipart bodies are reduced to their fields and the files' names and
    content hashes, because clients pick a new random boundary on every send.
    """
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{sorted(request.args.items(multi=True))}\n".encode())
    if request.mimetype == "multipart/form-data":
        digest.update(repr(sorted(request.form.items(multi=True))).encode())
        for field, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            content = upload.stream.read()
            upload.stream.seek(0)
            digest.update(f"{field}:{upload.filename}:{hashlib.sha256(content).hexdigest()}\n".encode())
        return digest.hexdigest()
    body = request.get_data(cache=True)
    with suppress(ValueError):
        body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest.update(body)
    return digest.hexdigest()


def _claim(session: Session, user_id: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """None when this request now holds the key; otherwise the live record of an earlier request."""
    now = utcnow()
    record = session.scalar(
        select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)
    )
    if record is not None and record.expires_at > now:
        return record
    if record is not None:
        session.delete(record)
        session.flush()
    ttl = timedelta(seconds=api_context().settings.idempotency_ttl_s)
    session.add(IdempotencyRecord(user_id=user_id, key=key, fingerprint=fingerprint, expires_at=now + ttl))
    session.flush()
    return None


def claim_idempotency_key() -> Response | None:
    """``before_request``: replay, refuse, or claim the key of an authenticated POST that sends one."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None or "actor" not in g:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isascii() or not key.isprintable() or " " in key:
        raise ApiError(400, "invalid_idempotency_key", f"{HEADER} must be 1-{MAX_KEY_LENGTH} visible ASCII characters")
    fingerprint = request_fingerprint()
    for _ in range(CLAIM_ATTEMPTS):
        try:
            with transaction(api_context().session_factory) as session:
                earlier = _claim(session, g.actor.user_id, key, fingerprint)
            break
        except IntegrityError:
            continue
    else:
        raise ApiError(409, "idempotency_key_in_use", f"another request with this {HEADER} is being processed")
    if earlier is None:
        g.idempotency_key = key
        return None
    if earlier.fingerprint != fingerprint:
        raise ApiError(422, "idempotency_key_mismatch", f"this {HEADER} was used with a different request")
    if earlier.status_code is None:
        raise ApiError(409, "idempotency_key_in_use", f"the first request with this {HEADER} is still being processed")
    replay = Response(earlier.response_body, status=earlier.status_code, mimetype=earlier.response_mimetype)
    replay.headers[REPLAYED_HEADER] = "true"
    return replay


def store_response(response: Response) -> None:
    """Remember a successful response under the claimed key, in the request's transaction."""
    if "idempotency_key" not in g:
        return
    db().execute(
        update(IdempotencyRecord)
        .where(IdempotencyRecord.user_id == g.actor.user_id, IdempotencyRecord.key == g.idempotency_key)
        .values(
            status_code=response.status_code,
            response_body=response.get_data(as_text=True),
            response_mimetype=response.mimetype,
        )
        .execution_options(synchronize_session=False)
    )


def release_key() -> None:
    """Forget the claim of a request that failed, so the client can retry with the same key."""
    key = g.pop("idempotency_key", None)
    if key is None:
        return
    with transaction(api_context().session_factory) as session:
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.user_id == g.actor.user_id,
                IdempotencyRecord.key == key,
                IdempotencyRecord.status_code.is_(None),
            )
        )
