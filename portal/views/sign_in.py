"""Sign-in page, shown at the address of whichever page was asked for, so signing in lands on that page.

The form is plain HTML posting to ``/auth/sign-in`` (a Streamlit widget
cannot make the browser store an HTTP-only cookie); ``next`` carries this
page's path and query, e.g. ``/review?project=…&job=…&sheet=…``.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode, urlsplit

import streamlit as st

from buildtrace_assets.services.sign_in_throttle import refusal_message
from portal.auth import oidc_configured
from portal.sign_in_route import ERROR_PARAMETER, PATH, WAIT_PARAMETER

MESSAGES = {
    "missing": "Enter your e-mail address and password.",
    "wrong": "E-mail or password is wrong.",
    "unavailable": "BuildTrace cannot reach its database right now, so nobody can sign in; try again in a minute.",
}


def _next_target() -> str:
    path = urlsplit(st.context.url or "/").path or "/"
    query = {key: value for key, value in st.query_params.items() if key not in (ERROR_PARAMETER, WAIT_PARAMETER)}
    return f"{path}?{urlencode(query)}" if query else path


def _refusal() -> str | None:
    error = st.query_params.get(ERROR_PARAMETER)
    wait = st.query_params.get(WAIT_PARAMETER, "")
    if error in ("throttled", "locked") and wait.isdigit():
        return refusal_message(int(wait), locked_out=error == "locked")
    return MESSAGES.get(error or "")


st.title("BuildTrace")
st.caption("Track changes between revisions of construction drawings.")
refusal = _refusal()
if refusal is not None:
    st.error(refusal)
st.html(
    f"""
<form method="post" action="{PATH}" class="bt-sign-in">
  <input type="hidden" name="next" value="{escape(_next_target())}">
  <label>E-mail<input type="email" name="email" autocomplete="username" required autofocus></label>
  <label>Password<input type="password" name="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>
<style>
  .bt-sign-in {{ display: flex; flex-direction: column; gap: 0.75rem; max-width: 24rem; }}
  .bt-sign-in label {{ display: flex; flex-direction: column; gap: 0.25rem; font-size: 0.9rem; }}
  .bt-sign-in input {{ padding: 0.5rem; border: 1px solid #ccc; border-radius: 0.4rem; font-size: 1rem; }}
  .bt-sign-in button {{ padding: 0.5rem 1rem; border: 0; border-radius: 0.4rem; background: #ff4b4b;
    color: white; font-size: 1rem; cursor: pointer; align-self: flex-start; }}
</style>
"""
)

if oidc_configured():
    st.divider()
    st.button("Sign in with your organization's account", on_click=st.login)
