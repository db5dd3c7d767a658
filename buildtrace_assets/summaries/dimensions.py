"""Feet-and-inches dimension strings as exact lengths, so a change can say how much it grew or shrank.

Drawings write lengths as ``31'-6 7/8"``; fractions are kept exact with
:class:`fractions.Fraction` so ``reduced by 22'-10 3/4"`` is not a float artefact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

_FRACTION = r"(?P<{n}>\d+)\s*/\s*(?P<{d}>\d+)"
_LENGTH = re.compile(
    r"(?<![\d./])(?:"
    r"(?P<feet>\d+(?:\.\d+)?)\s*['′](?:\s*-?\s*"
    r"(?P<fi>\d+(?:\.\d+)?)?(?:[\s-]*" + _FRACTION.format(n="fn", d="fd") + r")?\s*(?:\"|″|''))?"
    r"|"
    r"(?:(?P<i>\d+(?:\.\d+)?)(?:[\s-]+" + _FRACTION.format(n="n", d="d") + r")?"
    r"|" + _FRACTION.format(n="n2", d="d2") + r")\s*(?:\"|″)"
    r")"
)


def parse_length(text: str | None) -> Fraction | None:
    """Inches in a text holding exactly one feet-inches length (``24'-4"``, ``6 1/2"``, ``12'``); else None."""
    if not text:
        return None
    matches = [m for m in _LENGTH.finditer(text) if m.group(0).strip()]
    if len(matches) != 1:
        return None
    m = matches[0]
    if m.group("feet") is not None:
        inches = Fraction(m.group("feet")) * 12 + Fraction(m.group("fi") or 0)
        return inches + _fraction(m.group("fn"), m.group("fd"))
    whole = Fraction(m.group("i") or 0)
    return whole + _fraction(m.group("n") or m.group("n2"), m.group("d") or m.group("d2"))


_METRIC = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*(?:mm|cm|m)\s*$", re.IGNORECASE)
"""A metric length with its unit (``1200 mm``, ``3.5 m``); a bare number is more often a tag than a length."""


def is_dimension(text: str | None) -> bool:
    """Whether ``text`` is one length: feet-inches (``24'-4"``) or metric with its unit (``1200 mm``)."""
    return parse_length(text) is not None or bool(_METRIC.match(text or ""))


def _fraction(numerator: str | None, denominator: str | None) -> Fraction:
    if numerator is None or denominator is None or int(denominator) == 0:
        return Fraction(0)
    return Fraction(int(numerator), int(denominator))


@dataclass(frozen=True)
class LengthChange:
    """How a dimension value moved."""

    old: Fraction
    new: Fraction

    @property
    def direction(self) -> Literal["increased", "reduced", "unchanged"]:
        if self.new > self.old:
            return "increased"
        if self.new < self.old:
            return "reduced"
        return "unchanged"

    @property
    def delta(self) -> Fraction:
        return abs(self.new - self.old)

    @property
    def relative(self) -> float:
        """Change as a share of the old value (1.0 when the old value was zero)."""
        return float(self.delta / self.old) if self.old else 1.0


def length_change(old_text: str | None, new_text: str | None) -> LengthChange | None:
    """The change of a dimension when both texts are one length each."""
    old, new = parse_length(old_text), parse_length(new_text)
    if old is None or new is None:
        return None
    return LengthChange(old, new)
