"""Pair the sheets of an old set with those of a new set.

Pairing by page index breaks as soon as one sheet is inserted, so sheets are
paired by normalized sheet number, then by title, then by appearance (a tiny
thumbnail kept from the analysis; a renumbered sheet keeps its discipline
letters, or its number was not read); what stays unpaired is ``removed`` (old
only) or ``added`` (new only). Duplicates of a key pair up in page order.
Two one-page documents are two revisions of one drawing whatever their title
blocks say (the new one may have gained a title block, or another number), so
they always pair, as ``single_page`` unless their number or title agree.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import cv2
import numpy as np

from buildtrace_assets.engine.model import SheetIdentity
from buildtrace_assets.engine.sheets import normalize_sheet_number

THUMBNAIL_SIZE = 32
MIN_NUMBER_CONFIDENCE = 0.45
MIN_VISUAL_SIMILARITY = 0.6
"""Correlation of ink thumbnails; sheets of one set share a title block, so the bar is high."""

MatchBasis = Literal["number", "title", "single_page", "visual"]


class MatchablePage(Protocol):
    @property
    def index(self) -> int: ...
    @property
    def sheet(self) -> SheetIdentity: ...
    @property
    def thumbnail(self) -> np.ndarray | None: ...


@dataclass(frozen=True)
class SheetPair:
    """One row of the comparison: both pages, or only one of them."""

    old_page: int | None
    new_page: int | None
    basis: MatchBasis | None = None


def thumbnail_signature(image: np.ndarray) -> np.ndarray:
    """A ``THUMBNAIL_SIZE`` square grayscale digest of a page raster (area-averaged, so thin lines survive)."""
    return cv2.resize(image, (THUMBNAIL_SIZE, THUMBNAIL_SIZE), interpolation=cv2.INTER_AREA)


def visual_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two thumbnails' ink, 0 when either is blank."""
    ink_a = 255.0 - a.astype(np.float64).ravel()
    ink_b = 255.0 - b.astype(np.float64).ravel()
    ink_a -= ink_a.mean()
    ink_b -= ink_b.mean()
    norm = float(np.linalg.norm(ink_a) * np.linalg.norm(ink_b))
    return float(ink_a @ ink_b / norm) if norm else 0.0


def _number_key(page: MatchablePage) -> str | None:
    if page.sheet.number is None or page.sheet.confidence < MIN_NUMBER_CONFIDENCE:
        return None
    return normalize_sheet_number(page.sheet.number)


def _title_key(page: MatchablePage) -> str | None:
    if not page.sheet.title:
        return None
    return re.sub(r"[^A-Z0-9]+", " ", page.sheet.title.upper()).strip() or None


def _pair_by_key(
    old: list[MatchablePage], new: list[MatchablePage], key: Callable[[MatchablePage], str | None], basis: MatchBasis
) -> list[SheetPair]:
    """Pair pages sharing a key; the n-th old page with a key pairs with the n-th new page with it."""
    waiting: dict[str, list[MatchablePage]] = defaultdict(list)
    for page in old:
        value = key(page)
        if value is not None:
            waiting[value].append(page)
    pairs = []
    for page in new:
        value = key(page)
        if value is not None and waiting.get(value):
            pairs.append(SheetPair(waiting[value].pop(0).index, page.index, basis))
    return pairs


def _discipline(page: MatchablePage) -> str | None:
    """The letters a sheet number starts with (``A``, ``FP``, ``M``), when the number was read."""
    number = _number_key(page)
    prefix = re.match(r"[A-Z]+", number) if number else None
    return prefix.group(0) if prefix else None


def _may_be_one_sheet(old: MatchablePage, new: MatchablePage) -> bool:
    """Sheets whose numbers name different disciplines are not one sheet renumbered, however alike they look:
    a mechanical plan is drawn over the architectural plan of its floor, and at thumbnail size they are one."""
    disciplines = (_discipline(old), _discipline(new))
    return None in disciplines or disciplines[0] == disciplines[1]


def _pair_visually(old: list[MatchablePage], new: list[MatchablePage]) -> list[SheetPair]:
    """Greedy best-first pairing of the most similar thumbnails above :data:`MIN_VISUAL_SIMILARITY`."""
    scored = sorted(
        (
            (visual_similarity(o.thumbnail, n.thumbnail), o.index, n.index)
            for o in old
            for n in new
            if o.thumbnail is not None and n.thumbnail is not None and _may_be_one_sheet(o, n)
        ),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    pairs = []
    for similarity, old_index, new_index in scored:
        if similarity < MIN_VISUAL_SIMILARITY:
            break
        if old_index in used_old or new_index in used_new:
            continue
        used_old.add(old_index)
        used_new.add(new_index)
        pairs.append(SheetPair(old_index, new_index, "visual"))
    return pairs


def _pair_single_pages(old: list[MatchablePage], new: list[MatchablePage]) -> list[SheetPair]:
    return [SheetPair(old[0].index, new[0].index, "single_page")] if old and new else []


def match_sheets(old: Sequence[MatchablePage], new: Sequence[MatchablePage]) -> list[SheetPair]:
    """All rows of the comparison: new-set order, then removed sheets in old-set order."""
    left_old, left_new = list(old), list(new)
    single_pages = len(old) == 1 and len(new) == 1
    pairs: list[SheetPair] = []
    for step in (
        lambda o, n: _pair_by_key(o, n, _number_key, "number"),
        lambda o, n: _pair_by_key(o, n, _title_key, "title"),
        lambda o, n: _pair_single_pages(o, n) if single_pages else [],
        _pair_visually,
    ):
        found = step(left_old, left_new)
        pairs += found
        paired_old = {p.old_page for p in found}
        paired_new = {p.new_page for p in found}
        left_old = [p for p in left_old if p.index not in paired_old]
        left_new = [p for p in left_new if p.index not in paired_new]
    pairs += [SheetPair(None, p.index, None) for p in left_new]
    pairs += [SheetPair(p.index, None, None) for p in left_old]
    return sorted(pairs, key=_row_order)


def _row_order(pair: SheetPair) -> tuple[float, float]:
    if pair.new_page is not None:
        return (pair.new_page, 0.0)
    return (float("inf"), pair.old_page or 0)
