from summaries.summary_samples import change, document, plan_words, revision_document, sheet

from buildtrace_assets.summaries.offline import OfflineSummarizer


def _texts(summary):
    return [(item.change_ids, item.text) for item in summary.items]


def test_a_revision_is_summarized_per_sheet_in_the_drawings_own_terms():
    summary = OfflineSummarizer().summarize(revision_document(), {"A-101": plan_words()})
    assert summary.summary == (
        "Compared 4 sheets: A-101 (4 changes) modified; A-102 added; S-101 removed; 1 unchanged. 3 high-impact items."
    )
    assert _texts(summary) == [
        (["A-101-1"], "Dimension at grids B–C/2 in OFFICE 101 reduced 31'-6 7/8\" → 8'-8 1/8\" (by 22'-10 3/4\")."),
        (["A-101-3"], "Linework added at grids C–D/3–4 in CONFERENCE 102."),
        (["A-101-4"], "Door tag D-20 → D-21 at grids C/2–3 in CONFERENCE 102."),
        (["A-101-2"], "Added keynotes 11, 14, 15; removed keynotes 4, 6."),
        ([], "Sheet A-102 SECOND FLOOR PLAN added."),
        ([], "Sheet S-101 FOUNDATION PLAN removed."),
    ]
    assert summary.not_summarized == []
    assert [(i.category, i.discipline, i.impact) for i in summary.items[-2:]] == [
        ("sheet_added", "architectural", "high"),
        ("sheet_removed", "structural", "high"),
    ]


def test_without_words_the_summary_still_reads_from_the_change_list():
    summary = OfflineSummarizer().summarize(revision_document())
    assert _texts(summary)[0] == (["A-101-1"], "Dimension reduced 31'-6 7/8\" → 8'-8 1/8\" (by 22'-10 3/4\").")
    assert summary.metadata.summarizer == "offline" and summary.metadata.model is None


def test_text_changes_read_old_to_new_and_additions_quote_the_new_text():
    doc = document(
        sheet(
            "E-201",
            "modified",
            [
                change("e1", "modified", [0, 0, 9, 9], "SEE 3/E-501", "SEE 4/E-501"),
                change("e2", "added", [0, 0, 9, 9], None, "PROVIDE GFCI RECEPTACLE"),
                change("e3", "removed", [0, 0, 9, 9], '18"', None),
                change("e4", "modified", [0, 0, 9, 9], "1. A 2. B", "1. A 2. C 3. D"),
            ],
        )
    )
    summary = OfflineSummarizer().summarize(doc)
    assert [item.text for item in summary.items] == [
        "Text: “SEE 3/E-501” → “SEE 4/E-501”.",
        "Note added: “PROVIDE GFCI RECEPTACLE”.",
        'Dimension 18" removed.',
        "Added note 3; revised note 2.",
    ]
    assert {item.discipline for item in summary.items} == {"electrical"}


def test_keynote_regions_of_one_sheet_fold_into_one_item():
    doc = document(
        sheet(
            "A-101",
            "modified",
            [
                change("k1", "modified", [0, 0, 9, 9], "KEYNOTES 4. X", "KEYNOTES 11. Y"),
                change("k2", "added", [0, 20, 9, 29], None, "KEYNOTE 14. Z"),
            ],
        )
    )
    (item,) = OfflineSummarizer().summarize(doc).items
    assert item.change_ids == ["k1", "k2"]
    assert item.text == "Added keynotes 11, 14; removed keynote 4."


def test_a_comparison_without_changes_says_so():
    summary = OfflineSummarizer().summarize(document(sheet("A-101", "unchanged"), sheet("A-102", "unchanged", page=1)))
    assert summary.summary == "Compared 2 sheets: no changes found."
    assert summary.items == [] and summary.not_summarized == []


def test_the_same_input_always_gives_the_same_items():
    first = OfflineSummarizer().summarize(revision_document(), {"A-101": plan_words()})
    second = OfflineSummarizer().summarize(revision_document(), {"A-101": plan_words()})
    assert first.items == second.items and first.summary == second.summary


