"""The portal as one ASGI app: the Streamlit pages, the sign-in route that sets the session cookie, and the
sheet tiles the review's viewer loads.

``streamlit run portal/asgi.py`` (what :mod:`portal.serve` does) finds ``app``
and serves all of them on one port and origin, so the cookie set by
``/auth/sign-in`` is the one every page's WebSocket and every tile request
sends back, and the tiles the pages publish are in the process that serves
them.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from portal import sign_in_route, tile_route

app = st.App(Path(__file__).with_name("app.py"), routes=[*sign_in_route.ROUTES, *tile_route.ROUTES])
