"""Loading drawings: every format becomes pages of known size, rendered one at a time; bad files fail cleanly."""

from pathlib import Path

import ezdxf
import numpy as np
import pymupdf
import pytest
from fixtures.files import dxf_bytes, png_header_only
from PIL import Image

from buildtrace_assets.engine.documents import DEFAULT_IMAGE_DPI, image_dpi, open_document
from buildtrace_assets.engine.errors import BadInputError, BadPageError, TooManyPixelsError

DRAWINGS = Path("/work/shared/data/drawings")
needs_drawings = pytest.mark.skipif(not DRAWINGS.is_dir(), reason="real drawings not available")


def _pdf(path: Path, sizes: list[tuple[float, float]], *, rotate: int = 0, text: str = "A-101") -> Path:
    doc = pymupdf.open()
    for width, height in sizes:
        page = doc.new_page(width=width, height=height)
        page.draw_rect(pymupdf.Rect(100, 100, 200, 150), color=(0, 0, 0), width=2)
        page.insert_text((100, 80), text, fontsize=20)
        if rotate:
            page.set_rotation(rotate)
    doc.save(path)
    return path


def test_a_vector_pdf_set_has_one_page_per_sheet_with_sizes_in_points(tmp_path):
    path = _pdf(tmp_path / "set.pdf", [(2592, 1728), (1224, 792)])
    with open_document(path) as doc:
        assert doc.kind == "pdf"
        assert [(p.width_pt, p.height_pt) for p in doc.pages] == [(2592, 1728), (1224, 792)]
        image = doc.render(1, 72)
        assert image.shape == (792, 1224) and image.dtype == np.uint8
        assert image[125, 100] < 128 and image[400, 600] == 255


def test_a_rotated_page_is_used_as_displayed(tmp_path):
    path = _pdf(tmp_path / "rotated.pdf", [(600, 400)], rotate=90)
    with open_document(path) as doc:
        info = doc.pages[0]
        assert (info.width_pt, info.height_pt, info.rotation) == (400, 600, 90)
        image = doc.render(0, 72)
        assert image.shape == (600, 400)
        (word,) = doc.text_layer_words(0)
        x0, y0, x1, y1 = word.bbox
        assert word.text == "A-101" and x1 - x0 < y1 - y0  # the word now runs down the page
        assert (image[int(y0) : int(y1), int(x0) : int(x1)] < 128).any()


def test_a_clip_renders_only_that_region(tmp_path):
    path = _pdf(tmp_path / "clip.pdf", [(600, 400)])
    with open_document(path) as doc:
        image = doc.render(0, 144, clip=(100, 100, 200, 150))
        assert image.shape == (100, 200)
        assert image[0, :].max() < 128  # the rectangle's top edge


def _counted_renders(doc, monkeypatch) -> list[tuple]:
    """Every render request that reaches the document's child from now on."""
    requests: list[tuple] = []
    call = doc._sandbox.call
    monkeypatch.setattr(doc._sandbox, "call", lambda method, *args: requests.append(args) or call(method, *args))
    return requests


def test_a_page_rendered_ahead_is_the_render_that_asks_for_it_and_is_rendered_once(tmp_path, monkeypatch):
    path = _pdf(tmp_path / "set.pdf", [(600, 400), (600, 400)])
    with open_document(path) as doc:
        expected = doc.render(1, 72)
        requests = _counted_renders(doc, monkeypatch)
        doc.render_ahead(1, 72)
        assert np.array_equal(doc.render(1, 72), expected)
        assert requests == [(1, 72.0, None)]
        doc.render(1, 72)  # taken once: asked again, it is rendered again
        assert len(requests) == 2


def test_a_render_of_anything_else_is_rendered_and_drops_the_page_rendered_ahead(tmp_path, monkeypatch):
    path = _pdf(tmp_path / "set.pdf", [(600, 400)])
    with open_document(path) as doc:
        requests = _counted_renders(doc, monkeypatch)
        doc.render_ahead(0, 72)
        assert doc.render(0, 144, clip=(100, 100, 200, 150)).shape == (100, 200)
        assert doc.render(0, 36).shape == (200, 300)
        doc.render(0, 72)
        # the page ahead renders on a thread of its own, so it may reach the child before or after the clip
        assert sorted(requests, key=repr) == sorted(
            [(0, 72.0, None), (0, 144.0, (100, 100, 200, 150)), (0, 36.0, None), (0, 72.0, None)], key=repr
        )


def test_a_page_that_cannot_be_rendered_ahead_is_reported_by_the_render_that_asks_for_it(tmp_path):
    path = _pdf(tmp_path / "big.pdf", [(190 * 72, 190 * 72)])
    with open_document(path) as doc:
        doc.render_ahead(0, 600)
        with pytest.raises(BadPageError, match="megapixels"):
            doc.render(0, 600)


def test_an_image_page_size_comes_from_its_recorded_dpi(tmp_path):
    path = tmp_path / "scan.png"
    Image.new("L", (900, 600), 255).save(path, dpi=(300, 300))
    with open_document(path) as doc:
        assert doc.kind == "image"
        assert (doc.pages[0].width_pt, doc.pages[0].height_pt) == pytest.approx((216, 144), abs=0.01)
        assert doc.render(0, 150).shape == (300, 450)


def test_screen_default_or_missing_dpi_falls_back_to_the_default():
    assert image_dpi(None) == image_dpi((72, 72)) == image_dpi((96, 96)) == DEFAULT_IMAGE_DPI
    assert image_dpi((300, 300)) == 300


