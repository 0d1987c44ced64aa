"""Customer value page sections (pages/value.py): the holdout check, the model, Pareto, RFM, the lists to act on.

Each section draws what one core call returns; the page decides which sections to show.
"""

from typing import get_args

import streamlit as st

from retention_core.charts.value import (
    HoldoutMeasure,
    TreemapMeasure,
    clv_histogram,
    holdout_chart,
    p_alive_scatter,
    pareto_chart,
    rfm_treemap,
)
from retention_core.charts.winback import reactivated_chart
from retention_core.errors import RetentionError
from retention_core.periods import within
from retention_core.value.ltv import key_customers, pareto_curve, top_share
from retention_core.value.overview import ValueOverview, parameter_table
from retention_core.value.segments import (
    SEGMENTS,
    at_risk_customers,
    crm_export,
    lapsed_high_value,
    reactivated_customers,
    reactivated_per_period,
    rfm_segment_summary,
    rfm_table,
)
from ui import activity, drilldown, i18n, state, widgets
from ui.i18n import t

READABLE_BLUES = [[0.0, "#64B5F6"], [1.0, "#0D47A1"]]  # colour = repeat purchases, 0 … 6+
SHOWN_ROWS = 1000  # on screen; the CRM download has every row
REASONS = ("overdue", "low_p_alive", "overdue+low_p_alive", "lapsed_high_value")


def reason(exc: RetentionError | None) -> str:
    """Why a part is missing, in the UI language: the known cases by their fields, others by the core's text."""
    f = exc.fields if exc is not None else {}
    key = ("value.reason.span" if "days" in f else "value.reason.repeat" if "customers" in f
           else "value.reason.spenders" if "excluded" in f else "value.reason.spend" if "q" in f
           else "value.reason.formula" if "complete_months" in f else None)
    return t(key, **f) if key else i18n.error(exc) if exc is not None else ""


def holdout_section(ov: ValueOverview) -> None:
    st.subheader(t("value.holdout"))
    h = ov.check.holdout if ov.check is not None else None
    if h is None:
        text = (t("value.no_holdout", day=i18n.day(ov.as_of)) if ov.check is not None else t("value.holdout_no_model")
                if ov.model is None else t("value.holdout_failed", reason=reason(ov.check_error)))
        st.info(text, icon=":material/info:")
        return
    automatic = t("value.automatic") if state.get(state.CALIBRATION_END) is None else ""
    st.caption(t("value.holdout_caption", cal=i18n.day(ov.calibration_end), automatic=automatic,
                 end=i18n.day(ov.as_of), customers=i18n.num(ov.check.summary.height)))
    c = st.columns(3)
    widgets.tile(c[0], t("value.actual"), i18n.num(h.actual_repeat_purchases), help=t("value.actual_help"))
    widgets.tile(c[1], t("value.predicted"), i18n.num(h.predicted_repeat_purchases), help=t("value.predicted_help"))
    widgets.tile(c[2], t("value.difference"), i18n.pct(ov.holdout_difference, signed=True), help=t("value.difference_help"))
    measure = widgets.choice(st, state.HOLDOUT_MEASURE, get_args(HoldoutMeasure), "mean", label=t("value.measure"),
                             prefix="value.measure")
    widgets.chart(holdout_chart(h.by_frequency, measure=measure, actual_name=t("value.actual"),
                                  predicted_name=t("value.predicted"), x_title=t("column.frequency_bucket"),
                                  y_title=t(f"value.measure.{measure}")), "value_holdout", title=t("value.holdout_chart"))
    widgets.table(h.by_frequency, names={}, file_name="holdout_check.csv", key="value_holdout_download")


