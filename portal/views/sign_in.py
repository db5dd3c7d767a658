"""Sign-in page: local accounts, plus the identity provider when OIDC is configured."""

from __future__ import annotations

import streamlit as st

from buildtrace_assets.services.errors import TooManyAttempts
from portal.auth import oidc_configured, sign_in

st.title("BuildTrace")
st.caption("Track changes between revisions of construction drawings.")

with st.form("sign_in"):
    email = st.text_input("E-mail")
    password = st.text_input("Password", type="password")
    submitted = st.form_submit_button("Sign in", type="primary")

if submitted and (not email.strip() or not password):
    st.error("Enter your e-mail address and password.")
elif submitted:
    try:
        signed_in = sign_in(email, password)
    except TooManyAttempts as refusal:
        st.error(str(refusal))
    else:
        if signed_in:
            st.rerun()
        else:
            st.error("E-mail or password is wrong.")

if oidc_configured():
    st.divider()
    st.button("Sign in with your organization's account", on_click=st.login)
