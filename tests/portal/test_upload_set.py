"""The upload page's bar: it moves with the bytes the services write to storage, not once per file."""

from __future__ import annotations

import numpy as np
import pymupdf

from buildtrace_assets.services import uploads
from buildtrace_assets.storage.base import PROGRESS_CHUNK_BYTES
from portal.upload_set import MB, stored_share
from tests.portal.support import People, PortalEnv


def noisy_pdf(megabytes: float) -> bytes:
    """A one-page PDF carrying an image of random pixels, so it does not compress below ``megabytes``."""
    side = int((megabytes * MB / 3) ** 0.5) + 1
    pixels = np.random.default_rng(7).integers(0, 256, (side, side, 3), dtype=np.uint8)
    document = pymupdf.open()
    page = document.new_page(width=612, height=396)
    page.insert_image(page.rect, pixmap=pymupdf.Pixmap(pymupdf.csRGB, side, side, pixels.tobytes(), False))
    return document.tobytes()


def test_the_bar_follows_the_bytes_stored_while_a_file_is_registered(portal_env: PortalEnv, people: People) -> None:
    data = noisy_pdf(2.5)
    bars: list[tuple[float, str]] = []

    def stored(count: int) -> None:
        bars.append(stored_share("A-101.pdf", count, len(data)))

    version = portal_env.run(
        lambda s: uploads.register_upload(
            s, portal_env.storage, people.editor, people.project_id, "A-101", "A-101.pdf", data, progress=stored
        )
    )

    assert portal_env.storage.get_bytes(version.storage_key) == data
    shares = [share for share, _ in bars]
    assert shares == sorted(shares) and shares[-1] == 1.0
    assert len({share for share in shares if 0 < share < 1}) >= len(data) // PROGRESS_CHUNK_BYTES
    assert bars[0][1] == f"A-101.pdf: 1.0 of {len(data) / MB:.1f} MB stored"


def test_an_empty_total_reads_as_full() -> None:
    assert stored_share("a.pdf", 0, 0) == (1.0, "a.pdf: 0.0 of 0.0 MB stored")
