"""Comparing two revisions of a set: sheets paired by number, one pair at a time, failures visible per sheet."""

import dataclasses
import json
from pathlib import Path

import psutil
import pymupdf
import pytest

from buildtrace_assets.engine.compare import (
    DocumentAnalysis,
    analyze_document,
    compare_documents,
    pairs_at_once,
)
from buildtrace_assets.engine.contract import validate_changes
from buildtrace_assets.engine.errors import AnalysisMismatchError, BadInputError
from buildtrace_assets.samples import Truth, make_drawing_set, make_revision_pair
from buildtrace_assets.samples.render import write_pdf
from buildtrace_assets.samples.replot import IDENTITY
from buildtrace_assets.samples.scoring import score_report
from buildtrace_assets.samples.sheet import SheetSpec, draft_sheet

DRAWINGS = Path("/work/shared/data/drawings")


@pytest.fixture(scope="module")
def revision(tmp_path_factory):
    out = tmp_path_factory.mktemp("revision")
    pair = make_revision_pair(out / "in", seed=1, n_sheets=3)
    document = compare_documents(pair.old_path, pair.new_path, out / "result", dpi=100)
    return pair, document, out / "result"


def test_every_sheet_gets_the_status_the_generator_put_there(revision):
    pair, document, _ = revision
    truth = Truth.load(pair.truth_path)
    found = {(s["sheet_number"], s["status"]) for s in document["sheets"]}
    assert found == {(s.sheet_number, s.status) for s in truth.sheets}
    assert all(s["matched_by"] == "number" for s in document["sheets"])


def test_the_result_is_written_valid_with_overlays_and_crops_for_changed_sheets(revision):
    _, document, out = revision
    validate_changes(document)
    assert json.loads((out / "changes.json").read_text()) == document
    for sheet in document["sheets"]:
        if sheet["status"] == "unchanged":
            assert "overlay" not in sheet
            continue
        assert (out / sheet["overlay"]).is_file()
        for change in sheet["changes"]:
            assert change["id"].startswith(sheet["sheet_number"] + "-")
            assert (out / change["crops"]["old"]).is_file() and (out / change["crops"]["new"]).is_file()


def test_the_result_says_where_its_seconds_went_per_stage_and_per_compared_sheet(revision):
    _, document, _ = revision
    timings = document["timings"]
    assert {"open", "load", "render", "diff"} <= set(timings["stages"])
    compared = {sheet["key"] for sheet in document["sheets"] if sheet["status"] in ("modified", "unchanged")}
    assert set(timings["sheets"]) == compared
    assert timings["stages"]["load"] <= timings["total_s"]
    assert timings["process_s"] > 0


def test_a_file_compared_with_itself_has_no_changes(revision, tmp_path):
    pair, _, _ = revision
    document = compare_documents(pair.new_path, pair.new_path, tmp_path, dpi=72)
    assert {s["status"] for s in document["sheets"]} == {"unchanged"}


def test_an_inserted_sheet_is_added_and_the_rest_still_pair_by_number(tmp_path):
    old = _set(tmp_path / "old.pdf", ["A-101", "A-102"])
    new = _set(tmp_path / "new.pdf", ["A-100", "A-101", "A-102"])
    document = compare_documents(old, new, tmp_path / "out", dpi=72)
    rows = [(s["sheet_number"], s["old_page"], s["new_page"], s["status"]) for s in document["sheets"]]
    assert rows == [("A-100", None, 0, "added"), ("A-101", 0, 1, "unchanged"), ("A-102", 1, 2, "unchanged")]


def test_renumbered_and_retitled_sheets_still_pair_by_their_drawing(tmp_path):
    old = _set(tmp_path / "old.pdf", ["A-101", "A-102"])
    new = _set(tmp_path / "new.pdf", ["A-202", "A-201"], title="FLOOR")
    document = compare_documents(old, new, tmp_path / "out", dpi=72)
    rows = [(s["old_page"], s["new_page"], s["matched_by"]) for s in document["sheets"]]
    assert rows == [(1, 0, "visual"), (0, 1, "visual")]


