"""Discipline of a sheet from its number, following the US National CAD Standard designators."""

from __future__ import annotations

import re

from buildtrace_assets.summaries.schema import Discipline

_TWO_LETTER: dict[str, Discipline] = {
    "FP": "fire_protection",
    "FA": "fire_alarm",
    "ID": "interiors",
}
_ONE_LETTER: dict[str, Discipline] = {
    "A": "architectural",
    "B": "geotechnical",
    "C": "civil",
    "D": "process",
    "E": "electrical",
    "F": "fire_protection",
    "G": "general",
    "H": "hazardous_materials",
    "I": "interiors",
    "L": "landscape",
    "M": "mechanical",
    "O": "operations",
    "P": "plumbing",
    "Q": "equipment",
    "R": "resource",
    "S": "structural",
    "T": "telecommunications",
    "V": "survey",
    "W": "distributed_energy",
}
_PREFIX = re.compile(r"^\s*([A-Za-z]{1,2})")


def discipline_of(sheet_number: str | None) -> Discipline:
    """``FP-101`` is fire protection, ``AD-101`` (a modifier after the designator) architectural; a sheet without a
    designator (``101``, or no number read) is ``general``, as the standard files sheets that serve every trade."""
    match = _PREFIX.match(sheet_number or "")
    if not match:
        return "general"
    prefix = match.group(1).upper()
    return _TWO_LETTER.get(prefix) or _ONE_LETTER.get(prefix[0], "general")
