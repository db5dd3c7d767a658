"""Reading the text of a change: which readings confirm a changed glyph."""

import numpy as np
import pytest

from buildtrace_assets.engine import change_text
from buildtrace_assets.engine.analysis import PageAnalysis
from buildtrace_assets.engine.change_text import _same_but_specks
from buildtrace_assets.engine.model import Alignment, Change, SheetIdentity, Word
from buildtrace_assets.engine.pagediff import PageComparison


@pytest.mark.parametrize(("old", "new"), [("125", "125."), ("125", "|125"), (" 3000", "3000,")])
def test_a_speck_at_a_words_end_is_no_changed_glyph(old, new):
    assert _same_but_specks(old, new)


@pytest.mark.parametrize(("old", "new"), [("3000", "3080"), ("6'", '6"'), ("1.5", "15"), ("A-101", "A-102")])
def test_a_changed_character_is_a_changed_glyph(old, new):
    assert not _same_but_specks(old, new)


def _page(text_source: str) -> PageAnalysis:
    return PageAnalysis(0, 2592.0, 1728.0, 0, text_source, (), SheetIdentity(None, None, 0.0), thumbnail=None)


def _read_bands(monkeypatch, changes: list[Change]) -> tuple[list[Change], list[tuple]]:
    """The changes ``read_changed_text`` gives back on two OCR'd pages, and every band it read (side by side)."""
    read: list[tuple] = []

    def ocr_band(document, index, band, **options):
        read.append((document, band))
        return (Word("100", (band[0] + 50, band[1] + 10, band[0] + 60, band[1] + 14)),) if document == "old" else ()

    monkeypatch.setattr(change_text, "ocr_band", ocr_band)
    comparison = PageComparison("A-101", Alignment(np.eye(2, 3), 1.0, True), changes, None, None, None)
    found = change_text.read_changed_text(comparison, ("old", "new"), (_page("ocr"), _page("ocr")))
    return found, read


def test_a_changed_straight_line_is_not_read_as_text(monkeypatch):
    line = Change("A-101-1", "added", (1000.0, 600.0, 1001.0, 900.0))
    found, read = _read_bands(monkeypatch, [line])
    assert read == []
    assert [(change.kind, change.bbox, change.old_text, change.new_text) for change in found] == [
        ("added", line.bbox, None, None)
    ]


@pytest.mark.parametrize(
    "bbox",
    [(1000.0, 600.0, 1001.5, 607.0), (1000.0, 600.0, 1006.0, 600.8), (1000.0, 600.0, 1004.0, 900.0)],
    ids=["a glyph's stem", "a hyphen", "a thick line"],
)
def test_ink_that_could_be_a_glyph_is_read_on_both_sides(monkeypatch, bbox):
    _, read = _read_bands(monkeypatch, [Change("A-101-1", "modified", bbox)])
    assert sorted(side for side, _ in read) == ["new", "old"]


def test_a_line_that_must_be_read_to_stand_is_read(monkeypatch):
    line = Change("A-101-1", "added", (1000.0, 600.0, 1001.0, 900.0), needs_reading=True)
    found, read = _read_bands(monkeypatch, [line])
    assert sorted(side for side, _ in read) == ["new", "old"]
    assert found == []  # the new side read no text there, so the change does not stand
