"""The marked-up PDF: the new revision with every change as a cloud-bordered annotation and a numbered callout,
readable in Bluebeam's and Acrobat's markups lists; the drawing itself untouched (vector stays vector)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pymupdf
import pytest
from PIL import Image
from reports.scene import CHANGES, SENTENCES, UNALIGNED_REASON, new_revision_pdf

from buildtrace_assets.engine.legend import KIND_COLOURS, MODIFIED
from buildtrace_assets.reports.inputs import ReportInput
from buildtrace_assets.reports.markups import AUTHOR, annotate, write_markups
from buildtrace_assets.reports.rows import ChangeRow


@pytest.fixture
def markups(scene_input: ReportInput, tmp_path: Path) -> pymupdf.Document:
    return pymupdf.open(write_markups(scene_input, tmp_path / "markups.pdf"))


def legend_rgb(kind: str) -> tuple[float, ...]:
    return tuple(round(channel / 255, 3) for channel in KIND_COLOURS.get(kind, MODIFIED).rgb)


def annotations(page: pymupdf.Page, kind: str) -> list[pymupdf.Annot]:
    return [annot for annot in page.annots() if annot.type[1] == kind]


def clouds_by_id(page: pymupdf.Page) -> dict[str, pymupdf.Annot]:
    return {
        annot.info["content"].split(":")[0]: annot
        for annot in annotations(page, "Square")
        if annot.info["subject"].startswith("Revision cloud")
    }


def test_pages_and_their_sizes_are_the_new_revisions(markups):
    original = pymupdf.open(stream=new_revision_pdf(), filetype="pdf")
    assert [page.rect for page in markups] == [page.rect for page in original]


def test_every_change_is_a_cloud_in_its_legend_colour_with_kind_old_new_and_summary(markups):
    page = markups.load_page(0)
    clouds = clouds_by_id(page)
    for change in CHANGES:
        cloud = clouds[change["id"]]
        assert cloud.border["clouds"] > 0
        assert tuple(round(c, 3) for c in cloud.colors["stroke"]) == legend_rgb(change["kind"])
        assert cloud.info["title"] == AUTHOR and cloud.info["subject"] == f"Revision cloud · {change['kind']}"
        assert change["kind"] in cloud.info["content"] and SENTENCES[change["id"]] in cloud.info["content"]
        x0, y0, x1, y1 = change["bbox"]
        assert cloud.rect.contains(pymupdf.Rect(x0, y0, x1, y1))
    assert "24'-4\" → 24'-9\"" in clouds["A-101-1"].info["content"]
    assert "moved 80.0 pt right (6'-8\")" in clouds["A-101-4"].info["content"]


def test_each_cloud_has_a_numbered_callout_grouped_with_it(markups):
    page = markups.load_page(0)
    clouds = {annot.xref: change_id for change_id, annot in clouds_by_id(page).items()}
    callouts = annotations(page, "FreeText")
    assert sorted((clouds[c.irt_xref], c.info["content"]) for c in callouts) == [
        (change["id"], change["id"].rsplit("-", 1)[1]) for change in CHANGES
    ]
    for callout in callouts:
        assert markups.xref_get_key(callout.xref, "IT") == ("name", "/FreeTextCallout")
        assert markups.xref_get_key(callout.xref, "RT") == ("name", "/Group")
        assert callout.info["title"] == AUTHOR


def test_a_move_has_its_old_outline_dashed_and_an_arrow_to_the_new_place(markups):
    page = markups.load_page(0)
    moved = next(change for change in CHANGES if change["kind"] == "moved")
    (arrow,) = annotations(page, "Line")
    start, end = arrow.vertices
    assert start[0] < end[0] and abs((end[0] - start[0]) - moved["offset"]["dx"]) < 1
    assert markups.xref_get_key(arrow.xref, "LE")[1] == "[/None/ClosedArrow]"
    before = [a for a in annotations(page, "Square") if a.info["subject"] == "Previous position"]
    assert len(before) == 1 and before[0].border["dashes"]
    assert before[0].rect.contains(pymupdf.Rect(moved["from_bbox"]))


def test_the_drawing_keeps_its_vector_content_untouched(markups):
    original = pymupdf.open(stream=new_revision_pdf(), filetype="pdf")
    for marked, source in zip(markups, original, strict=True):
        assert marked.read_contents() == source.read_contents()
        assert marked.get_images() == []
        assert {tuple(d["rect"]) for d in source.get_drawings()} <= {tuple(d["rect"]) for d in marked.get_drawings()}
        assert {w[:5] for w in source.get_text("words")} <= {w[:5] for w in marked.get_text("words")}


def test_a_sheet_that_could_not_be_aligned_gets_a_note_saying_why(markups):
    unaligned = markups.load_page(1)
    (note,) = annotations(unaligned, "Text")
    assert f"could not be aligned: {UNALIGNED_REASON}" in note.info["content"]
    assert not annotations(markups.load_page(2), "Text")


def test_a_png_revision_becomes_a_pdf_of_the_rendered_page_annotated_the_same_way(scene_input, tmp_path):
    png = tmp_path / "scan.png"
    buffer = io.BytesIO()
    Image.new("L", (2700, 1800), 255).save(buffer, format="PNG")
    png.write_bytes(buffer.getvalue())
    one_sheet = {**scene_input.machine_document, "sheets": scene_input.machine_document["sheets"][:1]}
    scanned = replace(scene_input, fetch_new_file=lambda: png, machine_document=one_sheet)
    out = write_markups(scanned, tmp_path / "m.pdf")
    with pymupdf.open(out) as pdf:
        (page,) = pdf
        assert (round(page.rect.width), round(page.rect.height)) == (1296, 864)
        assert len(page.get_images()) == 1
        assert sorted(clouds_by_id(page)) == [change["id"] for change in CHANGES]


def test_on_a_rotated_page_the_cloud_lands_where_the_change_is_displayed(tmp_path):
    pdf = pymupdf.open()
    pdf.new_page(width=612, height=792).set_rotation(90)
    source = tmp_path / "rotated.pdf"
    pdf.save(source)
    bbox = (100.0, 50.0, 200.0, 90.0)
    row = ChangeRow("S-1", "S-1", "S-1-1", "added", "", "", "", "", "", "", bbox, new_page=0)
    with pymupdf.open(annotate(source, [row], [], tmp_path / "out.pdf")) as marked:
        page = marked.load_page(0)
        cloud = annotations(page, "Square")[0]
        shown = cloud.rect * page.rotation_matrix
        assert shown.contains(pymupdf.Rect(bbox)) and shown.width > shown.height
