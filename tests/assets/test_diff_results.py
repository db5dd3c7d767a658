"""The diff asset, materialized per job partition with real resources (and the summary after it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import DagsterInstance
from fixtures.drawings import SPARSE_CORNERS, SPARSE_REPLOT, picked_points, sparse_sheet
from pipeline.world import World, analyzed_job, checks_of, materialize_partition, metadata_of
from sqlalchemy import select

from buildtrace_assets.assets.change_summaries import SUMMARY_COVERS_CHANGES, change_summary
from buildtrace_assets.assets.diff_results import (
    SHEETS_ALIGNED,
    UPLOADS_AT_ONCE,
    diff_result,
    overlay_refs,
    upload_tree,
)
from buildtrace_assets.assets.drawing_versions import drawing_analysis
from buildtrace_assets.db.models import ChangeSummary, DiffResult, Job, JobStage
from buildtrace_assets.engine.manual_alignment import points_to_json
from buildtrace_assets.resources import BlobStorageResource
from buildtrace_assets.samples import RevisionPair
from buildtrace_assets.samples.scoring import score_report
from buildtrace_assets.services.alignments import save_alignment
from buildtrace_assets.services.jobs import cancel_job, create_comparison_job
from buildtrace_assets.services.pipeline_requests import pending_requests
from buildtrace_assets.storage import InvalidKey

pytestmark = pytest.mark.slow


def test_diff_and_summary_land_in_storage_and_database(
    world: World, instance: DagsterInstance, revision_pair: RevisionPair
) -> None:
    job_id = analyzed_job(world, instance, revision_pair)

    result = materialize_partition(world, instance, [diff_result, change_summary], "jobs", job_id)

    assert result.success
    diff = metadata_of(result, "diff_result")
    assert diff["sheets"] == 1 and diff["changes"] >= 1
    assert diff["sheet_status"] == {"modified": 1}
    assert "![overlay" in diff["overlay_preview"] and "A-101.png" in diff["overlay_preview"]
    assert checks_of(result) == {SHEETS_ALIGNED: True, SUMMARY_COVERS_CHANGES: True}
    with world.session_factory() as session:
        row = session.scalars(select(DiffResult).where(DiffResult.job_id == job_id)).one()
        summary = session.scalars(select(ChangeSummary).where(ChangeSummary.is_active)).one()
        stages = {stage.stage: stage for stage in session.scalars(select(JobStage).where(JobStage.job_id == job_id))}
        job = session.get_one(Job, job_id)
    document = json.loads(world.storage.get_bytes(row.changes_ref))
    assert row.changes_ref == f"jobs/{job_id}/diff/changes.json" and row.change_count == diff["changes"]
    assert world.storage.exists(row.overlay_refs["A-101"])
    assert len(document["sheets"][0]["changes"]) == diff["changes"]
    assert score_report(document, revision_pair.truth).recall == 1.0, "a moved door is one change for two truths"
    for change in document["sheets"][0]["changes"]:
        assert world.storage.exists(f"jobs/{job_id}/diff/{change['crops']['new']}")
    assert (summary.source, summary.model, summary.overlay_id) == ("machine", "offline", None)
    assert all(change["id"] in summary.text for change in document["sheets"][0]["changes"])
    assert stages["diff"].result_ref == row.changes_ref and stages["summary"].result_ref.endswith(f"{summary.id}.md")
    assert job.status == "completed"


def test_a_cancelled_job_starts_no_work(world: World, instance: DagsterInstance, revision_pair: RevisionPair) -> None:
    _, _, job_id = world.comparison(revision_pair)
    with world.transaction() as session:
        cancel_job(session, world.owner, job_id)

    result = materialize_partition(world, instance, [diff_result], "jobs", job_id)

    assert not result.success
    with world.session_factory() as session:
        stage = session.scalars(select(JobStage).where(JobStage.job_id == job_id, JobStage.stage == "diff")).one()
        assert (stage.status, stage.attempts) == ("skipped", 0)
        assert session.get_one(Job, job_id).status == "cancelled"


def test_overlay_refs_keep_two_sheets_printing_one_number_apart() -> None:
    document = {
        "sheets": [
            {"key": "A-101", "sheet_number": "A-101", "new_page": 0, "overlay": "overlays/A-101.png"},
            {"key": "A-101_2", "sheet_number": "A-101", "new_page": 1, "overlay": "overlays/A-101_2.png"},
            {"key": "A-102", "sheet_number": "A-102", "new_page": 2},
        ]
    }

    assert overlay_refs(document, "jobs/j/diff") == {
        "A-101": "jobs/j/diff/overlays/A-101.png",
        "A-101_2": "jobs/j/diff/overlays/A-101_2.png",
    }


def engine_output(folder: Path, crops: int) -> dict[str, bytes]:
    """What the engine leaves in its output folder: the document, an overlay per sheet and many crops."""
    files = {"changes.json": b"{}", "overlays/A-101.png": b"overlay"}
    files |= {f"crops/c{number:03d}_new.png": f"crop {number}".encode() for number in range(crops)}
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    return files


def test_every_file_the_engine_wrote_is_stored_at_its_path_under_the_prefix(tmp_path: Path) -> None:
    files = engine_output(tmp_path / "out", crops=3 * UPLOADS_AT_ONCE)
    storage = BlobStorageResource(url=(tmp_path / "blobs").as_uri())

    upload_tree(storage, tmp_path / "out", "jobs/j/diff")

    stored = {info.key: storage.get().get_bytes(info.key) for info in storage.get().list("jobs/j/diff/")}
    assert stored == {f"jobs/j/diff/{name}": content for name, content in files.items()}


def test_a_file_that_cannot_be_stored_fails_the_upload_after_the_others_are_stored(tmp_path: Path) -> None:
    files = engine_output(tmp_path / "out", crops=UPLOADS_AT_ONCE)
    storage = BlobStorageResource(url=(tmp_path / "blobs").as_uri())
    storage.get().put_bytes("jobs/j/diff/overlays", b"a blob where the overlays' folder goes")

    with pytest.raises(InvalidKey, match=r"overlays/A-101\.png"):
        upload_tree(storage, tmp_path / "out", "jobs/j/diff")

    stored = {info.key for info in storage.get().list("jobs/j/diff/")}
    assert stored == {f"jobs/j/diff/{name}" for name in files if not name.startswith("overlays/")} | {
        "jobs/j/diff/overlays"
    }


def test_a_sheet_aligned_by_hand_is_diffed_again_with_the_stored_point_pairs(
    world: World, instance: DagsterInstance, tmp_path: Path
) -> None:
    old_pdf = sparse_sheet(tmp_path / "old.pdf")
    new_pdf = sparse_sheet(tmp_path / "new.pdf", SPARSE_REPLOT, added_line=True)
    versions = [world.register("Detail", f"r{n}.pdf", path.read_bytes()) for n, path in enumerate((old_pdf, new_pdf))]
    with world.transaction() as session:
        job_id = create_comparison_job(session, world.owner, *versions).id
    for version_id in versions:
        assert materialize_partition(world, instance, [drawing_analysis], "drawing_versions", version_id).success

    automatic = materialize_partition(world, instance, [diff_result], "jobs", job_id)
    assert checks_of(automatic) == {SHEETS_ALIGNED: False}
    with world.transaction() as session:
        points = points_to_json(picked_points(SPARSE_REPLOT, *SPARSE_CORNERS))
        save_alignment(session, world.storage, world.owner, job_id, "page-1", points)
        [request] = [request for request in pending_requests(session, 10) if request.kind == "compare"]
        assert (request.job_id, request.requested_by) == (job_id, world.owner.user_id)

    manual = materialize_partition(world, instance, [diff_result], "jobs", job_id)

    assert manual.success and checks_of(manual) == {SHEETS_ALIGNED: True}
    with world.session_factory() as session:
        row = session.scalars(select(DiffResult).where(DiffResult.job_id == job_id)).one()
    [sheet] = json.loads(world.storage.get_bytes(row.changes_ref))["sheets"]
    assert sheet["alignment"]["source"] == "manual" and sheet["alignment"]["points"] == points
    assert [change["kind"] for change in sheet["changes"]] == ["added"] and "error" not in sheet
