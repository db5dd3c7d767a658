"""The comparison engine against generated revisions with known truth: accuracy, speed and memory.

Generates a corpus of ARCH D revision pairs (vector re-plots and simulated
scans; edited sheets, unchanged re-plotted sheets, added/removed/reordered
sheets), runs ``compare_documents(old, new, out_dir, dpi=150)`` on each pair
in a fresh process, and scores the reports with
``buildtrace_assets.samples.scoring`` (see there how regions are matched and
text is compared). The reference is the least a raster comparison does:
rasterize both sheets at the same DPI with PyMuPDF and take one pixel
difference. A 50-sheet pair checks that memory stays flat as sets grow.

Writes ``bench/results/engine.json`` and prints a Markdown table.

Run: ``.venv/bin/python -m bench.engine [--quick] [--work DIR]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from buildtrace_assets.samples import Scenario, Truth, make_revision_pair
from buildtrace_assets.samples.scoring import Score, score_report

DPI = 150
RESULTS = Path(__file__).parent / "results" / "engine.json"

TARGETS = {
    "recall": (">=", 0.95),
    "precision": (">=", 0.90),
    "unchanged_zero_share": (">=", 0.95),
    "text_exact_vector": (">=", 0.90),
    "text_exact_scan": (">=", 0.70),
    "sheet_matching": (">=", 1.0),
    "time_ratio_vector": ("<=", 2.0),
    "peak_mb_per_pair": ("<=", 700.0),
    "peak_mb_large_set": ("<", 1024.0),
}


@dataclass(frozen=True)
class PairSpec:
    name: str
    seed: int
    n_sheets: int
    scenario: str | Scenario
    scan: str = "none"

    @property
    def scanned(self) -> bool:
        return self.scan != "none"


QUICK = [
    PairSpec("mixed", 1, 3, "mixed"),
    PairSpec("sheet-set", 6, 4, "sheet_set"),
    PairSpec("unchanged", 5, 2, "unchanged"),
    PairSpec("scan-text", 8, 1, "text", scan="new"),
]
FULL = [
    *QUICK,
    PairSpec("mixed-2", 2, 3, "mixed"),
    PairSpec("text", 3, 2, "text"),
    PairSpec("linework", 4, 2, "linework"),
    PairSpec("unchanged-2", 9, 3, "unchanged"),
    PairSpec("scan-both-mixed", 7, 2, "mixed", scan="both"),
]
LARGE_SET = {"full": 50, "quick": 12}


def _measure(mode: str, old: Path, new: Path, out_dir: Path) -> dict:
    """Run one measurement in a child process and return its JSON line."""
    out_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "bench._child", mode, str(old), str(new), str(out_dir), str(DPI)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent.parent,
    )
    if done.returncode != 0:
        return {"seconds": None, "peak_mb": None, "error": done.stderr[-2000:]}
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "error": None}


def _page_pairs(truth: Truth) -> int:
    return sum(1 for s in truth.sheets if s.old_page is not None and s.new_page is not None)


def run_pair(spec: PairSpec, work: Path) -> tuple[dict, Score | None]:
    pair = make_revision_pair(
        work / spec.name, seed=spec.seed, n_sheets=spec.n_sheets, scenario=spec.scenario, scan=spec.scan
    )
    engine = _measure("engine", pair.old_path, pair.new_path, work / spec.name / "engine")
    reference = _measure("reference", pair.old_path, pair.new_path, work / spec.name / "reference")
    sheets = _page_pairs(pair.truth)
    row = {"pair": spec.name, "scanned": spec.scanned, "sheet_pairs": sheets, "engine": engine, "reference": reference}
    if engine["error"] or reference["error"]:
        return row, None
    report = json.loads((work / spec.name / "engine" / "report.json").read_text())
    score = score_report(report, pair.truth)
    row.update(
        score=score.summary(),
        missed=score.missed,
        seconds_per_sheet=engine["seconds"] / sheets,
        reference_seconds_per_sheet=reference["seconds"] / sheets,
    )
    return row, score


def run_large_set(sheets: int, work: Path) -> dict:
    pair = make_revision_pair(work / "large", seed=50, n_sheets=sheets, scenario=Scenario(changed=0.2))
    return {"sheets": sheets, **_measure("engine", pair.old_path, pair.new_path, work / "large" / "engine")}


def _total(scores: list[Score]) -> Score:
    return sum(scores, Score())


def _ratio(rows: list[dict], scanned: bool) -> float | None:
    chosen = [r for r in rows if r["scanned"] == scanned and "seconds_per_sheet" in r]
    reference = sum(r["reference"]["seconds"] for r in chosen)
    return sum(r["engine"]["seconds"] for r in chosen) / reference if reference else None


def summarize(rows: list[dict], scores: dict[bool, list[Score]], large: dict) -> dict:
    everything = _total(scores[False] + scores[True])
    peaks = [r["engine"]["peak_mb"] for r in rows if r["engine"]["peak_mb"] is not None]
    per_sheet = [r["seconds_per_sheet"] for r in rows if not r["scanned"] and "seconds_per_sheet" in r]
    reference = [r["reference_seconds_per_sheet"] for r in rows if not r["scanned"] and "seconds_per_sheet" in r]
    return {
        "recall": everything.recall,
        "precision": everything.precision,
        "kind_accuracy": everything.kind_accuracy,
        "unchanged_zero_share": everything.unchanged_zero_share,
        "text_exact_vector": _total(scores[False]).text_accuracy,
        "text_exact_scan": _total(scores[True]).text_accuracy,
        "sheet_matching": everything.sheet_matching,
        "status_accuracy": everything.status_accuracy,
        "max_seconds_per_sheet_vector": max(per_sheet, default=None),
        "max_reference_seconds_per_sheet_vector": max(reference, default=None),
        "time_ratio_vector": _ratio(rows, scanned=False),
        "time_ratio_scan": _ratio(rows, scanned=True),
        "peak_mb_per_pair": max(peaks, default=None),
        "peak_mb_large_set": large["peak_mb"] if not large["error"] else None,
        "failed_pairs": [r["pair"] for r in rows if r["engine"]["error"]],
    }


def _meets(value: float | None, target: tuple[str, float]) -> bool:
    op, bound = target
    if value is None:
        return False
    return {">=": value >= bound, "<=": value <= bound, "<": value < bound}[op]


def markdown(summary: dict, large_sheets: int) -> str:
    lines = ["| metric | value | target | met |", "|---|---|---|---|"]
    for key, value in summary.items():
        if key == "failed_pairs":
            continue
        shown = "n/a" if value is None else f"{value:.3f}"
        target = TARGETS.get(key)
        label = key.replace("large_set", f"{large_sheets}_sheet_set")
        met = ("yes" if _meets(value, target) else "**no**") if target else ""
        lines.append(f"| {label} | {shown} | {f'{target[0]} {target[1]}' if target else ''} | {met} |")
    if summary["failed_pairs"]:
        lines.append(f"\nEngine failed on: {', '.join(summary['failed_pairs'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller corpus, about two minutes")
    parser.add_argument("--work", type=Path, help="keep the generated corpus and reports here")
    args = parser.parse_args(argv)
    corpus, large_sheets = (QUICK, LARGE_SET["quick"]) if args.quick else (FULL, LARGE_SET["full"])

    with tempfile.TemporaryDirectory() as scratch:
        work = args.work or Path(scratch)
        started = time.perf_counter()
        rows, scores = [], {False: [], True: []}
        for spec in corpus:
            row, score = run_pair(spec, work)
            rows.append(row)
            if score is not None:
                scores[spec.scanned].append(score)
            print(
                f"{spec.name}: engine {row['engine']['seconds']} s, error={bool(row['engine']['error'])}",
                file=sys.stderr,
            )
        large = run_large_set(large_sheets, work)
        summary = summarize(rows, scores, large)

    result = {
        "dpi": DPI,
        "quick": args.quick,
        "corpus": [asdict(s) | {"scenario": str(s.scenario)} for s in corpus],
        "targets": TARGETS,
        "summary": summary,
        "pairs": rows,
        "large_set": large,
        "wall_seconds": time.perf_counter() - started,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=str))
    print(markdown(summary, large_sheets))
    return 0 if all(_meets(summary[k], t) for k, t in TARGETS.items()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
