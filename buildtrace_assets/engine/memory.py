"""Make a process cheap at handling page rasters: freed ones reused, memory in small pages.

A comparison allocates and frees sheet-sized arrays (about 20 MB each for an
ARCH D sheet at 150 DPI) many times per sheet pair, and every byte of fresh
memory costs the kernel a page fault and zeroing. Two settings of the C
library and the kernel cut that cost; on the machine in the README together
they took 0.2-0.3 s of system time off a two-sheet comparison of ~0.7 s:

- glibc serves each raster from a fresh mapping and unmaps it when freed, so
  the next one is zeroed again. With the mapping threshold above a page
  raster and the heap never trimmed, the next pair reuses what the last one
  freed; the process keeps its peak footprint instead, which the engine's
  memory target bounds anyway.
- Sheets are compared on pool threads, and glibc gives each thread an arena
  of its own, 64 MB heaps that it maps and unmaps apart from the main heap's
  settings. With one arena, every thread reuses the rasters any other freed
  (two threads filling six rasters each: about 6,600 page faults a round,
  against 2); the lock they share costs nothing next to a raster's fill.
- numpy asks for transparent huge pages on large arrays, and a huge-page
  fault may first compact memory to find 2 MB in one piece: slower, and far
  less predictable, than faulting the same memory in 4 kB pages. The process
  (and the sandbox children it starts, which inherit it) opts out of them.
"""

from __future__ import annotations

import ctypes
import functools

_M_TRIM_THRESHOLD = -1
_M_ARENA_MAX = -8
_M_MMAP_THRESHOLD = -3
_PR_SET_THP_DISABLE = 41
MMAP_THRESHOLD_BYTES = 32 * 2**20
"""glibc's ceiling for this setting; a larger raster is mapped and unmapped as before."""
TRIM_THRESHOLD_BYTES = 2**30


@functools.cache
def prepare_for_rasters() -> bool:
    """Tune the allocator and the kernel for this process, once; False where either setting is unavailable
    (not glibc, not Linux): the engine works the same there, only slower."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        mallopt, prctl = libc.mallopt, libc.prctl
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    prctl.argtypes = (ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong)
    return (
        bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
        and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))
        and bool(mallopt(_M_ARENA_MAX, 1))
        and prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0
    )
