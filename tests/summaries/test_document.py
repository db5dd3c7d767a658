import pytest
from summaries.summary_samples import change, document, revision_document, sheet

from buildtrace_assets.summaries.document import read_changes
from buildtrace_assets.summaries.errors import InvalidChangesError


def test_a_valid_document_reads_with_extra_fields_kept():
    doc = revision_document()
    doc["sheets"][0]["overlay"] = "overlays/A-101.png"
    parsed = read_changes(doc)
    assert parsed.change_ids == ["A-101-1", "A-101-2", "A-101-3", "A-101-4"]
    assert parsed.sheets[0].model_extra == {"overlay": "overlays/A-101.png"}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "expected a buildtrace.changes/v1 object, got list"),
        ({"schema": "other/v1", "sheets": []}, "schema"),
        (document(sheet("A-1", "modified", [change("x", "teleported", [0, 0, 1, 1])])), "sheets.0.changes.0.kind"),
        (document(sheet("A-1", "modified", [change("x", "added", [5, 0, 1, 1])])), "x1 < x0"),
        (document(sheet("A-1", "modified", [change("x", "added", [0, 0, 1, 1])] * 2)), "'x' appears more than once"),
    ],
)
def test_malformed_documents_raise_a_typed_error_naming_the_problem(doc, message):
    with pytest.raises(InvalidChangesError, match=message):
        read_changes(doc)


def test_sheets_without_numbers_are_called_by_page():
    parsed = read_changes(document(sheet(None, "added", page=4)))
    assert parsed.sheets[0].label == "page 5"
