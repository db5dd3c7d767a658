import pytest
from sqlalchemy.orm import Session
from buildtrace_assets.services.overlays import create_overlay

@pytest.fixture
def overlay_id(world, db_session: Session) -> str:
    overlay = create_overlay(db_session, world.team.editor, world.diff_result_id, [])
    db_session.commit()
    return overlay.id

def test_a(client, world, overlay_id, sign_in, db_session: Session):
    h = sign_in("outsider@rival.test")
    print("INTX", db_session.in_transaction(), flush=True)
    print("ME1", client.get("/api/v1/auth/me", headers=h).status_code, flush=True)
