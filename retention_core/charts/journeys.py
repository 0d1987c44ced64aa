"""Customer-journey figures (SPEC §5): funnel, time to convert, conversion trend, paths, purchase sequence.

Builders take the core's tables and display strings (labels come from ``ui/i18n``; event names are
data and may be shown as they are). Percentages use plotly's d3 formats, so a caller can set
``fig.update_layout(separators=", ")`` for Russian number formatting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import plotly.graph_objects as go
import polars as pl

from retention_core.charts.theme import QUALITATIVE, SERIES_COLORS, styled
from retention_core.errors import ParameterError, check_choice
from retention_core.journeys.paths import OTHER

TimeUnit = Literal["minutes", "hours", "days"]
TimeMeasure = Literal["from_start", "from_previous"]
_UNIT_SECONDS = {"minutes": 60.0, "hours": 3600.0, "days": 86400.0}


def _labels(labels: Sequence[str] | None, default: list[str], what: str) -> list[str]:
    if labels is None:
        return default
    if len(labels) != len(default):
        raise ParameterError(what, list(labels), f"{len(default)} labels, one per row")
    return list(labels)


def funnel_chart(steps: pl.DataFrame, *, step_labels: Sequence[str] | None = None, title: str | None = None) -> go.Figure:
    """Users per funnel step with conversion from the first step (SPEC §5).

    Bars are ``users``; each bar's text is the count and ``conversion_from_start``, the hover adds
    ``conversion_from_previous`` (null shows as empty). Optional steps are drawn in a muted colour.

    Parameters
    ----------
    steps
        :func:`retention_core.journeys.funnels.funnel_steps` table (or one breakdown value's rows).
    step_labels
        One display label per step; default: the event names.
    """
    labels = _labels(step_labels, steps["event"].to_list(), "step_labels")
    colors = [SERIES_COLORS["muted"] if o else SERIES_COLORS["primary"] for o in steps["optional"].to_list()]
    custom = steps.select("conversion_from_start", "conversion_from_previous").rows()
    fig = go.Figure(
        go.Funnel(
            y=labels,
            x=steps["users"].to_list(),
            customdata=custom,
            texttemplate="%{x:,}<br>%{customdata[0]:.1%}",
            hovertemplate="%{y}<br>%{x:,}<br>%{customdata[0]:.1%} · %{customdata[1]:.1%}<extra></extra>",
            marker={"color": colors},
            connector={"line": {"color": SERIES_COLORS["muted"]}},
        )
    )
    return styled(fig, title=title)


def time_to_convert_histogram(
    users: pl.DataFrame,
    *,
    step: int,
    measure: TimeMeasure = "from_start",
    unit: TimeUnit = "hours",
    x_label: str | None = None,
    y_label: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Histogram of the time users took to reach ``step`` (SPEC §5 time between steps).

    ``from_start``: ``step_j_at − entered_at``; ``from_previous``: ``seconds_to_step_j``; in
    ``unit``. Users who did not reach the step are left out.

    Raises
    ------
    ParameterError
        ``step`` is not a step after the first, or an unknown ``measure`` / ``unit``.
    """
    check_choice("measure", measure, get_args(TimeMeasure))
    check_choice("unit", unit, get_args(TimeUnit))
    if f"step_{step}_at" not in users.columns:
        raise ParameterError("step", step, "a funnel step number from 2 on")
    if measure == "from_start":
        seconds = (pl.col(f"step_{step}_at") - pl.col("entered_at")).dt.total_microseconds() / 1e6
    else:
        seconds = pl.col(f"seconds_to_step_{step}")
    values = users.select(seconds / _UNIT_SECONDS[unit]).to_series().drop_nulls().to_list()
    fig = go.Figure(go.Histogram(x=values, marker={"color": SERIES_COLORS["primary"]}, nbinsx=40))
    fig.update_layout(xaxis_title=x_label, yaxis_title=y_label, bargap=0.05)
    return styled(fig, title=title)


def conversion_trend_chart(
    trend: pl.DataFrame,
    *,
    step_labels: Sequence[str] | None = None,
    incomplete_label: str | None = None,
    y_label: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Conversion from the first step by entry period, one line per later step (SPEC §5 trend).

    Periods flagged ``incomplete`` (their entrants had less than the full window) are marked with
    open grey markers in an extra trace named ``incomplete_label``.

    Parameters
    ----------
    trend
        :func:`retention_core.journeys.funnels.funnel_trend` table.
    step_labels
        One label per funnel step (step 1's is unused); default: the event names.
    """
    steps = trend.select("step", "event").unique().sort("step")
    labels = _labels(step_labels, steps["event"].to_list(), "step_labels")
    fig = go.Figure()
    for i, (number, label) in enumerate(zip(steps["step"].to_list(), labels, strict=True)):
        if number == 1:
            continue
        rows = trend.filter(pl.col("step") == number).sort("period_start")
        fig.add_trace(
            go.Scatter(
                x=rows["period_start"].to_list(),
                y=rows["conversion_from_start"].to_list(),
                name=label,
                mode="lines+markers",
                line={"color": QUALITATIVE[(i - 1) % len(QUALITATIVE)]},
            )
        )
    late = trend.filter(pl.col("incomplete") & (pl.col("step") > 1))
    if late.height:
        fig.add_trace(
            go.Scatter(
                x=late["period_start"].to_list(),
                y=late["conversion_from_start"].to_list(),
                name=incomplete_label or "incomplete",
                mode="markers",
                marker={"symbol": "circle-open", "size": 13, "color": SERIES_COLORS["incomplete"]},
            )
        )
    fig.update_layout(yaxis_tickformat=".0%", yaxis_title=y_label)
    return styled(fig, title=title)


def paths_sankey(links: pl.DataFrame, *, other_label: str | None = None, title: str | None = None) -> go.Figure:
    """Sankey of user paths (SPEC §5): nodes are (step, event), columns ordered by step.

    Parameters
    ----------
    links
        ``Paths.links`` from :func:`retention_core.journeys.paths.top_paths`.
    other_label
        Display text for the grouped node ``other``.
    """
    nodes = (
        pl.concat(
            [
                links.select(node="source", step="source_step", event="source_event"),
                links.select(node="target", step="target_step", event="target_event"),
            ]
        )
        .unique("node")
        .sort("step", "event")
        .with_row_index("i")
    )
    index = dict(zip(nodes["node"].to_list(), nodes["i"].to_list(), strict=True))
    steps = nodes["step"].to_list()
    lo, hi = (min(steps), max(steps)) if steps else (0, 1)
    span = (hi - lo) or 1
    names = [other_label if e == OTHER and other_label else e for e in nodes["event"].to_list()]
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": names,
                "x": [0.01 + 0.98 * (s - lo) / span for s in steps],
                "color": [SERIES_COLORS["muted"] if e == OTHER else SERIES_COLORS["primary"] for e in nodes["event"].to_list()],
                "pad": 12,
            },
            link={
                "source": [index[s] for s in links["source"].to_list()],
                "target": [index[t] for t in links["target"].to_list()],
                "value": links["value"].to_list(),
            },
        )
    )
    return styled(fig, title=title)


def purchase_sequence_chart(
    sequence: pl.DataFrame,
    *,
    order_labels: Sequence[str],
    by: str | None = None,
    y_label: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Customers reaching their 1st, 2nd, 3rd, 4th+ order (SPEC §5), grouped by ``by`` if given.

    Bar text: conversion from the previous order.

    Parameters
    ----------
    sequence
        :func:`retention_core.journeys.purchase_sequence.purchase_sequence` table.
    order_labels
        One label per order number (e.g. "1st", "2nd", "3rd", "4th+").
    by
        The group column of ``sequence`` (``cohort`` or a segment), one bar colour per group.
    """
    numbers = sorted(set(sequence["order_number"].to_list()))
    labels = _labels(order_labels, [str(n) for n in numbers], "order_labels")
    label_of = dict(zip(numbers, labels, strict=True))
    groups = [(None, sequence)] if by is None else [(k[0], g) for k, g in sequence.group_by(by, maintain_order=True)]
    fig = go.Figure()
    for i, (value, rows) in enumerate(groups):
        rows = rows.sort("order_number")
        fig.add_trace(
            go.Bar(
                x=[label_of[n] for n in rows["order_number"].to_list()],
                y=rows["customers"].to_list(),
                name=None if value is None else str(value),
                customdata=rows.select("conversion_from_previous").rows(),
                # no label where there is no previous order (plotly would print a null as 0%)
                texttemplate=["" if v is None else "%{customdata[0]:.0%}" for v in rows["conversion_from_previous"]],
                marker={"color": QUALITATIVE[i % len(QUALITATIVE)]},
            )
        )
    fig.update_layout(barmode="group", yaxis_title=y_label, showlegend=by is not None)
    return styled(fig, title=title)


def funnel_breakdown_chart(
    breakdown: pl.DataFrame,
    *,
    step_labels: Sequence[str] | None = None,
    null_label: str = "(none)",
    max_values: int = 8,
    y_label: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Conversion from the first step per breakdown value, bars grouped by step (SPEC §5 breakdown).

    One bar trace per value (the ``max_values`` values with the most users at step 1, in the
    table's order); steps after the first on the x axis; hover adds the users at that step.

    Parameters
    ----------
    breakdown
        :func:`retention_core.journeys.funnels.funnel_breakdown` table.
    step_labels
        One label per funnel step (step 1's is unused); default ``"2. event"``.
    null_label
        Legend text for users without a value.
    """
    if not isinstance(max_values, int) or max_values < 1:
        raise ParameterError("max_values", max_values, "an integer of at least 1")
    steps = breakdown.select("step", "event").unique("step").sort("step")
    default = [f"{s}. {e}" for s, e in steps.rows()]
    label_of = dict(zip(steps["step"].to_list(), _labels(step_labels, default, "step_labels"), strict=True))
    values = breakdown["value"].unique(maintain_order=True).head(max_values).to_list()
    fig = go.Figure()
    for i, value in enumerate(values):  # a loop over at most max_values traces
        rows = breakdown.filter(pl.col("value").eq_missing(value) & (pl.col("step") > 1)).sort("step")
        fig.add_trace(
            go.Bar(
                x=[label_of[s] for s in rows["step"].to_list()],
                y=rows["conversion_from_start"].to_list(),
                name=null_label if value is None else str(value),
                customdata=rows.select("users").rows(),
                texttemplate="%{y:.0%}",
                hovertemplate="%{x}<br>%{y:.1%} · %{customdata[0]:,}<extra>%{fullData.name}</extra>",
                marker={"color": QUALITATIVE[i % len(QUALITATIVE)]},
            )
        )
    fig.update_layout(barmode="group", yaxis_tickformat=".0%", yaxis_title=y_label)
    return styled(fig, title=title)
