"""Cohorts: how customers keep buying by the period of their first order (SPEC §4.3, §7 Cohorts)."""

from typing import get_args

import polars as pl
import streamlit as st

from retention_core.charts.retention import age_k_trend_chart, cohort_heatmap, retention_curve_chart
from retention_core.errors import RetentionError
from retention_core.periods import within
from retention_core.retention.cohorts import (
    CohortMode,
    CohortValue,
    CurveWeighting,
    age_k_trend,
    cohort_matrix,
    retention_curve,
)
from retention_core.retention.flows import period_metrics
from retention_core.retention.kpis import incomplete_start
from ui import activity, compare_sections, drilldown, i18n, notes_sections, routing, state, widgets
from ui.i18n import t
from ui.survival_sections import projected_survival

VALUES, MODES, WEIGHTINGS = get_args(CohortValue), get_args(CohortMode), get_args(CurveWeighting)
FORMATS = {"customers": "percent", "revenue": "money", "ltv": "money"}
MAX_HEATMAP_COHORTS = 160  # beyond this (daily cohorts over years) a heatmap is unreadable and slow
HEATMAP_ROWS = 36  # cohorts per heatmap block: cells stay readable, text inside them too

routing.in_frame()
st.title(t("cohorts.title"))
if not widgets.has_table("orders"):
    st.info(t("common.no_orders"))
    projected_survival(key="cohorts_survival")  # subscriptions: the sBG survival is their cohort view
    st.stop()

grain = state.grain()
for key, options in ((state.COHORT_VALUE, VALUES), (state.COHORT_MODE, MODES), (state.CURVE_WEIGHTING, WEIGHTINGS)):
    state.ensure_choice(key, list(options))
c = st.columns(3, vertical_alignment="bottom")
value = c[0].segmented_control(t("cohorts.value"), VALUES, format_func=lambda v: t(f"cohorts.value.{v}"),
                               key=state.COHORT_VALUE, required=True, help=t("cohorts.value_help"))
mode = c[1].segmented_control(t("cohorts.mode"), MODES, format_func=lambda m: t(f"cohorts.mode.{m}"),
                              key=state.COHORT_MODE, required=True, help=t("cohorts.mode_help"),
                              disabled=value != "customers")
weighting = c[2].segmented_control(t("cohorts.weighting"), WEIGHTINGS, key=state.CURVE_WEIGHTING, required=True,
                                   format_func=lambda w: t(f"cohorts.weighting.{w}"), help=t("cohorts.weighting_help"))
mode = mode if value == "customers" else "on"  # "then or later" applies to customer shares only
try:
    full = widgets.computed_with_periods(cohort_matrix, "orders", full_history=True, grain=grain, value=value, mode=mode)
    matrix = within(full, *widgets.date_range(), grain=grain, column="cohort")
    sizes = age_k_trend(matrix, 0)  # one row per cohort: its first day and size
    curve = retention_curve(matrix, weighting=weighting)
    incomplete = incomplete_start(widgets.computed_with_periods(period_metrics, "orders", full_history=True, grain=grain,
                                                                window=1))
except RetentionError as exc:
    widgets.show_error(exc)
    st.stop()
if matrix.height == 0:
    st.info(t("cohorts.empty"))
    st.stop()

labels = widgets.chart_labels(value=t(f"cohorts.value.{value}"))
cells = t(f"cohorts.activity.{mode if value == 'customers' else value}")
if value == "customers":  # mode=on keeps meaning "bought in that period": say so, next to the rule of the other pages
    cells += "; " + t("activity.cohort_not_window", rule=activity.rule_text(activity.window(grain)))
st.subheader(t("cohorts.heatmap"))
if sizes.height > MAX_HEATMAP_COHORTS:
    st.info(t("cohorts.too_many", n=i18n.num(sizes.height)))
