"""open_storage picks the backend from the storage URL and rejects anything else clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from buildtrace_assets.storage import GcsBlobStorage, LocalBlobStorage, open_storage


def test_file_url_opens_local_storage_at_that_path(tmp_path: Path) -> None:
    storage = open_storage((tmp_path / "my blobs").as_uri())
    assert isinstance(storage, LocalBlobStorage)
    assert storage.root == tmp_path / "my blobs"


def test_gs_url_opens_gcs_storage_under_the_prefix(gcs_storage_url: str) -> None:
    storage = open_storage(gcs_storage_url + "/")
    assert isinstance(storage, GcsBlobStorage)
    assert storage.url == gcs_storage_url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("s3://bucket/prefix", "expected file:///absolute/path or gs://bucket/prefix"),
        ("/plain/path", "expected file:///"),
        ("", "expected file:///"),
        ("file://server/share", "local path"),
        ("file:relative/path", "absolute"),
        ("gs:///prefix-without-bucket", "needs a bucket"),
    ],
)
def test_unsupported_urls_raise_value_error(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        open_storage(url)


def test_gs_url_with_escaping_prefix_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"'..'"):
        open_storage("gs://bucket/../other")
