import subprocess
import sys

RASTER_BYTES = 20 * 2**20
"""About one ARCH D sheet at 150 DPI."""
PAGE_BYTES = 4096

_FILL_TWICE = f"""
import resource, sys
import numpy as np
from buildtrace_assets.engine.memory import prepare_for_rasters

if sys.argv[1] == "tuned":
    assert prepare_for_rasters()
    assert "THP_enabled:\t0" in open("/proc/self/status").read()
for _ in range(2):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    raster = np.empty({RASTER_BYTES}, np.uint8)
    raster.fill(255)
    del raster
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults_filling_the_second_raster(mode: str) -> int:
    """Page faults of the second of two rasters allocated, filled and freed in turn, in a fresh process."""
    done = subprocess.run([sys.executable, "-c", _FILL_TWICE, mode], capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_a_freed_raster_is_reused_without_the_kernel_zeroing_it_again():
    assert _faults_filling_the_second_raster("tuned") < RASTER_BYTES // PAGE_BYTES // 20


def test_untuned_the_second_raster_is_zeroed_again():
    """The tuning's reason: glibc unmaps a freed raster and maps fresh memory for the next one."""
    assert _faults_filling_the_second_raster("untuned") > RASTER_BYTES // PAGE_BYTES // 20
