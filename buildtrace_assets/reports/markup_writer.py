"""Child-process side of the marked-up PDF: the uploaded PDF opened in the sandbox, annotations added, saved.

The new revision is an uploaded file, so it is opened where a hostile PDF
can only kill a disposable child (see :mod:`buildtrace_assets.engine.sandbox`).
This module imports nothing but PyMuPDF: the parent computes every position
and text, and only plain data crosses the pipe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pymupdf

CLOUD_INTENSITY = 2
"""The border effect's intensity (``/BE << /S /C /I 2 >>``): the bulge size Bluebeam and Acrobat draw for clouds."""
LINE_WIDTH = 1.5
LINE_END_NONE = 0
LINE_END_CLOSED_ARROW = 5
"""PyMuPDF's ``PDF_ANNOT_LE_NONE`` and ``PDF_ANNOT_LE_CLOSED_ARROW`` (not in its type information)."""


class MarkupWriter:
    """Adds review markups to a PDF, page by page, without touching its content streams."""

    def __init__(self, path: str) -> None:
        import pymupdf

        pymupdf.TOOLS.mupdf_display_errors(False)
        self._pdf = pymupdf.open(path, filetype="pdf")
        self._now = pymupdf.get_pdf_now()

    def page_sizes(self) -> list[tuple[float, float]]:
        """Each page's size as displayed (rotation applied), the frame change positions are given in."""
        pages = (self._pdf.load_page(index) for index in range(self._pdf.page_count))
        return [(page.rect.width, page.rect.height) for page in pages]

    def _info(self, annot: pymupdf.Annot, author: str, subject: str, contents: str) -> None:
        annot.set_info(title=author, subject=subject, content=contents, creationDate=self._now, modDate=self._now)

    def _page(self, index: int) -> pymupdf.Page:
        return self._pdf.load_page(index)

    def cloud(self, mark: dict[str, Any]) -> None:
        """A cloud around the change, its numbered callout grouped with it, and for a move the old place and arrow."""
        import pymupdf

        page = self._page(mark["page"])
        to_page = page.derotation_matrix
        cloud = page.add_rect_annot(pymupdf.Rect(mark["cloud"]) * to_page)
        cloud.set_border(width=LINE_WIDTH, clouds=CLOUD_INTENSITY)
        cloud.set_colors(stroke=mark["colour"])
        self._info(cloud, mark["author"], mark["subject"], mark["contents"])
        cloud.update()
        members = [self._callout(page, mark)]
        if mark.get("from") is not None:
            members += self._move(page, mark)
        for member in members:
            member.set_irt_xref(cloud.xref)
            self._pdf.xref_set_key(member.xref, "RT", "/Group")

    def _callout(self, page: pymupdf.Page, mark: dict[str, Any]) -> pymupdf.Annot:
        import pymupdf

        to_page = page.derotation_matrix
        callout = page.add_freetext_annot(
            pymupdf.Rect(mark["label"]) * to_page,
            mark["number"],
            fontsize=mark["size"],
            fontname="helv",
            text_color=mark["colour"],
            fill_color=(1, 1, 1),
            border_width=1,
            callout=(pymupdf.Point(mark["tip"]) * to_page, pymupdf.Point(mark["knee"]) * to_page),
            line_end=LINE_END_CLOSED_ARROW,
            align=pymupdf.TEXT_ALIGN_CENTER,
            rotate=page.rotation,
        )
        self._info(callout, mark["author"], "Callout", mark["number"])
        callout.update()
        return callout

    def _move(self, page: pymupdf.Page, mark: dict[str, Any]) -> list[pymupdf.Annot]:
        """The block's old outline, dashed, and an arrow from it to where it is now."""
        import pymupdf

        to_page = page.derotation_matrix
        before = page.add_rect_annot(pymupdf.Rect(mark["from"]) * to_page)
        before.set_border(width=LINE_WIDTH, dashes=[4, 3])
        before.set_colors(stroke=mark["colour"])
        self._info(before, mark["author"], "Previous position", mark["contents"])
        before.update()
        start, end = mark["arrow"]
        arrow = page.add_line_annot(pymupdf.Point(start) * to_page, pymupdf.Point(end) * to_page)
        arrow.set_border(width=LINE_WIDTH)
        arrow.set_colors(stroke=mark["colour"])
        arrow.set_line_ends(LINE_END_NONE, LINE_END_CLOSED_ARROW)
        self._info(arrow, mark["author"], "Arrow", mark["contents"])
        arrow.update()
        return [before, arrow]

    def note(self, page_index: int, author: str, text: str) -> None:
        """A sticky note at the sheet's top-left corner, for what the comparison could not do on it."""
        import pymupdf

        page = self._page(page_index)
        note = page.add_text_annot(pymupdf.Point(18, 18) * page.derotation_matrix, text, icon="Note")
        self._info(note, author, "Note", text)
        note.update()

    def save(self, path: str) -> None:
        self._pdf.save(path, garbage=1, deflate=True)
