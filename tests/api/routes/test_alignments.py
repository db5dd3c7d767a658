"""Manual alignment over HTTP: PUT point pairs for a sheet (the diff is asked for again), 422 for pairs that
cannot align it, 404 for what the caller may not see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from api.support import World
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from buildtrace_assets.db.models import DrawingVersion, PipelineRequest, SheetAlignment
from buildtrace_assets.engine.compare import analyze_document
from buildtrace_assets.services.access import SYSTEM
from buildtrace_assets.services.drawings import record_version_processing
from buildtrace_assets.storage import BlobStorage

POINTS = [{"old": [100.0, 100.0], "new": [120.0, 110.0]}, {"old": [500.0, 700.0], "new": [520.0, 710.0]}]


@pytest.fixture
def analysed(world: World, db_session: Session, blob_storage: BlobStorage, tmp_path: Path) -> World:
    """``world`` with both versions analysed by the engine (their page sizes check the point pairs)."""
    for version_id in (world.old_version_id, world.new_version_id):
        version = db_session.get_one(DrawingVersion, version_id)
        path = blob_storage.download(version.storage_key, tmp_path / f"{version_id}.pdf")
        key = f"versions/{version_id}/analysis.json"
        blob_storage.put_bytes(key, json.dumps(analyze_document(path).to_json()).encode())
        record_version_processing(db_session, SYSTEM, version_id, ocr_status="completed", ocr_result_ref=key)
    db_session.commit()
    return world


def _url(world: World, sheet: str = "A-101") -> str:
    return f"/api/v1/jobs/{world.job_id}/sheets/{sheet}/alignment"


def _stored(db_session: Session) -> tuple[int, int]:
    db_session.expire_all()
    alignments = db_session.scalar(select(func.count()).select_from(SheetAlignment)) or 0
    requests = db_session.scalar(select(func.count()).where(PipelineRequest.kind == "compare")) or 0
    db_session.rollback()  # SQLite: end the read so the API can write
    return alignments, requests


def test_an_editor_aligns_a_sheet_and_the_diff_is_asked_for_again(
    client: FlaskClient, analysed: World, sign_in, db_session: Session
) -> None:
    response = client.put(_url(analysed), json={"points": POINTS}, headers=sign_in("editor@acme.test"))

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["sheet_key"], body["points"], body["diff_result_id"]) == ("A-101", POINTS, analysed.diff_result_id)
    listed = client.get(f"/api/v1/jobs/{analysed.job_id}/alignments", headers=sign_in("viewer@acme.test"))
    assert [row["sheet_key"] for row in listed.get_json()] == ["A-101"]
    assert _stored(db_session) == (1, 1)

    dropped = client.delete(_url(analysed), headers=sign_in("owner@acme.test"))
    assert dropped.status_code == 204 and _stored(db_session) == (0, 2)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([POINTS[0], POINTS[0]], "old points 1 and 2 are 0 pt apart"),
        ([*POINTS, {"old": [300.0, 400.0], "new": [320.0, 410.0]}], "lie (almost) on one line"),
        (
            [POINTS[0], {"old": [500.0, 900.0], "new": [520.0, 710.0]}],
            "old point 2 (500, 900) is outside the old sheet",
        ),
        ([POINTS[0], {"old": [110.0, 180.0], "new": [520.0, 710.0]}], "only 0.25x to 4x is plausible"),
        (POINTS[:1], "give two or three point pairs per sheet, not 1"),
    ],
    ids=["coincident", "collinear", "outside", "scale", "one-pair"],
)
def test_point_pairs_that_cannot_align_the_sheet_are_a_422_and_nothing_is_stored(
    client: FlaskClient, analysed: World, sign_in, db_session: Session, points, message
) -> None:
    response = client.put(_url(analysed), json={"points": points}, headers=sign_in("editor@acme.test"))

    assert response.status_code == 422
    assert (
        response.get_json()["error"]["code"] == "invalid_input" and message in response.get_json()["error"]["message"]
    )
    assert _stored(db_session) == (0, 0)


def test_malformed_bodies_are_a_422(client: FlaskClient, analysed: World, sign_in) -> None:
    headers = sign_in("editor@acme.test")
    for body in ({}, {"points": [{"old": [1, 2, 3], "new": [1, 2]}]}, {"points": POINTS, "sheet": "A-101"}):
        assert client.put(_url(analysed), json=body, headers=headers).status_code == 422


def test_viewers_are_refused_and_strangers_unknown_sheets_and_jobs_get_404(
    client: FlaskClient, analysed: World, sign_in, db_session: Session
) -> None:
    body = {"points": POINTS}
    assert client.put(_url(analysed), json=body, headers=sign_in("viewer@acme.test")).status_code == 403
    for stranger in ("colleague@acme.test", "outsider@rival.test"):
        assert client.put(_url(analysed), json=body, headers=sign_in(stranger)).status_code == 404
        listed = client.get(f"/api/v1/jobs/{analysed.job_id}/alignments", headers=sign_in(stranger))
        assert listed.status_code == 404
    editor = sign_in("editor@acme.test")
    assert client.put(_url(analysed, "Z-999"), json=body, headers=editor).status_code == 404
    assert client.put("/api/v1/jobs/no-such-job/sheets/A-101/alignment", json=body, headers=editor).status_code == 404
    assert _stored(db_session) == (0, 0)
