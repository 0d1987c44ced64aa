"""Weekly review: what changed since the last complete period, who moved it, whom to contact."""

import streamlit as st

from retention_core.errors import RetentionError
from retention_core.retention.review import changes_table, segment_movers, what_changed
from retention_core.value.segments import at_risk_customers, crm_export, lapsed_high_value
from ui import i18n, routing, state, widgets
from ui.i18n import t

routing.in_frame()

AT_RISK = {"min_days": 90, "gap_multiple": 2.0}
LAPSED = {"min_days": 90, "top": 0.2}

st.title(t("review.title"))
if not widgets.has_table("orders"):
    st.info(t("common.no_orders"))
    st.stop()

state.default(state.REVIEW_GRAIN, "week")
grain = st.segmented_control(t("review.grain"), ["week", "month"], key=state.REVIEW_GRAIN,
                             format_func=lambda g: t(f"review.grain_{g}")) or "week"
try:
    changes = widgets.computed(what_changed, "orders", full_history=True, grain=grain)
except RetentionError as exc:
    widgets.show_error(exc)
    st.stop()
st.caption(t("review.intro", unit=t(f"units.{grain}_one"), start=i18n.day(changes[0].period_start)))

st.subheader(t("review.changes"))
cols = st.columns(5)
for i, k in enumerate(changes):
    widgets.kpi_tile(cols[i % 5], k)
widgets.download(changes_table(changes), f"what_changed_{grain}.csv", label=t("review.changes_download"),
                 key="review_changes_download")

st.subheader(t("review.movers"))
segments = widgets.segment_names("orders")
if segments:
    state.ensure_choice(state.REVIEW_SEGMENT, segments)
    segment = st.selectbox(t("review.segment"), segments, key=state.REVIEW_SEGMENT, format_func=widgets.column_label)
    movers = widgets.computed(segment_movers, "orders", full_history=True, segment=segment, grain=grain)
    ratios = tuple(c for c in movers.columns if c.endswith("_change") or c.startswith(("crr", "churn_rate")))
    widgets.table(movers, percent=ratios)
    widgets.download(movers, f"segment_movers_{segment}_{grain}.csv", percent=ratios, key="review_movers_download")
else:
    st.info(t("review.no_segments"))

st.subheader(t("review.at_risk"), anchor="at-risk")
risky = widgets.computed(at_risk_customers, "orders", full_history=True, **AT_RISK)
st.caption(t("review.at_risk_caption", days=AT_RISK["min_days"], k=i18n.num(AT_RISK["gap_multiple"], 1),
             n=i18n.num(risky.height)))
widgets.table(widgets.translated(crm_export(risky).head(50), "reason", "reason"), dates=("last_order",),
              hide_empty=True)
widgets.download(crm_export(risky), "customers_at_risk.csv", shown=widgets.translated(crm_export(risky), "reason", "reason"),
                 label=t("review.download_at_risk"), key="review_at_risk_download")

st.subheader(t("review.lapsed"))
lapsed = widgets.computed(lapsed_high_value, "orders", full_history=True, **LAPSED)
st.caption(t("review.lapsed_caption", top=i18n.num(LAPSED["top"] * 100), days=LAPSED["min_days"],
             n=i18n.num(lapsed.height)))
widgets.table(widgets.translated(crm_export(lapsed).head(50), "reason", "reason"), dates=("last_order",),
              hide_empty=True)
widgets.download(crm_export(lapsed), "lapsed_high_value.csv", shown=widgets.translated(crm_export(lapsed), "reason", "reason"),
                 label=t("review.download_lapsed"), key="review_lapsed_download")
