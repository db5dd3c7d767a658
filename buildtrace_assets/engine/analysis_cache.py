"""Analyses kept by file content: ``buildtrace compare`` reads (and OCRs) a drawing version once, as the pipeline does.

Comparing v1 with v2 and then v2 with v3 reads v2 twice; on a sheet without a text layer that is its title block's
OCR again. The pipeline stores each version's analysis; the CLI has no database, so it keeps them in a folder of
the data dir, one JSON file per SHA-256 of the file's bytes. An entry is used only when it was written by the same
engine (a release, or an edited engine, may read text differently) and in the same analysis format; anything else,
or an entry that cannot be read, is recomputed and overwritten.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from buildtrace_assets.engine.analysis import ANALYSIS_VERSION, DocumentAnalysis, file_sha256
from buildtrace_assets.engine.contract import write_json_atomic
from buildtrace_assets.engine.errors import AnalysisMismatchError


def engine_version() -> str:
    """What an entry must have been written by: the package's version, the analysis format, and a digest of the
    engine's source, so a working tree whose engine changed (no release in between) does not reuse old readings."""
    try:
        package = version("buildtrace")
    except PackageNotFoundError:
        package = "unknown"
    source = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        source.update(module.read_bytes())
    return f"{package}+analysis{ANALYSIS_VERSION}+{source.hexdigest()[:12]}"


class AnalysisCache:
    """A folder of analyses by file hash."""

    def __init__(self, folder: Path, engine: str | None = None) -> None:
        self.folder = Path(folder)
        self.engine = engine or engine_version()

    def _entry(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.json"

    def get(self, path: Path | str) -> DocumentAnalysis | None:
        """The analysis of this file's content written by this engine version, else None."""
        try:
            data = json.loads(self._entry(file_sha256(Path(path))).read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("engine") != self.engine:
                return None
            return DocumentAnalysis.from_json(data["analysis"])
        except (OSError, ValueError, KeyError, AnalysisMismatchError):
            return None

    def put(self, analysis: DocumentAnalysis) -> None:
        """Keep ``analysis``, unless a page failed: the machine may be to blame (a render timed out)."""
        if any(page.error for page in analysis.pages):
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        write_json_atomic({"engine": self.engine, "analysis": analysis.to_json()}, self._entry(analysis.sha256))
