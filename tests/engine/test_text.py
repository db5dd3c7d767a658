"""Text: the PDF text layer when it is usable, OCR of the title block (or the full page) when not."""

import csv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pymupdf
import pytest
import tesserocr
from PIL import Image, ImageDraw, ImageFont

from buildtrace_assets.engine import text
from buildtrace_assets.engine.documents import open_document
from buildtrace_assets.engine.errors import OcrError
from buildtrace_assets.engine.model import Word
from buildtrace_assets.engine.text import (
    ocr_image,
    ocr_region,
    ocr_title_block,
    page_text,
    text_extent,
    text_only,
    title_block_regions,
    usable_text_layer,
)
from buildtrace_assets.samples.cad_export import ARCH_D_PT, Label, Scene, write_paths_pdf

DRAWINGS = Path("/work/shared/data/drawings")


def test_a_page_with_a_text_layer_uses_it(tmp_path):
    doc = pymupdf.open()
    page = doc.new_page(width=1224, height=792)
    page.insert_text((800, 740), "SHEET A-101 FIRST FLOOR", fontsize=20)
    doc.save(tmp_path / "vector.pdf")
    with open_document(tmp_path / "vector.pdf") as document:
        text = page_text(document, 0)
    assert text.source == "text_layer"
    assert [w.text for w in text.words] == ["SHEET", "A-101", "FIRST", "FLOOR"]


def _scan_with_title_block(path: Path) -> Path:
    """A 200 dpi 'scan' (no text layer) with the sheet number at the bottom right."""
    image = Image.new("L", (2200, 1400), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, 1200, 900), outline=0, width=4)
    draw.text((1850, 1250), "A-101", fill=0, font=ImageFont.load_default(size=60))
    image.save(path, dpi=(200, 200))
    return path


def test_a_page_without_text_layer_is_read_by_ocr_in_the_title_block(tmp_path):
    with open_document(_scan_with_title_block(tmp_path / "scan.png")) as document:
        text = page_text(document, 0)
    assert text.source == "ocr"
    (word,) = [w for w in text.words if w.text == "A-101"]
    assert word.bbox[0] == pytest.approx(1850 * 72 / 200, abs=6)  # points, not pixels
    assert word.bbox[1] == pytest.approx(1250 * 72 / 200, abs=12)


def test_a_text_layer_of_unmapped_glyphs_is_not_usable():
    assert not usable_text_layer((Word("\ufffd\ufffd", (0, 0, 1, 1)),) * 5)


def test_ocr_boxes_are_offset_by_the_region_origin():
    image = np.full((120, 500), 255, np.uint8)
    pil = Image.fromarray(image)
    ImageDraw.Draw(pil).text((20, 30), "REVISION", fill=0, font=ImageFont.load_default(size=48))
    words = ocr_image(np.asarray(pil), 144, origin=(100.0, 200.0))
    assert [w.text for w in words] == ["REVISION"]
    assert words[0].bbox[0] == pytest.approx(100 + 20 / 2, abs=3)


