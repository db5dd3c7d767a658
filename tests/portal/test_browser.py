"""The portal in a real browser, with the real pipeline behind it.

``streamlit run portal/asgi.py`` serves the app on a free port; headless
Chromium signs in, creates a project, uploads two revisions, and, once the
pipeline's sensors and runs have processed them (ticked in this process
against the same database, storage and Dagster instance, as the daemon would),
draws a region on the review canvas with the mouse and saves it; the overlay
sensor then has the summary rewritten from the correction. Screenshots
of each page go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pymupdf
import pytest
from dagster import DagsterInstance, RunRequest, SensorDefinition, build_sensor_context, in_process_executor
from fixtures.drawings import LETTER, SPARSE_CORNERS, SPARSE_REPLOT, picked_points, sparse_sheet
from playwright.sync_api import Page, expect, sync_playwright
from reports.scene import CHANGES, store_finished_job
from sqlalchemy.orm import Session

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.definitions import make_definitions
from buildtrace_assets.resources import build_resources
from buildtrace_assets.sensors.jobs import job_progress_sensor
from buildtrace_assets.sensors.pipeline_requests import pipeline_request_sensor
from buildtrace_assets.sensors.uploads import upload_sensor
from buildtrace_assets.services import alignments, diff_results, jobs, overlays, projects, uploads, users
from buildtrace_assets.services.access import Actor
from buildtrace_assets.storage import open_storage
from portal.views.alignment import CANVAS_WIDTH as ALIGN_CANVAS_WIDTH
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
    sign_in,
)
from tests.portal.support import PASSWORD, sheet_pdf

pytestmark = pytest.mark.slow


def tick_pipeline(instance: DagsterInstance, cursors: dict[str, str | None], run_keys: set[str]) -> None:
    """One pass of the upload, request and job sensors (a saved overlay is a request), running what they request,
    as the Dagster daemon would."""
    settings = get_settings()
    definitions = make_definitions(settings, in_process_executor)
    sensor: SensorDefinition
    for sensor in (upload_sensor, pipeline_request_sensor, job_progress_sensor):
        with build_sensor_context(
            instance=instance, cursor=cursors.get(sensor.name), resources=build_resources(settings)
        ) as context:
            result = sensor(context)
        cursors[sensor.name] = result.cursor
        for partitions in result.dynamic_partitions_requests:
            instance.add_dynamic_partitions(partitions.partitions_def_name, list(partitions.partition_keys))
        request: RunRequest
        for request in result.run_requests:
            if request.run_key in run_keys:
                continue
            run_keys.add(request.run_key)
            outcome = definitions.resolve_job_def(request.job_name).execute_in_process(
                instance=instance, partition_key=request.partition_key, tags=request.tags, raise_on_error=False
            )
            assert outcome.success, f"{request.job_name} failed for {request.partition_key}"


def upload(page: Page, path: Path, becomes: str) -> None:
    """Choose one file, check the drawing it is mapped to, upload it.

    After an upload the page runs again with a fresh (empty) uploader; a file set on the old one before that run is
    over is lost with it."""
    settled(page)
    page.locator("input[type=file]").set_input_files(str(path))
    expect(page.get_by_text(f"{path.name} → {becomes}")).to_be_visible(timeout=UI_TIMEOUT_MS)
    page.get_by_role("button", name="Upload", exact=True).click()


def test_sign_in_upload_two_revisions_and_correct_a_region_in_the_browser(
    portal_url: str, environment: dict[str, str], tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for revision, note in (("rev1", "WALL 24'-4\""), ("rev2", "WALL 24'-9\"")):
        (tmp_path / f"A-101-{revision}.pdf").write_bytes(sheet_pdf(note))
    instance = DagsterInstance.get()
    cursors: dict[str, str | None] = {}
    run_keys: set[str] = set()

    expect.set_options(timeout=UI_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(UI_TIMEOUT_MS)
        page.goto(portal_url)
        page.get_by_label("E-mail").fill(EMAIL)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        shoot(page, "01-sign-in")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Projects")).to_be_visible()

        expect(page.get_by_text("No projects yet")).to_be_visible()  # and "New project" is open for a newcomer
        page.get_by_label("Name", exact=True).fill("Tower")
        page.get_by_label("Name", exact=True).press("Tab")
        page.get_by_role("button", name="Create project").click()
        expect(page.get_by_text("Project 'Tower' created; you are its owner.")).to_be_visible()
        shoot(page, "02-projects")

        go_to(page, "Upload")
        upload(page, tmp_path / "A-101-rev1.pdf", "version 1 of a new drawing 'A-101'")
        expect(page.get_by_text("version 1 uploaded")).to_be_visible()
        upload(page, tmp_path / "A-101-rev2.pdf", "a new version of A-101")
        expect(page.get_by_text("A-101: version 2 uploaded (A-101-rev2.pdf).")).to_be_visible()
        shoot(page, "03-upload")

        tick_pipeline(instance, cursors, run_keys)
        tick_pipeline(instance, cursors, run_keys)

        go_to(page, "Jobs")
        expect(page.get_by_text("A-101 v1 → v2")).to_be_visible()
        expect(page.get_by_text("completed").first).to_be_visible()
        page.get_by_text("Lineage in Dagster").first.click()
        expect(page.get_by_text("Pipeline unreachable: the lineage cannot be read now").first).to_be_visible()
        shoot(page, "04-jobs")

        go_to(page, "Review")
        page.get_by_text("Edit regions").click()
        canvas = page.locator("canvas.upper-canvas")
        expect(canvas).to_be_visible()
        shoot(page, "05-review")
        canvas.hover(position={"x": 500, "y": 300})  # the 1294 px tall canvas is scrolled to where the drag starts
        box = canvas.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + 500, box["y"] + 300)
        page.mouse.down()
        page.mouse.move(box["x"] + 600, box["y"] + 360, steps=8)
        page.mouse.up()
        expect(page.get_by_text("A-101-m1").first).to_be_attached()
        settled(page)
        page.get_by_role("button", name="Save regions").click()
        expect(page.get_by_text("Saved as manual overlay version 1.")).to_be_visible()
        page.wait_for_timeout(3000)
        canvas.scroll_into_view_if_needed()
        shoot(page, "06-review-saved")

        tick_pipeline(instance, cursors, run_keys)
        go_to(page, "Summary")
        expect(page.get_by_role("heading", name="History")).to_be_visible()
        expect(page.get_by_test_id("stDataFrame")).to_have_count(2)  # the history, the items editor in its expander
        expect(page.get_by_text("from regions corrected by a person").first).to_be_visible()
        shoot(page, "07-summary")
        go_to(page, "Audit log")
        expect(page.get_by_test_id("stDataFrame")).to_have_count(1)
        expect(page.get_by_text("corrections saved").first).to_be_attached()
        shoot(page, "08-audit")
        browser.close()

    factory = make_session_factory(environment["BUILDTRACE_DATABASE_URL"])
    with transaction(factory) as session:
        saved = _saved_overlay(session)
    factory.kw["bind"].dispose()
    drawn = [change for change in saved if change["id"].endswith("-m1")]
    assert len(drawn) == 1 and drawn[0]["kind"] == "added"
    x0, y0, x1, y1 = drawn[0]["bbox"]
    assert (x1 - x0, y1 - y0) == pytest.approx((61.2, 36.7), abs=3), (
        "a 100 × 60 px drag on a 1000 px canvas of a 612 pt sheet"
    )


def _saved_overlay(session: Session) -> list[dict]:
    actor = Actor.of(users.get_user_by_email(session, EMAIL))
    [project] = projects.list_projects(session, actor)
    [job] = jobs.list_jobs(session, actor, project.id)
    result = diff_results.get_diff_result(session, actor, job.id)
    return list(overlays.active_overlay(session, actor, result.id).changes)


def test_the_report_and_change_log_download_from_the_summary_page(
    portal_url: str, environment: dict[str, str], tmp_path: Path
) -> None:
    factory = make_session_factory(environment["BUILDTRACE_DATABASE_URL"])
    with transaction(factory) as session:
        architect = Actor.of(users.get_user_by_email(session, EMAIL))
        project = projects.create_project(session, architect, "Tower")
        job = store_finished_job(session, open_storage(environment["BUILDTRACE_STORAGE_URL"]), architect, project.id)
    factory.kw["bind"].dispose()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
        sign_in(page, portal_url)
        go_to(page, "Summary")
        settled(page)
        files = {}
        for label in ("Download report", "Download change log (CSV)"):
            with page.expect_download(timeout=UI_TIMEOUT_MS) as download:
                page.get_by_role("button", name=label).click()
            files[label] = download.value.path().read_bytes()
            assert download.value.suggested_filename.startswith("Architectural_Set_v1-v2-")
        browser.close()

    with pymupdf.open(stream=files["Download report"], filetype="pdf") as report:
        assert f"Job {job.job_id}" in report.load_page(0).get_text()
    log = files["Download change log (CSV)"].decode("utf-8-sig").splitlines()
    assert log[0].startswith("sheet,id,kind") and len(log) == 1 + len(CHANGES)


def test_an_unaligned_sheet_is_aligned_by_clicking_points_on_old_and_new_in_the_browser(
    portal_url: str, environment: dict[str, str], tmp_path: Path
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    storage = open_storage(environment["BUILDTRACE_STORAGE_URL"])
    factory = make_session_factory(environment["BUILDTRACE_DATABASE_URL"])
    with transaction(factory) as session:
        architect = Actor.of(users.get_user_by_email(session, EMAIL))
        project = projects.create_project(session, architect, "Tower")
        versions = [
            uploads.register_upload(session, storage, architect, project.id, "Detail", f"{name}.pdf", path.read_bytes())
            for name, path in (
                ("rev1", sparse_sheet(tmp_path / "old.pdf")),
                ("rev2", sparse_sheet(tmp_path / "new.pdf", SPARSE_REPLOT, added_line=True)),
            )
        ]
        job_id = jobs.create_comparison_job(session, architect, versions[0].id, versions[1].id).id
    instance = DagsterInstance.get()
    cursors: dict[str, str | None] = {}
    run_keys: set[str] = set()
    tick_pipeline(instance, cursors, run_keys)
    tick_pipeline(instance, cursors, run_keys)
    scale = ALIGN_CANVAS_WIDTH / LETTER[0]
    pairs = picked_points(SPARSE_REPLOT, *SPARSE_CORNERS)

    expect.set_options(timeout=UI_TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        sign_in(page, portal_url)
        go_to(page, "Review")
        expect(page.get_by_text("could not be aligned with its old revision").first).to_be_visible()
        canvases = page.locator("canvas.upper-canvas")
        expect(canvases).to_have_count(2)  # old and new to click on; the region canvas waits behind "Edit regions"
        shoot(page, "09-review-unaligned")
        for index, side in ((0, 0), (1, 1)):
            for pair in pairs:
                canvas = canvases.nth(index)
                x, y = pair[side]
                canvas.hover(position={"x": x * scale, "y": y * scale})  # scrolls the point into the window
                box = canvas.bounding_box()
                assert box is not None
                page.mouse.click(box["x"] + x * scale, box["y"] + y * scale)
                settled(page)
        expect(page.get_by_role("button", name="Save alignment")).to_be_enabled()
        shoot(page, "10-review-points")
        page.get_by_role("button", name="Save alignment").click()
        expect(page.get_by_text("Alignment of sheet page-1 saved: the comparison runs again with it.")).to_be_visible()

        tick_pipeline(instance, cursors, run_keys)
        go_to(page, "Jobs")
        go_to(page, "Review")
        expect(page.get_by_text("Aligned by hand with 2 point pairs.")).to_be_visible()
        expect(page.get_by_text("the comparison runs again with it")).to_have_count(0)
        shoot(page, "11-review-aligned")
        browser.close()

    with transaction(factory) as session:
        [stored] = alignments.sheet_alignments(session, architect, job_id)
        changes_ref = diff_results.get_diff_result(session, architect, job_id).changes_ref
    factory.kw["bind"].dispose()
    click_slack = 1.5 / scale  # the mouse lands on whole screen pixels of a canvas placed at fractional ones
    for saved, (old, new) in zip(stored.points, pairs, strict=True):
        assert saved["old"] == pytest.approx(list(old), abs=click_slack)
        assert saved["new"] == pytest.approx(list(new), abs=click_slack)
    [sheet] = json.loads(storage.get_bytes(changes_ref))["sheets"]
    assert sheet["alignment"]["source"] == "manual" and "error" not in sheet
    assert [change["kind"] for change in sheet["changes"]] == ["added"]
