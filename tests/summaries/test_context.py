from summaries.summary_samples import change, document, plan_words, sheet, word

from buildtrace_assets.summaries.context import change_contexts
from buildtrace_assets.summaries.document import read_changes


def _contexts(changes, words=()):
    return change_contexts(read_changes(document(sheet("A-101", "modified", changes))), {"A-101": list(words)})


def test_each_change_gets_the_category_its_text_implies():
    contexts = _contexts(
        [
            change("c1", "modified", [0, 0, 10, 10], "24'-4\"", "24'-9\""),
            change("c2", "modified", [0, 0, 10, 10], "1. A 2. B", "1. A"),
            change("c3", "modified", [0, 0, 10, 10], "W3", "W4"),
            change("c4", "modified", [0, 0, 10, 10], "OFFICE", "STORAGE"),
            change("c5", "added", [0, 0, 300, 4]),
            change("c6", "modified", [0, 0, 10, 10], "SEE 3/A-501", "SEE 4/A-501"),
            change("c7", "modified", [0, 0, 10, 10], "EXISTING WALL TO REMAIN", "REMOVE EXISTING WALL"),
        ]
    )
    assert [c.category for c in contexts] == ["dimension", "note", "door_window", "room", "linework", "note", "note"]
    assert contexts[2].opening == "window W4", "the opening is named as it is on the new sheet"


def test_a_numbered_list_under_a_keynotes_heading_is_a_keynote_list():
    heading = word("KEYNOTES", 950, 80)
    contexts = _contexts([change("c1", "modified", [900, 100, 1100, 300], "1. A 2. B", "1. A")], [heading])
    assert contexts[0].category == "keynote"


def test_a_door_tag_inside_an_unlabelled_region_names_the_opening():
    contexts = _contexts([change("c1", "modified", [480, 440, 520, 460])], [word("D-20", 500, 450)])
    assert contexts[0].opening == "door D-20"
    assert contexts[0].category == "door_window"


def test_location_combines_grid_and_room_and_the_model_gets_it():
    contexts = _contexts([change("c1", "modified", [380, 340, 420, 356], "10'", "12'")], plan_words())
    assert contexts[0].location == "at grids B–C/2 in OFFICE 101"
    view = contexts[0].prompt_view()
    assert view["location"] == "at grids B–C/2 in OFFICE 101"
    assert view["dimension"] == "increased by 2'-0\""
    assert (view["id"], view["sheet"], view["old_text"], view["new_text"]) == ("c1", "A-101", "10'", "12'")


def test_without_words_a_change_has_no_location():
    assert _contexts([change("c1", "added", [0, 0, 10, 10])])[0].location is None


def test_content_decides_the_category_never_other():
    contexts = _contexts(
        [
            change("metric", "modified", [0, 0, 40, 10], "1200 mm", "1350 mm"),
            change("metres", "added", [0, 0, 40, 10], None, "3.5 m"),
            change("tag", "modified", [0, 0, 40, 10], "SEE 3/A-501", "SEE 4/A-501"),
            change("bubble", "added", [500, 500, 530, 524]),
            change("wall", "added", [100, 100, 400, 106]),
            change("short-line", "removed", [100, 100, 60 + 100, 110]),
            change("area", "modified", [100, 100, 300, 260]),
            change("moved", "moved", [0, 0, 40, 10], "OFFICE 103", "OFFICE 103", from_bbox=[0, 50, 40, 60]),
        ]
    )
    assert {c.change.id: c.item_category for c in contexts} == {
        "metric": "dimension",
        "metres": "dimension",
        "tag": "note",
        "bubble": "symbol",
        "wall": "linework",
        "short-line": "linework",
        "area": "linework",
        "moved": "moved",
    }
    assert contexts[-1].category == "room", "a move keeps what moved, for its sentence"
    assert contexts[-1].prompt_view()["category_hint"] == "moved"


def test_a_bare_number_is_no_dimension():
    assert _contexts([change("c1", "modified", [0, 0, 40, 10], "101", "102")])[0].item_category == "note"
