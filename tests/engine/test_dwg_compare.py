"""Comparing DWG revisions: against another DWG, a DXF edited from it, and its own PDF export."""

from pathlib import Path

import pytest
from ezdxf.addons.drawing import Frontend, RenderContext, config
from ezdxf.addons.drawing.layout import Page
from ezdxf.addons.drawing.pymupdf import PyMuPdfBackend
from fixtures.dwg import SHEET_NUMBER, sheet_dwg

from buildtrace_assets.engine.compare import compare_documents
from buildtrace_assets.engine.dwg import convert_dwg

DRAWINGS = Path("/work/shared/data/drawings")
needs_drawings = pytest.mark.skipif(not DRAWINGS.is_dir(), reason="real drawings not available")
DPI = 100


def edited_through_dxf(dwg: Path, out: Path) -> Path:
    """The DWG converted to DXF and edited there, as a drafter does in another CAD program: the note's text
    changed (NOTE 1 -> NOTE 2) and a circle added in an empty corner of the plan."""
    _, document = convert_dwg(dwg, min_share=0.9)
    (note,) = [text for text in document.modelspace().query("TEXT") if text.dxf.text == "NOTE 1"]
    note.dxf.text = "NOTE 2"
    document.modelspace().add_circle((240, 40), 15)
    document.saveas(out)
    return out


def pdf_export(dwg: Path, out: Path) -> Path:
    """The DWG's sheet plotted to PDF on its own paper size, text as outlines (as CAD plotters do by default)."""
    _, document = convert_dwg(dwg, min_share=0.9)
    layout = document.layouts.get("Layout1")
    backend = PyMuPdfBackend()
    settings = config.Configuration(
        background_policy=config.BackgroundPolicy.WHITE, color_policy=config.ColorPolicy.BLACK
    )
    Frontend(RenderContext(document), backend, config=settings).draw_layout(layout)
    out.write_bytes(backend.get_pdf_bytes(Page.from_dxf_layout(layout)))
    return out


def test_a_dxf_edited_from_the_dwg_shows_exactly_the_edits(tmp_path):
    old = sheet_dwg(tmp_path / "A-101.dwg")
    new = edited_through_dxf(old, tmp_path / "A-101-rev2.dxf")

    document = compare_documents(old, new, tmp_path / "out", dpi=DPI)

    (sheet,) = document["sheets"]
    assert (sheet["sheet_number"], sheet["status"], sheet["matched_by"]) == (SHEET_NUMBER, "modified", "number")
    texts = [(change["old_text"], change["new_text"]) for change in sheet["changes"] if change["old_text"]]
    assert texts == [("1", "2")] or texts == [("NOTE 1", "NOTE 2")]
    assert [change["kind"] for change in sheet["changes"]].count("added") == 1  # the circle
    assert len(sheet["changes"]) == 2


def test_a_dwg_and_its_own_pdf_export_are_the_same_sheet_unchanged(tmp_path):
    dwg = sheet_dwg(tmp_path / "A-101.dwg")
    pdf = pdf_export(dwg, tmp_path / "A-101.pdf")

    document = compare_documents(dwg, pdf, tmp_path / "out", dpi=DPI)

    (sheet,) = document["sheets"]
    assert (sheet["sheet_number"], sheet["status"], sheet["changes"]) == (SHEET_NUMBER, "unchanged", [])


def test_an_unchanged_dwg_saved_again_has_no_changes(tmp_path):
    document = compare_documents(
        sheet_dwg(tmp_path / "one.dwg"), sheet_dwg(tmp_path / "two.dwg"), tmp_path / "out", dpi=DPI
    )

    assert [(sheet["status"], sheet["changes"]) for sheet in document["sheets"]] == [("unchanged", [])]


@needs_drawings
def test_the_same_drawing_saved_as_2004_and_2018_has_no_changes(tmp_path):
    """The 2018 file keeps one curve as fit points with end tangents where the 2004 file keeps its control points
    (both drawn alike, see :meth:`dwg._Router._fit_tangents`); hatches are drawn from the pattern lines each file
    stores (the 2018 file's pattern names do not decode)."""
    document = compare_documents(
        DRAWINGS / "dwg_entities_AC1018.dwg", DRAWINGS / "dwg_entities_AC1032.dwg", tmp_path / "out", dpi=150
    )  # the pipeline's resolution: finer than 100 dpi, where a misdrawn small curve would fall within the tolerance

    (sheet,) = document["sheets"]
    assert (sheet["status"], sheet["changes"]) == ("unchanged", [])
