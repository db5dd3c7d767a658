"""Signed in stays signed in: reloads, new tabs and shared links, in a real browser against the served portal.

The sign-in form posts to ``/auth/sign-in``, which sets an HTTP-only session
cookie; these tests look at that cookie's flags and show that the page
scripts never see it from JavaScript.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.services import projects, users
from buildtrace_assets.services.access import Actor
from tests.portal.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EMAIL,
    SCREENSHOTS,
    UI_TIMEOUT_MS,
    VIEWPORT,
    shoot,
)
from tests.portal.support import PASSWORD

pytestmark = pytest.mark.slow


def _project(database_url: str) -> str:
    factory = make_session_factory(database_url)
    with transaction(factory) as session:
        project = projects.create_project(session, Actor.of(users.get_user_by_email(session, EMAIL)), "Tower")
    factory.kw["bind"].dispose()
    return project.id


def test_a_shared_link_opens_after_sign_in_and_reloads_and_new_tabs_stay_signed_in_until_sign_out(
    environment: dict[str, str],
    portal_url: str,
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    link = f"{portal_url}/audit?project={_project(environment['BUILDTRACE_DATABASE_URL'])}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)

        page.goto(link)
        expect(page.get_by_label("E-mail")).to_be_visible()
        shoot(page, "sign_in")
        expect(page.get_by_text("Page not found")).to_have_count(0)
        page.get_by_label("E-mail").fill(EMAIL)
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("E-mail or password is wrong.")).to_be_visible()

        page.get_by_label("E-mail").fill(EMAIL)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
        assert page.url == link

        (cookie,) = [cookie for cookie in context.cookies() if cookie["name"] == "buildtrace_session"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["expires"] > 0
        assert "buildtrace_session" not in page.evaluate("document.cookie")

        page.reload()
        expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
        expect(page.get_by_text("Signed in as")).to_be_visible()

        second_tab = context.new_page()
        second_tab.goto(f"{portal_url}/jobs")
        expect(second_tab.get_by_role("heading", name="Jobs")).to_be_visible(timeout=UI_TIMEOUT_MS)
        second_tab.close()

        page.get_by_role("button", name="Sign out", exact=True).click()
        expect(page.get_by_label("E-mail")).to_be_visible()
        page.reload()
        expect(page.get_by_label("E-mail")).to_be_visible()
        browser.close()