def _notes(lines: int, text: str) -> np.ndarray:
    image = np.full((40 * lines + 20, 900), 255, np.uint8)
    for line in range(lines):
        cv2.putText(image, f"{text} {line + 1}", (10, 40 * (line + 1)), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    return image


def test_ocr_uses_the_system_tesseract_the_engine_is_tuned_on():
    """tesserocr's wheels bundle a newer Tesseract that reads low-confidence words differently; the Makefile builds
    it from source against Debian's libtesseract 5.3, the one the confidence threshold and the tests are tuned on."""
    assert tesserocr.tesseract_version().startswith("tesseract 5.3.")


def test_two_threads_reading_at_once_read_what_each_reads_alone():
    images = [_notes(3, "VERIFY EXISTING DRAIN"), _notes(2, "NEW DOOR D-20"), _notes(4, "PATCH WALL")] * 2
    alone = [ocr_image(image, 200) for image in images]
    with ThreadPoolExecutor(2) as readers:
        together = list(readers.map(lambda image: ocr_image(image, 200), images))
    assert together == alone
    assert [w.text for w in alone[1]] == ["NEW", "DOOR", "D-20", "1", "NEW", "DOOR", "D-20", "2"]


def test_ocr_that_outlasts_its_timeout_is_an_ocr_error():
    with pytest.raises(OcrError, match="no result within"):
        ocr_image(_notes(12, "VERIFY DIMENSIONS AT SITE BEFORE"), 200, timeout_s=0.001)


def _dimension(value: str, size: int) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """A dimension as plotted: its value above the dimension line, ticks at both ends, dashed extension lines;
    and the box of the value's ink."""
    pil = Image.new("L", (340, 90), 255)
    draw = ImageDraw.Draw(pil)
    draw.text((115, 33), value, fill=0, font=ImageFont.load_default(size=size))
    value_box = draw.textbbox((115, 33), value, font=ImageFont.load_default(size=size))
    draw.line((0, 58, 320, 58), fill=0, width=2)
    for x in (22, 300):
        draw.line((x - 10, 66, x + 10, 50), fill=0, width=4)
        for y in range(0, 90, 34):
            draw.line((x, y, x, y + 24), fill=0, width=2)
    return np.asarray(pil), value_box


def test_a_dimensions_linework_is_whitened_and_its_value_kept_and_enlarged_to_tesseracts_glyph_height():
    image, (x0, y0, x1, y1) = _dimension("11'-1 1/8\"", 19)

    text, enlarged = text_only(image)

    assert 1.0 < enlarged <= 2.0
    back = cv2.resize(text, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_AREA)
    outside = np.ones(image.shape, bool)
    outside[y0 - 2 : y1 + 2, x0 - 2 : x1 + 2] = False
    assert (back[outside] > 160).all(), "dimension line, ticks and extension lines are gone"
    inked = (image[y0:y1, x0:x1] < 128).sum()
    assert (back[y0:y1, x0:x1] < 128).sum() >= 0.8 * inked, "the value's glyphs are kept"


def test_text_already_as_tall_as_tesseract_reads_best_is_neither_enlarged_nor_changed():
    image = np.full((160, 700), 255, np.uint8)
    cv2.putText(image, "SHEET A-101", (10, 100), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3)
    text, enlarged = text_only(image)
    assert enlarged == 1.0
    assert text is image


def test_title_block_regions_cover_the_right_strip_and_bottom_band():
    strip, band = title_block_regions(1000, 500)
    assert strip == (800, 0, 1000, 500) and band == (500, 400, 800, 500)


@pytest.mark.skipif(not DRAWINGS.is_dir(), reason="real drawings not available")
def test_real_raster_drawing_is_read_by_full_page_ocr():
    truth = {row[-1].strip() for row in csv.reader((DRAWINGS / "raster_Gripper.ocr_truth.csv").open()) if row}
    with open_document(DRAWINGS / "raster_Gripper.jpg") as document:
        text = page_text(document, 0, ocr="full")
    assert text.source == "ocr"
    assert {w.text for w in text.words} & truth


def _framed_sheet_with_title(path: Path, revision: str = "1") -> Path:
    """An ARCH D sheet plotted from CAD (every glyph a path, no text layer): a border, a title block's frame and
    rulings with its title and number, and a revision mark in the bottom band."""
    width, height = ARCH_D_PT
    lines = [(36, 36, width - 36, 36), (36, height - 36, width - 36, height - 36)]
    lines += [(36, 36, 36, height - 36), (width - 36, 36, width - 36, height - 36)]
    lines += [
        (width - 400, height - 230, width - 36, height - 230),
        (width - 400, height - 230, width - 400, height - 36),
    ]
    labels = (
        Label("FIRST FLOOR PLAN", width - 384, height - 190, 14.0),
        Label("SHEET A-101", width - 384, height - 150, 12.0),
        Label(f"REV {revision}", width * 0.6, height - 60, 12.0),
    )
    write_paths_pdf(Scene(tuple(lines), labels), path)
    return path


def test_a_region_is_cropped_to_its_text_and_margin_leaving_out_frame_rulings_and_paper():
    image = np.full((2000, 600), 255, np.uint8)
    cv2.rectangle(image, (5, 5), (594, 1994), 0, 3)  # the sheet's border
    cv2.line(image, (5, 1500), (594, 1500), 0, 2)  # a ruling
    cv2.putText(image, "A-101", (200, 1700), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 0, 4)

    x0, y0, x1, y1 = text_extent(image, 200)

    margin = text.TEXT_MARGIN_PT * 200 / 72
    assert 200 - margin - 8 <= x0 <= 200 - margin + 8
    assert 1700 - 60 - margin - 8 <= y0 and y1 <= 1700 + margin + 16
    assert (y1 - y0) * (x1 - x0) < 0.25 * image.size


def test_a_region_of_paper_and_rulings_only_has_no_text_to_read():
    image = np.full((800, 600), 255, np.uint8)
    cv2.rectangle(image, (5, 5), (594, 794), 0, 3)
    assert text_extent(image, 200) is None


def test_a_title_block_read_from_its_cropped_text_reads_what_the_whole_region_reads(tmp_path):
    with open_document(_framed_sheet_with_title(tmp_path / "sheet.pdf")) as document:
        regions = title_block_regions(*ARCH_D_PT)
        cropped = ocr_title_block(document, 0, regions)
        whole = [ocr_region(document, 0, region) for region in regions]
    assert [sorted(w.text for w in words) for words in cropped] == [sorted(w.text for w in words) for words in whole]
    assert "A-101" in [w.text for w in cropped[0]]
    for mine, theirs in zip(cropped, whole, strict=True):
        for word, same in zip(sorted(mine, key=lambda w: w.text), sorted(theirs, key=lambda w: w.text), strict=True):
            assert word.bbox == pytest.approx(same.bbox, abs=1.0)  # points, a pixel or two at 200 dpi


def _counted_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, ...]]:
    """The shape of every image Tesseract is given from now on, with no title block remembered yet."""
    reads: list[tuple[int, ...]] = []
    recognized = text._recognized
    monkeypatch.setattr(text, "_recognized", lambda *args: reads.append(args[1].shape) or recognized(*args))
    monkeypatch.setattr(text, "_SHARED_READS", text._SharedReads(text.READS_KEPT))
    return reads


def test_two_versions_with_the_same_title_block_have_it_read_once(tmp_path, monkeypatch):
    reads = _counted_reads(monkeypatch)
    paths = [_framed_sheet_with_title(tmp_path / f"v{n}.pdf") for n in (1, 2)]
    with open_document(paths[0]) as old, open_document(paths[1]) as new, ThreadPoolExecutor(2) as analyses:
        old_words, new_words = analyses.map(lambda document: page_text(document, 0).words, (old, new))
    assert len(reads) == 1
    assert old_words == new_words and "A-101" in [w.text for w in new_words]


def test_a_changed_title_block_is_read_for_each_version(tmp_path, monkeypatch):
    reads = _counted_reads(monkeypatch)
    old, new = (_framed_sheet_with_title(tmp_path / f"v{n}.pdf", revision=str(n)) for n in (1, 2))
    with open_document(old) as first, open_document(new) as second:
        words = [page_text(document, 0).words for document in (first, second)]
    assert len(reads) == 2
    assert "1" in [w.text for w in words[0]] and "2" in [w.text for w in words[1]]
