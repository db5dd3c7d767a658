"""BuildTrace portal: the entry point of the Streamlit app.

Run it from the repository root with::

    python -m portal.serve   (or: streamlit run portal/asgi.py)

(the pages write nothing through Streamlit "magic"; turning it off also
avoids ``ast.parse`` in script threads, which CPython 3.11.7 does not do
thread-safely: "AST constructor recursion depth mismatch").

It reads the same settings as the rest of BuildTrace (``BUILDTRACE_DATA_DIR``,
``BUILDTRACE_DATABASE_URL``, ``BUILDTRACE_STORAGE_URL``) and reaches the
pipeline only through the Dagster webserver's GraphQL API
(``DAGSTER_GRAPHQL_URL``); signed in, every page shows a banner while the
pipeline is not running.
Without a signed-in user the navigation holds the sign-in page only, so no
URL reaches anything else. While the database or blob storage is unreachable
every page shows :func:`portal.outage.outage_page` instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from buildtrace_assets.observability.http_metrics import observed_page
from portal.auth import current_user, sign_out
from portal.outage import outage_page
from portal.pipeline import health_banner

st.set_page_config(page_title="BuildTrace", layout="wide")

PAGES = [
    ("views/projects.py", "Projects", ":material/folder:"),
    ("views/upload.py", "Upload", ":material/upload:"),
    ("views/jobs.py", "Jobs", ":material/pending_actions:"),
    ("views/review.py", "Review", ":material/compare:"),
    ("views/summary.py", "Summary", ":material/summarize:"),
    ("views/audit.py", "Audit log", ":material/history:"),
]

user = current_user()
if user is None:
    # Signed out, every page's address shows the sign-in form (which posts back to that address with its query), so
    # a reload or a shared link never hits "Page not found" and lands, once signed in, on the page it names.
    navigation = st.navigation(
        [
            st.Page("views/sign_in.py", title="Sign in", url_path=Path(script).stem, default=index == 0)
            for index, (script, _, _) in enumerate(PAGES)
        ],
        position="hidden",
    )
else:
    st.sidebar.markdown(f"Signed in as **{user.display_name}**  \n{user.email}")
    if st.sidebar.button("Sign out", icon=":material/logout:"):
        sign_out(user)
        st.rerun()
    if st.sidebar.button("Sign out everywhere", icon=":material/devices:", help="Every browser and API client"):
        sign_out(user, everywhere=True)
        st.rerun()
    navigation = st.navigation(
        [
            st.Page(script, title=title, icon=icon, default=index == 0)
            for index, (script, title, icon) in enumerate(PAGES)
        ]
    )
# outage_page: database calls stop in backend.run already; this catches storage reads outside it
with outage_page(), observed_page("portal", navigation.title):
    if user is not None:
        health_banner()
    navigation.run()
