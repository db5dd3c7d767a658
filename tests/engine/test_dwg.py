"""DWG drawings: recognised by content, converted to DXF in the sandbox, what the conversion loses said, bad files
refused with a reason."""

import re
from pathlib import Path

import pytest
from fixtures.dwg import (
    A3_MM,
    SHEET_NUMBER,
    SHEET_TITLE,
    model_dwg,
    nested_blocks_dwg,
    password_protected,
    sheet_dwg,
    with_version,
)

from buildtrace_assets.config import get_settings
from buildtrace_assets.engine import dwg
from buildtrace_assets.engine.compare import DocumentAnalysis, analyze_document
from buildtrace_assets.engine.documents import open_document
from buildtrace_assets.engine.errors import BadInputError, UnsupportedFormatError

DRAWINGS = Path("/work/shared/data/drawings")
needs_drawings = pytest.mark.skipif(not DRAWINGS.is_dir(), reason="real drawings not available")
MM_TO_PT = 72 / 25.4


def test_a_dwg_is_read_as_dwg_whatever_its_name(tmp_path):
    path = sheet_dwg(tmp_path / "plan.pdf")
    with open_document(path) as doc:
        assert doc.kind == "dwg" and doc.file_type.content_type == "image/vnd.dwg"


def test_a_paper_space_sheet_is_a_page_of_its_paper_size_showing_its_viewport(tmp_path):
    with open_document(sheet_dwg(tmp_path / "sheet.dwg")) as doc:
        (page,) = doc.pages
        assert page.name == "Layout1"
        assert (page.width_pt, page.height_pt) == pytest.approx((A3_MM[0] * MM_TO_PT, A3_MM[1] * MM_TO_PT), abs=1)
        image = doc.render(0, 50)
        height, width = image.shape
        plan = image[height // 4 : height * 3 // 4, width // 5 : width // 2]  # the viewport's window on the sheet
        assert (plan < 200).mean() > 0.01


def test_the_title_block_attributes_name_the_sheet_without_ocr(tmp_path):
    analysis = analyze_document(sheet_dwg(tmp_path / "sheet.dwg"))
    (page,) = analysis.pages
    assert page.text_source == "text_layer"
    assert (page.sheet.number, page.sheet.title) == (SHEET_NUMBER, SHEET_TITLE)
    assert "NOTE" in {word.text for word in page.words}  # model-space text seen through the viewport


def test_the_words_sit_on_their_ink(tmp_path):
    with open_document(sheet_dwg(tmp_path / "sheet.dwg")) as doc:
        image = doc.render(0, 72)
        for word in doc.text_layer_words(0):
            x0, y0, x1, y1 = (round(value) for value in word.bbox)
            assert (image[y0:y1, x0:x1] < 128).any(), word


def test_model_space_is_the_page_when_there_is_no_sheet(tmp_path):
    with open_document(model_dwg(tmp_path / "model.dwg")) as doc:
        assert [page.name for page in doc.pages] == ["Model"]
        assert (doc.render(0, 20) < 200).any()


@pytest.mark.parametrize(
    ("magic", "reason"),
    [
        ("AC1009", "a DWG of AutoCAD R11/R12 (AC1009), older than the versions that can be read"),
        ("AC1006", "a DWG of AutoCAD R10 (AC1006), older than"),
        ("AC1033", "a DWG of version AC1033, newer than the versions that can be read"),
    ],
)
def test_dwg_versions_the_converter_cannot_read_are_refused_with_the_version_named(tmp_path, magic, reason):
    path = tmp_path / "old.dwg"
    path.write_bytes(with_version(sheet_dwg(tmp_path / "sheet.dwg").read_bytes(), magic))
    with pytest.raises(UnsupportedFormatError, match=re.escape(reason)):
        open_document(path)


def test_a_password_protected_dwg_is_refused_before_any_converter_reads_it(tmp_path):
    path = tmp_path / "secret.dwg"
    path.write_bytes(password_protected(sheet_dwg(tmp_path / "sheet.dwg").read_bytes()))
    with pytest.raises(UnsupportedFormatError, match="password-protected DWG"):
        open_document(path)


@pytest.mark.parametrize("damage", ["truncated", "scrambled"])
def test_a_damaged_dwg_is_bad_input_with_the_converters_reason(tmp_path, damage):
    data = sheet_dwg(tmp_path / "sheet.dwg").read_bytes()
    path = tmp_path / "damaged.dwg"
    path.write_bytes(data[: len(data) // 3] if damage == "truncated" else data[:32] + bytes(len(data) - 32))
    with pytest.raises(BadInputError, match=r"damaged\.dwg: not a readable DWG \(format error"):
        open_document(path)


def test_nested_blocks_that_would_draw_billions_are_refused_before_drawing(tmp_path):
    path = nested_blocks_dwg(tmp_path / "bomb.dwg", depth=8, fanout=10)  # 10**9 lines from a few KB
    assert path.stat().st_size < 20_000
    with pytest.raises(BadInputError, match="block references expand to over 5,000,000 entities"):
        open_document(path)


def test_a_drawing_reaching_far_beyond_any_site_is_refused(tmp_path):
    with pytest.raises(BadInputError, match=r"reaches 1e\+11 units from its origin"):
        open_document(model_dwg(tmp_path / "far.dwg", reach=1e11))


def test_more_entities_than_the_limit_are_refused_before_converting(tmp_path, monkeypatch):
    monkeypatch.setattr(dwg, "MAX_DWG_ENTITIES", 50)
    # 60 lines and a circle, and the BLOCK and ENDBLK records of model and paper space
    with pytest.raises(BadInputError, match="holds 65 entity records"):
        dwg.convert_dwg(model_dwg(tmp_path / "many.dwg", lines=60), min_share=0.9)


@needs_drawings
def test_what_the_conversion_cannot_carry_is_counted_per_version():
    analysis = analyze_document(DRAWINGS / "dwg_entities_AC1018.dwg")
    by_kind = {warning["kind"]: warning for warning in analysis.warnings}
    assert by_kind["unsupported_entities"]["count"] == 3
    assert "2 3DSOLID, 1 REGION" in by_kind["unsupported_entities"]["message"]
    assert by_kind["failed_entities"]["message"] == "1 entity that could not be converted is missing (1 MTEXT)"
    assert by_kind["unsupported_entities"]["pages"] == [0]  # model space: the one page
    assert DocumentAnalysis.from_json(analysis.to_json()).warnings == analysis.warnings


@needs_drawings
def test_a_conversion_keeping_less_than_the_configured_share_is_refused_with_the_reason(monkeypatch):
    monkeypatch.setenv("BUILDTRACE_DWG_MIN_CARRIED_SHARE", "0.99")
    get_settings.cache_clear()
    try:
        with pytest.raises(BadInputError, match=r"keeps only 313 of 339 entities \(92%; at least 99% is required\)"):
            open_document(DRAWINGS / "dwg_entities_AC1032.dwg")
    finally:
        monkeypatch.delenv("BUILDTRACE_DWG_MIN_CARRIED_SHARE")
        get_settings.cache_clear()


@needs_drawings
def test_a_curve_kept_as_fit_points_and_tangents_is_the_curve_kept_as_control_points():
    """The 2018 file keeps one spline as two fit points and end tangents, the 2004 file as four control points."""

    def splines(name: str) -> list[list[tuple[float, ...]]]:
        _, document = dwg.convert_dwg(DRAWINGS / name, min_share=0.0)
        return [
            [tuple(round(float(value), 6) + 0.0 for value in point) for point in spline.control_points]
            for spline in document.modelspace().query("SPLINE")
        ]

    from_control_points, from_fit_data = splines("dwg_entities_AC1018.dwg"), splines("dwg_entities_AC1032.dwg")
    assert len(from_fit_data) == 2 and all(len(points) == 4 for points in from_fit_data)
    assert from_fit_data == from_control_points
