"""Sheets as CAD programs export them: text drawn as paths (no text layer at all), or a survey dense with text."""

import pymupdf
import pytest

from buildtrace_assets.samples.cad_export import ARCH_D_PT, make_cad_pair


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    out = tmp_path_factory.mktemp("cad")
    return {sheet: make_cad_pair(out / sheet, sheet, seed=1) for sheet in ("text_as_paths", "survey")}


def _words(path):
    with pymupdf.open(path) as doc:
        assert doc.page_count == 1
        page = doc[0]
        assert (page.rect.width, page.rect.height) == pytest.approx(ARCH_D_PT)
        return [word[4] for word in page.get_text("words")], len(page.get_drawings())


def test_a_sheet_plotted_from_cad_has_its_text_as_ink_and_no_text_layer(pairs):
    words, drawings = _words(pairs["text_as_paths"].old_path)
    assert words == []
    assert drawings > 100


def test_a_survey_sheet_carries_a_dense_text_layer(pairs):
    words, _ = _words(pairs["survey"].old_path)
    assert len(words) >= 150
    assert {"SHEET", "V-101"} <= set(words)


def test_the_revision_edits_labels_and_adds_one(pairs):
    old, _ = _words(pairs["survey"].old_path)
    new, _ = _words(pairs["survey"].new_path)
    assert "ESMT" in new and "ESMT" not in old
    assert pairs["survey"].edited_labels == 7
    assert old != new
