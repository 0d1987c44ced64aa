"""Streamlit-only code shared by app.py and pages/ (state, cache, i18n, widgets)."""
