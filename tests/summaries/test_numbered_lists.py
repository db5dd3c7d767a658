from buildtrace_assets.summaries.numbered_lists import ListChange, numbered_list_change, parse_numbered


def test_numbered_entries_are_split_by_number_on_one_line_or_many():
    assert parse_numbered('KEYNOTES 1. VERIFY IN FIELD 2. PROVIDE 5/8" GYP. BD. 3) SEE 2/A-501') == {
        1: "VERIFY IN FIELD",
        2: 'PROVIDE 5/8" GYP. BD.',
        3: "SEE 2/A-501",
    }
    assert parse_numbered("1. ONE\n2. TWO") == {1: "ONE", 2: "TWO"}


def test_list_change_reports_added_removed_and_reworded_numbers():
    change = numbered_list_change("1. A\n4. B\n6. C\n7. D", "1. A\n7. D REVISED\n11. X\n14. Y\n15. Z")
    assert change == ListChange(added=[11, 14, 15], removed=[4, 6], revised=[7])


def test_texts_without_numbered_entries_are_not_lists():
    assert numbered_list_change("24'-4\"", "24'-9\"") is None
    assert numbered_list_change(None, None) is None


def test_regions_of_one_legend_merge():
    merged = ListChange(added=[11])
    merged.merge(ListChange(added=[14], removed=[4]))
    assert merged == ListChange(added=[11, 14], removed=[4])
    assert not ListChange()
