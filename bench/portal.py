"""Benchmark: time to render the portal's review page for one ARCH D sheet (target ≤ 1.5 s).

Run with ``.venv/bin/python -m bench.portal``. It builds a real back end in a
temporary folder (migrated SQLite database, local blob storage, a generated
ARCH D revision pair analysed and compared by the engine and stored the way
the pipeline stores it), then renders the review page headless with
Streamlit's AppTest: once cold (empty image caches: the overlay is fetched,
decoded and downscaled) and a few times warm (what every interaction costs).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path

from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from buildtrace_assets.config import get_settings
from buildtrace_assets.db.migrate import upgrade
from buildtrace_assets.db.session import make_session_factory, transaction
from buildtrace_assets.engine.compare import analyze_document, compare_documents
from buildtrace_assets.samples import make_revision_pair
from buildtrace_assets.services import diff_results, drawings, jobs, projects, uploads, users
from buildtrace_assets.services.access import SYSTEM, Actor
from buildtrace_assets.storage import open_storage
from portal import sessions
from portal.auth import SESSION_KEY
from portal.tiles import STORE

TARGET_S = 1.5
WARM_RUNS = 5
APP = Path(__file__).parents[1] / "portal" / "app.py"


def build_back_end(folder: Path) -> str:
    """A compared ARCH D pair behind a project; the id of the user who reviews it."""
    os.environ.update(
        BUILDTRACE_DATA_DIR=str(folder),
        BUILDTRACE_DATABASE_URL=f"sqlite:///{folder / 'buildtrace.db'}",
        BUILDTRACE_STORAGE_URL=(folder / "blobs").as_uri(),
    )
    get_settings.cache_clear()
    settings = get_settings()
    upgrade(settings.database_url)
    storage = open_storage(settings.storage_url)
    pair = make_revision_pair(folder / "pair", seed=3, n_sheets=1, page_size="ARCH_D")
    old_analysis, new_analysis = analyze_document(pair.old_path), analyze_document(pair.new_path)
    compare_documents(
        pair.old_path,
        pair.new_path,
        folder / "out",
        dpi=settings.dpi,
        old_analysis=old_analysis,
        new_analysis=new_analysis,
    )
    factory = make_session_factory(settings.database_url)
    with transaction(factory) as session:
        user = users.create_user(session, "bench@example.com", "correct horse battery")
        actor = Actor.of(user)
        project = projects.create_project(session, actor, "Bench")
        versions = [
            uploads.register_upload(session, storage, actor, project.id, "A-101", path.name, path.read_bytes())
            for path in (pair.old_path, pair.new_path)
        ]
        job = jobs.create_comparison_job(session, actor, versions[0].id, versions[1].id)
        for version, analysis in zip(versions, (old_analysis, new_analysis), strict=True):
            key = f"versions/{version.id}/analysis.json"
            storage.put_bytes(key, json.dumps(analysis.to_json()).encode())
            drawings.record_version_processing(session, SYSTEM, version.id, ocr_status="completed", ocr_result_ref=key)
        prefix = f"jobs/{job.id}/diff"
        for path in sorted((folder / "out").rglob("*.*")):
            storage.put_file(f"{prefix}/{path.relative_to(folder / 'out').as_posix()}", path)
        diff_results.record_diff_result(
            session, SYSTEM, job.id, changes_ref=f"{prefix}/changes.json", engine_version="bench"
        )
    factory.kw["bind"].dispose()
    return user.id


def time_review(user_id: str) -> tuple[float, list[float], str]:
    """Seconds for the first (cold) render of the review page and for warm re-renders; the zoomable picture's size."""
    st_config.set_option("runner.magicEnabled", False)
    app = AppTest.from_file(str(APP), default_timeout=120)
    factory = make_session_factory(get_settings().database_url)
    with transaction(factory) as session:
        app.session_state[SESSION_KEY] = sessions.start(session, user_id)
    factory.kw["bind"].dispose()
    app.run()
    app.switch_page("views/review.py")
    started = time.perf_counter()
    app.run()
    cold = time.perf_counter() - started
    if app.exception:
        raise SystemExit(f"the review page failed: {app.exception[0].message}")
    if not app.get("component_instance") or not app.image:
        raise SystemExit("the review page did not show the zoomable sheet and the change crops")
    arguments = app.get("component_instance")[0].proto.json_args
    tiles = json.loads(arguments)["tiles"]
    preview = STORE.preview(tiles["url"].rsplit("/", 1)[1]) or b""
    size = (
        f"{tiles['width']} × {tiles['height']} px in {tiles['levels']} tile levels; the page sends "
        f"{len(arguments) / 1e3:.1f} kB, the preview is {len(preview) / 1e6:.2f} MB"
    )
    warm = []
    for _ in range(WARM_RUNS):
        started = time.perf_counter()
        app.run()
        warm.append(time.perf_counter() - started)
    return cold, warm, size


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-portal-") as folder:
        user_id = build_back_end(Path(folder))
        cold, warm, size = time_review(user_id)
    median = statistics.median(warm)
    print(f"review page, one ARCH D sheet: cold {cold:.2f} s, warm median {median:.2f} s over {WARM_RUNS} runs")
    print(f"zoomable sheet: {size}")
    print(
        f"target ≤ {TARGET_S:.1f} s: cold {'met' if cold <= TARGET_S else 'MISSED'}, "
        f"warm {'met' if median <= TARGET_S else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
