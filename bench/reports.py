"""Benchmark: the four report documents of a 50-sheet ARCH D set, time and peak memory (target ≤ 700 MB).

Run with ``.venv/bin/python -m bench.reports [--sheets N]``. It generates a
revision pair (``mixed`` scenario), compares it with the engine at the
configured resolution, then builds the PDF report, the marked-up PDF and the
change log in a fresh child process, so the peak resident memory measured is
the report build's alone; the sandboxed children that open the new revision
are reported apart (the largest of them). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MB = 700.0


def build(old: Path, new: Path, out_dir: Path) -> dict[str, object]:
    """In the child: every document from the engine's output, timed one by one."""
    import pymupdf

    from buildtrace_assets.reports.bundle import DOCUMENTS, write_documents
    from buildtrace_assets.reports.folder import folder_input
    from buildtrace_assets.summaries.offline import OfflineSummarizer

    document = json.loads((out_dir / "changes.json").read_text())
    report = folder_input(old, new, document, OfflineSummarizer().summarize(document), out_dir)
    seconds = {}
    for name in DOCUMENTS:
        started = time.perf_counter()
        write_documents(report, out_dir, [name])
        seconds[name] = round(time.perf_counter() - started, 2)
    with pymupdf.open(out_dir / "report.pdf") as pdf:
        pages = pdf.page_count
    return {
        "seconds": seconds,
        "report_pages": pages,
        "sizes_mb": {name: round((out_dir / name).stat().st_size / 2**20, 1) for name in DOCUMENTS},
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "sandbox_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sheets", type=int, default=50)
    parser.add_argument("--child", nargs=3, metavar=("OLD", "NEW", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(build(*(Path(part) for part in args.child))))
        return

    from buildtrace_assets.config import get_settings
    from buildtrace_assets.engine.compare import compare_documents
    from buildtrace_assets.samples import make_revision_pair

    with tempfile.TemporaryDirectory(prefix="bench-reports-") as scratch:
        folder = Path(scratch)
        pair = make_revision_pair(folder / "pair", seed=5, n_sheets=args.sheets, page_size="ARCH_D")
        document = compare_documents(pair.old_path, pair.new_path, folder / "out", dpi=get_settings().dpi)
        child = [sys.executable, "-m", "bench.reports", "--child", str(pair.old_path), str(pair.new_path)]
        done = subprocess.run([*child, str(folder / "out")], capture_output=True, text=True, check=True)
        result = json.loads(done.stdout)
    changes = sum(len(sheet["changes"]) for sheet in document["sheets"])
    result.update(sheets=len(document["sheets"]), changes=changes, target_mb=TARGET_MB)
    result["within_target"] = result["peak_mb"] <= TARGET_MB and result["sandbox_peak_mb"] <= TARGET_MB
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
