"""Customer value: three LTVs side by side, how well the model predicts, where the revenue is, whom to contact
(SPEC §4.4–4.5, §7 Customer value)."""

import streamlit as st

from retention_core.errors import RetentionError
from retention_core.summary import orders_summary
from retention_core.value.clv import TIME_UNITS
from retention_core.value.ltv import ltv_quantiles
from retention_core.value.overview import ValueOverview
from ui import activity, i18n, notes_sections, routing, state, widgets
from ui.i18n import t
from ui.survival_sections import subscription_ltv
from ui.value_sections import (
    at_risk_section,
    holdout_section,
    model_section,
    pareto_section,
    reason,
    rfm_section,
    win_back_section,
)

STATISTICS = ("mean", "p10", "p25", "median", "p75", "p90", "max")


def settings(first, last) -> dict:
    """The model's settings (URL-kept) as :func:`value_overview` options."""
    c = st.columns([1.1, 1.6, 0.85, 0.85, 1.1])  # "День | Неделя | Месяц" whole at 1280 px
    state.ensure_date(state.CALIBRATION_END, first, last)
    cal = c[0].date_input(t("value.cal_end"), value=None, min_value=first, max_value=last,  # None: may be emptied
                          key=state.CALIBRATION_END, format=widgets.DATE_FORMAT[state.lang()], help=t("value.cal_end_help"))
    unit = widgets.choice(c[1], state.TIME_UNIT, TIME_UNITS, "week", label=t("value.time_unit"), prefix="value.unit",
                          help=t("value.time_unit_help"))
    horizon = widgets.int_input(c[2], state.HORIZON, 1, 120, 12, label=t("value.horizon"), help=t("value.horizon_help"))
    discount = widgets.float_input(c[3], state.DISCOUNT, 0.0, 100.0, 10.0, label=t("value.discount"), step=1.0,
                                   help=t("value.discount_help"), format="%.0f")  # whole % a year: no decimal dot
    activity.optional_int(c[4], state.MARGIN, 1, 100, label=t("value.margin"), help=t("value.margin_help"),
                          placeholder=t("activity.margin_placeholder",
                                        margin=i18n.pct(activity.dataset_settings().margin, 0)))
    del cal, unit, horizon, discount  # drawn above; read back by the one shared reader, as other pages read them
    return activity.value_model(first, last)


def ltv_tiles(ov: ValueOverview) -> None:
    margin, f = i18n.pct(ov.margin, 0), ov.formula
    c = st.columns(3)
    widgets.tile(c[0], t("value.historical"), i18n.money(ov.historical_ltv, 2), help=t("value.historical_help"))
    c[0].caption(t("value.historical_caption", customers=i18n.num(ov.customers), day=i18n.day(ov.as_of), margin=margin))
    widgets.tile(c[1], t("value.formula"), i18n.money(f and f.ltv, 2), help=t("value.formula_help"))
    c[1].caption(t("value.formula_missing", reason=reason(ov.formula_error)) if f is None else t(
        "value.formula_caption", aov=i18n.money(f.aov, 2), frequency=i18n.num(f.purchase_frequency, 2),
        churn=i18n.pct(f.churn_rate), lifetime=i18n.num(f.lifetime_months, 1), margin=margin,
        first=i18n.day(f.months[0]), last=i18n.day(f.months[-1])) + " " + t(
        "activity.formula_rule", rule=activity.rule_text(activity.window("month"))))
    widgets.tile(c[2], t("value.predictive", h=ov.horizon), i18n.money(ov.predictive_ltv, 2),
                 help=t("value.predictive_help"))
    c[2].caption(t("value.predictive_missing") if ov.predictions is None else t(
        "value.predictive_caption", total=i18n.money(ov.predictive_total), h=ov.horizon, margin=margin,
        annual=i18n.pct(ov.annual_discount_rate), monthly=i18n.pct(ov.monthly_discount_rate, 2)))
    if ov.predictions is None:
        st.warning(t("value.fallback", reason=reason(ov.model_error)), icon=":material/warning:")
    with st.expander(t("value.historical_distribution")):
        quantiles = widgets.computed(ltv_quantiles, "orders")
        widgets.table(widgets.translated(quantiles, "statistic", "value.statistic", STATISTICS),
                      names={"value": t("value.revenue_per_customer")},
                      file_name="historical_ltv_distribution.csv", key="value_quantiles_download")


routing.in_frame()
st.title(t("value.title"))
orders = widgets.current_table("orders")
if orders is None:
    st.info(t("common.no_orders"))
    st.stop()
if orders.height == 0:
    st.warning(t("common.no_data"))
    st.stop()
span = widgets.computed(orders_summary, "orders")
st.caption(t("value.intro", first=i18n.day(span.first), last=i18n.day(span.last)))
options = settings(span.first.date(), span.last.date())
try:
    with st.spinner(t("value.fitting")):
        overview = widgets.value_overview(options)
except RetentionError as exc:
    widgets.show_error(exc)
    st.stop()
ltv_tiles(overview)
subscription_ltv(st.columns(3)[0])  # datasets with subscriptions: DEL × MRR (SPEC §4.2)
holdout_section(overview)
if overview.predictions is not None:
    model_section(overview)
pareto_section()
rfm_section()
threshold = at_risk_section(overview, options)
win_back_section(overview, threshold, options)
notes_sections.annotations_section()  # dated annotations drawn on every time chart
