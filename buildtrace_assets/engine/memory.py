"""Let a process reuse the memory of freed page rasters instead of handing it back to the kernel.

A comparison allocates and frees sheet-sized arrays (about 20 MB each for an
ARCH D sheet at 150 DPI) many times per sheet pair. glibc serves each from a
fresh mapping and unmaps it when freed, so the kernel zeroes every one of them
again on first touch: on the machine in the README that cost about a tenth of
a second per two-sheet comparison, more than aligning a sheet pair. With the
mapping threshold above a page raster and the heap never trimmed, the next
pair reuses what the last one freed. The process keeps its peak footprint
instead, which the engine's memory target bounds anyway.
"""

from __future__ import annotations

import ctypes
import functools

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 2**20
"""glibc's ceiling for this setting; a larger raster is mapped and unmapped as before."""
TRIM_THRESHOLD_BYTES = 2**30


@functools.cache
def reuse_freed_rasters() -> bool:
    """Tune the C library's allocator, once per process; False where it is not glibc (nothing changes there)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )
