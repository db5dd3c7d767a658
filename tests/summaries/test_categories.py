"""Items stored or answered as "other" get the category and discipline the changes and sheet numbers tell."""

from summaries.summary_samples import change, document, sheet

from buildtrace_assets.summaries.categories import with_known_labels
from buildtrace_assets.summaries.document import read_changes
from buildtrace_assets.summaries.offline import OfflineSummarizer


def _document():
    return read_changes(
        document(
            sheet("M-201", "modified", [change("M-201-1", "modified", [0, 0, 40, 10], "6'-0\"", "6'-6\"")]),
            sheet(
                None,
                "modified",
                [
                    change("p-1", "added", [500, 500, 530, 524]),
                    change("p-2", "moved", [0, 0, 40, 10], "D-3", "D-3", from_bbox=[0, 90, 40, 100]),
                ],
                page=1,
            ),
        )
    )


def test_stored_other_items_are_filled_in_from_their_changes_and_sheet():
    stored = [
        {"sheet": "M-201", "change_ids": ["M-201-1"], "category": "other", "discipline": "other", "text": "a"},
        {"sheet": "page 2", "change_ids": ["p-1"], "category": "other", "discipline": "other", "text": "b"},
        {"sheet": "page 2", "change_ids": ["p-2", "p-1"], "text": "c"},
        {"sheet": "page 2", "change_ids": ["p-1"], "category": "note", "discipline": "architectural", "text": "d"},
    ]
    filled = with_known_labels(stored, _document())
    assert [(i["category"], i["discipline"]) for i in filled] == [
        ("dimension", "mechanical"),
        ("symbol", "general"),
        ("moved", "general"),
        ("note", "architectural"),
    ], "what a person or model chose stays; only 'other' and missing labels are filled in"
    assert [i["text"] for i in filled] == ["a", "b", "c", "d"]


def test_the_offline_summarizer_never_writes_other():
    summary = OfflineSummarizer().summarize(_document())
    assert [(i.change_ids, i.category, i.discipline) for i in summary.items] == [
        (["M-201-1"], "dimension", "mechanical"),
        (["p-1"], "symbol", "general"),
        (["p-2"], "moved", "general"),
    ]
    assert [i.text for i in summary.items[1:]] == ["Symbol added.", "Door D-3 moved."]
