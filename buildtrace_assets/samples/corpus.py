"""The kinds of revision the benchmark and the end-to-end tests are made of, each with its answer by construction.

A kind names a scenario (what is edited) and how the two sets are plotted:
on which paper, re-plotted how, rasterized how. ``make_kind_pair`` writes a
pair of a kind; the benchmark and ``tests/cli/test_compare_corpus.py`` use
the same kinds, so a kind that fails in one fails in the other.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from buildtrace_assets.samples.replot import Replot
from buildtrace_assets.samples.revision import PaperSize, RevisionPair, SampleError, ScanMode, make_revision_pair
from buildtrace_assets.samples.scan import Raster


@dataclass(frozen=True)
class Kind:
    """One kind of revision set and how the generator makes it."""

    scenario: str
    description: str
    n_sheets: int = 1
    page_size: PaperSize = "ARCH_D"
    old_paper: PaperSize | None = None
    new_paper: PaperSize | None = None
    replot: bool | Replot = True
    scan: ScanMode = "none"
    old_raster: Raster | None = None
    new_raster: Raster | None = None

    @property
    def rescaled(self) -> bool:
        """The two sets are plotted on different paper."""
        return (self.old_paper or self.page_size) != (self.new_paper or self.page_size)

    @property
    def raster(self) -> bool:
        """Either side has no text layer (a scan or a raster export)."""
        return self.scan != "none" or self.old_raster is not None or self.new_raster is not None


ONE_DEGREE = Replot(dx=8.0, dy=-5.0, angle_deg=1.0)

KINDS: dict[str, Kind] = {
    "mixed": Kind("mixed", "same-size re-plot, walls/doors/text edited", n_sheets=3),
    "sheet_set": Kind("sheet_set", "same size, sheets added, removed and reordered", n_sheets=4),
    "unchanged": Kind("unchanged", "same-size re-plot, nothing edited", n_sheets=2),
    "text": Kind("text", "same-size re-plot, dimension and note values edited", n_sheets=2),
    "linework": Kind("linework", "same-size re-plot, walls added/removed, doors moved", n_sheets=2),
    "scan_text": Kind("text", "new set scanned at 200 dpi, values edited", scan="new"),
    "scan_both": Kind("mixed", "both sets scanned at 200 dpi, mixed edits", n_sheets=2, scan="both"),
    "half_size": Kind("mixed", "ARCH D set reissued at half size (ARCH B, 50 %)", new_paper="ARCH_B"),
    "half_size_11x17": Kind("mixed", "ARCH D sheets printed on 11x17 (fit to page, 46 %)", new_paper="TABLOID"),
    "half_size_unchanged": Kind("unchanged", "ARCH D set reissued at half size, nothing edited", new_paper="ARCH_B"),
    "a4_to_a3": Kind("mixed", "A3 drawing: old plotted on A4 (71 %), new on A3", page_size="A3", old_paper="A4"),
    "a3_to_a4": Kind("mixed", "A3 drawing: old on A3, new plotted on A4 (71 %)", page_size="A3", new_paper="A4"),
    "raster_dpi": Kind(
        "mixed",
        "300-dpi scan (PNG) against a 150-dpi raster export (PNG)",
        page_size="TABLOID",
        old_raster=Raster(300, noisy=True, format="png"),
        new_raster=Raster(150, noisy=False, format="png"),
    ),
    "raster_dpi_pdf": Kind(
        "text",
        "150-dpi image PDF against a 300-dpi scanned image PDF",
        page_size="TABLOID",
        old_raster=Raster(150, noisy=False),
        new_raster=Raster(300, noisy=True),
    ),
    "moves": Kind("moves", "room tag, keynote and door tag moved, a dimension edited"),
    "view_moved": Kind("view", "one view of a details sheet moved on its own, a dimension and a note inside edited"),
    "single_page": Kind("reissue", "one-page drawing reissued with a title block (old: no sheet number)"),
    "small_removals": Kind("small_removals", "dimension ticks and columns (<= 15 pt) removed", n_sheets=3),
    "rotated_text": Kind("rotated_text", "re-plotted turned 1 degree, values edited, tick removed", replot=ONE_DEGREE),
    "scan_notes": Kind("added_notes", "new set scanned, a keynote added", page_size="TABLOID", scan="new"),
}
"""Every kind by name; the ones before ``half_size`` are the corpus before issue 13."""


def make_kind_pair(out_dir: Path, kind: str, seed: int, **overrides: object) -> RevisionPair:
    """A pair of ``kind``; ``overrides`` change its generator options (e.g. a smaller ``page_size``)."""
    if kind not in KINDS:
        raise SampleError(f"unknown corpus kind {kind!r}; choose one of {sorted(KINDS)}")
    chosen = KINDS[kind]
    options = {f.name: getattr(chosen, f.name) for f in fields(chosen) if f.name != "description"}
    options.update(overrides)
    return make_revision_pair(out_dir, seed=seed, **options)  # type: ignore[arg-type]
