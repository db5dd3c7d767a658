"""Whole ``buildtrace compare`` processes against the reference as a process: what a user waits for.

``bench.engine`` times the engine's call inside a warm process; a user runs a command, and pays for the
interpreter, the imports and the first use of each library too. Here each pair is compared by
``buildtrace compare OLD NEW --out DIR`` and by the reference (a script that imports PyMuPDF and OpenCV,
rasterizes both sheets and takes one pixel difference), ``ROUNDS`` times each, interleaved so both see the same
load on a shared machine, and the medians are compared. Wall and CPU seconds are both reported: on a loaded
machine CPU time (the process and the children it reaped) is the steadier figure.

Kinds: an ARCH D CAD sheet whose text is drawn as paths (rendered from DXF through ezdxf), a text-heavy survey
sheet with a text layer (``buildtrace_assets.samples.cad_export``), and a scanned sheet (the corpus's
``scan_text``).

Run alone (the last table of ``bench.engine``, without its accuracy corpus):
``.venv/bin/python -m bench.whole_process [--rounds N] [--kinds text_as_paths survey scan] [--work DIR]``.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import buildtrace_assets
from buildtrace_assets.samples import make_kind_pair
from buildtrace_assets.samples.cad_export import make_cad_pair

ROUNDS = 4
REFERENCE_SCRIPT = """
import sys
for extra in ("pymupdf.layout", "pymupdf4llm"):
    sys.modules[extra] = None  # PyMuPDF's optional layout analysis (onnxruntime): no raster script needs it
import cv2, numpy as np, pymupdf
dpi = round(float(sys.argv[3]))
def gray(page):
    pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
    return np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.stride)[:, : pix.width]
with pymupdf.open(sys.argv[1]) as a, pymupdf.open(sys.argv[2]) as b:
    for i in range(min(a.page_count, b.page_count)):
        first, second = gray(a[i]), gray(b[i])
        h, w = min(first.shape[0], second.shape[0]), min(first.shape[1], second.shape[1])
        cv2.absdiff(first[:h, :w], second[:h, :w])
