"""BuildTrace portal: the entry point of the Streamlit app.

Run it from the repository root with::

    streamlit run portal/app.py --runner.magicEnabled false

(the pages write nothing through Streamlit "magic"; turning it off also
avoids ``ast.parse`` in script threads, which CPython 3.11.7 does not do
thread-safely: "AST constructor recursion depth mismatch").

It reads the same settings as the rest of BuildTrace (``BUILDTRACE_DATA_DIR``,
``BUILDTRACE_DATABASE_URL``, ``BUILDTRACE_STORAGE_URL``, ``DAGSTER_HOME``).
Without a signed-in user the navigation holds the sign-in page only, so no
URL reaches anything else. While the database or blob storage is unreachable
every page shows :func:`portal.outage.outage_page` instead of a traceback.
"""

from __future__ import annotations

import streamlit as st

from buildtrace_assets.observability.http_metrics import observed_page
from portal.auth import current_user, sign_out
from portal.outage import outage_page

st.set_page_config(page_title="BuildTrace", layout="wide")

user = current_user()
if user is None:
    navigation = st.navigation([st.Page("views/sign_in.py", title="Sign in", icon=":material/login:")])
else:
    st.sidebar.markdown(f"Signed in as **{user.display_name}**  \n{user.email}")
    if st.sidebar.button("Sign out", icon=":material/logout:"):
        sign_out()
        st.rerun()
    navigation = st.navigation(
        [
            st.Page("views/projects.py", title="Projects", icon=":material/folder:", default=True),
            st.Page("views/upload.py", title="Upload", icon=":material/upload:"),
            st.Page("views/jobs.py", title="Jobs", icon=":material/pending_actions:"),
            st.Page("views/review.py", title="Review", icon=":material/compare:"),
            st.Page("views/summary.py", title="Summary", icon=":material/summarize:"),
            st.Page("views/audit.py", title="Audit log", icon=":material/history:"),
        ]
    )
# outage_page: database calls stop in backend.run already; this catches storage reads outside it
with outage_page(), observed_page("portal", navigation.title):
    navigation.run()
