"""Reading the text of a change: which readings confirm a changed glyph."""

import pytest

from buildtrace_assets.engine.change_text import _same_but_specks


@pytest.mark.parametrize(("old", "new"), [("125", "125."), ("125", "|125"), (" 3000", "3000,")])
def test_a_speck_at_a_words_end_is_no_changed_glyph(old, new):
    assert _same_but_specks(old, new)


@pytest.mark.parametrize(("old", "new"), [("3000", "3080"), ("6'", '6"'), ("1.5", "15"), ("A-101", "A-102")])
def test_a_changed_character_is_a_changed_glyph(old, new):
    assert not _same_but_specks(old, new)
