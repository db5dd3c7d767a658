"""Uploading a drawing set at once: which drawing each file becomes a version of, and refusals in plain words.

A set arrives as many files (``A-101 rev2.pdf``, ``A-102 rev2.pdf``…) or as
one multi-page PDF (one drawing whose pages are its sheets). Each file is
matched to an existing drawing by its name without the revision mark
(``A-101 rev2`` → ``A-101``) or by the sheet number in it (``A-101``); a
file that matches none starts a new drawing named after it. The person sees
and can change this mapping before anything is saved.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from buildtrace_assets.services.errors import ServiceError
from buildtrace_assets.services.uploads import DuplicateUpload

REVISION_MARK = re.compile(r"[\s_.-]*(rev(ision)?|r|v(ersion)?)[\s_.-]*\d+[a-z]?$", re.IGNORECASE)
MB = 1024 * 1024
SHEET_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,3}-?\d{1,4}(\.\d{1,3})?(?![0-9])")


def base_name(filename: str) -> str:
    """The file's name without extension and revision mark: ``A-101 rev2.pdf`` → ``A-101``."""
    stem = PurePath(filename).stem.strip()
    return REVISION_MARK.sub("", stem).strip() or stem


def drawing_for(filename: str, drawings: Sequence[str]) -> str:
    """The existing drawing ``filename`` is a new version of, else the name of the new drawing it starts."""
    base = base_name(filename)
    by_name = {name.casefold(): name for name in drawings}
    if base.casefold() in by_name:
        return by_name[base.casefold()]
    for number in (match.group(0) for match in SHEET_NUMBER.finditer(PurePath(filename).stem)):
        if number.casefold() in by_name:
            return by_name[number.casefold()]
    return base


def stored_share(filename: str, stored: int, total: int) -> tuple[float, str]:
    """The bar's fill and words while ``stored`` of ``total`` bytes of the file are in storage."""
    share = min(1.0, stored / total) if total else 1.0
    return share, f"{filename}: {stored / MB:.1f} of {total / MB:.1f} MB stored"


def plain_refusal(error: ServiceError, filename: str) -> str:
    """The service's refusal without internal ids."""
    if isinstance(error, DuplicateUpload):
        return f"{filename} is already version {error.existing_version_number} of this drawing; nothing was added."
    return str(error) or f"{filename} was refused."
