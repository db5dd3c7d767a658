import pytest
from summaries.summary_samples import revision_document

from buildtrace_assets.summaries import InvalidChangesError, summarize_changes_markdown
from buildtrace_assets.summaries.schema import PROMPT_VERSION


def test_markdown_has_the_overview_a_section_per_sheet_and_change_ids():
    text = summarize_changes_markdown(revision_document())
    assert text == "\n".join(
        [
            "# Drawing changes",
            "",
            "Compared 4 sheets: A-101 (4 changes) modified; A-102 added; S-101 removed; 1 unchanged. "
            "3 high-impact items.",
            "",
            "## A-101 — FIRST FLOOR PLAN",
            "",
            "- **high** · dimension — Dimension reduced 31'-6 7/8\" → 8'-8 1/8\" (by 22'-10 3/4\"). (`A-101-1`)",
            "- **low** · linework — Linework added. (`A-101-3`)",
            "- **medium** · door/window — Door tag D-20 → D-21. (`A-101-4`)",
            "- **medium** · keynote — Added keynotes 11, 14, 15; removed keynotes 4, 6. (`A-101-2`)",
            "",
            "## A-102 — SECOND FLOOR PLAN",
            "",
            "- **high** · sheet added — Sheet A-102 SECOND FLOOR PLAN added.",
            "",
            "## S-101 — FOUNDATION PLAN",
            "",
            "- **high** · sheet removed — Sheet S-101 FOUNDATION PLAN removed.",
            "",
            f"_Written by the offline summarizer, prompt {PROMPT_VERSION}._",
            "",
        ]
    )


def test_a_malformed_document_raises_instead_of_writing_a_summary():
    with pytest.raises(InvalidChangesError):
        summarize_changes_markdown({"schema": "buildtrace.changes/v1"})
