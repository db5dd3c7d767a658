"""Helpers of the API tests: the test secret, signing in, and the stored changes document."""

from __future__ import annotations

from dataclasses import dataclass

from fixtures.database import PASSWORD, Team
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

SECRET = "test-secret-that-is-long-enough-for-hs256"
Headers = dict[str, str]

CHANGE = {
    "id": "A-101-1",
    "kind": "modified",
    "bbox": [100.0, 200.0, 160.0, 220.0],
    "old_text": "24'-4\"",
    "new_text": "24'-9\"",
    "confidence": 0.93,
}
CHANGES_DOCUMENT = {
    "schema": "buildtrace.changes/v1",
    "old": {"file": "rev 1.pdf", "pages": 1},
    "new": {"file": "rev 2.pdf", "pages": 1},
    "sheets": [
        {
            "sheet_number": "A-101",
            "title": "FIRST FLOOR PLAN",
            "old_page": 0,
            "new_page": 0,
            "status": "modified",
            "alignment": {"matrix": [[1, 0, 0], [0, 1, 0]], "score": 1.0},
            "changes": [CHANGE],
        }
    ],
}


def login(client: FlaskClient, email: str) -> dict[str, object]:
    """The token pair of a successful login with the test password."""
    response = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def bearer(token: object) -> Headers:
    return {"Authorization": f"Bearer {token}"}


def count_rows(session_factory: sessionmaker[Session], model: type) -> int:
    """Rows of a table, read in a session of its own so the test's session (and its objects) stay untouched."""
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@dataclass(frozen=True)
class World:
    """A project with two versions, a job and a diff result whose changes document is in storage."""

    team: Team
    project_id: str
    drawing_id: str
    old_version_id: str
    new_version_id: str
    job_id: str
    diff_result_id: str
