"""The BlobStorage contract: every backend (local directory, GCS) behaves the same."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from buildtrace_assets.storage import BlobInfo, BlobNotFound, BlobStorage, InvalidKey, open_storage
from buildtrace_assets.storage.base import PROGRESS_CHUNK_BYTES


@pytest.fixture(params=["local", "gcs"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStorage:
    if request.param == "local":
        return open_storage((tmp_path / "blobs").as_uri())
    return open_storage(request.getfixturevalue("gcs_storage_url"))


def failing_chunks():
    yield b"first half of the drawing"
    raise RuntimeError("producer failed mid-write")


def test_both_backends_satisfy_the_protocol(store: BlobStorage) -> None:
    assert isinstance(store, BlobStorage)


def test_bytes_round_trip_and_stat(store: BlobStorage) -> None:
    now = datetime.now(UTC)
    info = store.put_bytes("uploads/p1/A-101/v1.pdf", b"%PDF-1.7 payload", content_type="application/pdf")

    assert store.get_bytes("uploads/p1/A-101/v1.pdf") == b"%PDF-1.7 payload"
    assert info.key == "uploads/p1/A-101/v1.pdf"
    assert info.size == len(b"%PDF-1.7 payload")
    assert abs(info.updated - now) < timedelta(minutes=1)
    assert store.stat("uploads/p1/A-101/v1.pdf") == info


def test_chunked_write_stores_the_concatenation(store: BlobStorage) -> None:
    store.put_bytes("chunks.bin", iter([b"ab", b"", b"cd"]))
    assert store.get_bytes("chunks.bin") == b"abcd"


def test_overwrite_replaces_content_and_changes_etag(store: BlobStorage) -> None:
    first = store.put_bytes("summary.json", b'{"v": 1}')
    second = store.put_bytes("summary.json", b'{"v": 22}')

    assert store.get_bytes("summary.json") == b'{"v": 22}'
    assert second.size == 9
    assert second.etag != first.etag


def test_interrupted_write_leaves_no_blob_visible(store: BlobStorage) -> None:
    with pytest.raises(RuntimeError, match="producer failed"):
        store.put_bytes("uploads/p1/partial.pdf", failing_chunks())

    assert not store.exists("uploads/p1/partial.pdf")
    assert list(store.list()) == []


def test_interrupted_overwrite_keeps_the_previous_blob(store: BlobStorage) -> None:
    store.put_bytes("result.json", b"complete old result")
    with pytest.raises(RuntimeError):
        store.put_bytes("result.json", failing_chunks())

    assert store.get_bytes("result.json") == b"complete old result"
    assert [info.key for info in store.list()] == ["result.json"]


def test_large_file_round_trip_through_put_file_and_download(store: BlobStorage, tmp_path: Path) -> None:
    source = tmp_path / "sheet.png"
    payload = hashlib.shake_256(b"buildtrace").digest(3 * 1024 * 1024 + 17)
    source.write_bytes(payload)

    info = store.put_file("rasters/v1/page-0.png", source, content_type="image/png")
    target = store.download("rasters/v1/page-0.png", tmp_path / "out" / "page-0.png")

    assert info.size == len(payload)
    assert target.read_bytes() == payload
    assert [path.name for path in target.parent.iterdir()] == ["page-0.png"]


def test_exists_and_delete(store: BlobStorage) -> None:
    store.put_bytes("a/b.txt", b"x")
    assert store.exists("a/b.txt")
    assert not store.exists("a")

    store.delete("a/b.txt")
    store.delete("a/b.txt")

    assert not store.exists("a/b.txt")
    assert list(store.list()) == []


def test_missing_blob_raises_blob_not_found(store: BlobStorage, tmp_path: Path) -> None:
    for read in (store.get_bytes, store.stat, lambda key: store.download(key, tmp_path / "out.bin")):
        with pytest.raises(BlobNotFound) as raised:
            read("nothing/here.pdf")
        assert isinstance(raised.value, KeyError)
        assert "nothing/here.pdf" in str(raised.value)
    assert not (tmp_path / "out.bin").exists()


ORDERED_KEYS = [
    "a-b",  # '-' < '.' < '/': keys sort by their bytes, not folder by folder
    "a.b",
    "a/b/c",
    "a/x",
    "b",
    "uploads/p1/x.pdf",
    "uploads/p1/y.pdf",
    "uploads/p10/w.pdf",
    "uploads/p2/z.pdf",
]
UPLOADS = ORDERED_KEYS[5:]


@pytest.fixture
def filled(store: BlobStorage) -> BlobStorage:
    for key in reversed(ORDERED_KEYS):
        store.put_bytes(key, key.encode())
    return store


def keys(infos) -> list[str]:
    return [info.key for info in infos]


def test_list_returns_every_blob_sorted_by_key(filled: BlobStorage) -> None:
    listed = list(filled.list())
    assert keys(listed) == ORDERED_KEYS
    assert all(isinstance(info, BlobInfo) and info.size == len(info.key) for info in listed)


def test_list_filters_by_string_prefix(filled: BlobStorage) -> None:
    assert keys(filled.list("uploads/")) == UPLOADS
    assert keys(filled.list("uploads/p1")) == ["uploads/p1/x.pdf", "uploads/p1/y.pdf", "uploads/p10/w.pdf"]
    assert keys(filled.list("uploads/p1/")) == ["uploads/p1/x.pdf", "uploads/p1/y.pdf"]
    assert keys(filled.list("a")) == ["a-b", "a.b", "a/b/c", "a/x"]
    assert keys(filled.list("nothing/")) == []


def test_list_resumes_strictly_after_the_cursor(filled: BlobStorage) -> None:
    assert keys(filled.list(start_after="a/b/c")) == ORDERED_KEYS[3:]
    assert keys(filled.list("uploads/", start_after="uploads/p1/x.pdf")) == UPLOADS[1:]
    assert keys(filled.list("uploads/", start_after="uploads/p2/z.pdf")) == []


def test_list_cursor_need_not_be_an_existing_key(filled: BlobStorage) -> None:
    assert keys(filled.list(start_after="a/c")) == ORDERED_KEYS[3:]
    assert keys(filled.list("uploads/", start_after="uploads/p1/")) == UPLOADS


def test_list_pages_with_limit_and_cursor(filled: BlobStorage) -> None:
    first = keys(filled.list(limit=4))
    second = keys(filled.list(start_after=first[-1], limit=4))
    third = keys(filled.list(start_after=second[-1], limit=4))

    assert [first, second, third] == [ORDERED_KEYS[0:4], ORDERED_KEYS[4:8], ORDERED_KEYS[8:]]
    assert keys(filled.list(start_after=third[-1], limit=4)) == []
    assert keys(filled.list(limit=0)) == []


def test_list_rejects_a_negative_limit(filled: BlobStorage) -> None:
    with pytest.raises(ValueError, match="limit"):
        filled.list(limit=-1)


INVALID_KEYS = ["", "/etc/passwd", "../outside", "a/../../b", "a//b", "a/./b", "a\\b", "a\x00b", "dir/"]


@pytest.mark.parametrize("key", INVALID_KEYS)
def test_every_operation_rejects_invalid_keys(store: BlobStorage, key: str, tmp_path: Path) -> None:
    operations = [
        lambda: store.put_bytes(key, b"x"),
        lambda: store.put_file(key, __file__),
        lambda: store.get_bytes(key),
        lambda: store.download(key, tmp_path / "x"),
        lambda: store.exists(key),
        lambda: store.delete(key),
        lambda: store.stat(key),
        lambda: store.uri(key),
    ]
    for operation in operations:
        with pytest.raises(InvalidKey):
            operation()
    assert list(store.list()) == []


def test_list_rejects_an_escaping_prefix(store: BlobStorage) -> None:
    with pytest.raises(InvalidKey):
        store.list("../")


def test_uri_names_the_blob_under_the_storage_url(store: BlobStorage) -> None:
    assert store.uri("uploads/p1/a b.pdf").startswith(store.url + "/uploads/p1/")
    assert open_storage(store.url).url == store.url


@pytest.mark.parametrize("chunked", [False, True], ids=["bytes", "chunks"])
def test_progress_follows_the_bytes_stored(store: BlobStorage, chunked: bool) -> None:
    data = bytes(range(256)) * (PROGRESS_CHUNK_BYTES // 256) * 2 + b"tail"
    parts = [data[:1000], data[1000 : PROGRESS_CHUNK_BYTES + 5], data[PROGRESS_CHUNK_BYTES + 5 :]]
    reports: list[int] = []

    info = store.put_bytes("uploads/big.pdf", iter(parts) if chunked else data, progress=reports.append)

    assert store.get_bytes("uploads/big.pdf") == data and info.size == len(data)
    assert reports == sorted(reports), "progress never goes back"
    assert reports[-1] == len(data)
    assert len({n for n in reports if 0 < n < len(data)}) >= 2, f"reports on the way, not only at the end: {reports}"
