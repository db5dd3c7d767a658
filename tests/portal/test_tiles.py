"""Sheet tiles: the pyramid cut from a published picture, and the route that serves it only to people who may read
the job (a real Starlette app over the seeded database; the cookie is the one ``/auth/sign-in`` would set)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.testclient import TestClient

from buildtrace_assets.config import get_settings
from portal import session_cookie, sessions
from portal.tile_route import ROUTES, tiles_url
from portal.tiles import PREVIEW_MAX_PX, TILE_PX, TileStore, tile_grid
from tests.portal.support import People, PortalEnv, seed_job, signed_in_session

ARCH_D_150_DPI = (5400, 3600)
KEY = b"a key for these tests only"


def _picture(width: int, height: int) -> bytes:
    """A picture whose every pixel says where it is, so a misplaced tile cannot pass for the right one."""
    ys, xs = np.mgrid[0:height, 0:width]
    pixels = np.stack([xs % 251, ys % 241, (xs // 251 + ys // 241) % 256], axis=-1).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def arch_d() -> bytes:
    return _picture(*ARCH_D_150_DPI)


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_an_arch_d_sheet_has_a_small_preview_and_two_levels_of_tiles_with_more_detail(arch_d: bytes) -> None:
    store = TileStore()
    pyramid = store.publish(arch_d, "job-1")

    assert (pyramid.width, pyramid.height, pyramid.preview_width, pyramid.levels) == (5400, 3600, PREVIEW_MAX_PX, 2)
    preview = store.preview(pyramid.token)
    assert preview is not None and _pixels(preview).shape == (1365, 2048, 3)
    assert tile_grid(5400, 3600, 0) == (11, 8) and tile_grid(5400, 3600, 1) == (6, 4)
    assert store.publish(arch_d, "job-1").token == pyramid.token, "the same picture keeps its URLs"
    assert store.publish(arch_d, "job-2").token != pyramid.token, "a token names the job too"


def test_a_full_resolution_tile_is_exactly_that_part_of_the_picture(arch_d: bytes) -> None:
    store = TileStore()
    token = store.publish(arch_d, "job-1").token
    whole = _pixels(arch_d)

    inner = store.tile(token, 0, 3, 2)
    edge = store.tile(token, 0, 10, 7)

    assert inner is not None and edge is not None
    assert np.array_equal(_pixels(inner), whole[2 * TILE_PX : 3 * TILE_PX, 3 * TILE_PX : 4 * TILE_PX])
    assert np.array_equal(_pixels(edge), whole[7 * TILE_PX :, 10 * TILE_PX :]), "the last tiles are cut short"
    assert _pixels(edge).shape == (3600 - 7 * TILE_PX, 5400 - 10 * TILE_PX, 3)


def test_a_level_one_tile_covers_twice_the_sheet_at_half_the_resolution(arch_d: bytes) -> None:
    store = TileStore()
    token = store.publish(arch_d, "job-1").token

    tile = store.tile(token, 1, 5, 3)

    assert tile is not None
    assert _pixels(tile).shape == (
        (3600 - 3 * 2 * TILE_PX + 1) // 2,
        (5400 - 5 * 2 * TILE_PX + 1) // 2,
        3,
    )


def test_tiles_outside_the_pyramid_or_of_an_unknown_picture_do_not_exist(arch_d: bytes) -> None:
    store = TileStore()
    token = store.publish(arch_d, "job-1").token

    assert store.tile(token, 0, 11, 0) is None
    assert store.tile(token, 2, 0, 0) is None, "the preview already has this level's detail"
    assert store.tile("0" * 32, 0, 0, 0) is None
    assert store.preview("0" * 32) is None


def test_a_picture_no_wider_than_the_preview_has_no_tile_levels() -> None:
    store = TileStore()

    pyramid = store.publish(_picture(1296, 864), "job-1")

    assert (pyramid.preview_width, pyramid.levels) == (1296, 0)
    assert store.tile(pyramid.token, 0, 0, 0) is None


@pytest.fixture
def client(portal_env: PortalEnv, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("BUILDTRACE_PORTAL_SESSION_SECRET", KEY.decode())
    get_settings.cache_clear()
    with TestClient(Starlette(routes=ROUTES)) as test_client:
        yield test_client


def _cookie(session_id: str) -> dict[str, str]:
    return {session_cookie.COOKIE_NAME: session_cookie.sign(KEY, session_id)}


def test_the_route_serves_tiles_to_members_of_the_jobs_project_and_nothing_to_anyone_else(
    client: TestClient, portal_env: PortalEnv, people: People
) -> None:
    from portal.tiles import STORE

    job = seed_job(portal_env, people)
    picture = _picture(3000, 2000)
    url = tiles_url(STORE.publish(picture, job.job_id).token)
    viewer = signed_in_session(portal_env, people.viewer)

    client.cookies.update(_cookie(viewer))
    answer = client.get(f"{url}/0/1_1.png")
    preview = client.get(f"{url}/preview.png")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    assert "private" in answer.headers["cache-control"]
    assert np.array_equal(_pixels(answer.content), _pixels(picture)[TILE_PX : 2 * TILE_PX, TILE_PX : 2 * TILE_PX])
    assert _pixels(preview.content).shape == (1365, 2048, 3)
    assert client.get(f"{url}/0/99_0.png").status_code == 404

    refused = {
        "an outsider": _cookie(signed_in_session(portal_env, people.outsider)),
        "a forged cookie": {session_cookie.COOKIE_NAME: f"{viewer}.{'0' * 64}"},
        "no cookie": {},
    }
    for who, cookies in refused.items():
        client.cookies.clear()
        client.cookies.update(cookies)
        assert client.get(f"{url}/0/1_1.png").status_code == 404, who
        assert client.get(f"{url}/preview.png").status_code == 404, who

    portal_env.run(lambda session: sessions.revoke(session, viewer))
    client.cookies.clear()
    client.cookies.update(_cookie(viewer))
    assert client.get(f"{url}/0/1_1.png").status_code == 404, "a signed-out session"
    assert client.get(f"{tiles_url('0' * 32)}/0/0_0.png").status_code == 404
