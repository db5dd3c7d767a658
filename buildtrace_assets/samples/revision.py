"""Drawing sets and revision pairs with known truth: the test data of the comparison engine.

A pair is an old set and a new set of the same sheets, where chosen sheets
were edited (walls added/removed, doors moved, dimension and note values
changed), sheets may be added, removed or reordered, and every new sheet is
re-plotted (shifted, rotated, scaled) and optionally scanned.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from buildtrace_assets.samples.edits import EDITS, apply_edits
from buildtrace_assets.samples.render import write_pdf
from buildtrace_assets.samples.replot import (
    IDENTITY,
    Replot,
    as_affine,
    map_bbox,
    random_replot,
)
from buildtrace_assets.samples.scan import scan_skew, write_scanned_pdf
from buildtrace_assets.samples.sheet import PAGE_SIZES, Sheet, SheetSpec, draft_sheet
from buildtrace_assets.samples.truth import ExpectedSheet, Truth

_NAMED_SHEETS = (
    SheetSpec("A-101", "FIRST FLOOR PLAN"),
    SheetSpec("A-102", "SECOND FLOOR PLAN"),
    SheetSpec("S-201", "FOUNDATION PLAN"),
    SheetSpec("M-001", "MECHANICAL FLOOR PLAN"),
    SheetSpec("E0.1", "ELECTRICAL SITE PLAN"),
    SheetSpec("A-103", "THIRD FLOOR PLAN"),
    SheetSpec("S-202", "SECOND FLOOR FRAMING PLAN"),
    SheetSpec("P-101", "PLUMBING FLOOR PLAN"),
)

ScanMode = Literal["none", "new", "both"]


class SampleError(ValueError):
    """Sample generation was asked for something it cannot make."""


def sheet_specs(count: int) -> list[SheetSpec]:
    """``count`` distinct sheets: the named ones first, then numbered floor plans by discipline."""
    specs = list(_NAMED_SHEETS[:count])
    disciplines = ("A", "S", "M", "E", "P")
    n = 0
    while len(specs) < count:
        letter, level = disciplines[n % len(disciplines)], 2 + n // len(disciplines)
        specs.append(SheetSpec(f"{letter}-{level}01", f"LEVEL {level} {_DISCIPLINE_TITLES[letter]}"))
        n += 1
    return specs


_DISCIPLINE_TITLES = {
    "A": "FLOOR PLAN",
    "S": "FRAMING PLAN",
    "M": "HVAC PLAN",
    "E": "LIGHTING PLAN",
    "P": "PLUMBING PLAN",
}


@dataclass(frozen=True)
class Scenario:
    """What a revision does to the set."""

    edits: tuple[str, ...] = tuple(EDITS)
    """Edits applied to each changed sheet, in order (see ``edits.EDITS``)."""
    changed: float = 0.5
    """Share of the sheets present in both sets that are edited (at least one when > 0)."""
    added_sheets: int = 0
    removed_sheets: int = 0
    reorder: bool = False
    """Swap the first two sheets of the new set."""


SCENARIOS: dict[str, Scenario] = {
    "mixed": Scenario(changed=0.6),
    "unchanged": Scenario(edits=(), changed=0.0),
    "text": Scenario(edits=("dimension_text", "note_text", "dimension_text"), changed=1.0),
    "linework": Scenario(edits=("add_wall", "remove_wall", "move_door"), changed=1.0),
    "sheet_set": Scenario(changed=0.5, added_sheets=1, removed_sheets=1, reorder=True),
}


@dataclass(frozen=True)
class RevisionPair:
    old_path: Path
    new_path: Path
    truth_path: Path
    truth: Truth = field(repr=False)


def _page_size(page_size: str | tuple[float, float]) -> tuple[float, float]:
    if isinstance(page_size, str):
        if page_size not in PAGE_SIZES:
            choices = f"one of {sorted(PAGE_SIZES)} or (width, height)"
            raise SampleError(f"unknown page size {page_size!r}; choose {choices}")
        return PAGE_SIZES[page_size]
    width, height = page_size
    if width < 792 or height < 612:
        raise SampleError(f"page {width}x{height} pt is too small for a title block and a plan (min 792x612)")
    return float(width), float(height)


def _write(path: Path, sheets: list[Sheet], transforms: list[Replot], scanned: bool, seed: int) -> None:
    matrices = [t.matrix(s.width, s.height) for s, t in zip(sheets, transforms, strict=True)]
    if scanned:
        write_scanned_pdf(path, sheets, matrices, seed)
    else:
        write_pdf(path, sheets, matrices)


def make_drawing_set(
    path: Path, sheets: int | list[SheetSpec] = 3, *, seed: int = 0, page_size: str | tuple[float, float] = "ARCH_D"
) -> list[Sheet]:
    """Write a vector drawing set, one sheet per page, and return the drafted sheets."""
    specs = sheet_specs(sheets) if isinstance(sheets, int) else list(sheets)
    if not specs:
        raise SampleError("a drawing set needs at least one sheet")
    size = _page_size(page_size)
    drafted = [draft_sheet(spec, size, seed) for spec in specs]
    write_pdf(Path(path), drafted, [IDENTITY.matrix(*size)] * len(drafted))
    return drafted


def make_revision_pair(
    out_dir: Path,
    *,
    seed: int = 0,
    n_sheets: int = 3,
    scenario: str | Scenario = "mixed",
    replot: bool = True,
    scan: ScanMode = "none",
    page_size: str | tuple[float, float] = "ARCH_D",
) -> RevisionPair:
    """Write ``old.pdf``, ``new.pdf`` and ``truth.json`` into ``out_dir`` and return them with the truth."""
    plan = SCENARIOS.get(scenario) if isinstance(scenario, str) else scenario
    if plan is None:
        raise SampleError(f"unknown scenario {scenario!r}; choose one of {sorted(SCENARIOS)}")
    if scan not in ("none", "new", "both"):
        raise SampleError(f"scan must be 'none', 'new' or 'both', not {scan!r}")
    unknown = set(plan.edits) - set(EDITS)
    if unknown:
        raise SampleError(f"unknown edits {sorted(unknown)}; choose from {sorted(EDITS)}")
    if n_sheets < 1 or plan.removed_sheets >= n_sheets:
        raise SampleError(f"{n_sheets} sheet(s) cannot lose {plan.removed_sheets} and keep one to compare")
    size = _page_size(page_size)
    rng = random.Random(seed)

    specs = sheet_specs(n_sheets + plan.added_sheets)
    old_specs = specs[:n_sheets]
    removed = rng.sample(old_specs, plan.removed_sheets)
    new_specs = [s for s in old_specs if s not in removed]
    for spec in specs[n_sheets:]:
        new_specs.insert(rng.randint(0, len(new_specs)), spec)
    if plan.reorder and len(new_specs) > 1:
        new_specs[0], new_specs[1] = new_specs[1], new_specs[0]

    old_sheets = {spec: draft_sheet(spec, size, seed) for spec in old_specs}
    common = [s for s in old_specs if s in new_specs]
    n_changed = max(1, round(plan.changed * len(common))) if plan.changed > 0 and plan.edits else 0
    changed = set(rng.sample(common, min(n_changed, len(common))))

    new_sheets, design_changes = {}, {}
    for spec in new_specs:
        if spec in changed:
            new_sheets[spec], design_changes[spec] = apply_edits(old_sheets[spec], plan.edits, rng)
        else:
            new_sheets[spec], design_changes[spec] = old_sheets.get(spec) or draft_sheet(spec, size, seed), []

    old_scanned, new_scanned = scan == "both", scan != "none"
    old_tf = {s: scan_skew(rng) if old_scanned else IDENTITY for s in old_specs}
    new_tf = {
        s: (random_replot(rng) if replot else IDENTITY).compose(scan_skew(rng) if new_scanned else IDENTITY)
        for s in new_specs
    }

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    old_path, new_path, truth_path = out_dir / "old.pdf", out_dir / "new.pdf", out_dir / "truth.json"
    _write(old_path, [old_sheets[s] for s in old_specs], [old_tf[s] for s in old_specs], old_scanned, seed)
    _write(new_path, [new_sheets[s] for s in new_specs], [new_tf[s] for s in new_specs], new_scanned, seed + 1)

    expected = []
    for spec in dict.fromkeys(old_specs + new_specs):
        old_page = old_specs.index(spec) if spec in old_specs else None
        new_page = new_specs.index(spec) if spec in new_specs else None
        if old_page is None or new_page is None:
            status = "added" if old_page is None else "removed"
            expected.append(ExpectedSheet(spec.number, spec.title, old_page, new_page, status))
            continue
        new_matrix = new_tf[spec].matrix(*size)
        changes = tuple(replace(c, bbox=map_bbox(c.bbox, new_matrix)) for c in design_changes[spec])
        alignment = as_affine(~old_tf[spec].matrix(*size) * new_matrix)
        expected.append(
            ExpectedSheet(
                spec.number, spec.title, old_page, new_page, "modified" if changes else "unchanged", changes, alignment
            )
        )
    truth = Truth(
        old_path.name, new_path.name, len(old_specs), len(new_specs), old_scanned, new_scanned, tuple(expected), seed
    )
    truth.save(truth_path)
    return RevisionPair(old_path, new_path, truth_path, truth)
