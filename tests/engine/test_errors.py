"""Messages meant for the uploader carry no server internals: no folders of server paths, no object reprs."""

from __future__ import annotations

import pytest

from buildtrace_assets.engine.errors import public_message


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (
            "Failed to open file '/tmp/buildtrace-upload-x1/upload' as type pdf.",
            "Failed to open file 'upload' as type pdf.",
        ),
        ("cannot identify image file <_io.BytesIO object at 0x7f3a2c1b9e40>", "cannot identify image file the file"),
        ("[Errno 2] No such file or directory: /srv/data/blobs/a.png", "[Errno 2] No such file or directory: a.png"),
        ("code=7: no objects found", "code=7: no objects found"),
        ("ratio 1/2 of the page", "ratio 1/2 of the page"),
    ],
    ids=["quoted-path", "repr", "bare-path", "plain", "relative-fraction"],
)
def test_paths_lose_their_folders_and_reprs_become_the_file(raw: str, shown: str) -> None:
    assert public_message(raw) == shown
