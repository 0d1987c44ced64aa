"""The Data page's "Dataset settings" section: currency sign, gross margin, activity-window override, week
start and time zone, saved with the dataset (:mod:`retention_core.ingest.settings`) and read by every page."""

from __future__ import annotations

import streamlit as st

from retention_core.errors import RetentionError
from retention_core.ingest import DatasetSettings
from retention_core.ingest.settings import CURRENCIES, MAX_COST, MAX_WINDOW_DAYS, WEEK_STARTS
from ui import activity, cache, state, widgets
from ui.i18n import t


def _fill(current: DatasetSettings) -> None:
    """The form shows the chosen dataset's saved settings (again whenever another dataset is chosen)."""
    slug = state.dataset()
    if state.get(state.SET_FOR) == slug:
        return
    state.put(state.SET_FOR, slug)
    state.put(state.SET_CURRENCY, current.currency)
    state.put(state.SET_MARGIN, round(current.margin * 100))
    state.put(state.SET_WINDOW_DAYS, current.window_days)
    state.put(state.SET_WEEK_START, current.week_start)
    state.put(state.SET_TIME_ZONE, current.time_zone or "")
    state.put(state.SET_CAC, current.cac)
    state.put(state.SET_COST, current.retention_cost)


def settings_section() -> None:
    """Draw the settings of the dataset chosen in the sidebar; save them on submit."""
    info = next((d for d in cache.datasets() if d.slug == state.dataset()), None)
    if info is None:
        return
    st.subheader(t("settings.title"))
    st.caption(t("settings.intro"))
    st.text(t("settings.dataset", name=widgets.dataset_name(info.slug)))  # a user's name: plain text
    current = activity.dataset_settings()
    _fill(current)
    currencies = list(CURRENCIES) + ([current.currency] if current.currency not in CURRENCIES else [])
    with st.form("settings_form", border=False):
        c = st.columns(5)
        c[0].selectbox(t("settings.currency"), currencies, key=state.SET_CURRENCY,
                       format_func=lambda s: s or t("activity.no_currency"))
        c[1].number_input(t("settings.margin"), min_value=1, max_value=100, step=1, key=state.SET_MARGIN,
                          help=t("settings.margin_help"))
        c[2].number_input(t("settings.window_days"), min_value=1, max_value=MAX_WINDOW_DAYS, step=1, value=None,
                          key=state.SET_WINDOW_DAYS, help=t("settings.window_days_help"))
        c[3].selectbox(t("settings.week_start"), WEEK_STARTS, key=state.SET_WEEK_START,
                       format_func=lambda w: t(f"settings.week_start.{w}"))
        c[4].text_input(t("settings.time_zone"), key=state.SET_TIME_ZONE, help=t("settings.time_zone_help"),
                        placeholder="Europe/Moscow")
        c = st.columns(5)
        c[0].number_input(t("settings.cac"), min_value=0.0, max_value=MAX_COST, step=10.0, format="%g", key=state.SET_CAC,
                          help=t("settings.cac_help"))
        c[1].number_input(t("settings.retention_cost"), min_value=0.0, max_value=MAX_COST, step=1.0, format="%g",
                          key=state.SET_COST, help=t("settings.retention_cost_help"))
        submitted = st.form_submit_button(t("settings.save"), type="primary")
    if "orders" in info.kinds:
        st.caption(t("settings.window_rule", rule=activity.rule_text(activity.window(state.grain()))))
    if not submitted:
        return
    days = state.get(state.SET_WINDOW_DAYS)
    zone = (state.get(state.SET_TIME_ZONE) or "").strip()
    try:
        chosen = DatasetSettings(currency=state.get(state.SET_CURRENCY) or "", margin=state.get(state.SET_MARGIN) / 100,
                                 window_days=None if days is None else int(days),
                                 week_start=state.get(state.SET_WEEK_START), time_zone=zone or None,
                                 cac=float(state.get(state.SET_CAC) or 0.0),
                                 retention_cost=float(state.get(state.SET_COST) or 0.0))
    except RetentionError as exc:
        widgets.show_error(exc)
        return
    cache.save_settings(info.slug, chosen)
    state.put(state.SET_FOR, None)  # refill from what was saved
    state.put(state.FLASH, t("settings.saved", name=widgets.dataset_name(info.slug)))
    st.rerun()
