"""The audit trail in words: field changes, filters and the CSV export, on rows built here."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from portal.audit_trail import TrailEntry, as_csv, field_changes, filtered


def entry(who: str, action: str, day: int) -> TrailEntry:
    return TrailEntry(datetime(2026, 12, day, 9, 30, tzinfo=UTC), who, "", action, 'drawing "Flange" v2', ["a: 1 → 2"])


TRAIL = [entry("Ada", "job.create", 7), entry("Bo", "overlay.create", 6), entry("Ada", "drawing.create", 1)]


def test_a_changed_field_reads_before_arrow_after_and_unchanged_fields_are_left_out() -> None:
    before = {"name": "Flange", "status": "pending", "tags": ["a"], "note": "x"}
    after = {"name": "Flange", "status": "completed", "tags": ["a", "b"], "error": None}

    assert field_changes(before, after) == [
        "error: ∅",
        "note: x → removed",
        "status: pending → completed",
        'tags: ["a"] → ["a", "b"]',
    ]


def test_a_created_row_lists_its_fields() -> None:
    assert field_changes(None, {"name": "Flange", "number": 2}) == ["name: Flange", "number: 2"]


def test_filters_combine_person_action_and_days() -> None:
    assert filtered(TRAIL, people=["Ada"]) == [TRAIL[0], TRAIL[2]]
    assert filtered(TRAIL, actions=["overlay.create", "job.create"]) == TRAIL[:2]
    assert filtered(TRAIL, days=(date(2026, 12, 2), date(2026, 12, 7))) == TRAIL[:2]
    assert filtered(TRAIL, people=["Ada"], days=(date(2026, 12, 6), date(2026, 12, 6))) == []
    assert filtered(TRAIL) == TRAIL


def test_the_csv_has_one_row_per_entry_with_names_and_arrows() -> None:
    rows = list(csv.DictReader(io.StringIO(as_csv(TRAIL[:1]).decode("utf-8-sig"))))

    assert rows == [
        {
            "when": "2026-12-07 09:30:00 UTC",
            "who": "Ada",
            "through": "",
            "action": "job.create",
            "object": 'drawing "Flange" v2',
            "change": "a: 1 → 2",
        }
    ]
