"""Conversion warnings beside a summary: only those of a version that touch a sheet the comparison found changed."""

from buildtrace_assets.summaries.conversion import HEADING, conversion_notes, conversion_section

DOCUMENT = {
    "sheets": [
        {"sheet_number": "A-101", "status": "modified", "old_page": 0, "new_page": 0},
        {"sheet_number": "A-102", "status": "unchanged", "old_page": 1, "new_page": 1},
        {"sheet_number": None, "status": "added", "old_page": None, "new_page": 2},
    ]
}
LOST_SOLIDS = {"message": "2 entities of entity types the DWG converter does not read are missing (2 3DSOLID)"}


def test_a_warning_on_a_changed_sheet_is_said_with_the_sheets_it_touches():
    notes = conversion_notes(DOCUMENT, [], [{**LOST_SOLIDS, "pages": [0, 1, 2]}])

    assert notes == (f"The new version: {LOST_SOLIDS['message']} (on A-101, page 3).",)


def test_a_warning_on_unchanged_sheets_only_is_not_said():
    assert conversion_notes(DOCUMENT, [{**LOST_SOLIDS, "pages": [1]}], [{**LOST_SOLIDS, "pages": [1]}]) == ()


def test_the_old_versions_warnings_follow_the_old_pages():
    notes = conversion_notes(DOCUMENT, [{**LOST_SOLIDS, "pages": [0]}], [])

    assert notes == (f"The old version: {LOST_SOLIDS['message']} (on A-101).",)


def test_the_section_follows_the_summary_only_when_there_is_something_to_say():
    assert conversion_section(()) == ""
    assert conversion_section(("one",)) == f"\n\n{HEADING}\n\n- one\n"
