"""Generated construction drawings with known truth, for engine tests, benchmarks and the demo."""

from buildtrace_assets.samples.revision import (
    SCENARIOS,
    RevisionPair,
    SampleError,
    Scenario,
    make_drawing_set,
    make_revision_pair,
    sheet_specs,
)
from buildtrace_assets.samples.truth import (
    ExpectedChange,
    ExpectedSheet,
    Truth,
    TruthFormatError,
)

__all__ = [
    "SCENARIOS",
    "ExpectedChange",
    "ExpectedSheet",
    "RevisionPair",
    "SampleError",
    "Scenario",
    "Truth",
    "TruthFormatError",
    "make_drawing_set",
    "make_revision_pair",
    "sheet_specs",
]
