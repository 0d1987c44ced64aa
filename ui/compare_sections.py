"""Comparisons on the Overview and Cohorts pages (SPEC §7.1): what the tiles are compared with, and segment
values side by side as lines on the trend and as cohort curves. The core computes
(:mod:`retention_core.retention.compare`); this draws the controls (URL-kept, keys in ``ui/state.py``) and charts.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import get_args

import polars as pl
import streamlit as st

from retention_core.charts.compare import comparison_chart, segment_curves_chart, segment_trend_chart
from retention_core.periods import within
from retention_core.retention.compare import (
    CompareBasis,
    compared_kpis,
    compared_trend,
    segment_period_metrics,
    segment_retention_curves,
)
from retention_core.retention.kpis import Kpi
from ui import i18n, state, widgets
from ui.i18n import t

BASES: tuple[str, ...] = get_args(CompareBasis)
TREND_METRICS = ("crr", "retention_rate", "churn_rate", "arpu", "revenue", "new_customers")
MAX_TOP = 10


def basis_picker(col) -> str:
    """"Compare with": previous period, same period last year, or another date range."""
    state.ensure_choice(state.COMPARE, list(BASES), fallback="previous")
    return col.selectbox(t("compare.basis"), BASES, key=state.COMPARE, format_func=lambda b: t(f"compare.basis.{b}"),
                         help=t("compare.basis_help"))


def _ranges(shown: pl.DataFrame) -> tuple[tuple[date, date], tuple[date, date]]:
    """The two custom ranges (URL-kept); defaults: the last three periods shown vs the three before."""
    starts = shown["period_start"].to_list()
    last = starts[-1] if starts else date.today()
    cur_from = starts[-3] if len(starts) >= 3 else (starts[0] if starts else last)
    base_from = starts[-6] if len(starts) >= 6 else (starts[0] if starts else last)
    defaults = {state.CMP_FROM: cur_from, state.CMP_TO: last, state.BASE_FROM: base_from,
                state.BASE_TO: cur_from - timedelta(days=1)}
    c = st.columns(4)
    fmt = widgets.DATE_FORMAT[state.lang()]
    values = {}
    for col, key in zip(c, defaults, strict=True):
        if not isinstance(state.get(key), date):
            state.put(key, defaults[key])
        values[key] = col.date_input(t(f"compare.{key}"), key=key, format=fmt)
    ordered = [tuple(sorted((values[a], values[b]))) for a, b in ((state.CMP_FROM, state.CMP_TO),
                                                                  (state.BASE_FROM, state.BASE_TO))]
    return ordered[0], ordered[1]  # type: ignore[return-value]


def tiles(shown: pl.DataFrame, keys: list[str], included: bool, basis: str) -> list[Kpi]:
    """The KPI tiles compared per ``basis`` (custom: with the two date ranges drawn here)."""
    if basis != "custom":
        return compared_kpis(shown, keys, basis=basis, include_incomplete=included)  # type: ignore[arg-type]
    current, baseline = _ranges(shown)
    return compared_kpis(shown, keys, basis="custom", current=current, baseline=baseline)


def caption(basis: str, first: Kpi) -> None:
    """What the tiles show and what they are compared with."""
    if basis == "custom":
        (a, b), (c, d) = (sorted((state.get(x), state.get(y))) for x, y in ((state.CMP_FROM, state.CMP_TO),
                                                                           (state.BASE_FROM, state.BASE_TO)))
        st.caption(t("compare.caption.custom", a=i18n.day(a), b=i18n.day(b), c=i18n.day(c), d=i18n.day(d)))
    elif first.previous is None:
        st.caption(t("compare.caption.no_last_year", period=i18n.day(first.period_start)))
    else:
        st.caption(t("compare.caption.last_year", period=i18n.day(first.period_start)))


def _segment_and_top(col_segment, col_top, key: str, label: str) -> tuple[str, int]:
    columns = widgets.segment_names("orders")
    options = ["", *columns]
    state.ensure_choice(key, options, fallback="")
    segment = col_segment.selectbox(label, options, key=key,
                                    format_func=lambda c: widgets.column_label(c) if c else t("compare.no_segment"))
    top = widgets.int_input(col_top, state.SEGMENT_TOP, 1, MAX_TOP, 5, label=t("compare.top"), help=t("compare.top_help"))
    return segment, top


def segment_trend(grain: str, window: int, labels: dict[str, str]) -> None:
    """One line per segment value (top N + other) for a chosen metric, under the Overview trend."""
    c = st.columns([2, 2, 1], vertical_alignment="bottom")
    segment, top = _segment_and_top(c[0], c[2], state.TREND_SEGMENT, t("compare.trend_segment"))
    if not segment:
        return
    state.ensure_choice(state.TREND_METRIC, list(TREND_METRICS), fallback="crr")
    metric = c[1].selectbox(t("compare.metric"), TREND_METRICS, key=state.TREND_METRIC,
                            format_func=lambda k: t(f"metric.{k}"))
    table = widgets.computed(segment_period_metrics, "orders", full_history=True, segment=segment, top=top,
                             grain=grain, window=window)
    shown = within(table, *widgets.date_range(), grain=grain)  # type: ignore[arg-type]
    fig = segment_trend_chart(shown, key=metric, labels={**labels, "other": t("compare.other")},
                              title=t("compare.trend_title", metric=t(f"metric.{metric}"),
                                      segment=widgets.column_label(segment)))
    widgets.chart(fig, "compare_trend", date_axis=True)
    st.caption(t("compare.trend_caption", top=top))


def segment_curves(grain: str, value: str, mode: str, weighting: str, value_format: str, labels: dict[str, str]) -> None:
    """One average cohort curve per segment value (top N + other), under the Cohorts curve."""
    c = st.columns([2, 2, 1], vertical_alignment="bottom")
    segment, top = _segment_and_top(c[0], c[2], state.CURVE_SEGMENT, t("compare.curve_segment"))
    if not segment:
        return
    curves = widgets.computed(segment_retention_curves, "orders", full_history=True, segment=segment, top=top,
                              grain=grain, value=value, mode=mode, weighting=weighting)
    fig = segment_curves_chart(curves, value_format=value_format, labels={**labels, "other": t("compare.other")},
                               title=t("compare.curves_title", segment=widgets.column_label(segment)))
    widgets.chart(fig, "compare_curves")
    st.caption(t("compare.curves_caption", top=top))


def trend_comparison(shown: pl.DataFrame, basis: str, labels: dict[str, str]) -> None:
    """Under the Overview trend, when the tiles compare with last year or another range: one metric's line
    next to the line it is compared with, period by period."""
    if basis == "previous":
        return
    state.ensure_choice(state.COMPARE_METRIC, list(TREND_METRICS), fallback="crr")
    metric = st.selectbox(t("compare.metric"), TREND_METRICS, key=state.COMPARE_METRIC,
                          format_func=lambda k: t(f"metric.{k}"))
    complete = shown.filter(~pl.col("incomplete")) if "incomplete" in shown.columns else shown
    if basis == "custom":
        (a, b), (c, d) = (sorted((state.get(x), state.get(y))) for x, y in ((state.CMP_FROM, state.CMP_TO),
                                                                           (state.BASE_FROM, state.BASE_TO)))
        trend = compared_trend(shown, metric, basis="custom", current=(a, b), baseline=(c, d))
        names = (f"{i18n.day(a)} – {i18n.day(b)}", f"{i18n.day(c)} – {i18n.day(d)}")
    else:
        trend = compared_trend(complete, metric, basis="last_year")
        names = (t(f"metric.{metric}"), t("compare.year_earlier"))
    fig = comparison_chart(trend, key=metric, names=names, labels=labels,
                           title=t(f"compare.trend_vs.{basis}", metric=t(f"metric.{metric}")))
    widgets.chart(fig, "compare_vs", date_axis=True)
