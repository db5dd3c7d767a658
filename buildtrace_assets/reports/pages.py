"""Pages with a full-sheet image, added to a PDF without holding every image in memory.

PyMuPDF keeps an inserted image decoded in the document until it is saved:
a 150 dpi ARCH D overlay is 58 MB as RGB, so 50 sheets would hold 3 GB. A
page drawn in a document of its own and appended already compressed keeps
one page's worth in memory at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pymupdf


@contextmanager
def appended_page(target: pymupdf.Document, width_pt: float, height_pt: float) -> Iterator[pymupdf.Page]:
    """A fresh page to draw on; when the block ends it is compressed and appended to ``target``."""
    scratch = pymupdf.open()
    try:
        yield scratch.new_page(width=width_pt, height=height_pt)
        with pymupdf.open("pdf", scratch.tobytes(garbage=1, deflate=True)) as compressed:
            target.insert_pdf(compressed)
    finally:
        scratch.close()