def test_a_jpeg_without_dpi_is_placed_at_the_default_dpi(tmp_path):
    path = tmp_path / "photo.jpg"
    Image.new("RGB", (1500, 750), "white").save(path)
    with open_document(path) as doc:
        assert doc.pages[0].width_pt == pytest.approx(1500 * 72 / DEFAULT_IMAGE_DPI)


def test_a_decompression_bomb_is_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(png_header_only(60000, 60000))
    with pytest.raises(TooManyPixelsError, match=r"bomb.png: an image of 60,000 x 60,000 pixels"):
        open_document(path)


@pytest.mark.parametrize("binary", [False, True], ids=["ascii", "binary"])
def test_a_dxf_is_read_as_dxf_whatever_its_name(tmp_path, binary):
    path = tmp_path / "plan.pdf"
    path.write_bytes(dxf_bytes(binary))
    with open_document(path) as doc:
        assert doc.kind == "dxf" and doc.page_count == 1
        assert doc.render(0, 10).min() < 200


def test_a_pdf_with_junk_before_its_header_is_read(tmp_path):
    path = tmp_path / "set.pdf"
    path.write_bytes(b"\x00" * 500 + _pdf(tmp_path / "clean.pdf", [(600, 400)]).read_bytes())
    with open_document(path) as doc:
        assert doc.kind == "pdf" and doc.page_count == 1
        assert doc.render(0, 72)[125, 100] < 128


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n this is not a pdf at all", "PDF"),
        (b"hello, I am a text file", "not a PDF, PNG, JPEG, DXF or DWG file"),
        (b"\xff\xd8\xff\xe0 broken jpeg", "JPEG with a damaged header"),
        (png_header_only(40, 30)[:33] + b"not image data", "not a readable image"),
    ],
    ids=["pdf", "text", "jpeg-header", "png-data"],
)
def test_unusable_files_raise_bad_input_with_a_one_line_reason(tmp_path, content, message):
    path = tmp_path / "input.bin"
    path.write_bytes(content)
    with pytest.raises(BadInputError, match=message) as caught:
        open_document(path)
    assert "\n" not in str(caught.value)
    assert str(tmp_path) not in str(caught.value) and " at 0x" not in str(caught.value)


def test_a_missing_file_is_bad_input_named_without_its_folder(tmp_path):
    with pytest.raises(BadInputError, match=r"^nothing.pdf: no such file$"):
        open_document(tmp_path / "nothing.pdf")


def test_a_password_protected_pdf_is_refused(tmp_path):
    doc = pymupdf.open()
    doc.new_page()
    path = tmp_path / "locked.pdf"
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    with pytest.raises(BadInputError, match="password-protected"):
        open_document(path)


def test_a_pdf_without_pages_is_refused(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    with pytest.raises(BadInputError, match="no pages"):
        open_document(path)


def test_an_oversized_page_is_a_bad_sheet_while_the_rest_of_the_set_renders(tmp_path):
    path = _pdf(tmp_path / "huge.pdf", [(612, 792), (300 * 72, 100)])
    with open_document(path) as doc:
        assert doc.pages[0].error is None
        assert "300 in on a side" in doc.pages[1].error
        with pytest.raises(BadPageError, match="page 2"):
            doc.render(1, 150)
        assert doc.render(0, 36).shape == (396, 306)


def test_a_render_over_the_pixel_budget_is_refused(tmp_path):
    path = _pdf(tmp_path / "big.pdf", [(190 * 72, 190 * 72)])
    with open_document(path) as doc, pytest.raises(BadPageError, match="megapixels"):
        doc.render(0, 600)


def test_a_dxf_modelspace_is_one_page_of_black_lines_on_white(tmp_path):
    dxf = ezdxf.new()
    dxf.modelspace().add_line((0, 0), (1000, 500))
    dxf.modelspace().add_circle((500, 250), 100)
    path = tmp_path / "plan.dxf"
    dxf.saveas(path)
    with open_document(path) as doc:
        assert doc.kind == "dxf" and doc.page_count == 1
        image = doc.render(0, 20)
        assert image.max() == 255 and image.min() < 200
        assert (image == 255).mean() > 0.9


def test_a_dxf_that_does_not_parse_is_bad_input(tmp_path):
    path = tmp_path / "broken.dxf"
    path.write_text("0\nSECTION\n2\nENTITIES\n0\nLINE\n10\nnot-a-number\n")
    with pytest.raises(BadInputError):
        open_document(path)


@needs_drawings
@pytest.mark.parametrize("name", ["fixture_drawing_a4.pdf", "raster_Gripper.jpg", "raster_LIU0010.jpg"])
def test_real_drawings_load_and_render(name):
    with open_document(DRAWINGS / name) as doc:
        image = doc.render(0, 50)
        assert image.shape[0] > 100 and (image < 128).any()


@needs_drawings
def test_the_real_dxf_shows_the_viewport_content_not_only_the_title_block():
    with open_document(DRAWINGS / "curtainwall_details_4sheets.dxf") as doc:
        assert [p.name for p in doc.pages] == ["Sheet 1", "Sheet 2", "Sheet 3", "Sheet 4"]
        assert (doc.pages[0].width_pt, doc.pages[0].height_pt) == pytest.approx((1224, 792))
        image = doc.render(0, 30)
        drawing_area = image[:, : image.shape[1] * 2 // 3]  # left of the title strip, where the viewports are
        assert (drawing_area < 200).mean() > 0.02