def model_section(ov: ValueOverview) -> None:
    st.subheader(t("value.model"))
    c = st.columns(2)
    widgets.chart(clv_histogram(ov.predictions, x_title=t("value.clv_axis", h=ov.horizon), y_title=t("chart.customers")),
                  "value_clv", where=c[0], title=t("value.clv_axis", h=ov.horizon))
    c[0].caption(t("value.clv_caption"))
    units = t(f"value.units.{ov.time_unit}")
    scatter = p_alive_scatter(ov.predictions, x_title=t("value.since_last", units=units), y_title=t("column.p_alive"))
    scatter.update_traces(marker={"colorscale": READABLE_BLUES, "cmin": 0, "cmax": 6})  # pale points vanish on a projector
    widgets.chart(scatter, "value_p_alive", where=c[1], title=t("column.p_alive"))
    c[1].caption(t("value.p_alive_caption"))
    widgets.download(ov.predictions, "customer_value.csv", label=t("value.download_predictions"),
                         key="value_predictions_download", audit="customer_value")
    with st.expander(t("value.parameters"), icon=":material/functions:"):
        parameters(ov)


def parameters(ov: ValueOverview) -> None:
    """The fitted parameters, each with what it means (two columns: purchases, spend)."""
    unit = t(f"value.unit.{ov.time_unit}").lower()
    c = st.columns(2)
    c[0].markdown(f"**{t('value.model_name.bgnbd')}**")
    c[1].markdown(f"**{t('value.model_name.gamma_gamma')}**")
    for model, name, value in parameter_table(ov.model).iter_rows():  # 10 rows: one line of text each
        shown = i18n.pct(value) if name == "dropout_probability" else widgets.significant(value)
        col = c[0] if model == "bgnbd" else c[1]
        col.markdown(f"**{t(f'value.symbol.{name}')} = {shown}** — {t(f'value.param.{name}', unit=unit)}")
    st.caption(t("value.parameters_caption", customers=i18n.num(ov.model.bgnbd.n_customers),
                 spenders=i18n.num(ov.model.gamma_gamma.n_customers), excluded=i18n.num(ov.model.gamma_gamma.n_excluded)))


def pareto_section() -> None:
    fig = pareto_chart(widgets.computed(pareto_curve, "orders"), x_title=t("value.pareto_x"), y_title=t("value.pareto_y"),
                       reference_name=t("value.equal_shares"))
    widgets.chart(fig, "value_pareto", title=t("value.pareto"), height=400)
    st.caption(t("value.pareto_caption", share=i18n.pct(widgets.computed(top_share, "orders", top=0.2), 0)))
    widgets.download(widgets.computed(key_customers, "orders"), "key_customers.csv",
                         label=t("value.download_key_customers"), key="value_key_download", audit="key_customers")


def rfm_section() -> None:
    st.subheader(t("value.rfm"))
    rfm = widgets.computed(rfm_table, "orders")
    summary = rfm_segment_summary(rfm)
    measure = widgets.choice(st, state.RFM_MEASURE, get_args(TreemapMeasure), "customers", label=t("value.rfm_measure"),
                             prefix="value.rfm_measure")
    names = {s: t(f"segment.{s}") for s in SEGMENTS}
    drilldown.rfm_treemap(rfm_treemap(summary, measure=measure, segment_names=names), rfm, names)
    st.caption(t("value.rfm_caption"))
    widgets.table(widgets.translated(summary, "segment", "segment", SEGMENTS), names={},
                  percent=("customer_share", "revenue_share"), file_name="rfm_segments.csv", key="value_rfm_download",
                  height=35 * (len(SEGMENTS) + 1) + 3)  # all 11 segments without scrolling
    widgets.download(rfm, "rfm_customers.csv", shown=widgets.translated(rfm, "segment", "segment", SEGMENTS),
                     names={"frequency": t("column.rfm_frequency"), "monetary": t("column.rfm_monetary")}, label=t("value.download_rfm_customers"), key="value_rfm_customers_download", audit="rfm_customers")


def customer_list(customers, file_name: str, key: str, **table) -> None:
    """A list to act on: segments and reasons translated on screen; the CRM columns with stable codes downloaded."""
    shown = widgets.translated(widgets.translated(customers, "rfm_segment", "segment", SEGMENTS), "reason", "reason", REASONS)
    widgets.table(shown, names={}, rows=SHOWN_ROWS, **table)
    widgets.download(crm_export(customers), file_name, shown=crm_export(shown), label=t("value.download_crm"), key=key, audit=file_name)


