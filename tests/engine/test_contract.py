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
from buildtrace_assets.engine.model import Alignment, Change, Offset


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


def test_a_moved_change_carries_where_it_was_and_how_far_it_went():
    moved = Change(
        "A-101-2",
        "moved",
        (300.0, 100.0, 340.0, 110.0),
        "GREAT ROOM",
        "GREAT ROOM",
        from_bbox=(120.004, 100.0, 160.0, 110.0),
        offset=Offset(180.0, 0.0, "20'-0\""),
        group="item",
    )

    data = change_to_dict(moved)

    validate_changes(_document(changes=[data]))
    assert data["from_bbox"] == [120.0, 100.0, 160.0, 110.0]
    assert data["offset"] == {
        "dx": 180.0,
        "dy": 0.0,
        "distance": 180.0,
        "direction": "right",
        "drawing_distance": "20'-0\"",
    }
    assert data["group"] == "item"


def test_changes_that_did_not_move_have_no_move_fields():
    data = change_to_dict(Change("A-101-1", "added", (1.0, 2.0, 3.0, 4.0)))
    assert not {"from_bbox", "offset", "group"} & set(data)


@pytest.mark.parametrize(
    ("dx", "dy", "direction"),
    [(10, 0, "right"), (0, -10, "up"), (-10, -10, "up-left"), (-10, 1, "left"), (3, 10, "down"), (10, 9, "down-right")],
)
def test_offsets_name_their_page_direction_with_y_growing_downwards(dx, dy, direction):
    assert Offset(dx, dy).direction == direction


def test_alignment_scale_comes_from_the_matrix_half_size_re_plot():
    angle = np.radians(0.8)
    matrix = np.array(
        [[0.5 * np.cos(angle), -0.5 * np.sin(angle), 12.0], [0.5 * np.sin(angle), 0.5 * np.cos(angle), 7.0]]
    )

    data = alignment_to_dict(Alignment(matrix, 0.9, True))

    assert data["scale"] == 0.5 and data["source"] == "automatic" and "points" not in data


def test_a_manual_alignment_keeps_its_point_pairs():
    pairs = (((10.0, 20.0), (5.0, 10.0)), ((500.0, 20.0), (250.0, 10.0)), ((10.0, 300.0), (5.0, 150.0)))
    manual = Alignment(np.array([[0.5, 0, 0], [0, 0.5, 0]]), 0.8, True, source="manual", points=pairs)

    data = alignment_to_dict(manual)

    validate_changes(_document(alignment=data))
    assert data["source"] == "manual" and data["scale"] == 0.5
    assert data["points"][1] == {"old": [500.0, 20.0], "new": [250.0, 10.0]}
