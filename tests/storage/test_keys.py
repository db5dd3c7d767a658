"""Keys are relative '/'-paths that can never leave the storage root."""

from __future__ import annotations

import pytest

from buildtrace_assets.storage.errors import InvalidKey
from buildtrace_assets.storage.keys import TEMP_PREFIX, validate_key, validate_prefix


@pytest.mark.parametrize("key", ["a", "uploads/p1/A-101 rev 2.pdf", "x/.hidden", "a..b/c...d", "ünïcode/§.pdf"])
def test_valid_keys_are_returned_unchanged(key: str) -> None:
    assert validate_key(key) == key


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "empty"),
        ("/abs", "relative"),
        ("..", "'..'"),
        ("a/../b", "'..'"),
        ("a/..", "'..'"),
        ("./a", "'.'"),
        ("a//b", "empty"),
        ("a/", "empty"),
        ("a\\b", "backslash"),
        ("a\x00b", "NUL"),
        (f"a/{TEMP_PREFIX}x", "reserved"),
    ],
)
def test_invalid_keys_are_rejected_with_the_reason(key: str, reason: str) -> None:
    with pytest.raises(InvalidKey, match=reason):
        validate_key(key)


def test_a_key_must_be_a_string() -> None:
    with pytest.raises(InvalidKey, match="string"):
        validate_key(b"bytes")  # type: ignore[arg-type]


def test_invalid_key_is_a_value_error() -> None:
    assert issubclass(InvalidKey, ValueError)


@pytest.mark.parametrize("prefix", ["", "uploads/", "uploads/p", "uploads/p1/", "a"])
def test_prefixes_may_end_inside_a_name_or_with_a_slash(prefix: str) -> None:
    assert validate_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["/", "../", "a/../", "a/..", "a//", "a\\", "\x00"])
def test_escaping_prefixes_are_rejected(prefix: str) -> None:
    with pytest.raises(InvalidKey):
        validate_prefix(prefix)