else:
    ends = range(sizes.height, 0, -HEATMAP_ROWS)  # full blocks from the latest cohort back; the earliest may be short
    blocks = [sizes["cohort"][max(0, e - HEATMAP_ROWS): e] for e in reversed(ends)]
    if len(blocks) > 1:  # readable cells: 36 cohorts at a time, the latest first (a finer grain has hundreds)
        labels_ = [f"{i18n.day(b[0])} – {i18n.day(b[-1])}" for b in blocks]
        state.ensure_choice(state.COHORT_PAGE, labels_, fallback=labels_[-1])
        pick = st.selectbox(t("cohorts.block", n=HEATMAP_ROWS, total=i18n.num(sizes.height)), labels_,
                            key=state.COHORT_PAGE)
        block = blocks[labels_.index(pick)]
        shown_matrix = matrix.filter(pl.col("cohort").is_between(block[0], block[-1]))
        shown_sizes = sizes.filter(pl.col("cohort").is_between(block[0], block[-1]))
    else:
        shown_matrix, shown_sizes = matrix, sizes
    fig = cohort_heatmap(shown_matrix, value_format=FORMATS[value], labels=labels)
    fig.update_yaxes(tickvals=[d.strftime("%Y-%m-%d") for d in shown_sizes["cohort"]],
                     ticktext=[f"{i18n.day(d)} · {i18n.num(n)}"
                               for d, n in zip(shown_sizes["cohort"], shown_sizes["size"], strict=True)])
    fig.update_layout(height=max(420, 190 + 26 * shown_sizes.height), margin={"t": 130})
    if value != "ltv" and sizes.height > 1:  # age 0 is the whole cohort: colour by the later ages' range
        fig.update_traces(zmin=0, zmax=age_k_trend(matrix, 1)["value"].max())
    ages = shown_matrix["age"].n_unique()
    if ages > 40:  # numbers in hundreds of columns are unreadable (hover still shows them)
        fig.update_traces(texttemplate=None).update_xaxes(dtick=None, nticks=25)
    drilldown.cohort_heatmap(fig, grain=grain, value=value, mode=mode)  # a click lists the cell's customers
st.caption(t("cohorts.heatmap_caption"))
widgets.period_caption(cells, incomplete, shown=False, masked=True)
widgets.engine_caption(grain=grain)
widgets.download(matrix, f"cohorts_{grain}_{value}_{mode}.csv", names={"value": t(f"cohorts.value.{value}")},
                 percent=("value",) if FORMATS[value] == "percent" else (), key="cohorts_download")

fig = retention_curve_chart(curve, value_format=FORMATS[value], labels=labels)
fig.update_xaxes(autorangeoptions={"minallowed": -0.5}, **({"dtick": None, "nticks": 25} if curve.height > 40 else {}))
widgets.chart(fig, "cohorts_curve", title=t("cohorts.curve"))
widgets.period_caption(cells, incomplete, shown=False, masked=True)
st.caption(t("cohorts.curve_caption", how=t(f"cohorts.weighting.{weighting}")))
compare_sections.segment_curves(grain, value, mode, weighting, FORMATS[value], labels)  # a curve per segment value

st.subheader(t("cohorts.trend_title"))
state.ensure_int(state.AGE_K, 0, 120, 1)
c = st.columns([1, 2, 1], vertical_alignment="bottom")
k = c[0].number_input(t("cohorts.age_k"), min_value=0, max_value=120, step=1, key=state.AGE_K,
                      help=t("cohorts.age_k_help"))
included = widgets.include_incomplete_toggle(c[1])
line = t(f"cohorts.line.{value}", unit=t(f"unit.{grain}"), k=k)
try:
    trend = age_k_trend(matrix, k)
except RetentionError as exc:
    widgets.show_error(exc)
    st.stop()
fig = age_k_trend_chart(trend, k=k, value_format=FORMATS[value], incomplete="distinct" if included else "hidden",
                        labels={**labels, "age_k": line})
widgets.chart(fig, "cohorts_trend", title=t("cohorts.trend", line=line), date_axis=True)
widgets.period_caption(cells, incomplete, shown=included)
projected_survival(key="cohorts_survival")  # datasets with subscriptions (SPEC §4.2)
notes_sections.annotations_section()  # dated annotations drawn on every time chart