def test_a_one_page_drawing_that_gained_a_title_block_is_compared_with_its_old_revision(tmp_path):
    sheet = draft_sheet(SheetSpec("B1", "BRACKET"), (1224.0, 792.0), seed=2)
    bare = dataclasses.replace(sheet, elements=tuple(e for e in sheet.elements if e.kind != "title_block"))
    write_pdf(tmp_path / "old.pdf", [bare], [IDENTITY.matrix(sheet.width, sheet.height)])
    write_pdf(tmp_path / "new.pdf", [sheet], [IDENTITY.matrix(sheet.width, sheet.height)])

    [row] = compare_documents(tmp_path / "old.pdf", tmp_path / "new.pdf", tmp_path / "out", dpi=72)["sheets"]

    assert (row["old_page"], row["new_page"], row["matched_by"], row["sheet_number"]) == (0, 0, "single_page", "B1")
    assert row["status"] == "modified" and "error" not in row and row["changes"]


def test_a_bad_page_is_reported_on_its_sheet_and_the_others_are_compared(tmp_path):
    old = _set(tmp_path / "old.pdf", ["A-101", "A-102"])
    new = _set(tmp_path / "new.pdf", ["A-101", "A-102"], huge_last=True)
    document = compare_documents(old, new, tmp_path / "out", dpi=72)
    first, second = document["sheets"]
    assert first["status"] == "unchanged"
    assert second["error"]["kind"] == "bad_page" and "in on a side" in second["error"]["message"]
    assert second["status"] != "unchanged"


def test_a_stored_analysis_round_trips_through_json_and_is_reused(tmp_path):
    path = _set(tmp_path / "set.pdf", ["A-101", "S-201"])
    analysis = analyze_document(path)
    restored = DocumentAnalysis.from_json(json.loads(json.dumps(analysis.to_json())))
    assert [p.sheet.number for p in restored.pages] == ["A-101", "S-201"]
    assert (restored.pages[0].thumbnail == analysis.pages[0].thumbnail).all()
    document = compare_documents(path, path, tmp_path / "out", dpi=72, old_analysis=restored, new_analysis=restored)
    assert [s["status"] for s in document["sheets"]] == ["unchanged", "unchanged"]


def test_an_analysis_of_another_file_is_refused(tmp_path):
    one = _set(tmp_path / "one.pdf", ["A-101"])
    other = _set(tmp_path / "other.pdf", ["A-102"])
    with pytest.raises(AnalysisMismatchError):
        compare_documents(one, one, tmp_path / "out", old_analysis=analyze_document(other))


@pytest.mark.skipif(not DRAWINGS.is_dir(), reason="real drawings not available")
@pytest.mark.parametrize("name", ["fixture_drawing_a4.pdf", "raster_LIU0010.jpg"])
def test_a_real_drawing_compared_with_itself_is_unchanged(name, tmp_path):
    document = compare_documents(DRAWINGS / name, DRAWINGS / name, tmp_path, dpi=72)
    assert [s["status"] for s in document["sheets"]] == ["unchanged"]


def _set(path: Path, numbers: list[str], *, huge_last: bool = False, title: str = "PLAN LEVEL") -> Path:
    """A small set: each sheet has a plan rectangle and its number in a bottom-right title block."""
    doc = pymupdf.open()
    for i, number in enumerate(numbers):
        width = 300 * 72 if huge_last and i == len(numbers) - 1 else 1224
        page = doc.new_page(width=width, height=792)
        shift = 40 * int(number[-1])  # the drawing depends on the sheet, not on its place in the set
        page.draw_rect(pymupdf.Rect(100 + shift, 100, 600, 500 - shift), color=(0, 0, 0), width=2)
        page.insert_text((width - 200, 700), "SHEET NO.", fontsize=8)
        page.insert_text((width - 200, 740), number, fontsize=28)
        page.insert_text((width - 200, 640), f"{title} {number[-1]}", fontsize=14)
    doc.save(path)
    return path


