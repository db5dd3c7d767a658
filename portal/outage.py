"""The page shown instead of a traceback while the database or blob storage cannot be reached.

An outage is nobody's fault on the page and passes by itself, so the person
gets a plain explanation and a way to try again; the server log gets one line
per failed run (:func:`~buildtrace_assets.services.outages.outage_line`), not
a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from buildtrace_assets.services.outages import outage_line, unavailable_part

LOG = logging.getLogger(__name__)


@contextmanager
def outage_page() -> Iterator[None]:
    """Run the block; if it fails because the database or storage is unreachable, show the outage page and stop."""
    try:
        yield
    except Exception as error:
        part = unavailable_part(error)
        if part is None:
            raise
        LOG.warning(outage_line(part, error))
        st.error(
            f"BuildTrace cannot reach its {part} at the moment, so this page cannot be shown. "
            "Nothing you did caused this; what you were saving, if anything, was not saved. "
            "Please try again in a minute.",
            icon=":material/cloud_off:",
        )
        st.button("Try again", icon=":material/refresh:")
        st.stop()
