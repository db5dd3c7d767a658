"""Sheet number and title from the title block.

A permissive pattern anywhere on a sheet matches grid labels and door tags
(``D101``), so candidates are weighed by where they sit (title block: right
strip or bottom-right), how large they are relative to the sheet's text, and
whether a label such as ``SHEET NO`` is next to them.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from buildtrace_assets.engine.model import BBox, SheetIdentity, Word
from buildtrace_assets.engine.text import title_block_regions

SHEET_NUMBER = re.compile(r"^[A-Z]{1,3}[-_. ]?\d{1,4}(?:\.\d{1,3})?[A-Z]?$")
"""``A-101``, ``A101``, ``S2.01``, ``M-001``, ``E0.1``, ``A-101A``, ``FP-1``."""
NUMBER_LABELS = ("SHEET", "SHEETNO", "SHEETNUMBER", "DWG", "DWGNO", "DRAWING", "DRAWINGNO", "DRAWINGNUMBER", "NO")
TITLE_LABELS = ("TITLE", "SHEETTITLE", "DRAWINGTITLE")
NOT_TITLES = re.compile(
    r"^(SCALE|DATE|DRAWN|CHECKED|APPROVED|PROJECT|JOB|SHEET|REV|REVISION|ISSUE|NO|NTS|CLIENT|OWNER|ARCHITECT|"
    r"ENGINEER|SEAL|STAMP|COPYRIGHT|PHONE|TEL|FAX|WWW|DWG|DRAWING)\b"
)
_CONFUSABLE_AS_DIGIT = str.maketrans({"O": "0", "Q": "0", "I": "1", "L": "1", "|": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")


def normalize_sheet_number(text: str) -> str:
    """A key under which OCR and typing variants of one sheet number are equal.

    ``A-101`` == ``A101`` == ``a 101`` == ``A-1O1`` == ``A-l01``: separators go,
    letters become upper case, and after the discipline prefix the letters
    OCR confuses with digits (O/Q -> 0, I/L/| -> 1) become digits, except a
    final suffix letter (``A-101A``). Dots are dropped too (``S2.01`` ==
    ``S201``): OCR loses them more often than sets use both forms.
    """
    compact = _SEPARATORS.sub("", text.strip().upper())
    prefix_match = re.match(r"[A-Z]+", compact)
    prefix = prefix_match.group(0) if prefix_match else ""
    # "AI01" is "A101" misread: a confusable letter that ends a longer prefix right before digits is a digit.
    while len(prefix) > 1 and prefix[-1] in "OIL" and compact[len(prefix) : len(prefix) + 1].isdigit():
        prefix = prefix[:-1]
    body = compact[len(prefix) :]
    suffix = ""
    if len(body) > 1 and body[-1].isalpha() and body[-2].isdigit() and body[-1] not in "OIL":
        body, suffix = body[:-1], body[-1]
    return prefix + body.translate(_CONFUSABLE_AS_DIGIT) + suffix


@dataclass(frozen=True)
class _Line:
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def bbox(self) -> BBox:
        return (
            min(w.bbox[0] for w in self.words),
            min(w.bbox[1] for w in self.words),
            max(w.bbox[2] for w in self.words),
            max(w.bbox[3] for w in self.words),
        )

    @property
    def height(self) -> float:
        return max(w.bbox[3] - w.bbox[1] for w in self.words)


def _lines(words: tuple[Word, ...]) -> list[_Line]:
    """Group words into reading lines: same baseline band, close horizontally."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (round((w.bbox[1] + w.bbox[3]) / 2), w.bbox[0])):
        height = word.bbox[3] - word.bbox[1]
        centre = (word.bbox[1] + word.bbox[3]) / 2
        for line in lines:
            last = line[-1]
            last_centre = (last.bbox[1] + last.bbox[3]) / 2
            if abs(centre - last_centre) < 0.5 * height and 0 <= word.bbox[0] - last.bbox[2] < 1.5 * height:
                line.append(word)
                break
        else:
            lines.append([word])
    return [_Line(tuple(line)) for line in lines]


