"""Text changes: what the words in and around a change region said before and after.

Old words are first mapped through the alignment into new-sheet points, so
both revisions are read from the same place. Whole words are compared (never
single characters) and words both revisions share at the start or end of the
phrase are trimmed, so a changed dimension reads ``24'-4"`` -> ``24'-9"`` and
not the whole dimension chain around it. Words may come from OCR and be
noisy, which is why a text difference alone never makes a change: the caller
confirms it against the ink.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from buildtrace_assets.engine.model import BBox, Word
from buildtrace_assets.engine.regions import cluster_boxes

SAME_PLACE_PT = 3.0
"""Two equal words whose centres are this close are the same, unchanged word."""
WORD_GAP_PT = 4.0
"""Changed words closer than this form one phrase."""
SNAP_SHARE = 0.5
"""A region takes in a word when they share at least this much of the smaller one's area."""
MOVED_REACH_PT = 144.0
"""An equal word that left one place and appeared within this distance moved with its linework (a door's tag)."""
FRACTION = re.compile(r"^\d+/\d+\W*$")
"""The fraction of a feet-inches value (``1/8"``): it belongs to the number before it, as in ``225'-8 1/8"``."""
FRACTION_GAP_SHARE = 1.0
"""A fraction joins the number before it when the gap between them is at most this share of the line height."""
VALUE_REACH_PT = 24.0
"""How far beyond a region its words' fractions (or numbers) are looked for."""


def map_words(words: Iterable[Word], matrix: np.ndarray) -> list[Word]:
    """Words with boxes moved through a 2x3 affine (the box of the moved corners)."""
    mapped = []
    for word in words:
        x0, y0, x1, y1 = word.bbox
        corners = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x0, y1, 1.0], [x1, y1, 1.0]]) @ matrix.T
        low, high = corners.min(axis=0), corners.max(axis=0)
        mapped.append(Word(word.text, (float(low[0]), float(low[1]), float(high[0]), float(high[1]))))
    return mapped


def words_in(words: Sequence[Word], box: BBox) -> list[Word]:
    """Words that mostly lie in ``box`` or that ``box`` mostly lies in (not the lines it grazes)."""
    return [words[i] for i in np.flatnonzero(_covered(_boxes(words), box)).tolist()]


def words_centred_in(words: Sequence[Word], box: BBox) -> list[Word]:
    """Words whose centres lie in ``box``: what reading that band of the sheet (OCR of a clip) would give."""
    return [
        word
        for word in words
        if box[0] <= (word.bbox[0] + word.bbox[2]) / 2 <= box[2]
        and box[1] <= (word.bbox[1] + word.bbox[3]) / 2 <= box[3]
    ]


def _boxes(words: Sequence[Word]) -> np.ndarray:
    return np.array([word.bbox for word in words], np.float64).reshape(-1, 4)


def _covered(boxes: np.ndarray, box: BBox) -> np.ndarray:
    """Which of ``boxes`` share at least ``SNAP_SHARE`` of the smaller area with ``box``, or together hold that
    share of ``box`` (one test for all words: a sheet has hundreds, and every change region is snapped to them).

    Together: changed ink that straddles two words of its line (``11'-1 1/8"`` -> ``11'-5 5/8"`` changes the last
    digit of one and the first of the next) lies mostly in words, though in neither word mostly. Only words whose
    height the box mostly spans count: not a line above or below that it grazes, nor words a stroke crosses.
    """
    width = np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0])
    height = np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1])
    overlap = np.clip(width, 0.0, None) * np.clip(height, 0.0, None)
    areas = np.clip(boxes[:, 2] - boxes[:, 0], 0.0, None) * np.clip(boxes[:, 3] - boxes[:, 1], 0.0, None)
    box_area = max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])
    heights = np.clip(boxes[:, 3] - boxes[:, 1], 0.0, None)
    in_line = (overlap > 0) & (height >= SNAP_SHARE * heights)
    together = in_line & (overlap[in_line].sum() >= SNAP_SHARE * box_area)
    return (overlap > 0) & ((overlap >= SNAP_SHARE * np.minimum(areas, box_area)) | together)


def snap_to_words(box: BBox, words: Iterable[Word]) -> BBox:
    """``box`` grown to cover the words it mostly covers or that mostly cover it, until it takes in no more.

    A wall drawn through a note only grazes its words, so it does not swallow
    them; a box grown over a short old value may then cover the longer new one.
    A value is whole with its fraction (``42'-10`` ``1/2"``): a change over
    either part takes in the other, so it reads as the whole old and new value.
    """
    words = list(words)
    boxes = _boxes(words)
    while True:
        covered = _covered(boxes, box)
        inside = boxes[covered | _value_parts(words, boxes, covered, box)]
        if len(inside) == 0:
            return box
        grown = (
            min(box[0], float(inside[:, 0].min())),
            min(box[1], float(inside[:, 1].min())),
            max(box[2], float(inside[:, 2].max())),
            max(box[3], float(inside[:, 3].max())),
        )
        if grown == tuple(box):
            return box
        box = grown


