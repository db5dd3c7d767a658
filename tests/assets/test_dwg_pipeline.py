"""DWG versions through the pipeline: registered upload, per-version analysis, comparison and summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dagster import DagsterInstance
from fixtures.dwg import SHEET_NUMBER, sheet_dwg
from pipeline.world import World, materialize_partition
from sqlalchemy import select

from buildtrace_assets.assets.change_summaries import change_summary
from buildtrace_assets.assets.diff_results import diff_result
from buildtrace_assets.assets.drawing_versions import drawing_analysis
from buildtrace_assets.db.models import ChangeSummary, DiffResult, DrawingVersion, Job
from buildtrace_assets.engine.dwg import convert_dwg
from buildtrace_assets.services.uploads import versions_with_warnings
from buildtrace_assets.summaries.conversion import HEADING

pytestmark = pytest.mark.slow
DRAWINGS = Path("/work/shared/data/drawings")
needs_drawings = pytest.mark.skipif(not DRAWINGS.is_dir(), reason="real drawings not available")


def compared(world: World, instance: DagsterInstance, files: list[tuple[str, bytes]]) -> tuple[dict, str, str]:
    """Both files registered as versions of one drawing, analysed, compared and summarised: the changes
    document, the summary's text and the drawing's id."""
    old_id, new_id = (world.register("Plan", name, data) for name, data in files)
    for version_id in (old_id, new_id):
        assert materialize_partition(world, instance, [drawing_analysis], "drawing_versions", version_id).success
    with world.session_factory() as session:
        job = session.scalars(select(Job).where(Job.new_drawing_version_id == new_id)).one()
        drawing_id = session.get_one(DrawingVersion, new_id).drawing_id
    assert materialize_partition(world, instance, [diff_result, change_summary], "jobs", job.id).success
    with world.session_factory() as session:
        row = session.scalars(select(DiffResult).where(DiffResult.job_id == job.id)).one()
        summary = session.scalars(select(ChangeSummary).where(ChangeSummary.is_active)).one()
    return json.loads(world.storage.get_bytes(row.changes_ref)), summary.text, drawing_id


def test_a_dwg_revised_as_dxf_reports_the_edits_and_what_the_dwg_conversion_lost(
    world: World, instance: DagsterInstance, tmp_path: Path
) -> None:
    old = sheet_dwg(tmp_path / "A-101.dwg")
    _, edited = convert_dwg(old, min_share=0.9)
    (note,) = [text for text in edited.modelspace().query("TEXT") if text.dxf.text == "NOTE 1"]
    note.dxf.text = "NOTE 2"
    edited.saveas(tmp_path / "A-101-rev2.dxf")

    document, summary, drawing_id = compared(
        world,
        instance,
        [("A-101.dwg", old.read_bytes()), ("A-101-rev2.dxf", (tmp_path / "A-101-rev2.dxf").read_bytes())],
    )

    (sheet,) = document["sheets"]
    assert (sheet["sheet_number"], sheet["status"]) == (SHEET_NUMBER, "modified")
    assert [change["new_text"] for change in sheet["changes"]] in (["2"], ["NOTE 2"])
    assert HEADING in summary
    assert "The old version: text styles are not converted: the text of 1 style (Standard (txt))" in summary
    assert "(on A-101)." in summary
    with world.session_factory() as session:
        shown = versions_with_warnings(session, world.storage, world.owner, drawing_id)
    assert [(version.file_kind, len(warnings)) for version, warnings in shown] == [("dwg", 1), ("dxf", 0)]


@needs_drawings
def test_the_shared_dwgs_saved_as_2004_and_2018_go_through_upload_analysis_and_comparison(
    world: World, instance: DagsterInstance
) -> None:
    files = [(name, (DRAWINGS / name).read_bytes()) for name in ("dwg_entities_AC1018.dwg", "dwg_entities_AC1032.dwg")]

    document, summary, drawing_id = compared(world, instance, files)

    (sheet,) = document["sheets"]
    assert (sheet["status"], sheet["changes"]) == ("unchanged", [])
    assert HEADING not in summary  # what either conversion lost touches no changed sheet: said next to each version
    with world.session_factory() as session:
        shown = versions_with_warnings(session, world.storage, world.owner, drawing_id)
    lost = {version.original_filename: " ".join(warnings) for version, warnings in shown}
    assert "25 entities of entity types the DWG converter does not read are missing" in lost["dwg_entities_AC1032.dwg"]
    assert "3 entities of entity types the DWG converter does not read are missing" in lost["dwg_entities_AC1018.dwg"]
