"""Overview: the filtered dataset at a glance, then retention by period (SPEC §4.1–4.2, §4.4, §7)."""

import streamlit as st

from retention_core.charts.retention import flow_chart, kpi_trend_chart, nps_trend_chart, seasonality_chart
from retention_core.definitions import METRIC_BY_KEY
from retention_core.errors import NotEnoughDataError, RetentionError
from retention_core.periods import within
from retention_core.report import html_report
from retention_core.retention.flows import period_metrics
from retention_core.retention.kpis import incomplete_start, with_returning
from retention_core.retention.nps import nps_by_period
from retention_core.retention.seasonality import seasonality
from retention_core.retention.subscriptions import subscription_metrics
from retention_core.summary import orders_summary
from ui import activity, compare_sections, drilldown, i18n, notes_sections, routing, state, widgets
from ui.i18n import t

TILES = {
    "orders": ("crr", "retention_rate", "reactivation_share", "churn_rate", "revenue_churn_rate",
               "nrr", "arpu", "aov", "new_customers", "returning_customers"),
    "subscriptions": ("crr", "retention_rate", "churn_rate", "total_churn_rate", "mrr_churn_rate",
                      "nrr", "arpu", "new_customers", "returning_customers", "churned"),
}
FLOW = ("period_start", "customers_start", "new_customers", "returning_customers", "retained", "reactivated",
        "churned", "crr", "retention_rate", "churn_rate")
TABLE = {
    "orders": (*FLOW[:9], "reactivation_share", *FLOW[9:], "lapsed", "reactivation_rate", "revenue", "orders", "aov", "arpu", "purchase_frequency", "repeat_revenue_share",
               "aov_new", "aov_repeat", "revenue_churn_rate", "nrr", "incomplete"),
    "subscriptions": (*FLOW, "churned_new", "total_churn_rate", "mrr_start", "new_mrr", "churned_mrr",
                      "mrr_churn_rate", "nrr", "arpu", "incomplete"),
}


routing.in_frame()
st.title(t("overview.title"))
orders = widgets.current_table("orders")
kind = "orders" if orders is not None else "subscriptions" if widgets.has_table("subscriptions") else None
if kind is None:
    st.info(t("common.no_orders"))
    st.stop()
if orders is not None:
    if orders.height == 0:
        st.warning(t("common.no_data"))
        st.stop()
    s = orders_summary(orders)
    c = st.columns(4)
    widgets.tile(c[0], t("overview.customers"), i18n.num(s.customers), help=t("overview.customers_help"))
    widgets.tile(c[1], t("overview.orders"), i18n.num(s.orders), help=t("overview.orders_help"))
    widgets.tile(c[2], t("overview.revenue"), i18n.money(s.revenue), help=t("overview.revenue_help"))
    widgets.tile(c[3], t("overview.aov"), i18n.money(s.aov, 2), help=t("overview.aov_help"))
    st.caption(t("overview.span", first=i18n.day(s.first), last=i18n.day(s.last), refunds=i18n.num(s.refunds)))

st.subheader(t("overview.retention"))
grain = state.grain()
controls = st.columns(3, vertical_alignment="bottom")
try:
    if kind == "orders":
        rule = activity.window(grain)
        activity.window_input(controls[0], grain, rule)
        periods = widgets.computed_with_periods(period_metrics, "orders", full_history=True, grain=grain,
                                                window=rule.periods)
        caption = activity.rule_text(rule)
    else:
        st.caption(t("overview.subscriptions_only"))
        periods = widgets.computed(subscription_metrics, "subscriptions", full_history=True, grain=grain)
        caption = t("caption.subscribed")
    included = widgets.include_incomplete_toggle(controls[1])
    basis = compare_sections.basis_picker(controls[2])  # previous period, same period last year, custom ranges
    shown = with_returning(within(periods, *widgets.date_range(), grain=grain))
    tiles = compare_sections.tiles(shown, list(TILES[kind]), included, basis)
except RetentionError as exc:
    widgets.show_error(exc)
    st.stop()
if shown.height == 0:
    st.info(t("overview.no_periods"))
    st.stop()