def at_risk_section(ov: ValueOverview, model: dict) -> int:
    """The at-risk list ("who to save first", anchor ``#at-risk``); returns the days threshold for win-back."""
    st.subheader(t("value.at_risk"), anchor=state.AT_RISK_ANCHOR)
    c = st.columns(3)
    activity.optional_int(c[0], state.RISK_DAYS, 0, 3650, label=t("value.risk_days"), help=t("value.risk_days_help"),
                          placeholder=t("activity.risk_days_placeholder", days=activity.default_risk_days()))
    widgets.float_input(c[1], state.RISK_GAPS, 0.5, 20.0, activity.GAP_MULTIPLE, label=t("value.risk_gaps"),
                        help=t("value.risk_gaps_help"), format="%g")  # "2", not "2.0": no decimal dot unless needed
    widgets.int_input(c[2], state.RISK_P_ALIVE, 0, 100, activity.P_ALIVE_BELOW, label=t("value.risk_p_alive"),
                      help=t("value.risk_p_alive_help"))
    rule = activity.at_risk_rule()  # the one reader of these inputs: the Weekly review uses the same
    risk = widgets.computed_with_model(at_risk_customers, "orders", model, **rule)
    st.caption(activity.at_risk_caption(risk.height, ov.as_of, rule)
               + ("" if ov.predictions is not None else " " + t("value.at_risk_no_model")))
    days = rule["min_days"]
    customer_list(risk, "at_risk_customers.csv", "value_at_risk_download", percent=("p_alive",), height=390,
                  dates=("last_order", "expected_next_order"), first=("customer_id", "value_at_risk", "reason"))
    return days


def win_back_section(ov: ValueOverview, days: int, model: dict) -> None:
    st.subheader(t("value.win_back"))
    grain = state.grain()
    rule = activity.window(grain)  # a return = back after the activity window (Overview's "reactivated")
    per = within(widgets.computed(reactivated_per_period, "orders", full_history=True, grain=grain,
                                  window=rule.periods), *widgets.date_range(), grain=grain)
    st.markdown(f"**{t('value.reactivated', unit=t(f'unit.{grain}').lower())}**")
    fig = reactivated_chart(per, x_title=t("chart.period"), y_title=t("metric.reactivated"), revenue_name=t("metric.revenue"))
    widgets.chart(fig, "value_reactivated", title=t("value.reactivated", unit=t(f"unit.{grain}").lower()), height=360,
                  date_axis=True)
    st.caption(t("activity.reactivated_rule", rule=activity.rule_text(rule)))
    c = st.columns(2)
    with c[0]:
        widgets.download(per, f"reactivated_per_{grain}.csv", label=t("value.download_reactivated"),
                             key="value_reactivated_download")
    customers = within(widgets.computed(reactivated_customers, "orders", full_history=True, grain=grain,
                                        window=rule.periods), *widgets.date_range(), grain=grain)
    with c[1]:
        widgets.download(customers, f"reactivated_customers_{grain}.csv",
                             label=t("value.download_reactivated_customers"), key="value_reactivated_customers_download", audit="reactivated_customers")
    st.markdown(f"**{t('value.lapsed')}**")
    top = widgets.int_input(st.columns(3)[0], state.LAPSED_TOP, 1, 100, activity.LAPSED_TOP, label=t("value.lapsed_top"),
                            help=t("value.lapsed_top_help"))
    lapsed = widgets.computed_with_model(lapsed_high_value, "orders", model, **activity.lapsed_rule())
    st.caption(t("value.lapsed_caption", n=i18n.num(lapsed.height), top=top, days=days))
    customer_list(lapsed, "lapsed_high_value.csv", "value_lapsed_download", dates=("last_order",), height=320)
