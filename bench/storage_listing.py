"""The upload sensor's idle tick: list local storage after the last key seen.

Creates 10,000 blobs laid out like uploads (100 projects x 100 files), then
times ``list("uploads/", start_after=<last key>)``, which finds nothing new,
against a full listing. The cursor listing must stay in the milliseconds,
independent of how many old uploads there are.

Run: ``.venv/bin/python -m bench.storage_listing``
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from buildtrace_assets.storage import LocalBlobStorage

PROJECTS = 100
FILES_PER_PROJECT = 100
REPEATS = 5
CURSOR_TARGET_S = 0.05


def _median_seconds(action: Callable[[], object]) -> float:
    timings = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        store = LocalBlobStorage(Path(directory))
        started = time.perf_counter()
        for project in range(PROJECTS):
            for number in range(FILES_PER_PROJECT):
                store.put_bytes(f"uploads/p{project:03d}/sheet-{number:03d}.pdf", b"%PDF-1.7")
        created_s = time.perf_counter() - started
        last_key = f"uploads/p{PROJECTS - 1:03d}/sheet-{FILES_PER_PROJECT - 1:03d}.pdf"

        full_s = _median_seconds(lambda: sum(1 for _ in store.list("uploads/")))
        cursor_s = _median_seconds(lambda: list(store.list("uploads/", start_after=last_key)))
        new_after_cursor = list(store.list("uploads/", start_after=last_key))

    total = PROJECTS * FILES_PER_PROJECT
    print(f"created {total} blobs in {created_s:.2f} s")
    print(f"full listing of {total} blobs: {full_s * 1000:.1f} ms (median of {REPEATS})")
    print(f"cursor listing after the last key: {cursor_s * 1000:.2f} ms, {len(new_after_cursor)} new blobs")
    verdict = "OK" if cursor_s < CURSOR_TARGET_S and not new_after_cursor else "TOO SLOW"
    print(f"target < {CURSOR_TARGET_S * 1000:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
