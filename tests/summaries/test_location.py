from summaries.summary_samples import plan_words, word

from buildtrace_assets.summaries.location import (
    describe_grid_position,
    find_grid,
    find_room_tags,
    nearest_room,
    words_inside,
)


def test_grid_bubbles_along_the_edges_become_grid_lines():
    grid = find_grid(plan_words())
    assert [(line.label, line.position) for line in grid.vertical] == [("A", 100), ("B", 300), ("C", 500), ("D", 700)]
    assert [(line.label, line.position) for line in grid.horizontal] == [("1", 150), ("2", 350), ("3", 550), ("4", 750)]


def test_a_change_is_located_by_the_grid_lines_bracketing_its_centre():
    grid = find_grid(plan_words())
    assert describe_grid_position(grid, (400, 450)) == "at grids B–C/2–3"
    assert describe_grid_position(grid, (500, 450)) == "at grids C/2–3"
    assert describe_grid_position(grid, (900, 150)) == "at grids D/1"


def test_one_axis_grid_reads_between_two_lines():
    bubbles = [word(label, x, 40) for label, x in (("DD10", 100), ("DD11", 300), ("DD12", 500))]
    grid = find_grid(bubbles)
    assert describe_grid_position(grid, (420, 600)) == "between grids DD11 and DD12"
    assert describe_grid_position(grid, (300, 600)) == "at grid DD11"


def test_numbered_lists_and_short_words_in_sentences_are_not_grids():
    note_column = [word(str(n), 40, 100 + 14 * n) for n in range(1, 6)]
    sentence = [word(t, 100 + 12 * i, 500) for i, t in enumerate(["A", "B", "C", "D"])]
    grid = find_grid(note_column + sentence)
    assert grid.vertical == () and grid.horizontal == ()
    assert describe_grid_position(grid, (50, 50)) is None


def test_room_tags_are_a_name_over_a_number_or_a_name_with_a_room_word():
    words = [*plan_words(), word("MECH", 900, 900), word("ROOM", 930, 900), word("NOTES", 200, 1000)]
    names = sorted(tag.name for tag in find_room_tags(words))
    assert names == ["CONFERENCE 102", "MECH ROOM", "OFFICE 101"]


def test_the_nearest_room_tag_within_reach_names_the_room():
    tags = find_room_tags(plan_words())
    assert nearest_room(tags, (420, 300)).name == "OFFICE 101"
    assert nearest_room(tags, (580, 600)).name == "CONFERENCE 102"
    assert nearest_room(tags, (2000, 2000)) is None


def test_words_inside_a_region_are_in_reading_order():
    words = [word("D-20", 500, 450), word("B", 480, 440), word("FAR", 900, 900)]
    assert [w.text for w in words_inside(words, (470, 430, 530, 460))] == ["B", "D-20"]
