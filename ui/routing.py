"""Keep every page inside the app frame (app.py), even on a deep link to a fresh server.

Streamlit 1.67 starts in its legacy "pages/ directory" mode when a ``pages/`` folder exists and only
leaves it when ``st.navigation`` runs. A first visit to ``/data`` on a freshly started server would
therefore run ``pages/data.py`` alone (no sidebar, no URL state). Each page calls :func:`in_frame`
first: outside the frame it switches the mode off and reruns, so app.py runs and routes to the page.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def in_frame() -> None:
    """Rerun through app.py when a page was started without it (see module docstring)."""
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
