"""atomic_write replaces a file completely or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtrace_assets.storage.atomic import atomic_write, write_chunks


def test_completed_write_replaces_the_file_and_creates_parents(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "file.bin"
    with atomic_write(target) as handle:
        write_chunks(handle, [b"one", b"two"])
    assert target.read_bytes() == b"onetwo"
    assert list(target.parent.iterdir()) == [target]


def test_failed_write_keeps_the_old_file_and_removes_the_temporary(tmp_path: Path) -> None:
    target = tmp_path / "file.bin"
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="disk full"), atomic_write(target) as handle:
        handle.write(b"new but incomplete")
        raise OSError("disk full")
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_nothing_is_visible_before_the_write_completes(tmp_path: Path) -> None:
    target = tmp_path / "file.bin"
    with atomic_write(target) as handle:
        handle.write(b"in flight")
        assert not target.exists()
    assert target.read_bytes() == b"in flight"