incomplete = incomplete_start(shown)
if incomplete is not None:
    st.info(t("overview.incomplete_shown" if included else "overview.incomplete_hidden", period=i18n.day(incomplete)),
            icon=":material/hourglass_bottom:")
by_key = {k.key: k for k in tiles}
for row in (tiles[:5], tiles[5:]):
    for col, k in zip(st.columns(5), row, strict=True):
        widgets.kpi_tile(col, k)
first = tiles[0]
parts = ""
if "reactivation_share" in by_key:
    parts = activity.crr_parts(by_key["crr"].value, by_key["retention_rate"].value, by_key["reactivation_share"].value)
st.caption(" · ".join(x for x in (parts, caption) if x))  # CRR with its parts, and the rule behind it
if basis == "previous":
    st.caption(t("overview.tiles_period" if first.previous is not None else "overview.tiles_first",
                 period=i18n.day(first.period_start)))
else:
    compare_sections.caption(basis, first)

display = "distinct" if included else "hidden"
labels = widgets.chart_labels(reactivation_share=t("metric.reactivation_share"))
trend_keys = ("crr", "retention_rate", "reactivation_share", "churn_rate", "arpu") if kind == "orders" else (
    "crr", "churn_rate", "arpu")
widgets.chart(kpi_trend_chart(shown, keys=trend_keys, incomplete=display, labels=labels), "overview_trend",
              title=t("overview.trend"), date_axis=True)
widgets.period_caption(caption, incomplete, shown=included)
compare_sections.trend_comparison(shown, basis, labels)  # vs the same period last year / the other range
if kind == "orders":
    compare_sections.segment_trend(grain, rule.periods, labels)  # segment values as separate lines
fig = flow_chart(shown, incomplete=display, labels=labels)
if kind == "orders":
    st.markdown(f"**{t('overview.flow')}**")
    drilldown.flow_chart(fig, grain=grain, window=rule.periods)  # a click lists the bar's customers
else:
    widgets.chart(fig, "overview_flow", title=t("overview.flow"), date_axis=True)
widgets.period_caption(caption, incomplete, shown=included)
notes_sections.annotations_section()  # dated annotations drawn on every time chart

st.markdown(f"**{t('overview.table')}**")
percent = tuple(c for c in TABLE[kind] if METRIC_BY_KEY.get(c) and METRIC_BY_KEY[c].unit == "ratio"
                and c != "purchase_frequency")
widgets.table(shown.select(TABLE[kind]), percent=percent, dates=("period_start",), file_name=f"period_metrics_{grain}.csv",
              key="overview_download")
widgets.period_caption(caption, incomplete, shown=True)
if kind == "orders":
    widgets.engine_caption(grain=grain)
if orders is not None and st.button(t("overview.report_prepare"), icon=":material/description:", key="report_prepare"):
    report = widgets.computed(html_report, "orders", full_history=True, grain=grain, title=t("overview.report_title"),
                              window=rule, lang=state.lang(), annotations=notes_sections.annotations())
    st.download_button(t("overview.report_download"), report.encode("utf-8"), file_name="retention_report.html",
                       mime="text/html", on_click="ignore", key="report_download", icon=":material/download:")

if orders is not None:
    try:  # the section's title is the chart's, inside the figure (and in its PNG)
        season = widgets.computed(seasonality, "orders", value="revenue")
        widgets.chart(seasonality_chart(season, month_names=t("chart.months").split(","), labels=labels),
                      "overview_seasonality", title=t("overview.seasonality"))
        st.caption(t("overview.seasonality_caption", years=season["years"][0]))
    except NotEnoughDataError:
        st.info(t("overview.seasonality_short"))
if widgets.has_table("survey"):
    try:  # the chart's title names the section
        nps = widgets.computed(nps_by_period, "survey", grain=grain)
        widgets.chart(nps_trend_chart(nps, labels=labels), "overview_nps", title=t("overview.nps"), date_axis=True)
        st.caption(t("overview.nps_caption"))
    except RetentionError as exc:
        widgets.show_error(exc)
