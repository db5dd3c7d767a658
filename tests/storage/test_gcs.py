"""GCS specifics beyond the shared contract (tests/storage/test_base.py), against the emulator."""

from __future__ import annotations

import socket
import time

import pytest
from google.cloud import storage as gcs

from buildtrace_assets.storage import GcsBlobStorage, StorageUnavailable, open_storage
from buildtrace_assets.storage.gcs import make_client


@pytest.fixture
def bucket(gcs_storage_url: str) -> gcs.Bucket:
    return make_client().bucket(gcs_storage_url.removeprefix("gs://").split("/")[0])


def object_names(bucket: gcs.Bucket) -> list[str]:
    return [blob.name for blob in bucket.client.list_blobs(bucket)]


def test_blobs_are_objects_under_the_url_prefix(gcs_storage_url: str, bucket: gcs.Bucket) -> None:
    store = open_storage(gcs_storage_url)
    store.put_bytes("uploads/p1/A-101.pdf", b"%PDF", content_type="application/pdf")

    assert object_names(bucket) == ["buildtrace/uploads/p1/A-101.pdf"]
    assert bucket.get_blob("buildtrace/uploads/p1/A-101.pdf").content_type == "application/pdf"
    assert store.uri("uploads/p1/A-101.pdf") == f"gs://{bucket.name}/buildtrace/uploads/p1/A-101.pdf"


def test_objects_outside_the_prefix_or_not_valid_keys_are_not_listed(gcs_storage_url: str, bucket: gcs.Bucket) -> None:
    store = open_storage(gcs_storage_url)
    store.put_bytes("uploads/a.pdf", b"a")
    bucket.blob("buildtrace-other/b.pdf").upload_from_string(b"b")
    bucket.blob("elsewhere/c.pdf").upload_from_string(b"c")
    bucket.blob("buildtrace/uploads/folder/").upload_from_string(b"")

    assert [info.key for info in store.list()] == ["uploads/a.pdf"]


def test_storage_at_the_bucket_root(gcs_storage_url: str, bucket: gcs.Bucket) -> None:
    store = open_storage(f"gs://{bucket.name}")
    store.put_bytes("top.txt", b"t")

    assert store.url == f"gs://{bucket.name}"
    assert object_names(bucket) == ["top.txt"]
    assert [info.key for info in store.list()] == ["top.txt"]


def test_an_interrupted_chunked_upload_sends_nothing(gcs_storage_url: str, bucket: gcs.Bucket) -> None:
    def chunks():
        yield b"x" * 1024
        raise ConnectionError("source went away")

    with pytest.raises(ConnectionError):
        open_storage(gcs_storage_url).put_bytes("partial.bin", chunks())
    assert object_names(bucket) == []


def test_an_injected_client_is_used(gcs_storage_url: str, bucket: gcs.Bucket) -> None:
    store = GcsBlobStorage(bucket.name, "custom", client=bucket.client)
    store.put_bytes("k", b"v")
    assert object_names(bucket) == ["custom/k"]


@pytest.fixture
def stopped_emulator(monkeypatch: pytest.MonkeyPatch) -> str:
    """``STORAGE_EMULATOR_HOST`` pointing at a port of 127.0.0.1 where nothing listens, as after the emulator
    stopped."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{port}")
    return f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(
    "operation",
    [
        lambda storage: storage.put_bytes("a/b.txt", b"x"),
        lambda storage: storage.get_bytes("a/b.txt"),
        lambda storage: storage.exists("a/b.txt"),
        lambda storage: storage.stat("a/b.txt"),
        lambda storage: storage.delete("a/b.txt"),
        lambda storage: list(storage.list("a/")),
    ],
    ids=["put", "get", "exists", "stat", "delete", "list"],
)
def test_an_unreachable_service_is_storage_unavailable_after_a_short_retry(stopped_emulator: str, operation) -> None:
    storage = GcsBlobStorage("bucket", "buildtrace", retry_timeout_s=0.5)
    started = time.monotonic()
    with pytest.raises(StorageUnavailable, match="unreachable"):
        operation(storage)
    assert time.monotonic() - started < 5
