"""One measured run in a fresh process, so peak memory belongs to that run alone.

``python -m bench._child engine OLD NEW OUT_DIR DPI`` runs ``compare_documents`` and writes its report to
``OUT_DIR/report.json``; ``... reference OLD NEW - DPI`` rasterizes every page pair with PyMuPDF and takes one pixel
difference, the least any raster comparison must do. Both print one JSON line: seconds (the call only, imports
excluded), the RSS before the call and the RSS high-water. A failure exits non-zero with the traceback on stderr.

Both block PyMuPDF's unused layout extra, as the engine's sandbox and the whole-process reference do: imported, it
loads an ONNX model on a thread that would run during the timed call. The engine's run starts its first sandboxed
child before importing the engine, as ``buildtrace compare`` does.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from buildtrace_assets.cli import PRESTARTED
from buildtrace_assets.engine.documents import load_renderer
from buildtrace_assets.engine.sandbox import prestart

load_renderer()  # before anything imports PyMuPDF: its layout extra would load a model on a thread while timed

import cv2  # noqa: E402
import psutil  # noqa: E402
import pymupdf  # noqa: E402

from buildtrace_assets.samples.render import rasterize_gray  # noqa: E402


def reference(old: Path, new: Path, dpi: float) -> None:
    with pymupdf.open(old) as a, pymupdf.open(new) as b:
        for i in range(min(a.page_count, b.page_count)):
            first, second = rasterize_gray(a[i], round(dpi)), rasterize_gray(b[i], round(dpi))
            h, w = min(first.shape[0], second.shape[0]), min(first.shape[1], second.shape[1])
            cv2.absdiff(first[:h, :w], second[:h, :w])


def engine(old: Path, new: Path, out_dir: Path, dpi: float) -> None:
    from buildtrace_assets.engine.compare import compare_documents

    report = compare_documents(old, new, out_dir, dpi=dpi)
    (out_dir / "report.json").write_text(json.dumps(report))


def main(argv: list[str]) -> None:
    mode, old, new, out_dir, dpi = argv
    if mode == "engine":
        # As `buildtrace compare` does, the sandboxed child that imports PyMuPDF is started before the engine's own
        # imports: the child's import of PyMuPDF is then no more part of the timed call than the reference's is.
        prestart(PRESTARTED["compare"])
        import buildtrace_assets.engine.compare  # noqa: F401  (imports are not part of the timed call)
    baseline_mb = psutil.Process().memory_info().rss / 2**20
    started = time.perf_counter()
    if mode == "engine":
        engine(Path(old), Path(new), Path(out_dir), float(dpi))
    else:
        reference(Path(old), Path(new), float(dpi))
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "baseline_mb": baseline_mb, "peak_mb": peak_mb}))


if __name__ == "__main__":
    main(sys.argv[1:])