def with_lonely_neighbours(box: BBox, old_words: Sequence[Word], new_words: Sequence[Word]) -> BBox:
    """``box`` grown along its line over the adjacent words that only one side has (old words in new-sheet points).

    The ink diff may split a phrase where its words are far apart, and keep only the larger part: an added note's
    number (``7.`` before ``VERIFY 3 EXISTING ...``) is then outside the box though it is as new as the rest. A
    word with a twin at its place on the other side (the rest of a dimension chain) is unchanged and stops the
    growth. Only text one side has none of in the box (added or removed) grows: where both sides have words, a
    neighbour without a twin is as likely an OCR misreading (``ARCHITECT`` for ``ARCHITECTS``) as a change.
    """
    in_old, in_new = words_in(old_words, box), words_in(new_words, box)
    if bool(in_old) == bool(in_new):
        return box
    lonely_old, lonely_new = unmatched_words(old_words, new_words)
    lonely = lonely_old if in_old else lonely_new
    while True:
        grown = box
        for word in lonely:
            height = word.bbox[3] - word.bbox[1]
            shared = min(word.bbox[3], box[3]) - max(word.bbox[1], box[1])
            gap = max(word.bbox[0] - box[2], box[0] - word.bbox[2])
            if shared >= SNAP_SHARE * min(height, box[3] - box[1]) and gap <= height:
                grown = (
                    min(grown[0], word.bbox[0]),
                    min(grown[1], word.bbox[1]),
                    max(grown[2], word.bbox[2]),
                    max(grown[3], word.bbox[3]),
                )
        if grown == box:
            return box
        box = grown


def _value_parts(words: Sequence[Word], boxes: np.ndarray, covered: np.ndarray, box: BBox) -> np.ndarray:
    """Which words complete a covered word's value: the fraction after a covered number, the number before a
    covered fraction. Only words near ``box`` are tried, so a sheet's thousands of words cost nothing."""
    parts = np.zeros(len(words), bool)
    if not covered.any():
        return parts
    near = np.flatnonzero(
        (boxes[:, 0] <= box[2] + VALUE_REACH_PT)
        & (boxes[:, 2] >= box[0] - VALUE_REACH_PT)
        & (boxes[:, 1] <= box[3] + VALUE_REACH_PT)
        & (boxes[:, 3] >= box[1] - VALUE_REACH_PT)
    )
    for i in np.flatnonzero(covered).tolist():
        for j in near.tolist():
            if _is_fraction_of(words[i], words[j]) or _is_fraction_of(words[j], words[i]):
                parts[j] = True
    return parts


def reading_order(words: Sequence[Word]) -> list[Word]:
    """Words line by line, top to bottom, then left to right within a line."""
    return [word for line in _lines(words) for word in line]


