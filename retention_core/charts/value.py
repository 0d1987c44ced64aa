"""Customer-value charts (SPEC §4.4–4.5): CLV histogram, P(alive) scatter, holdout bars, Pareto
curve, RFM treemap, historical LTV curves by cohort.

Inputs are the frames of :mod:`retention_core.value.clv`, :mod:`retention_core.value.ltv` and
:mod:`retention_core.value.segments`; every text a user reads (titles, axis titles, series and segment
names) is passed in by the caller (``ui/i18n``). Large inputs are reduced before drawing (binned,
or thinned to a fixed number of points) so a figure stays small with a million customers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

import numpy as np
import plotly.graph_objects as go
import polars as pl
from plotly.colors import sample_colorscale

from retention_core.charts.theme import SEQUENTIAL, SERIES_COLORS, styled
from retention_core.errors import ColumnNotFoundError, ParameterError, check_choice
from retention_core.value.segments import SEGMENTS

HoldoutMeasure = Literal["mean", "total"]
TreemapMeasure = Literal["customers", "revenue"]

#: One colour per RFM segment, from best (greens) through attention (ambers) to lost (greys).
SEGMENT_COLORS: dict[str, str] = {
    "Champions": "#1B5E20",
    "Loyal": "#2E7D32",
    "Potential loyalists": "#00897B",
    "New": "#1565C0",
    "Promising": "#42A5F5",
    "Need attention": "#F9A825",
    "About to sleep": "#FB8C00",
    "At risk": "#E64A19",
    "Can't lose them": "#C62828",
    "Hibernating": "#78909C",
    "Lost": "#455A64",
}


def _need(frame: pl.DataFrame, columns: tuple[str, ...], role: str) -> None:
    for col in columns:
        if col not in frame.columns:
            raise ColumnNotFoundError.from_missing(col, frame.columns, role=role)


def _thin(frame: pl.DataFrame, max_points: int) -> pl.DataFrame:
    """Every k-th row so that at most ``max_points`` remain (deterministic), last row kept."""
    if frame.height <= max_points:
        return frame
    step = -(-frame.height // max_points)
    return pl.concat([frame.gather_every(step), frame.tail(1)]).unique(maintain_order=True)


def clv_histogram(
    value: pl.DataFrame,
    *,
    x_title: str,
    y_title: str,
    title: str | None = None,
    column: str = "clv",
    bins: int = 30,
) -> go.Figure:
    """Histogram of predicted CLV (or another value column) over customers.

    Bins are equal-width from the minimum to the 99th percentile; the last bar also holds everything
    above it, so a few very large values do not squash the chart. Nulls are left out.

    Examples
    --------
    >>> fig = clv_histogram(pl.DataFrame({"clv": [1.0, 2.0, 2.5, 4.0]}), x_title="CLV", y_title="Customers", bins=3)
    >>> list(fig.data[0].y), sum(fig.data[0].y)
    ([1, 2, 1], 4)
    """
    _need(value, (column,), "customer value")
    if bins < 1:
        raise ParameterError("bins", bins, "a whole number ≥ 1")
    values = value.get_column(column).drop_nulls().cast(pl.Float64).to_numpy()
    fig = go.Figure()
    if values.size:
        lo, hi = float(values.min()), float(np.quantile(values, 0.99))
        hi = hi if hi > lo else lo + 1.0
        counts, edges = np.histogram(np.clip(values, lo, hi), bins=bins, range=(lo, hi))
        fig.add_trace(
            go.Bar(
                x=(edges[:-1] + edges[1:]) / 2,
                y=counts.tolist(),
                width=np.diff(edges),
                customdata=np.column_stack([edges[:-1], edges[1:]]),
                hovertemplate="%{customdata[0]:,.2f} – %{customdata[1]:,.2f}: %{y:,}<extra></extra>",
                marker_color=SERIES_COLORS["primary"],
            )
        )
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title, bargap=0.02, showlegend=False)
    return styled(fig, title=title)


def p_alive_scatter(
    value: pl.DataFrame,
    *,
    x_title: str,
    y_title: str,
    title: str | None = None,
    max_points: int = 5000,
) -> go.Figure:
    """P(alive) against time since the last purchase (T − recency, in the model's time unit).

    ``value`` is :func:`retention_core.value.clv.customer_value`'s frame; above ``max_points`` customers an
    evenly spaced subset (every k-th row) is drawn. Marker colour shows frequency.

    Examples
    --------
    >>> v = pl.DataFrame({"frequency": [0, 3], "recency": [0.0, 2.0], "T": [5.0, 10.0], "p_alive": [1.0, 0.4]})
    >>> fig = p_alive_scatter(v, x_title="Weeks since last purchase", y_title="P(alive)")
    >>> fig.data[0].x.tolist(), fig.data[0].y.tolist()
    ([5.0, 8.0], [1.0, 0.4])
    """
    _need(value, ("frequency", "recency", "T", "p_alive"), "customer value")
    points = _thin(
        value.select("frequency", (pl.col("T") - pl.col("recency")).alias("_since"), "p_alive"), max_points
    )
    fig = go.Figure(
        go.Scattergl(
            # numpy arrays, not lists: plotly checks a list element by element (~85 ms for 5,000 points,
            # on every rerun of the page), an array at once, and sends it as a typed array
            x=points.get_column("_since").to_numpy(),
            y=points.get_column("p_alive").to_numpy(),
            mode="markers",
            marker={
                "size": 6,
                "opacity": 0.6,
                "color": points.get_column("frequency").to_numpy(),
                "colorscale": SEQUENTIAL,
                "showscale": False,
            },
            hovertemplate="%{x:.1f}, %{y:.2f}<extra></extra>",
        )
    )
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title, yaxis_range=[0, 1.02], showlegend=False)
    return styled(fig, title=title)


def holdout_chart(
    by_frequency: pl.DataFrame,
    *,
    actual_name: str,
    predicted_name: str,
    x_title: str,
    y_title: str,
    title: str | None = None,
    measure: HoldoutMeasure = "mean",
) -> go.Figure:
    """Actual vs predicted holdout repeat purchases per calibration frequency bucket (grouped bars).

    ``by_frequency`` is :class:`~retention_core.value.clv.HoldoutCheck`'s ``by_frequency``; ``measure``
    ``"mean"`` shows purchases per customer (FHL 2005 Fig. 4), ``"total"`` the sums.

    Examples
    --------
    >>> t = pl.DataFrame({"frequency_bucket": ["0", "1"], "actual_mean": [0.2, 0.9], "predicted_mean": [0.25, 0.8],
    ...                   "actual_repeat_purchases": [2, 9], "predicted_repeat_purchases": [2.5, 8.0]})
    >>> fig = holdout_chart(t, actual_name="Actual", predicted_name="Model", x_title="Purchases", y_title="Per customer")
    >>> [(d.name, list(d.y)) for d in fig.data]
    [('Actual', [0.2, 0.9]), ('Model', [0.25, 0.8])]
    """
    check_choice("measure", measure, get_args(HoldoutMeasure))
    columns = (
        ("actual_mean", "predicted_mean")
        if measure == "mean"
        else ("actual_repeat_purchases", "predicted_repeat_purchases")
    )
    _need(by_frequency, ("frequency_bucket", *columns), "holdout table")
    x = by_frequency.get_column("frequency_bucket").to_list()
    fig = go.Figure()
    for col, name, color in zip(
        columns,
        (actual_name, predicted_name),
        (SERIES_COLORS["primary"], SERIES_COLORS["scenario"]),
        strict=True,
    ):
        fig.add_trace(go.Bar(x=x, y=by_frequency.get_column(col).to_list(), name=name, marker_color=color))
    fig.update_layout(barmode="group", xaxis_title=x_title, yaxis_title=y_title, xaxis_type="category")
    return styled(fig, title=title)


def pareto_chart(
    curve: pl.DataFrame,
    *,
    x_title: str,
    y_title: str,
    title: str | None = None,
    name: str | None = None,
    reference_name: str | None = None,
    max_points: int = 2000,
) -> go.Figure:
    """Pareto curve: share of revenue (y) from the top x share of customers (SPEC §4.4).

    ``curve`` is :func:`retention_core.value.ltv.pareto_curve`'s frame (thinned to ``max_points``).
    With ``reference_name`` a dashed diagonal shows equal shares.

    Examples
    --------
    >>> c = pl.DataFrame({"customer_share": [0.0, 0.5, 1.0], "revenue_share": [0.0, 0.8, 1.0]})
    >>> fig = pareto_chart(c, x_title="Customers", y_title="Revenue", reference_name="Equal")
    >>> fig.data[0].y.tolist(), fig.data[1].name, fig.layout.xaxis.tickformat
    ([0.0, 0.8, 1.0], 'Equal', '.0%')
    """
    _need(curve, ("customer_share", "revenue_share"), "Pareto curve")
    points = _thin(curve.select("customer_share", "revenue_share"), max_points)
    fig = go.Figure(
        go.Scatter(
            x=points.get_column("customer_share").to_numpy(),  # arrays: see p_alive_scatter
            y=points.get_column("revenue_share").to_numpy(),
            mode="lines",
            name=name or "",
            showlegend=name is not None,
            line={"color": SERIES_COLORS["primary"], "width": 3},
            hovertemplate="%{x:.0%} → %{y:.0%}<extra></extra>",
        )
    )
    if reference_name is not None:
        fig.add_trace(
            go.Scatter(
                x=[0, 1],
                y=[0, 1],
                mode="lines",
                name=reference_name,
                line={"color": SERIES_COLORS["muted"], "dash": "dash"},
            )
        )
    fig.update_layout(
        xaxis_title=x_title, yaxis_title=y_title, xaxis_tickformat=".0%", yaxis_tickformat=".0%"
    )
    return styled(fig, title=title)


def rfm_treemap(
    summary: pl.DataFrame,
    *,
    measure: TreemapMeasure = "customers",
    segment_names: Mapping[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """RFM segments as a treemap sized by customers or revenue (SPEC §4.5).

    ``summary`` is :func:`retention_core.value.segments.rfm_segment_summary`'s frame; ``segment_names``
    maps the English segment keys to display names. Each segment keeps its colour from
    :data:`SEGMENT_COLORS`. Sized by revenue, a segment with net revenue ≤ 0 gets no area.

    Examples
    --------
    >>> s = pl.DataFrame({"segment": ["Champions", "Lost"], "customers": [3, 7], "revenue": [900.0, 70.0]})
    >>> fig = rfm_treemap(s, measure="revenue", segment_names={"Champions": "Чемпионы"})
    >>> list(fig.data[0].labels), list(fig.data[0].values)
    (['Чемпионы', 'Lost'], [900.0, 70.0])
    """
    check_choice("measure", measure, get_args(TreemapMeasure))
    _need(summary, ("segment", "customers", "revenue"), "RFM summary")
    names = dict(segment_names or {})
    segments = [str(s) for s in summary.get_column("segment").to_list()]
    unknown = sorted(set(segments) - set(SEGMENTS))
    if unknown:
        raise ParameterError("segment", unknown[0], SEGMENTS)
    # Money to the cent: a parallel float sum can differ in its last bits between runs, and Streamlit drops a
    # chart's selection when the figure changes at all (the RFM drill-down click was lost that way).
    revenue = summary.get_column("revenue").cast(pl.Float64).round(2)
    sizes = (revenue if measure == "revenue" else summary.get_column(measure).cast(pl.Float64))
    sizes = sizes.clip(lower_bound=0.0).to_list()
    fig = go.Figure(
        go.Treemap(
            labels=[names.get(s, s) for s in segments],
            ids=segments,  # a clicked cell names its segment key in any language (drill-down, ui/drilldown.py)
            parents=[""] * len(segments),
            values=sizes,
            marker={"colors": [SEGMENT_COLORS[s] for s in segments]},
            customdata=np.column_stack(
                [summary.get_column("customers").to_numpy(), revenue.to_numpy()]
            ),
            hovertemplate="%{label}<br>%{customdata[0]:,} · %{customdata[1]:,.2f}<extra></extra>",
            texttemplate="%{label}<br>%{percentRoot:.0%}",
            sort=False,
        )
    )
    return styled(fig, title=title)


def ltv_curves(
    historical: pl.DataFrame,
    *,
    x_title: str,
    y_title: str,
    title: str | None = None,
    max_cohorts: int = 12,
) -> go.Figure:
    """Historical LTV (cumulative revenue per customer) by age, one line per cohort (SPEC §4.4).

    ``historical`` is :func:`retention_core.value.ltv.historical_ltv`'s frame; the latest
    ``max_cohorts`` cohorts are drawn, older ones lighter. Lines are named by the cohort's first day.

    Examples
    --------
    >>> h = pl.DataFrame({"cohort": [date(2024, 1, 1)] * 2 + [date(2024, 2, 1)], "age": [0, 1, 0],
    ...                   "ltv": [15.0, 30.0, 20.0]})
    >>> fig = ltv_curves(h, x_title="Months since first order", y_title="LTV")
    >>> [(d.name, list(d.y)) for d in fig.data]
    [('2024-01-01', [15.0, 30.0]), ('2024-02-01', [20.0])]
    """
    _need(historical, ("cohort", "age", "ltv"), "historical LTV")
    if max_cohorts < 1:
        raise ParameterError("max_cohorts", max_cohorts, "a whole number ≥ 1")
    cohorts = sorted(historical.get_column("cohort").unique().to_list())[-max_cohorts:]
    colors = sample_colorscale(SEQUENTIAL, np.linspace(0.35, 1.0, len(cohorts)).tolist()) if cohorts else []
    fig = go.Figure()
    for cohort, color in zip(cohorts, colors, strict=True):  # one line per cohort (≤ max_cohorts)
        rows = historical.filter(pl.col("cohort") == cohort).sort("age")
        fig.add_trace(
            go.Scatter(
                x=rows.get_column("age").to_list(),
                y=rows.get_column("ltv").to_list(),
                mode="lines+markers",
                name=str(cohort),
                line={"color": color, "width": 2},
            )
        )
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title, hovermode="x unified")
    return styled(fig, title=title)
