"""DWG conversion: time and peak memory of converting DWGs of growing size to DXF, each in a fresh process.

Builds floor-plan-like DWGs with ezdwg's writer (AutoCAD 2000): a grid of
rooms, each an outline, a diagonal, a column, a door swing, a room name, an
area note, a door block reference and its tag attribute (eight entities
and one attribute), until the file reaches the target size. Each file is
then converted by the engine's own path (:func:`buildtrace_assets.engine.dwg.convert_dwg`,
the ezdwg read, the routing into spaces and the account of losses) in a
child process that reports the call's seconds (and CPU seconds, which a busy
machine does not stretch) and its peak RSS; the
version's analysis as the pipeline runs it (conversion, then plotting the
sheet for its words and thumbnail) is measured the same way for the files
up to ``--analyze-up-to-mb``: the plot draws every glyph of the text as
curves (see :mod:`buildtrace_assets.engine.cad_plot`).

Targets: a 10 MB DWG converted in under 10 s and under 700 MB.

Run: ``.venv/bin/python -m bench.dwg [--sizes-mb 1 5 10] [--analyze-up-to-mb 0] [--plans DIR]`` (the target's
file alone: ``--sizes-mb 10 --analyze-up-to-mb 0``). ezdwg's writer takes minutes for the 10 MB plan (it looks
for each new handle among all the entities written so far), so ``--plans`` keeps the plans in a folder and
measures again on those already there.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 10.0
TARGET_PEAK_MB = 700.0
ENTITIES_PER_ROOM = 8
BYTES_PER_ROOM = 580
"""Measured on the files this module writes; used to aim at a size, the file's real size is reported."""


def write_plan(path: Path, rooms: int) -> Path:
    """A DWG of ``rooms`` rooms on a square grid (see the module docstring)."""
    import ezdwg

    drawing = ezdwg.new()
    model = drawing.modelspace()
    door = drawing.blocks.new("DOOR")
    door.add_line((0, 0), (900, 0))
    door.add_arc((0, 0), 900, 0, 90)
    door.add_attdef("TAG", "", (100, 100), 100)
    columns = math.ceil(math.sqrt(rooms))
    for number in range(rooms):
        x, y = (number % columns) * 5000.0, (number // columns) * 4000.0
        model.add_lwpolyline([(x, y), (x + 4800, y), (x + 4800, y + 3800), (x, y + 3800)], closed=True)
        model.add_line((x, y), (x + 4800, y + 3800))
        model.add_circle((x + 2400, y + 1900), 300)
        model.add_arc((x + 1000, y + 1000), 500, 0, 180)
        model.add_text(f"ROOM {number}", (x + 200, y + 3400), 150)
        model.add_mtext(f"AREA {number % 97 + 12} M2", (x + 200, y + 3000), 100)
        reference = model.add_blockref("DOOR", (x + 100, y + 100))
        model.add_attrib(reference, "TAG", f"D{number}", (x + 200, y + 200), 100)
    drawing.save(str(path))
    return path


def child(mode: str, path: Path) -> None:
    """Run one conversion (``convert``) or one analysis (``analyze``) and print its seconds and peak RSS as JSON."""
    from buildtrace_assets.engine.compare import analyze_document
    from buildtrace_assets.engine.dwg import convert_dwg

    started, cpu_started = time.perf_counter(), time.process_time()
    if mode == "convert":
        conversion, _ = convert_dwg(path, min_share=0.0)
        entities, carried = conversion.entities, conversion.carried
    else:
        pages = len(analyze_document(path).pages)
        entities, carried = pages, pages
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mb = _own_peak_mb()
    if mode == "analyze":  # the conversion runs in the document's sandboxed child, which has ended by now
        peak_mb = max(peak_mb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    if mode == "analyze":
        cpu_seconds += sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
    print(
        json.dumps(
            {
                "seconds": seconds,
                "cpu_seconds": cpu_seconds,
                "peak_mb": peak_mb,
                "entities": entities,
                "carried": carried,
            }
        )
    )


def _own_peak_mb() -> float:
    """This process's peak resident memory since it started its program (``VmHWM``). Not ``ru_maxrss``: Linux
    carries the peak of the process it was forked from across ``exec``, so a child of a large benchmark would
    report the benchmark's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(mode: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.dwg", "--child", mode, str(path)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes-mb", type=float, nargs="+", default=[0.1, 1.0, 5.0, 10.0])
    parser.add_argument(
        "--analyze-up-to-mb",
        type=float,
        default=1.0,
        help="also analyse files up to this size as the pipeline does (conversion, plot, words and raster)",
    )
    parser.add_argument(
        "--plans", type=Path, help="keep the written plans in this folder and reuse those already there"
    )
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-dwg-") as scratch:
        folder = args.plans or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for size_mb in args.sizes_mb:
            rooms = max(1, round(size_mb * 1e6 / BYTES_PER_ROOM))
            path = folder / f"plan-{size_mb:g}mb-{rooms}.dwg"
            started = time.perf_counter()
            if not path.is_file():  # written under another name first: an interrupted write is not reused
                write_plan(folder / f"writing-{path.name}", rooms).replace(path)
            written_s = time.perf_counter() - started
            row = {
                "file_mb": round(path.stat().st_size / 1e6, 2),
                "rooms": rooms,
                "entities": rooms * ENTITIES_PER_ROOM,
                "write_s": round(written_s, 1),
                "convert": measure("convert", path),
                "analyze": measure("analyze", path) if size_mb <= args.analyze_up_to_mb else None,
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    largest = rows[-1]["convert"]
    verdict = {
        "largest_file_mb": rows[-1]["file_mb"],
        "convert_seconds": largest.get("seconds"),
        "convert_cpu_seconds": largest.get("cpu_seconds"),
        "convert_peak_mb": largest.get("peak_mb"),
        "targets": {"seconds": f"< {TARGET_SECONDS:g}", "peak_mb": f"< {TARGET_PEAK_MB:g}"},
        "met": largest.get("seconds", math.inf) < TARGET_SECONDS and largest.get("peak_mb", math.inf) < TARGET_PEAK_MB,
    }
    print(json.dumps(verdict))


if __name__ == "__main__":
    main()
