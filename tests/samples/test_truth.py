"""The truth file: JSON that reads back to the same truth, and a clear error for anything else."""

import json

import pytest

from buildtrace_assets.samples import Truth, TruthFormatError


def test_a_truth_reads_back_from_its_file_and_finds_sheets_by_number(revision_pair):
    pair = revision_pair(seed=2, n_sheets=3, scenario="sheet_set")
    assert Truth.load(pair.truth_path) == pair.truth
    first = pair.truth.sheets[0]
    assert pair.truth.sheet(first.sheet_number) is first


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not JSON"),
        (json.dumps({"schema": "buildtrace.changes/v1", "sheets": []}), "not a buildtrace.truth/v1"),
        (json.dumps({"schema": "buildtrace.truth/v1", "sheets": [{"status": "added"}]}), "malformed"),
    ],
)
def test_anything_else_is_refused_with_a_clear_error(tmp_path, content, message):
    path = tmp_path / "truth.json"
    path.write_text(content)
    with pytest.raises(TruthFormatError, match=message):
        Truth.load(path)
