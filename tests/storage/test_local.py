"""Local-directory specifics beyond the shared contract (tests/storage/test_base.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from buildtrace_assets.storage import InvalidKey, LocalBlobStorage, open_storage
from buildtrace_assets.storage.keys import TEMP_PREFIX


@pytest.fixture
def store(tmp_path: Path) -> LocalBlobStorage:
    return LocalBlobStorage(tmp_path / "blobs")


def test_blobs_are_plain_files_under_the_root(store: LocalBlobStorage) -> None:
    store.put_bytes("uploads/p1/A-101.pdf", b"%PDF", content_type="application/pdf")
    assert (store.root / "uploads" / "p1" / "A-101.pdf").read_bytes() == b"%PDF"
    assert store.uri("uploads/p1/A-101.pdf") == (store.root / "uploads/p1/A-101.pdf").as_uri()


def test_an_unwritten_root_is_an_empty_storage(store: LocalBlobStorage) -> None:
    assert list(store.list()) == []
    assert not store.exists("a")
    assert not store.root.exists()


def test_root_must_be_absolute() -> None:
    with pytest.raises(ValueError, match="absolute"):
        LocalBlobStorage("relative/blobs")


def test_a_blob_and_a_folder_cannot_share_a_name(store: LocalBlobStorage) -> None:
    store.put_bytes("a", b"blob")
    store.put_bytes("b/c", b"blob")
    with pytest.raises(InvalidKey, match="share a name"):
        store.put_bytes("a/child", b"x")
    with pytest.raises(InvalidKey, match="share a name"):
        store.put_bytes("b", b"x")
    assert [info.key for info in store.list()] == ["a", "b/c"]


def test_leftover_temporary_files_are_never_listed(store: LocalBlobStorage) -> None:
    store.put_bytes("uploads/p1/done.pdf", b"complete")
    (store.root / "uploads" / "p1" / f"{TEMP_PREFIX}crashed").write_bytes(b"partial")
    assert [info.key for info in store.list()] == ["uploads/p1/done.pdf"]


def test_symlinks_are_not_followed_out_of_the_root(store: LocalBlobStorage, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    store.put_bytes("inside.txt", b"ok")
    (store.root / "link").symlink_to(outside, target_is_directory=True)
    (store.root / "file-link").symlink_to(outside / "secret.txt")
    assert [info.key for info in store.list()] == ["inside.txt"]


def test_cursor_listing_does_not_visit_folders_before_the_cursor(
    store: LocalBlobStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    for project in range(5):
        for sheet in range(3):
            store.put_bytes(f"uploads/p{project}/s{sheet}.pdf", b"x")
    visited: list[str] = []
    real_scandir = os.scandir

    def recording_scandir(path):
        visited.append(os.path.relpath(path, store.root))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", recording_scandir)
    listed = [info.key for info in store.list("uploads/", start_after="uploads/p3/s1.pdf")]

    assert listed == ["uploads/p3/s2.pdf", "uploads/p4/s0.pdf", "uploads/p4/s1.pdf", "uploads/p4/s2.pdf"]
    assert visited == [".", "uploads", "uploads/p3", "uploads/p4"]


def test_file_url_round_trip(store: LocalBlobStorage) -> None:
    assert open_storage(store.url).root == store.root