def test_when_one_version_cannot_be_opened_no_child_process_is_left_behind(tmp_path):
    good = _set(tmp_path / "old.pdf", ["A-101"])
    bad = tmp_path / "new.pdf"
    bad.write_bytes(b"%PDF-1.7\nnot really a pdf")
    before = {child.pid for child in psutil.Process().children()}
    with pytest.raises(BadInputError, match="not a readable PDF"):
        compare_documents(good, bad, tmp_path / "out", dpi=72)
    assert {child.pid for child in psutil.Process().children()} <= before
    assert not (tmp_path / "out" / "changes.json").exists()


def test_changed_values_on_a_scan_without_text_layer_are_read_whole_by_ocr(tmp_path):
    """Two dimensions and a note whose one changed glyph (``5/8"`` -> ``5/4"``) leaves too little ink for a region."""
    pair = make_revision_pair(tmp_path / "in", seed=8, n_sheets=1, scenario="text", scan="new", page_size=(1224, 792))
    document = compare_documents(pair.old_path, pair.new_path, tmp_path / "result", dpi=150)

    expected = {(c.old_text, c.new_text) for c in pair.truth.sheets[0].changes}
    assert ('5/8"', '5/4"') in expected and len(expected) == 3
    changes = document["sheets"][0]["changes"]
    assert {(c["old_text"], c["new_text"]) for c in changes} == expected
    assert {c["kind"] for c in changes} == {"modified"}


@pytest.mark.parametrize("seed", [1, 3])
def test_glyphs_changed_on_a_scan_are_found_and_scan_noise_under_unread_words_is_not(seed, tmp_path):
    """Every old word of a scanned revision is unread outside its title block; only real substitutions stand."""
    pair = make_revision_pair(tmp_path / "in", seed=seed, n_sheets=1, scenario="text", scan="new", page_size="TABLOID")
    document = compare_documents(pair.old_path, pair.new_path, tmp_path / "result", dpi=150)

    score = score_report(document, pair.truth)
    assert (score.recall, score.precision) == (1.0, 1.0)
    notes = {(c.old_text, c.new_text) for c in pair.truth.sheets[0].changes if c.edit == "note_text"}
    assert notes <= {(c["old_text"], c["new_text"]) for c in document["sheets"][0]["changes"]}


def test_parts_of_one_value_found_apart_on_scans_are_one_change_read_whole(tmp_path):
    """The fraction's ink and the digits' text changed; read apart they were ``42'-9`` and ``1/4"``."""
    pair = make_revision_pair(tmp_path / "in", seed=7, n_sheets=2, scenario="mixed", scan="both")
    document = compare_documents(pair.old_path, pair.new_path, tmp_path / "result", dpi=150)

    read = {(c["old_text"], c["new_text"]) for sheet in document["sheets"] for c in sheet["changes"]}
    assert ("41'-6\"", "42'-9 1/4\"") in read
    assert score_report(document, pair.truth).precision == 1.0


def test_arch_d_sheets_at_150_dpi_are_compared_two_pairs_at_once_larger_rasters_one(tmp_path):
    """Two pairs in flight hold twice the work arrays: fine for ARCH D at 150 DPI, not for ARCH E or 300 DPI."""
    arch_d = tmp_path / "arch_d.pdf"
    arch_e = tmp_path / "arch_e.pdf"
    for path, (width_in, height_in) in ((arch_d, (36, 24)), (arch_e, (48, 36))):
        doc = pymupdf.open()
        doc.new_page(width=width_in * 72, height=height_in * 72)
        doc.save(path)
    d, e = analyze_document(arch_d), analyze_document(arch_e)

    assert pairs_at_once((d, d), 150) == 2
    assert pairs_at_once((d, d), 300) == 1
    assert pairs_at_once((d, e), 150) == 1