"""
"""The least a raster comparison does, as a user would write it (PyMuPDF's unused layout extra blocked, as the
engine's sandbox blocks it, so the reference is not slowed by an import it never uses)."""
TIME = "/usr/bin/time"
"""GNU time (Debian's ``time`` package): the peak resident set of the command and of the children it reaped."""
TARGETS = {"text_as_paths": 2.0, "survey": 1.6, "scan": 1.8}
"""Issue 17: whole ``buildtrace compare`` process over the reference process, medians, on ARCH D sheets."""


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    peak_mb: float | None


def _run(command: list[str], data_dir: Path) -> Run:
    """One process: wall seconds, CPU seconds of it and every child it reaped, the largest resident set.

    Each run has a data dir of its own, so no run finds the analyses an earlier one cached: every figure is a
    first comparison of the pair. The command runs under GNU ``time``, which reports its peak: Linux counts the
    resident set this process had when it forked (the benchmark's ~370 MB, over any comparison's) as the first peak
    of a process started from it, so ``wait4``'s peak of a direct child measures the benchmark. Without GNU
    ``time`` the peak is not known (None).
    """
    env = {**os.environ, "BUILDTRACE_DATA_DIR": str(data_dir)}
    timer = shutil.which(TIME)
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        measured = [timer, "-f", "%M", "-o", peak.name, *command] if timer else command
        started = time.perf_counter()
        process = subprocess.Popen(measured, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            failure = process.stderr.read().decode()[-2000:] if process.stderr else ""
            raise RuntimeError(f"{command[:3]} failed: {failure}")
        peak_mb = float(peak.read().split()[-1]) / 1024 if timer else None
    return Run(wall, usage.ru_utime + usage.ru_stime, peak_mb)


def _pairs(work: Path) -> dict[str, tuple[Path, Path]]:
    scan = make_kind_pair(work / "scan", "scan_text", 8)
    pairs = {sheet: make_cad_pair(work / sheet, sheet, 1) for sheet in ("text_as_paths", "survey")}
    return {
        **{sheet: (pair.old_path, pair.new_path) for sheet, pair in pairs.items()},
        "scan": (scan.old_path, scan.new_path),
    }


def measure(work: Path, dpi: float, rounds: int = ROUNDS, kinds: Sequence[str] | None = None) -> dict[str, dict]:
    """Per kind (every one of ``TARGETS`` unless ``kinds`` names some): medians of the engine's and the reference's
    processes, their ratios, and every run.

    The package's bytecode is written first, as installing it does (the reference's libraries have theirs): a
    checkout run with ``PYTHONDONTWRITEBYTECODE`` would otherwise compile every engine module in every run, 0.1-0.5 s
    that no installed ``buildtrace`` pays.
    """
    compileall.compile_dir(Path(buildtrace_assets.__file__).parent, quiet=1)
    buildtrace = str(Path(sys.executable).with_name("buildtrace"))
    results: dict[str, dict] = {}
    for kind, (old, new) in _pairs(work).items():
        if kinds is not None and kind not in kinds:
            continue
        runs: dict[str, list[Run]] = {"engine": [], "reference": []}
        for round_ in range(rounds):
            out = work / kind / f"out-{round_}"
            engine = [buildtrace, "compare", str(old), str(new), "--out", str(out), "--dpi", str(int(dpi))]
            reference = [sys.executable, "-c", REFERENCE_SCRIPT, str(old), str(new), str(dpi)]
            order = [("reference", reference), ("engine", engine)]
            for name, command in order if round_ % 2 == 0 else reversed(order):
                runs[name].append(_run(command, work / kind / f"data-{round_}"))
        wall = {name: statistics.median(r.wall_s for r in done) for name, done in runs.items()}
        cpu = {name: statistics.median(r.cpu_s for r in done) for name, done in runs.items()}
        results[kind] = {
            **{
                name: {
                    "wall_s": wall[name],
                    "cpu_s": cpu[name],
                    "peak_mb": max((r.peak_mb for r in done if r.peak_mb is not None), default=None),
                }
                for name, done in runs.items()
            },
            "wall_ratio": wall["engine"] / wall["reference"],
            "cpu_ratio": cpu["engine"] / cpu["reference"],
            "target": TARGETS[kind],
            "runs": {name: [vars(r) for r in done] for name, done in runs.items()},
        }
    return results


def markdown(results: dict[str, dict], load: str) -> str:
    rounds = min(len(r["runs"]["engine"]) for r in results.values())
    lines = [
        f"Whole processes, medians of {rounds} interleaved runs; load average before: {load}",
        "",
        "| sheet kind | reference wall / CPU s | buildtrace compare wall / CPU s | ratio wall / CPU | target"
        " | peak MB |",
        "|---|---|---|---|---|---|",
    ]
    for kind, r in results.items():
        lines.append(
            f"| {kind} | {r['reference']['wall_s']:.2f} / {r['reference']['cpu_s']:.2f}"
            f" | {r['engine']['wall_s']:.2f} / {r['engine']['cpu_s']:.2f}"
            f" | {r['wall_ratio']:.2f}x / {r['cpu_ratio']:.2f}x | <= {r['target']}x"
            f" | {_megabytes(r['engine']['peak_mb'])} |"
        )
    return "\n".join(lines)


def _megabytes(peak_mb: float | None) -> str:
    return "n/a" if peak_mb is None else f"{peak_mb:.0f}"


def main(argv: list[str] | None = None) -> int:
    """Print the whole-process table; exit 1 when a kind misses its target."""
    from bench.engine import DPI

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"runs of each command per kind ({ROUNDS})")
    parser.add_argument("--kinds", nargs="+", choices=sorted(TARGETS), help="only these sheet kinds")
    parser.add_argument("--work", type=Path, help="keep the generated pairs and results here")
    args = parser.parse_args(argv)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    with tempfile.TemporaryDirectory() as scratch:
        results = measure(args.work or Path(scratch), DPI, args.rounds, args.kinds)
    print(markdown(results, load))
    return 0 if all(r["wall_ratio"] <= r["target"] for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
