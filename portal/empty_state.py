"""What a page shows when it has nothing to show: what is missing and the one next step, with a link to where it
is taken, in the same look on every page."""

from __future__ import annotations

import streamlit as st

EMPTY_ICON = ":material/inbox:"


def empty_state(message: str, page: str | None = None, action: str | None = None, icon: str = EMPTY_ICON) -> None:
    """``message`` (what is missing and what to do), then a link to ``page`` labelled ``action`` when given."""
    st.info(message, icon=icon)
    if page is not None and action is not None:
        st.page_link(page, label=action, icon=":material/arrow_forward:")
