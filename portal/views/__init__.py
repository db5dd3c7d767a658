"""The portal's pages: Streamlit scripts that ``portal/app.py`` registers with ``st.navigation``.

The folder is not called ``pages/``: that name turns on Streamlit's legacy page discovery.
"""
