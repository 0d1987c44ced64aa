"""Router and frame: page config, the global sidebar (kept in the URL), navigation."""

import streamlit as st

from ui import cache, state, team, widgets
from ui.i18n import t

st.set_page_config(page_title="Retention", page_icon=":material/autorenew:", layout="wide")
state.restore_from_url()

with st.spinner(t("common.loading")):
    cache.workspace()  # first start: saves the bundled sample datasets

pages = [
    # The default page is served at "/" only; "/overview" (every link and bookmark that names it) is the same
    # script as a hidden page, so it opens without Streamlit's "Page not found" pop-up.
    st.Page("pages/overview.py", title=t("nav.overview"), icon=":material/dashboard:", url_path="start", default=True),
    st.Page("pages/overview.py", title=t("nav.overview"), icon=":material/dashboard:", url_path="overview",
            visibility="hidden"),
    st.Page("pages/cohorts.py", title=t("nav.cohorts"), icon=":material/grid_on:", url_path="cohorts"),
    st.Page("pages/value.py", title=t("nav.value"), icon=":material/savings:", url_path="value"),
    st.Page("pages/journeys.py", title=t("nav.journeys"), icon=":material/route:", url_path="journeys"),
    st.Page("pages/whatif.py", title=t("nav.whatif"), icon=":material/tune:", url_path="whatif"),
    st.Page("pages/review.py", title=t("nav.review"), icon=":material/event_repeat:", url_path="review"),
    st.Page("pages/data.py", title=t("nav.data"), icon=":material/upload_file:", url_path="data"),
]
nav = st.navigation(pages, position="sidebar" if team.signed_in() else "hidden")
widgets.page_style()
team.gate()  # shared mode: sign in first (stops the run on the sign-in screen)
notices = st.container()  # above the page: link values that were clamped or ignored (filled after the page ran)
widgets.sidebar()
widgets.sample_banner(on_data_page=nav.url_path == "data")
nav.run()
widgets.url_notices(notices)
state.write_url()
