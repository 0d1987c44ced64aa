"""Projected survival of subscribers (SPEC §4.2): the sBG chart and subscription LTV, shared by the Cohorts,
Customer value and What-if pages for datasets with subscriptions."""

import streamlit as st

from retention_core.charts.survival import survival_chart
from retention_core.errors import RetentionError
from retention_core.retention.survival import survival_frame, survival_report
from ui import i18n, widgets
from ui.i18n import t


def _report():
    """The monthly sBG fit of the current subscriptions (all start cohorts), 12 months projected; cached."""
    return widgets.computed(survival_report, "subscriptions", full_history=True, period="month", horizon=12)


def projected_survival(*, key: str) -> None:
    """Observed vs fitted vs projected survival, with γ, δ and the rising retention rate in words."""
    if not widgets.has_table("subscriptions"):
        return
    st.subheader(t("survival.title"))
    try:
        seg = _report()["segments"][0]
    except RetentionError as exc:
        widgets.show_error(exc)
        return
    fig = survival_chart(survival_frame(seg), observed_name=t("survival.observed"), model_name=t("survival.model"),
                         projected_name=t("survival.projected"), x_title=t("survival.x"), y_title=t("survival.y"))
    widgets.chart(fig, key)
    rr = seg["retention_rate"]
    st.caption(t("survival.caption", gamma=i18n.num(seg["gamma"], 3), delta=i18n.num(seg["delta"], 3),
                 r1=i18n.pct(rr[0]), r12=i18n.pct(rr[min(11, len(rr) - 1)])))


def subscription_ltv(col) -> None:
    """Subscription LTV = DEL × MRR as a tile in ``col`` (nothing without subscriptions)."""
    if not widgets.has_table("subscriptions"):
        return
    try:
        seg = _report()["segments"][0]
    except RetentionError as exc:
        widgets.show_error(exc)
        return
    widgets.tile(col, t("survival.ltv"), i18n.money(seg["ltv"], 2), help=t("survival.ltv_help"))
    col.caption(t("survival.ltv_caption", del_=i18n.num(seg["del"], 1), mrr=i18n.money(seg["mrr"], 2)))