def _twin_numbers(path: Path, *, edited: bool) -> Path:
    """Two sheets that both print A-101 (a plan and its enlarged plan), different drawings and titles."""
    doc = pymupdf.open()
    for n, title in enumerate(("FIRST FLOOR PLAN", "ENLARGED TOILET PLAN")):
        page = doc.new_page(width=1224, height=792)
        page.draw_rect(pymupdf.Rect(100 + 80 * n, 100, 600, 500 - 60 * n), width=2)
        page.insert_text((1024, 640), title, fontsize=14)
        page.insert_text((1024, 700), "SHEET NO.", fontsize=8)
        page.insert_text((1024, 740), "A-101", fontsize=28)
        if edited:
            page.draw_line((700, 200 + 100 * n), (900, 200 + 100 * n), width=2)
    doc.save(path)
    return path


def test_two_sheets_printing_one_number_keep_one_key_overlay_and_change_ids_each(tmp_path):
    old, new = _twin_numbers(tmp_path / "old.pdf", edited=False), _twin_numbers(tmp_path / "new.pdf", edited=True)

    document = compare_documents(old, new, tmp_path / "out", dpi=72)

    assert [sheet["key"] for sheet in document["sheets"]] == ["A-101", "A-101_2"]
    assert [sheet["overlay"] for sheet in document["sheets"]] == ["overlays/A-101.png", "overlays/A-101_2.png"]
    assert [[c["id"] for c in sheet["changes"]] for sheet in document["sheets"]] == [["A-101-1"], ["A-101_2-1"]]
    assert all((tmp_path / "out" / sheet["overlay"]).is_file() for sheet in document["sheets"])


def test_a_note_added_on_a_scan_reads_whole_though_its_words_are_printed_elsewhere_on_the_old_sheet(tmp_path):
    """The old sheet's text layer has EXISTING in another note 60 pt above; reading the added note's band of the scan
    against the whole old text layer paired the two EXISTINGs as a moved word and dropped it from the new text."""
    design = tmp_path / "design.pdf"
    make_drawing_set(design, 1, seed=3, page_size=(1224, 792))
    old_doc = pymupdf.open(design)
    old_doc[0].insert_text((830, 240), "2. EXISTING WALL TO REMAIN.", fontsize=8)
    old_doc.save(tmp_path / "old.pdf")
    old_doc[0].insert_text((830, 300), "9. VERIFY 3 EXISTING FLOOR DRAINS BEFORE DEMOLITION.", fontsize=8)
    old_doc[0].get_pixmap(dpi=200, colorspace=pymupdf.csGRAY).save(tmp_path / "new.png")

    document = compare_documents(tmp_path / "old.pdf", tmp_path / "new.png", tmp_path / "out", dpi=100)

    (sheet,) = document["sheets"]
    added = [change for change in sheet["changes"] if change["kind"] == "added"]
    assert [change["new_text"] for change in added] == ["9. VERIFY 3 EXISTING FLOOR DRAINS BEFORE DEMOLITION."]


def test_a_half_size_scan_is_read_as_finely_as_the_full_size_sheet(tmp_path):
    """The half-size scan's text is half as tall: OCR read at twice the resolution misreads no unchanged value
    (at the full-size resolution ``73'-3"`` read as ``73-3"`` and stood as a change)."""
    design = tmp_path / "design.pdf"
    make_drawing_set(design, 1, seed=3, page_size=(1224, 792))
    old = pymupdf.open(design)
    old[0].insert_text((830, 240), "PROVIDE 2 LAYERS GYP. BD. AT SHAFT WALLS.", fontsize=8)
    old.save(tmp_path / "old.pdf")
    revised = pymupdf.open(design)
    revised[0].insert_text((830, 240), "PROVIDE 3 LAYERS GYP. BD. AT SHAFT WALLS.", fontsize=8)
    half = pymupdf.open()
    page = half.new_page(width=612, height=396)
    page.show_pdf_page(page.rect, revised, 0)
    page.get_pixmap(dpi=300, colorspace=pymupdf.csGRAY).save(tmp_path / "new.png")

    document = compare_documents(tmp_path / "old.pdf", tmp_path / "new.png", tmp_path / "out", dpi=100)

    (sheet,) = document["sheets"]
    assert sheet["alignment"]["scale"] == pytest.approx(0.5, abs=0.002)
    assert [(c["kind"], c["old_text"], c["new_text"]) for c in sheet["changes"]] == [("modified", "2", "3")]