def _inside(box: BBox, regions: tuple[BBox, ...]) -> bool:
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return any(r[0] <= cx <= r[2] and r[1] <= cy <= r[3] for r in regions)


def _label_boxes(lines: list[_Line], labels: tuple[str, ...]) -> list[BBox]:
    """Boxes of the lines that read as one of ``labels``; found once per page, not once per candidate."""
    boxes = []
    for line in lines:
        key = re.sub(r"[^A-Z]", "", line.text.upper())
        if any(key == label or (key.startswith(label) and len(key) <= len(label) + 6) for label in labels):
            boxes.append(line.bbox)
    return boxes


def _label_near(box: BBox, label_boxes: list[BBox]) -> bool:
    """A label line just left of or above ``box`` (title blocks put the label before the value)."""
    height = box[3] - box[1]
    for lx0, ly0, lx1, ly1 in label_boxes:
        left = abs((ly0 + ly1) / 2 - (box[1] + box[3]) / 2) < height and 0 <= box[0] - lx1 < 12 * height
        above = 0 <= box[1] - ly1 < 4 * height and lx0 - 4 * height <= box[0] <= lx1 + 4 * height
        if left or above:
            return True
    return False


def _number_candidates(lines: list[_Line]) -> list[tuple[str, BBox, float]]:
    """Sheet-number-shaped strings: single words, and two adjacent words (``A 101``)."""
    found = []
    for line in lines:
        words = line.words
        for i in range(len(words)):
            for span in (words[i : i + 1], words[i : i + 2]):
                if len(span) == 2 and i + 1 >= len(words):
                    continue
                text = " ".join(w.text for w in span).strip(":#,;()[]")
                if SHEET_NUMBER.match(text.upper()) and any(ch.isdigit() for ch in text):
                    found.append((text.upper(), _Line(tuple(span)).bbox, _Line(tuple(span)).height))
    return found


def identify_sheet(words: tuple[Word, ...], width_pt: float, height_pt: float) -> SheetIdentity:
    """Sheet number and title of a page; ``number`` None (confidence 0) when no candidate is convincing."""
    if not words:
        return SheetIdentity(None, None, 0.0)
    lines = _lines(words)
    regions = title_block_regions(width_pt, height_pt)
    typical = statistics.median(w.bbox[3] - w.bbox[1] for w in words) or 1.0
    number_labels = _label_boxes(lines, NUMBER_LABELS)
    scored = []
    for text, box, height in _number_candidates(lines):
        score = 0.0
        if _inside(box, regions):
            score += 0.4
        if _label_near(box, number_labels):
            score += 0.3
        score += min(0.3, 0.1 * max(0.0, height / typical - 1.0))
        # Bottom-right corner is where the number sits on nearly every title block.
        score += 0.1 * ((box[0] + box[2]) / 2 / width_pt) * ((box[1] + box[3]) / 2 / height_pt)
        scored.append((score, text, box))
    if not scored:
        return SheetIdentity(None, _title(lines, regions, typical, None), 0.0)
    score, text, box = max(scored, key=lambda item: item[0])
    if score < 0.45:
        return SheetIdentity(None, _title(lines, regions, typical, None), 0.0)
    return SheetIdentity(text, _title(lines, regions, typical, box), round(min(1.0, score), 3))


def _title(lines: list[_Line], regions: tuple[BBox, ...], typical: float, number_box: BBox | None) -> str | None:
    """The title: a labelled line, else the largest wordy line of the title block."""
    best: tuple[float, str] | None = None
    title_labels = _label_boxes(lines, TITLE_LABELS)
    for line in lines:
        text = line.text.strip()
        letters = sum(ch.isalpha() for ch in text)
        if letters < 4 or not _inside(line.bbox, regions) or NOT_TITLES.match(text.upper()):
            continue
        if number_box is not None and _overlaps(line.bbox, number_box):
            continue
        if SHEET_NUMBER.match(text.upper()):
            continue
        score = line.height / typical + (2.0 if _label_near(line.bbox, title_labels) else 0.0)
        score += 0.5 if text.upper() == text else 0.0
        if best is None or score > best[0]:
            best = (score, text)
    return best[1] if best else None


def _overlaps(a: BBox, b: BBox) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
