import subprocess
import sys

import pytest

RASTER_BYTES = 20 * 2**20
"""About one ARCH D sheet at 150 DPI."""
PAGE_BYTES = 4096

_FILL_TWICE = f"""
import resource, sys, threading
import numpy as np
from buildtrace_assets.engine.memory import prepare_for_rasters

if sys.argv[1] == "tuned":
    assert prepare_for_rasters()
    assert "THP_enabled:\t0" in open("/proc/self/status").read()
def fill():
    raster = np.empty({RASTER_BYTES}, np.uint8)
    raster.fill(255)

def fill_several():
    for _ in range(3):
        old, new = np.empty({RASTER_BYTES}, np.uint8), np.empty({RASTER_BYTES}, np.uint8)
        old.fill(255)
        new.fill(255)

for _ in range(2):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    if sys.argv[2] == "threads":
        pool = [threading.Thread(target=fill_several) for _ in range(2)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    else:
        fill()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults_filling_the_second_raster(mode: str, where: str = "main") -> int:
    """Page faults of the second of two rasters allocated, filled and freed in turn, in a fresh process: on its
    main thread, or pairs of them on two threads at once (``threads``), as sheets are compared on a pool."""
    command = [sys.executable, "-c", _FILL_TWICE, mode, where]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return int(done.stdout)


@pytest.mark.parametrize("where", ["main", "threads"])
def test_a_freed_raster_is_reused_without_the_kernel_zeroing_it_again(where: str):
    assert _faults_filling_the_second_raster("tuned", where) < RASTER_BYTES // PAGE_BYTES // 20


def test_untuned_the_second_raster_is_zeroed_again():
    """The tuning's reason: glibc unmaps a freed raster and maps fresh memory for the next one."""
    assert _faults_filling_the_second_raster("untuned") > RASTER_BYTES // PAGE_BYTES // 20
