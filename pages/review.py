"""Weekly review: what changed since the last complete period, who moved it, whom to contact.

The same definitions as every other page (issue 10): the activity window is the dataset's purchase-cycle
rule in the review's grain (weeks ⇒ W in weeks), CRR comes with its parts, and the lists to act on use the
Customer value page's at-risk rule, model and analysis date, so both pages count the same customers.
"""

import streamlit as st

from retention_core.errors import RetentionError
from retention_core.periods import start_of
from retention_core.retention.review import changes_table, segment_movers, what_changed
from retention_core.summary import orders_summary
from retention_core.value.segments import at_risk_customers, crm_export, lapsed_high_value
from ui import activity, i18n, notes_sections, routing, state, widgets
from ui.i18n import t

routing.in_frame()

st.title(t("review.title"))
if not widgets.has_table("orders"):
    st.info(t("common.no_orders"))
    st.stop()

state.default(state.REVIEW_GRAIN, "week")
grain = st.segmented_control(t("review.grain"), ["week", "month"], key=state.REVIEW_GRAIN,
                             format_func=lambda g: t(f"review.grain_{g}")) or "week"
rule = activity.window(grain)
try:
    changes = widgets.computed(what_changed, "orders", full_history=True, grain=grain, window=rule.periods)
except RetentionError as exc:
    widgets.show_error(exc)
    st.stop()
st.caption(t("review.intro", unit=t(f"units.{grain}_one"), start=i18n.day(changes[0].period_start)))

st.subheader(t("review.changes"))
cols = st.columns(5)
for i, k in enumerate(changes):
    widgets.kpi_tile(cols[i % 5], k)
by_key = {k.key: k for k in changes}
parts = activity.crr_parts(by_key["crr"].value, by_key["retention_rate"].value, by_key["reactivation_share"].value)
st.caption(" · ".join(x for x in (parts, activity.rule_text(rule)) if x))
widgets.download(changes_table(changes), f"what_changed_{grain}.csv", label=t("review.changes_download"),
                 key="review_changes_download")

st.subheader(t("review.movers"))
segments = widgets.segment_names("orders")
if segments:
    state.ensure_choice(state.REVIEW_SEGMENT, segments)
    segment = st.selectbox(t("review.segment"), segments, key=state.REVIEW_SEGMENT, format_func=widgets.column_label)
    movers = widgets.computed(segment_movers, "orders", full_history=True, segment=segment, grain=grain,
                              window=rule.periods)
    ratios = tuple(c for c in movers.columns if c.endswith("_change") or c.startswith(
        ("crr", "churn_rate", "retention_rate", "reactivation_share")))
    widgets.table(movers, percent=ratios)
    st.caption(activity.rule_text(rule))
    widgets.download(movers, f"segment_movers_{segment}_{grain}.csv", percent=ratios, key="review_movers_download")
else:
    st.info(t("review.no_segments"))

# The lists to act on: the Customer value page's rule, model and analysis date (the same customers there).
span = widgets.computed(orders_summary, "orders")
first, last = (span.first.date(), span.last.date()) if span.first is not None else (None, None)
model = activity.value_model(first, last)
risk_rule = activity.at_risk_rule()
st.subheader(t("review.at_risk"), anchor="at-risk")
try:
    with st.spinner(t("value.fitting")):
        risky = widgets.computed_with_model(at_risk_customers, "orders", model, **risk_rule)
        lapsed = widgets.computed_with_model(lapsed_high_value, "orders", model, **activity.lapsed_rule())
except RetentionError as exc:
    widgets.show_error(exc)
    st.stop()
st.caption(activity.at_risk_caption(risky.height, last, risk_rule))
widgets.table(widgets.translated(crm_export(risky).head(50), "reason", "reason"), dates=("last_order",),
              hide_empty=True)
widgets.download(crm_export(risky), "customers_at_risk.csv", shown=widgets.translated(crm_export(risky), "reason", "reason"),
                 label=t("review.download_at_risk"), key="review_at_risk_download", audit="at_risk")

st.subheader(t("review.lapsed"))
lapsed_rule = activity.lapsed_rule()
st.caption(t("review.lapsed_caption", top=i18n.num(lapsed_rule["top"] * 100), days=lapsed_rule["min_days"],
             n=i18n.num(lapsed.height)))
widgets.table(widgets.translated(crm_export(lapsed).head(50), "reason", "reason"), dates=("last_order",),
              hide_empty=True)
widgets.download(crm_export(lapsed), "lapsed_high_value.csv", shown=widgets.translated(crm_export(lapsed), "reason", "reason"),
                 label=t("review.download_lapsed"), key="review_lapsed_download", audit="lapsed")

notes_sections.notes_section(start_of(changes[0].period_start, "week"))  # what the team decided that week
