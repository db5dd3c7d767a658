"""Attributes of the DWG converter's libraries replaced for the duration of a conversion, and put back after it.

ezdwg 0.17 and ezdxf 1.4 offer no hooks where the conversion needs its own
steps (see :mod:`.dwg_ezdwg`, :mod:`.dwg_ezdxf`, :mod:`.dwg_repairs`): their
module functions are swapped for the conversion alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def patched(owner: Any, replacements: dict[str, Any]) -> Iterator[None]:
    """Within: ``owner``'s attributes named in ``replacements`` are those; after: the originals again."""
    originals = {name: getattr(owner, name) for name in replacements}
    for name, replacement in replacements.items():
        setattr(owner, name, replacement)
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(owner, name, original)
