"""The BuildTrace web portal: a Streamlit multipage app over the services layer.

Run it with ``streamlit run portal/app.py``.
"""
