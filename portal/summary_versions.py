"""Summary versions on the summary page: who wrote each and how, open one, compare two, restore one; editing the
items of a summary as items; asking before a regenerate replaces a person's summary.

Every save is a new version (:mod:`buildtrace_assets.services.summaries`), so
"restore" makes a copy of an old version the active one, credited to the
person restoring it, and nothing is ever lost.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any, get_args

import streamlit as st

from buildtrace_assets.db.models import ChangeSummary
from buildtrace_assets.services import summaries
from buildtrace_assets.summaries.categories import with_known_labels
from buildtrace_assets.summaries.document import read_changes
from buildtrace_assets.summaries.errors import InvalidChangesError
from buildtrace_assets.summaries.schema import Category
from portal import backend
from portal.auth import SignedIn
from portal.review_data import Review

NOTICE_KEY = "summary_notice"
CONFIRM_KEY = "summary_regenerate_confirm"
IMPACTS = ["high", "medium", "low"]
CATEGORIES = list(get_args(Category))


def label(value: str | None) -> str:
    """A category or discipline as people write it: ``door_window`` → ``door/window``, ``fire_alarm`` → ``fire
    alarm``."""
    return (value or "").replace("door_window", "door/window").replace("_", " ")


def known_items(content: Mapping[str, Any], review: Review) -> list[dict[str, Any]]:
    """The summary's items with an ``other`` category or discipline read from the changes and sheets they cite,
    so a summary stored before those rules never reads "other · other" (see
    :mod:`buildtrace_assets.summaries.categories`)."""
    try:
        document = read_changes(review.document)
    except InvalidChangesError:
        return [dict(item) for item in content.get("items") or []]
    return with_known_labels(content.get("items") or [], document)


def authorship(version: ChangeSummary, people: Mapping[str, str]) -> str:
    """Who wrote this version and how, in one honest sentence (the page's footer)."""
    person = people.get(version.created_by or "", "a person")
    when = f"{version.created_at:%Y-%m-%d %H:%M} UTC"
    restored = (version.metadata_ or {}).get("restored_from")
    if version.source == "human_written":
        how = f"Written by hand by {person}"
    elif version.source == "human_corrected":
        how = f"Written by the summarizer ({version.model or 'unknown model'}) from regions corrected by a person"
    else:
        how = f"Written by the summarizer ({version.model or 'unknown model'}) from the machine's regions"
    if restored is not None:
        how += f"; restored from version {restored} by {person}"
    return f"Version {version.version_number}. {how}, {when}."


def as_markdown(content: Mapping[str, Any]) -> str:
    """The summary's text from its overall paragraph and items (what reports and the API read as ``text``)."""
    items = [f"- **{item.get('impact', '')}** {item.get('text', '')}" for item in content.get("items") or []]
    return "\n\n".join(part for part in (str(content.get("overall") or ""), "\n".join(items)) if part)


def text_diff(older: ChangeSummary, newer: ChangeSummary) -> str:
    """A unified diff of two versions' text, line by line."""
    return (
        "".join(
            difflib.unified_diff(
                older.text.splitlines(keepends=True),
                newer.text.splitlines(keepends=True),
                fromfile=f"version {older.version_number}",
                tofile=f"version {newer.version_number}",
            )
        )
        or "The two versions have the same text."
    )


def _label(version: ChangeSummary, people: Mapping[str, str]) -> str:
    source = {"human_written": "by hand", "human_corrected": "from corrections", "machine": "machine"}
    author = people.get(version.created_by or "", "pipeline")
    active = " · active" if version.is_active else ""
    return f"v{version.version_number} · {source.get(version.source, version.source)} · {author}{active}"


def versions_panel(
    user: SignedIn, can_edit: bool, review: Review, versions: Sequence[ChangeSummary], people: Mapping[str, str]
) -> None:
    """Open any version, compare it with another, and (editors) restore it."""
    if not versions:
        return
    by_id = {version.id: version for version in versions}
    opened_column, compared_column = st.columns(2)
    opened = by_id[
        opened_column.selectbox("Open version", list(by_id), format_func=lambda key: _label(by_id[key], people))
    ]
    others = [key for key in by_id if key != opened.id]
    compared = compared_column.selectbox(
        "Compare with", [None, *others], format_func=lambda key: "—" if key is None else _label(by_id[key], people)
    )
    st.caption(authorship(opened, people))
    if compared is None:
        with st.container(border=True):
            st.markdown(opened.text)
    else:
        older, newer = sorted((opened, by_id[compared]), key=lambda version: version.version_number)
        st.code(text_diff(older, newer), language="diff", wrap_lines=True)
    if can_edit and not opened.is_active and st.button(f"Restore version {opened.version_number}", type="primary"):
        restored = backend.attempt(
            lambda s: summaries.restore_summary(s, user.actor, review.diff_result_id, opened.id).version_number
        )
        if restored is not None:
            st.session_state[NOTICE_KEY] = (
                f"Version {opened.version_number} restored as version {restored}, in your name."
            )
            st.rerun()


def regenerate_confirmed(active: ChangeSummary | None, clicked: bool, people: Mapping[str, str]) -> bool:
    """Whether to ask for a new summary now; over a person's summary, only after they said yes."""
    if clicked and (active is None or active.source != "human_written"):
        return True
    if clicked:
        st.session_state[CONFIRM_KEY] = True
    if not st.session_state.get(CONFIRM_KEY) or active is None:
        return False
    st.warning(
        f"The active summary was written by hand by {people.get(active.created_by or '', 'a person')}. "
        "A new machine summary will become the active version; the hand-written one stays in the history "
        f"as version {active.version_number} and can be restored."
    )
    go_on, keep = st.columns([1, 4])
    if go_on.button("Regenerate anyway", type="primary"):
        st.session_state.pop(CONFIRM_KEY, None)
        return True
    if keep.button("Keep the hand-written summary"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()
    return False


def items_editor(user: SignedIn, review: Review, active: ChangeSummary | None) -> None:
    """Edit the overall text and each item's text, impact and category; change ids stay, so links to regions do."""
    content: dict[str, Any] = active.content if active is not None else {"overall": "", "items": []}
    with st.form("edit_summary"):
        overall = st.text_area("Overall", value=str(content.get("overall") or ""), height=120)
        items = known_items(content, review)
        edited = st.data_editor(
            [
                {
                    "text": item.get("text", ""),
                    "impact": item.get("impact", "low"),
                    "category": item.get("category", "other"),
                    "changes": ", ".join(item.get("change_ids") or []),
                }
                for item in items
            ],
            column_config={
                "text": st.column_config.TextColumn("Item", width="large", required=True),
                "impact": st.column_config.SelectboxColumn(options=IMPACTS, required=True),
                "category": st.column_config.SelectboxColumn(options=CATEGORIES, required=True),
            },
            disabled=["changes"],
            hide_index=True,
            width="stretch",
            key="summary_items",
        )
        if not st.form_submit_button("Save my version"):
            return
    new_content = {
        **content,
        "overall": overall,
        "items": [
            {**item, "text": row["text"], "impact": row["impact"], "category": row["category"]}
            for item, row in zip(items, edited, strict=True)
        ],
    }
    saved = backend.attempt(
        lambda s: summaries.edit_summary(
            s,
            user.actor,
            review.diff_result_id,
            as_markdown(new_content),
            expected_active_id=active.id if active else None,
            content=new_content,
        )
    )
    if saved is not None:
        st.session_state[NOTICE_KEY] = "Saved as a new hand-written version; its items keep their links to regions."
        st.rerun()