def _moved(cid, bbox, text=None, *, dx, dy, drawing=None, group="item"):
    was = [bbox[0] - dx, bbox[1] - dy, bbox[2] - dx, bbox[3] - dy]
    offset = {"dx": dx, "dy": dy, "distance": (dx * dx + dy * dy) ** 0.5, "drawing_distance": drawing}
    return change(cid, "moved", bbox, text, text, from_bbox=was, offset=offset, group=group)


def test_moves_read_as_moves_in_drawing_units_where_the_scale_is_known():
    doc = document(
        sheet(
            "A-101",
            "modified",
            [
                _moved("A-101-1", [560, 600, 640, 612], "GREAT ROOM", dx=108, dy=0, drawing="12'-0\""),
                _moved("A-101-2", [470, 440, 500, 460], "D-20", dx=0, dy=-40.5, drawing="4'-6\""),
                _moved("A-101-3", [200, 700, 230, 730], dx=180, dy=0),
                _moved("A-101-4", [760, 200, 800, 226], "STAFF 103", dx=0, dy=30, drawing="3'-4\""),
                _moved("A-101-5", [760, 400, 776, 416], "121", dx=-43.5, dy=0, drawing="4'-10\""),
            ],
        )
    )

    summary = OfflineSummarizer().summarize(doc, {"A-101": plan_words()})

    assert _texts(summary) == [
        (["A-101-1"], "Room tag GREAT ROOM moved 12'-0\" east at grids C–D/3–4."),
        (["A-101-2"], "Door D-20 moved 4'-6\" north at grids B–C/2–3."),
        (["A-101-3"], "Symbol moved 180 pt right at grids A–B/3–4."),
        (["A-101-4"], "Room tag STAFF 103 moved 3'-4\" south at grids D/1–2."),
        (["A-101-5"], "Tag 121 moved 4'-10\" west at grids D/2–3."),
    ]
    assert [item.impact for item in summary.items] == ["low", "medium", "low", "low", "low"]


def test_a_moved_view_is_one_item_and_the_edit_inside_it_another():
    doc = document(
        sheet(
            "A-501",
            "modified",
            [
                _moved("A-501-1", [330, 360, 500, 490], dx=250, dy=-20, group="view"),
                change("A-501-2", "modified", [375, 450, 395, 460], "2'-6\"", "2'-9\""),
            ],
        )
    )

    texts = [text for _, text in _texts(OfflineSummarizer().summarize(doc))]

    assert texts == ["View moved 251 pt right.", 'Dimension increased 2\'-6" → 2\'-9" (by 3").']


def test_a_sheet_re_plotted_at_another_size_is_said_in_the_overview():
    half = sheet("A-101", "unchanged")
    half["alignment"] = {"matrix": [[0.5, 0, 0], [0, 0.5, 0]], "score": 0.9, "scale": 0.5}
    wobble = sheet("A-102", "unchanged", page=1)
    wobble["alignment"] = {"matrix": [[1.01, 0, 0], [0, 1.01, 0]], "score": 0.9, "scale": 1.01}

    summary = OfflineSummarizer().summarize(document(half, wobble))

    assert summary.summary == "Compared 2 sheets: no changes found. A-101 re-plotted at 50%."


def test_a_sheet_that_could_not_be_aligned_is_said_so_never_as_zero_changes():
    unaligned = sheet("A-101", "modified")
    unaligned["error"] = {"kind": "unaligned", "message": "only 12 feature matches between the sheets"}

    summary = OfflineSummarizer().summarize(document(unaligned, sheet("A-102", "unchanged", page=1)))

    assert summary.summary == (
        "Compared 2 sheets: A-101 could not be aligned (changes not computed); 1 unchanged. 1 high-impact item."
    )
    assert "0 changes" not in summary.summary
    assert _texts(summary) == [
        (
            [],
            "Sheet A-101 could not be aligned with its old revision (only 12 feature matches between the sheets),"
            " so its changes were not computed; align it by hand on the review page.",
        )
    ]
    assert summary.items[0].impact == "high"