def _lines(words: Sequence[Word]) -> list[list[Word]]:
    """Words grouped into lines, top to bottom, each line left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.bbox[1] + w.bbox[3]) / 2):
        centre = (word.bbox[1] + word.bbox[3]) / 2
        if lines and abs(centre - _line_centre(lines[-1])) <= _line_height(lines[-1]) / 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.bbox[0]) for line in lines]


def tokens(words: Sequence[Word]) -> list[str]:
    """The words as a reader takes them, in reading order: a value and its fraction (``225'-8 1/8"``) are one token.

    So a dimension that gains or loses a fraction reads as the whole old and
    new value, never as the fraction alone.
    """
    result: list[str] = []
    for line in _lines(words):
        previous: Word | None = None
        for word in line:
            if previous is not None and _is_fraction_of(previous, word) and result:
                result[-1] = f"{result[-1]} {word.text}"
            else:
                result.append(word.text)
            previous = word
    return result


def value_boxes(words: Sequence[Word]) -> list[BBox]:
    """One box per token of :func:`tokens`: a word, or a value with its fraction (``18'-9 3/8"``)."""
    boxes: list[BBox] = []
    for line in _lines(words):
        previous: Word | None = None
        for word in line:
            if previous is not None and _is_fraction_of(previous, word) and boxes:
                x0, y0, x1, y1 = boxes[-1]
                boxes[-1] = (min(x0, word.bbox[0]), min(y0, word.bbox[1]), max(x1, word.bbox[2]), max(y1, word.bbox[3]))
            else:
                boxes.append(word.bbox)
            previous = word
    return boxes


def _is_fraction_of(number: Word, word: Word) -> bool:
    """Whether ``word`` is the fraction of ``number``: right after it on its line."""
    gap = word.bbox[0] - number.bbox[2]
    height = max(number.bbox[3] - number.bbox[1], word.bbox[3] - word.bbox[1])
    same_line = abs((word.bbox[1] + word.bbox[3]) - (number.bbox[1] + number.bbox[3])) <= height
    return (
        bool(FRACTION.match(word.text))
        and number.text[-1:].isdigit()
        and -height / 2 <= gap <= FRACTION_GAP_SHARE * height
        and same_line
    )


def _line_centre(line: list[Word]) -> float:
    return sum((w.bbox[1] + w.bbox[3]) / 2 for w in line) / len(line)


def _line_height(line: list[Word]) -> float:
    return max(w.bbox[3] - w.bbox[1] for w in line)


def text_change(old_words: Sequence[Word], new_words: Sequence[Word]) -> tuple[str | None, str | None]:
    """The changed phrase before and after; ``(None, None)`` when the words are the same.

    Words split differently (``A-101`` against ``A-`` ``101``) are the same text.
    """
    old_tokens, new_tokens = tokens(old_words), tokens(new_words)
    if "".join(old_tokens).replace(" ", "") == "".join(new_tokens).replace(" ", ""):
        return None, None
    start = 0
    while start < min(len(old_tokens), len(new_tokens)) and old_tokens[start] == new_tokens[start]:
        start += 1
    end = 0
    while (
        end < min(len(old_tokens), len(new_tokens)) - start
        and old_tokens[len(old_tokens) - 1 - end] == new_tokens[len(new_tokens) - 1 - end]
    ):
        end += 1
    old_phrase = " ".join(old_tokens[start : len(old_tokens) - end])
    new_phrase = " ".join(new_tokens[start : len(new_tokens) - end])
    return old_phrase or None, new_phrase or None


def region_text(old_words: Sequence[Word], new_words: Sequence[Word], box: BBox) -> tuple[str | None, str | None]:
    """Text change of one region; ``old_words`` must already be in new-sheet points."""
    return text_change(words_in(old_words, box), words_in(new_words, box))


def unmatched_words(old_words: Sequence[Word], new_words: Sequence[Word]) -> tuple[list[Word], list[Word]]:
    """Words with no equal word at the same place on the other sheet (old words in new-sheet points)."""
    return _without_twin(old_words, new_words), _without_twin(new_words, old_words)


def _without_twin(words: Sequence[Word], others: Sequence[Word]) -> list[Word]:
    centres: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for other in others:
        centres[other.text].append(_centre(other.bbox))
    lonely = []
    for word in words:
        cx, cy = _centre(word.bbox)
        reach = max(SAME_PLACE_PT, (word.bbox[3] - word.bbox[1]) / 2)
        if not any(abs(cx - ox) <= reach and abs(cy - oy) <= reach for ox, oy in centres[word.text]):
            lonely.append(word)
    return lonely


def without_moved(
    old_words: Sequence[Word], new_words: Sequence[Word], reach: float = MOVED_REACH_PT
) -> tuple[list[Word], list[Word]]:
    """Both word lists without the words that only moved (old words in new-sheet points).

    A word that left its place and reappears unchanged nearby (a door's tag,
    a dimension carried along with its line) is no text change: the ink
    diff reports the move, and the region must not read ``'109'`` -> nothing.
    Each lonely old word pairs with the nearest unpaired lonely new word of the same text.
    """
    lonely_old, lonely_new = unmatched_words(old_words, new_words)
    available: dict[str, list[Word]] = defaultdict(list)
    for word in lonely_new:
        available[word.text].append(word)
    moved: set[int] = set()
    for word in lonely_old:
        candidates = [w for w in available[word.text] if _distance(word.bbox, w.bbox) <= reach]
        if candidates:
            twin = min(candidates, key=lambda w: _distance(word.bbox, w.bbox))
            available[word.text].remove(twin)
            moved.update((id(word), id(twin)))
    return [w for w in old_words if id(w) not in moved], [w for w in new_words if id(w) not in moved]


def _distance(a: BBox, b: BBox) -> float:
    (ax, ay), (bx, by) = _centre(a), _centre(b)
    return float(np.hypot(ax - bx, ay - by))


def _centre(box: BBox) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def phrase_boxes(words: Sequence[Word], gap: float = WORD_GAP_PT) -> list[BBox]:
    """Boxes around clusters of nearby words."""
    if not words:
        return []
    boxes = np.array([w.bbox for w in words])
    clusters = cluster_boxes(boxes, gap)
    return [
        (
            float(boxes[clusters == c, 0].min()),
            float(boxes[clusters == c, 1].min()),
            float(boxes[clusters == c, 2].max()),
            float(boxes[clusters == c, 3].max()),
        )
        for c in range(clusters.max() + 1)
    ]
