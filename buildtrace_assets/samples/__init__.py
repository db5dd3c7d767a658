"""Generated construction drawings with known truth, for engine tests, benchmarks and the demo."""

from buildtrace_assets.samples.corpus import KINDS, Kind, make_kind_pair
from buildtrace_assets.samples.revision import (
    SCENARIOS,
    RevisionPair,
    SampleError,
    Scenario,
    make_drawing_set,
    make_revision_pair,
    sheet_specs,
)
from buildtrace_assets.samples.scan import Raster
from buildtrace_assets.samples.truth import (
    ExpectedChange,
    ExpectedSheet,
    Truth,
    TruthFormatError,
)

__all__ = [
    "KINDS",
    "SCENARIOS",
    "ExpectedChange",
    "ExpectedSheet",
    "Kind",
    "Raster",
    "RevisionPair",
    "SampleError",
    "Scenario",
    "Truth",
    "TruthFormatError",
    "make_drawing_set",
    "make_kind_pair",
    "make_revision_pair",
    "sheet_specs",
]
