"""Display images: downscaled once to the display width, never enlarged; blends; sizes from the analysis."""

from __future__ import annotations

import io
import json

from PIL import Image

from portal.images import analysed_page_size, as_image, blend, stored_image
from tests.portal.support import PortalEnv, png_bytes


def size_of(png: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(png)).size


def test_a_large_stored_image_is_reduced_to_the_display_width(portal_env: PortalEnv) -> None:
    portal_env.storage.put_bytes("jobs/j/overlays/A-101.png", png_bytes(2000, 1000))

    assert size_of(stored_image(portal_env.storage.url, "jobs/j/overlays/A-101.png", 500)) == (500, 250)


def test_a_small_stored_image_is_not_enlarged(portal_env: PortalEnv) -> None:
    portal_env.storage.put_bytes("jobs/j/crops/A-101-1_new.png", png_bytes(300, 200))

    assert size_of(stored_image(portal_env.storage.url, "jobs/j/crops/A-101-1_new.png", 500)) == (300, 200)


def test_blending_goes_from_the_base_to_the_top_image() -> None:
    white, black = png_bytes(40, 20), _solid(0)

    assert as_image(white).getpixel((0, 0)) == blend(white, black, 0.0).getpixel((0, 0)) == (255, 255, 255)
    assert blend(white, black, 1.0).getpixel((0, 0)) == (0, 0, 0)
    assert blend(white, black, 0.5).getpixel((0, 0)) == (127, 127, 127)


def test_the_page_size_is_read_from_the_versions_analysis(portal_env: PortalEnv) -> None:
    analysis = {"pages": [{"width_pt": 612.0, "height_pt": 792.0}, {"width_pt": 2592.0, "height_pt": 1728.0}]}
    portal_env.storage.put_bytes("versions/v/analysis.json", json.dumps(analysis).encode())

    assert analysed_page_size(portal_env.storage.url, "versions/v/analysis.json", 1) == (2592.0, 1728.0)


def _solid(value: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (40, 20), value).save(buffer, format="PNG")
    return buffer.getvalue()
