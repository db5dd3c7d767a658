"""Where one comparison's seconds went, per stage and per sheet, written into ``changes.json`` under ``timings``.

Traces show the same stages, but only where a collector runs; a user's slow ``buildtrace compare`` or a benchmark's
row carries its own breakdown. Sheets are compared side by side, so a stage's seconds summed over sheets can exceed
the comparison's wall time; ``process_s`` is how long the process had run before the comparison began (interpreter
start and imports, the cost a whole-process measurement adds to an in-process one).
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from buildtrace_assets.observability.tracing import engine_stage


def _process_age_s() -> float:
    """Seconds since this process started, on the boot clock the kernel counts start times on (wall-clock
    differences drift on a virtual machine whose clock is adjusted)."""
    with open("/proc/self/stat", encoding="ascii") as stat:
        start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
    return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - start_ticks / os.sysconf("SC_CLK_TCK"))


class Timings:
    """Seconds per stage, summed over sheets and kept per sheet; safe to add to from the comparing threads."""

    def __init__(self) -> None:
        self._started = time.perf_counter()
        self._process_s = _process_age_s()
        self._lock = threading.Lock()
        self._stages: defaultdict[str, float] = defaultdict(float)
        self._sheets: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))

    @contextmanager
    def stage(self, name: str, sheet: str | None = None) -> Iterator[None]:
        """Time the block as stage ``name`` (of ``sheet``, when given), inside the stage's trace span."""
        attributes = {} if sheet is None else {"sheet": sheet}
        started = time.perf_counter()
        try:
            with engine_stage(name, **attributes):
                yield
        finally:
            elapsed = time.perf_counter() - started
            with self._lock:
                self._stages[name] += elapsed
                if sheet is not None:
                    self._sheets[sheet][name] += elapsed

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "total_s": round(time.perf_counter() - self._started, 4),
                "process_s": round(self._process_s, 4),
                "stages": {name: round(seconds, 4) for name, seconds in self._stages.items()},
                "sheets": {
                    key: {name: round(seconds, 4) for name, seconds in stages.items()}
                    for key, stages in self._sheets.items()
                },
            }
