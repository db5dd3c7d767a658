"""Reading the text of a change: which readings confirm a changed glyph."""

from collections.abc import Iterator
from typing import Any

import numpy as np
import pymupdf
import pytest

from buildtrace_assets.engine import change_text
from buildtrace_assets.engine.analysis import PageAnalysis
from buildtrace_assets.engine.change_text import _same_but_specks
from buildtrace_assets.engine.documents import Document, open_document
from buildtrace_assets.engine.model import Alignment, BBox, Change, SheetIdentity, Word
from buildtrace_assets.engine.pagediff import PageComparison


@pytest.mark.parametrize(("old", "new"), [("125", "125."), ("125", "|125"), (" 3000", "3000,")])
def test_a_speck_at_a_words_end_is_no_changed_glyph(old, new):
    assert _same_but_specks(old, new)


@pytest.mark.parametrize(("old", "new"), [("3000", "3080"), ("6'", '6"'), ("1.5", "15"), ("A-101", "A-102")])
def test_a_changed_character_is_a_changed_glyph(old, new):
    assert not _same_but_specks(old, new)


def _page(text_source: str) -> PageAnalysis:
    return PageAnalysis(0, 2592.0, 1728.0, 0, text_source, (), SheetIdentity(None, None, 0.0), thumbnail=None)


@pytest.fixture(scope="module")
def sheets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Document]]:
    """An ARCH D pair read by OCR: the old sheet has the value ``100`` beside where the new one has a long line."""
    folder = tmp_path_factory.mktemp("change-text")
    for side in ("old", "new"):
        pdf = pymupdf.open()
        page = pdf.new_page(width=2592, height=1728)
        if side == "old":
            page.insert_text((1010, 700), "100", fontsize=12)
        else:
            page.draw_line((1000.5, 600), (1000.5, 900), width=1)
        pdf.save(folder / f"{side}.pdf")
    documents = {side: open_document(folder / f"{side}.pdf") for side in ("old", "new")}
    yield documents
    for document in documents.values():
        document.close()


def _read_bands(
    monkeypatch: pytest.MonkeyPatch, sheets: dict[str, Document], changes: list[Change]
) -> tuple[list[Change], list[str]]:
    """The changes ``read_changed_text`` gives back on the two sheets, and the side of every band it read (the
    reading itself is Tesseract's)."""
    read: list[str] = []
    reading = change_text.ocr_band
    sides = {id(document): side for side, document in sheets.items()}

    def ocr_band(document: Document, index: int, band: BBox, **options: Any) -> tuple[Word, ...]:
        read.append(sides[id(document)])
        return reading(document, index, band, **options)

    monkeypatch.setattr(change_text, "ocr_band", ocr_band)
    comparison = PageComparison("A-101", Alignment(np.eye(2, 3), 1.0, True), changes, None, None, None)
    found = change_text.read_changed_text(comparison, (sheets["old"], sheets["new"]), (_page("ocr"), _page("ocr")))
    return found, read


def test_a_changed_straight_line_is_not_read_as_text(monkeypatch, sheets):
    line = Change("A-101-1", "added", (1000.0, 600.0, 1001.0, 900.0))
    found, read = _read_bands(monkeypatch, sheets, [line])
    assert read == []
    assert [(change.kind, change.bbox, change.old_text, change.new_text) for change in found] == [
        ("added", line.bbox, None, None)
    ]


@pytest.mark.parametrize(
    "bbox",
    [(1000.0, 600.0, 1001.5, 607.0), (1000.0, 600.0, 1006.0, 600.8), (1000.0, 600.0, 1004.0, 900.0)],
    ids=["a glyph's stem", "a hyphen", "a thick line"],
)
def test_ink_that_could_be_a_glyph_is_read_on_both_sides(monkeypatch, sheets, bbox):
    _, read = _read_bands(monkeypatch, sheets, [Change("A-101-1", "modified", bbox)])
    assert sorted(read) == ["new", "old"]


def test_a_line_that_must_be_read_to_stand_is_read(monkeypatch, sheets):
    line = Change("A-101-1", "added", (1000.0, 600.0, 1001.0, 900.0), needs_reading=True)
    found, read = _read_bands(monkeypatch, sheets, [line])
    assert sorted(read) == ["new", "old"]
    assert found == []  # the new side reads no text there, so the added change does not stand
