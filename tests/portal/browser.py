"""What the headless-Chromium tests share: where Chromium and the screenshots are, who signs in, and how to wait
for a page run to end. The served portal and its settings are fixtures of ``tests/portal/conftest.py``."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.portal.support import PASSWORD

REPOSITORY = Path(__file__).parents[2]
SCREENSHOTS = REPOSITORY / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EMAIL = "architect@acme.test"
UI_TIMEOUT_MS = 60_000
VIEWPORT = {"width": 1440, "height": 900}
"""The window every browser test works and photographs in: a PM's laptop screen (issue 15)."""


def settled(page: Page) -> None:
    """Wait until the script run is over: while it runs, the previous run's elements show as stale and a click on
    them can be superseded by the run in progress."""
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=UI_TIMEOUT_MS)
    page.wait_for_timeout(500)


PHOTO_TRIES = 5


def shoot(page: Page, name: str) -> None:
    """Photograph the page between runs: the pipeline banner and the Jobs page rerun every 3 s, and a photo taken
    while one runs shows half-drawn placeholders, so it is taken again when a run started meanwhile."""
    for _ in range(PHOTO_TRIES):
        settled(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
        if not page.get_by_test_id("stStatusWidget").count():
            return


def go_to(page: Page, title: str) -> None:
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_role("heading").first).to_be_visible(timeout=UI_TIMEOUT_MS)


def sign_in(page: Page, portal_url: str) -> None:
    """Open the portal and sign in as :data:`EMAIL`, landing on the projects page."""
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.goto(portal_url)
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Projects")).to_be_visible()
