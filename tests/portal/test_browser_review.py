"""The review at sheet scale in a real browser: zoom with the wheel, a change in the list zooms the sheet to it and
is highlighted there, and a region clicked on the sheet is selected in the list; a summary version is restored, the
audit log filtered, and every page photographed at 1440 × 900 for people to look at (``artifacts/screenshots/``).

The finished job is the report scene (tests/reports/scene.py): an 18 × 12 in sheet with four changes, one a moved
keynote, stored as the pipeline would have stored it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import FrameLocator, Page, expect, sync_playwright
from reports.scene import store_finished_job

from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.services import projects, summaries, users
from buildtrace_assets.services.access import Actor
from buildtrace_assets.storage import open_storage
from tests.portal.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EMAIL,
    SCREENSHOTS,
    UI_TIMEOUT_MS,
    VIEWPORT,
    go_to,
    settled,
    shoot,
)
from tests.portal.support import PASSWORD

pytestmark = pytest.mark.slow


@pytest.fixture
def environment(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The shared settings at the pipeline's default 150 dpi: the new sheet (18 in) is 2700 px, more than the
    viewer's preview, so zooming in loads tiles."""
    monkeypatch.setenv("BUILDTRACE_DPI", "150")
    return {**environment, "BUILDTRACE_DPI": "150"}


def _fits_the_window(page: Page, sheet: FrameLocator) -> None:
    """The viewer with its toolbar and the change list are inside the 1440 × 900 window, below the header, with the
    page scrolled to its top."""
    header = page.get_by_test_id("stHeader").bounding_box()
    assert header is not None
    content_top = page.get_by_test_id("stMainBlockContainer").evaluate(
        "block => block.getBoundingClientRect().top + parseFloat(getComputedStyle(block).paddingTop)"
    )
    assert content_top >= header["y"] + header["height"], "the header covers the top of the page"
    for part in (sheet.locator("#bar"), sheet.locator("#viewport"), page.locator(".st-key-change-list")):
        box = part.bounding_box()
        assert box is not None
        assert box["y"] >= header["y"] + header["height"] - 1, "not under the header"
        assert box["y"] + box["height"] <= VIEWPORT["height"] and box["x"] + box["width"] <= VIEWPORT["width"], box
    assert page.get_by_test_id("stMain").evaluate("main => main.scrollTop") == 0, "seen without scrolling"


def _scale(sheet: FrameLocator) -> float:
    return float(sheet.locator("#stage").get_attribute("data-scale") or 0)


