import logging

from buildtrace_assets.summaries.schema import SummaryItem
from buildtrace_assets.summaries.traceability import enforce_traceability


def _item(ids, category="other"):
    return SummaryItem(
        sheet="A-101",
        change_ids=ids,
        category=category,
        discipline="architectural",
        impact="low",
        reason="r",
        text=f"about {ids}",
    )


def test_items_citing_unknown_ids_are_dropped_and_logged(caplog):
    with caplog.at_level(logging.WARNING):
        kept, uncovered, dropped = enforce_traceability([_item(["a"]), _item(["b", "zz"])], ["a", "b", "c"])
    assert [i.change_ids for i in kept] == [["a"]]
    assert uncovered == ["b", "c"]
    assert dropped == 1
    assert "unknown change ids ['zz']" in caplog.text


def test_only_sheet_items_may_cite_no_change():
    kept, _, dropped = enforce_traceability([_item([], "sheet_added"), _item([], "note")], [])
    assert [i.category for i in kept] == ["sheet_added"] and dropped == 1
