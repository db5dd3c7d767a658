"""The buildtrace.changes/v1 contract: what is written validates, what breaks it is named."""

import json

import jsonschema
import numpy as np
import pytest

from buildtrace_assets.engine.contract import (
    alignment_to_dict,
    change_to_dict,
    load_schema,
    validate_changes,
    write_json_atomic,
)
from buildtrace_assets.engine.errors import ContractError
from buildtrace_assets.engine.model import Alignment, Change


def _document(**sheet):
    change = Change("A-101-1", "modified", (812.123, 360.4, 845.0, 372.2), "24'-4\"", "24'-9\"", 0.93)
    row = {
        "sheet_number": "A-101",
        "title": "FIRST FLOOR PLAN",
        "old_page": 0,
        "new_page": 0,
        "status": "modified",
        "alignment": alignment_to_dict(Alignment(np.array([[1, 0, 3.2], [0, 1, -1.5]]), 0.97, True)),
        "changes": [change_to_dict(change)],
    }
    row.update(sheet)
    return {
        "schema": "buildtrace.changes/v1",
        "old": {"file": "old.pdf", "pages": 1},
        "new": {"file": "new.pdf", "pages": 1},
        "sheets": [row],
    }


def test_the_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(load_schema())


def test_the_architecture_example_validates_and_rounds_coordinates():
    document = _document()
    validate_changes(document)
    assert document["sheets"][0]["changes"][0]["bbox"] == [812.12, 360.4, 845.0, 372.2]


@pytest.mark.parametrize(
    ("override", "where"),
    [
        ({"status": "gone"}, "sheets/0/status"),
        ({"status": "added"}, "sheets/0"),
        ({"status": "unchanged", "error": {"kind": "unaligned", "message": "x"}}, "sheets/0"),
    ],
)
def test_documents_that_break_the_contract_are_refused_with_the_place(override, where):
    with pytest.raises(ContractError, match=where):
        validate_changes(_document(**override))


def test_an_unaligned_sheet_is_explicit_and_carries_no_changes():
    failed = Alignment(np.eye(2, 3), 0.0, False, "too few matching features")
    document = _document(
        alignment=alignment_to_dict(failed),
        changes=[],
        error={"kind": "unaligned", "message": "too few matching features"},
    )
    validate_changes(document)
    assert document["sheets"][0]["alignment"]["ok"] is False


def test_json_is_written_whole_or_not_at_all(tmp_path):
    target = tmp_path / "out" / "changes.json"
    write_json_atomic(_document(), target)
    assert json.loads(target.read_text())["schema"] == "buildtrace.changes/v1"
    with pytest.raises(TypeError):
        write_json_atomic({"bad": object()}, target)
    assert json.loads(target.read_text())["schema"] == "buildtrace.changes/v1"
    assert [p.name for p in target.parent.iterdir()] == ["changes.json"]
