"""A library's attributes are replaced within the context and the originals are back after it, even on an error."""

from types import SimpleNamespace

import pytest

from buildtrace_assets.engine.dwg_patching import patched


def test_the_attributes_are_replaced_within_and_restored_after_even_when_the_conversion_fails():
    library = SimpleNamespace(decode=len, repair=abs)
    with patched(library, {"decode": sorted}):
        assert (library.decode, library.repair) == (sorted, abs)
    assert (library.decode, library.repair) == (len, abs)
    with pytest.raises(RuntimeError), patched(library, {"decode": sorted, "repair": min}):
        assert (library.decode, library.repair) == (sorted, min)
        raise RuntimeError("the conversion failed")
    assert (library.decode, library.repair) == (len, abs)