def _sign_in_here(page: Page) -> None:
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_zoom_into_a_change_from_the_list_and_select_one_on_the_sheet(
    environment: dict[str, str],
    portal_url: str,
) -> None:
    factory = make_session_factory(environment["BUILDTRACE_DATABASE_URL"])
    with transaction(factory) as session:
        architect = Actor.of(users.get_user_by_email(session, EMAIL))
        project = projects.create_project(session, architect, "Tower")
        job = store_finished_job(session, open_storage(environment["BUILDTRACE_STORAGE_URL"]), architect, project.id)
    with transaction(factory) as session:
        summaries.edit_summary(session, architect, job.diff_result_id, "A hand-written summary.")
    factory.kw["bind"].dispose()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    expect.set_options(timeout=UI_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.goto(f"{portal_url}/review?project={project.id}&job={job.job_id}&sheet=A-101")
        _sign_in_here(page)
        expect(page.get_by_role("heading", name="Review · Architectural Set v1 → v2")).to_be_visible()
        sheet = page.frame_locator("iframe[title*=sheet_zoom]")
        expect(sheet.locator("rect.region")).to_have_count(4)
        settled(page)
        fit = _scale(sheet)
        assert sheet.locator("#stage").get_attribute("data-width") == "1800", (
            "the stored overlay at its own size (18 in at 100 dpi), not scaled to a 1000 px canvas"
        )
        shoot(page, "review")
        _fits_the_window(page, sheet)
        height = int(sheet.locator("#viewport").evaluate("v => parseFloat(getComputedStyle(v).height)"))
        listed = page.locator(".st-key-change-list").bounding_box()
        page.set_viewport_size({"width": VIEWPORT["width"], "height": VIEWPORT["height"] + 200})
        expect(sheet.locator("#viewport")).to_have_css("height", f"{height + 200}px")
        expect(page.locator(".st-key-change-list")).to_have_css("height", f"{listed['height'] + 200:g}px")
        page.set_viewport_size(VIEWPORT)
        expect(sheet.locator("#viewport")).to_have_css("height", f"{height}px")

        viewport = sheet.locator("#viewport")
        viewport.hover()
        page.mouse.wheel(0, -600)
        expect(sheet.locator("#stage")).not_to_have_attribute("data-scale", f"{fit:.4f}")
        assert _scale(sheet) > fit * 3
        sheet.locator("#fit").click()
        assert _scale(sheet) == pytest.approx(fit, rel=0.01)

        page.locator(".st-key-change-A-101-4").get_by_role("button", name="Show on sheet").click()
        expect(sheet.locator("rect.region.selected")).to_have_attribute("data-id", "A-101-4")
        expect(page.locator(".st-key-change-A-101-4").get_by_text("selected")).to_be_visible()
        assert _scale(sheet) > fit * 3, "zoomed to the change"
        expect(sheet.locator("rect.region-from")).to_have_count(1)
        expect(sheet.locator("line.arrow")).to_have_count(1)
        shoot(page, "review-zoomed-to-a-change")

        sheet.locator("#fit").click()
        sheet.locator("rect.region[data-id='A-101-2']").click(force=True)
        expect(page.locator(".st-key-change-A-101-2").get_by_text("selected")).to_be_visible()
        expect(sheet.locator("rect.region.selected")).to_have_attribute("data-id", "A-101-2")

        tile_answers: list[int] = []
        page.on("response", lambda answer: tile_answers.append(answer.status) if "/tiles/" in answer.url else None)
        page.get_by_text("New", exact=True).click()  # the View control
        expect(sheet.locator("#stage")).to_have_attribute("data-width", "2700")
        settled(page)
        sheet.locator("#fit").click()
        assert not sheet.locator("img.tile").count(), "fitted, the 2048 px preview has all the detail a screen shows"
        page.locator(".st-key-change-A-101-1").get_by_role("button", name="Show on sheet").click()
        expect(sheet.locator("rect.region.selected")).to_have_attribute("data-id", "A-101-1")
        full_resolution = sheet.locator("img.tile.loaded[data-level='0']")
        expect(full_resolution.first).to_be_visible()
        assert max(full_resolution.evaluate_all("tiles => tiles.map(tile => tile.naturalWidth)")) == 512
        assert tile_answers and set(tile_answers) == {200}, "the preview, then full-resolution tiles, all served"
        assert sheet.locator("img.tile").count() < 6 * 4, "only the tiles on screen, not the whole 2700 × 1800 level"
        shoot(page, "review-zoomed-full-resolution")

        go_to(page, "Summary")
        settled(page)
        page.get_by_label("Open version").click()
        page.keyboard.type("v1 ·")
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Restore version 1").click()
        restored = page.get_by_text("Version 1 restored as version 3, in your name.")
        expect(restored).to_be_visible()
        restored.scroll_into_view_if_needed()  # the notice under the title, not the restore button far below
        shoot(page, "summary-restored")

        go_to(page, "Audit log")
        page.get_by_label("Action").click()
        page.get_by_role("option", name="job created").click()
        page.keyboard.press("Escape")
        expect(page.get_by_role("button", name="Download these 1 rows (CSV)")).to_be_visible()
        shoot(page, "audit-filtered")
        for title, shown in (
            ("Projects", page.get_by_test_id("stDataFrame").first),
            ("Upload", page.get_by_test_id("stFileUploader")),
            ("Jobs", page.get_by_test_id("stDataFrame").first),  # the stage table, drawn last
        ):
            go_to(page, title)
            expect(shown).to_be_visible()  # the page's own content, not only its title, before it is photographed
            shoot(page, title.lower())
        browser.close()
