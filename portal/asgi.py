"""The portal as one ASGI app: the Streamlit pages plus the sign-in route that sets the session cookie.

``streamlit run portal/asgi.py`` (what :mod:`portal.serve` does) finds ``app``
and serves both on one port and origin, so the cookie set by
``/auth/sign-in`` is the one every page's WebSocket sends back.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from portal.sign_in_route import ROUTES

app = st.App(Path(__file__).with_name("app.py"), routes=ROUTES)
