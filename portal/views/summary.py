"""Placeholder until the services land (replaced)."""
import streamlit as st

st.title("summary")
