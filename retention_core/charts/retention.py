"""Retention charts (SPEC §4.1–4.4, §7): KPI trend, customer-flow bars, cohort heatmap, retention
curve, age-k trend, seasonality, NPS trend.

Inputs are the frames of :mod:`retention_core.retention.flows`, :mod:`~retention_core.retention.subscriptions`,
:mod:`~retention_core.retention.cohorts`, :mod:`~retention_core.retention.seasonality` and :mod:`~retention_core.retention.nps`.
Every text a user reads comes from ``labels`` (the UI passes translated strings from ``ui/i18n``);
:data:`DEFAULT_LABELS` are English fallbacks for notebooks. Retained / new / reactivated / churned
always take :data:`~retention_core.charts.theme.FLOW_COLORS`. An incomplete period (the data ends
inside it) is drawn dashed / faded (``incomplete="distinct"``) or left out (``"hidden"``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, get_args

import plotly.graph_objects as go
import polars as pl

from retention_core.charts.theme import FLOW_COLORS, QUALITATIVE, SEQUENTIAL, SERIES_COLORS, styled
from retention_core.definitions import METRIC_BY_KEY
from retention_core.errors import check_choice

IncompleteDisplay = Literal["distinct", "hidden"]
ValueFormat = Literal["percent", "money", "number"]

DEFAULT_LABELS: dict[str, str] = {
    "crr": "CRR",
    "retention_rate": "Retention rate",
    "churn_rate": "Churn rate",
    "total_churn_rate": "Total churn rate",
    "arpu": "ARPU",
    "aov": "AOV",
    "revenue": "Revenue",
    "nrr": "NRR",
    "revenue_churn_rate": "Revenue churn",
    "repeat_revenue_share": "Repeat revenue share",
    "purchase_frequency": "Purchase frequency",
    "mrr_churn_rate": "MRR churn",
    "retained": "Retained",
    "reactivated": "Reactivated",
    "new": "New",
    "churned": "Churned",
    "period": "Period",
    "customers": "Customers",
    "cohort": "Cohort",
    "age": "Age (periods)",
    "value": "Value",
    "size": "Cohort size",
    "coefficient": "Seasonality coefficient",
    "month": "Month",
    "average": "Average month",
    "nps": "NPS",
    "responses": "Responses",
    "incomplete": "incomplete",
}
MONTH_NAMES_EN: tuple[str, ...] = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_TICKS: dict[str, str] = {"percent": ".0%", "money": ",.0f", "number": ",.2~f"}
_KEY_COLORS = {
    "crr": FLOW_COLORS["retained"],
    "retention_rate": FLOW_COLORS["retained"],
    "churn_rate": FLOW_COLORS["churned"],
    "total_churn_rate": FLOW_COLORS["churned"],
    "mrr_churn_rate": FLOW_COLORS["churned"],
    "revenue_churn_rate": FLOW_COLORS["churned"],
    "arpu": SERIES_COLORS["primary"],
}


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    return {**DEFAULT_LABELS, **(labels or {})}


def _line(
    fig: go.Figure,
    frame: pl.DataFrame,
    *,
    x: str,
    y: str,
    name: str,
    color: str,
    incomplete: IncompleteDisplay,
    incomplete_name: str,
    yaxis: str = "y",
    hover: str = "",
) -> None:
    """A solid line over complete points and, when shown, a dashed one from the last complete point on."""
    flag = pl.col("incomplete") if "incomplete" in frame.columns else pl.lit(False)
    done = frame.filter(~flag)
    fig.add_trace(go.Scatter(
        x=done[x].to_list(), y=done[y].to_list(), mode="lines+markers", name=name, legendgroup=name,
        line={"color": color, "width": 3}, yaxis=yaxis, hovertemplate=hover or None,
    ))  # fmt: skip
    rest = frame.filter(flag)
    if incomplete == "distinct" and rest.height:
        tail = pl.concat([done.tail(1), rest]) if done.height else rest
        fig.add_trace(go.Scatter(
            x=tail[x].to_list(), y=tail[y].to_list(), mode="lines+markers", name=f"{name} ({incomplete_name})",
            legendgroup=name, showlegend=False, yaxis=yaxis, hovertemplate=hover or None,
            line={"color": color, "width": 2, "dash": "dot"}, marker={"symbol": "circle-open", "size": 9},
        ))  # fmt: skip


def kpi_trend_chart(
    metrics: pl.DataFrame,
    *,
    keys: Sequence[str] = ("crr", "churn_rate", "arpu"),
    incomplete: IncompleteDisplay = "distinct",
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """KPIs over periods from :func:`~retention_core.retention.flows.period_metrics` (SPEC §7 Overview).

    Ratios (unit ``ratio`` in :mod:`~retention_core.definitions`) go on the left axis as
    percentages; other units (money, customers) on a right axis. Each key is one solid trace, plus a
    dotted trace for the incomplete last period when ``incomplete="distinct"``.

    Examples
    --------
    >>> m = pl.DataFrame({"period_start": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)],
    ...     "crr": [None, 0.5, 0.4], "arpu": [10.0, 12.0, 3.0], "incomplete": [False, False, True]})
    >>> fig = kpi_trend_chart(m, keys=["crr", "arpu"])
    >>> [(t.name, t.yaxis, len(t.x)) for t in fig.data]
    [('CRR', 'y', 2), ('CRR (incomplete)', 'y', 2), ('ARPU', 'y2', 2), ('ARPU (incomplete)', 'y2', 2)]
    >>> len(kpi_trend_chart(m, keys=["crr"], incomplete="hidden").data)
    1
    """
    check_choice("incomplete", incomplete, get_args(IncompleteDisplay))
    text = _labels(labels)
    right = False
    fig = go.Figure()
    for i, key in enumerate(keys):
        unit = METRIC_BY_KEY[key].unit if key in METRIC_BY_KEY else "ratio"
        axis = "y" if unit == "ratio" else "y2"
        right = right or axis == "y2"
        fmt = ".1%" if unit == "ratio" else ",.2f"
        _line(
            fig, metrics, x="period_start", y=key, name=text.get(key, key), incomplete=incomplete,
            color=_KEY_COLORS.get(key, QUALITATIVE[i % len(QUALITATIVE)]), incomplete_name=text["incomplete"],
            yaxis=axis, hover=f"%{{x}}<br>{text.get(key, key)}: %{{y:{fmt}}}<extra></extra>",
        )  # fmt: skip
    units = {k: METRIC_BY_KEY[k].unit if k in METRIC_BY_KEY else "ratio" for k in keys}
    left_title = ", ".join(text.get(k, k) for k in keys if units[k] == "ratio")
    right_title = ", ".join(text.get(k, k) for k in keys if units[k] != "ratio")
    fig.update_layout(xaxis_title=text["period"], yaxis={"tickformat": ".0%", "title": {"text": left_title}},
                      hovermode="x unified")
    if right:  # the second axis says what it measures (ARPU), in its own colour
        color = _KEY_COLORS.get(next(k for k in keys if units[k] != "ratio"), SERIES_COLORS["primary"])
        fig.update_layout(
            yaxis2={"overlaying": "y", "side": "right", "showgrid": False, "tickformat": ",.0f",
                    "title": {"text": right_title, "font": {"color": color}}, "tickfont": {"color": color},
                    "automargin": True}
        )
    return styled(fig, title=title)


def flow_chart(
    metrics: pl.DataFrame,
    *,
    incomplete: IncompleteDisplay = "distinct",
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Customer-base decomposition per period: retained, reactivated, new up; churned down (SPEC §7).

    Stacked relative bars with the fixed flow colours; a null ``reactivated`` (subscriptions) draws
    as 0. The incomplete period is faded (``distinct``) or left out (``hidden``).

    Examples
    --------
    >>> m = pl.DataFrame({"period_start": [date(2024, 1, 1), date(2024, 2, 1)], "retained": [0, 5],
    ...     "reactivated": [0, 1], "new_customers": [8, 2], "churned": [0, 3], "incomplete": [False, True]})
    >>> fig = flow_chart(m)
    >>> [(t.name, t.marker.color, list(t.y)) for t in fig.data]
    [('Retained', '#2E7D32', [0, 5]), ('Reactivated', '#F9A825', [0, 1]), ('New', '#1565C0', [8, 2]), ('Churned', '#C62828', [0, -3])]
    >>> list(fig.data[0].marker.opacity)
    [1.0, 0.45]
    """
    check_choice("incomplete", incomplete, get_args(IncompleteDisplay))
    text = _labels(labels)
    frame = metrics.filter(~pl.col("incomplete")) if incomplete == "hidden" else metrics
    opacity = frame.select(pl.when(pl.col("incomplete")).then(0.45).otherwise(1.0)).to_series().to_list()
    x = frame["period_start"].to_list()
    fig = go.Figure()
    series = [
        ("retained", "retained", 1),
        ("reactivated", "reactivated", 1),
        ("new", "new_customers", 1),
        ("churned", "churned", -1),
    ]
    for flow, column, sign in series:
        y = frame.select(pl.col(column).fill_null(0) * sign).to_series().to_list()
        fig.add_trace(go.Bar(
            x=x, y=y, name=text[flow], marker={"color": FLOW_COLORS[flow], "opacity": opacity},
            customdata=[flow] * len(x),  # a clicked bar names its flow (drill-down, ui/drilldown.py)
            hovertemplate=f"%{{x}}<br>{text[flow]}: %{{y:,}}<extra></extra>",
        ))  # fmt: skip
    fig.update_layout(
        barmode="relative", xaxis_title=text["period"], yaxis_title=text["customers"], hovermode="x unified"
    )
    return styled(fig, title=title)


def cohort_heatmap(
    matrix: pl.DataFrame,
    *,
    value_format: ValueFormat = "percent",
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Cohort × age heatmap of :func:`~retention_core.retention.cohorts.cohort_matrix` (SPEC §4.3, §7 Cohorts).

    Rows are cohorts (oldest on top), columns ages; each cell shows its value as text. Incomplete
    cells (and ages a cohort has not reached) are masked: ``None`` in ``z``, so no colour and no text.
    Reads ``share`` instead of ``value`` when present (event retention).

    Examples
    --------
    >>> m = pl.DataFrame({"cohort": [date(2024, 1, 1)] * 2 + [date(2024, 2, 1)], "size": [4, 4, 2],
    ...     "age": [0, 1, 0], "value": [1.0, 0.25, 1.0], "complete": [True, True, False]})
    >>> fig = cohort_heatmap(m)
    >>> [list(row) for row in fig.data[0].z]
    [[1.0, 0.25], [None, None]]
    >>> fig.data[0].texttemplate
    '%{z:.0%}'
    """
    check_choice("value_format", value_format, get_args(ValueFormat))
    text = _labels(labels)
    column = "share" if "share" in matrix.columns else "value"
    wide = (
        matrix.with_columns(pl.when(pl.col("complete")).then(pl.col(column)).alias("_shown"))
        .sort("cohort", "age")
        .pivot(on="age", index=["cohort", "size"], values="_shown", sort_columns=False)
        .sort("cohort")
    )
    ages = sorted(matrix["age"].unique().to_list())
    age_columns = [str(a) for a in ages]
    for name in age_columns:  # a cohort with fewer ages gets nulls; make sure every age column exists
        if name not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(name))
    z = wide.select(age_columns).rows() if wide.height else []
    stamp = "%Y-%m-%d %H:%M" if matrix.schema["cohort"] == pl.Datetime else "%Y-%m-%d"  # hourly event cohorts
    cohorts = wide["cohort"].dt.strftime(stamp).to_list() if wide.height else []
    sizes = wide["size"].to_list() if wide.height else []
    fig = go.Figure(go.Heatmap(
        z=[list(r) for r in z], x=ages, y=cohorts, colorscale=SEQUENTIAL, texttemplate=f"%{{z:{_TICKS[value_format]}}}",
        customdata=[[s] * len(ages) for s in sizes], hoverongaps=False, xgap=1, ygap=1,
        colorbar={"tickformat": _TICKS[value_format]},
        hovertemplate=(f"{text['cohort']}: %{{y}} (%{{customdata:,}})<br>{text['age']}: %{{x}}<br>"
                       f"{text['value']}: %{{z:{_TICKS[value_format].replace('.0%', '.1%')}}}<extra></extra>"),
    ))  # fmt: skip
    fig.update_layout(
        xaxis={"title": text["age"], "dtick": 1, "side": "top"},
        yaxis={"title": text["cohort"], "autorange": "reversed", "type": "category"},
    )
    return styled(fig, title=title)


def retention_curve_chart(
    curve: pl.DataFrame,
    *,
    value_format: ValueFormat = "percent",
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Average retention by age from :func:`~retention_core.retention.cohorts.retention_curve` (SPEC §4.3).

    Examples
    --------
    >>> c = pl.DataFrame({"age": [0, 1, 2], "value": [1.0, 0.4, 0.3], "cohorts": [3, 3, 2]})
    >>> fig = retention_curve_chart(c)
    >>> (len(fig.data), list(fig.data[0].y), fig.layout.yaxis.tickformat)
    (1, [1.0, 0.4, 0.3], '.0%')
    """
    check_choice("value_format", value_format, get_args(ValueFormat))
    text = _labels(labels)
    fig = go.Figure(go.Scatter(
        x=curve["age"].to_list(), y=curve["value"].to_list(), customdata=curve["cohorts"].to_list(),
        mode="lines+markers", name=text["retained"], line={"color": FLOW_COLORS["retained"], "width": 3},
        hovertemplate=f"{text['age']}: %{{x}}<br>{text['value']}: %{{y:{_TICKS[value_format]}}} (n=%{{customdata}})<extra></extra>",
    ))  # fmt: skip
    fig.update_layout(
        xaxis={"title": text["age"], "dtick": 1},
        yaxis={"title": text["value"], "tickformat": _TICKS[value_format], "rangemode": "tozero"},
    )
    return styled(fig, title=title)


def age_k_trend_chart(
    trend: pl.DataFrame,
    *,
    k: int,
    value_format: ValueFormat = "percent",
    incomplete: IncompleteDisplay = "distinct",
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Age-``k`` value of each cohort over cohorts, from :func:`~retention_core.retention.cohorts.age_k_trend`.

    The line's name is ``labels["age_k"]`` (default ``"Age k"``), formatted with ``k``.

    Examples
    --------
    >>> t = pl.DataFrame({"cohort": [date(2024, 1, 1), date(2024, 2, 1)], "size": [4, 2],
    ...     "value": [0.25, 0.5], "complete": [True, False]})
    >>> [(tr.name, len(tr.x)) for tr in age_k_trend_chart(t, k=1).data]
    [('Age 1', 1), ('Age 1 (incomplete)', 2)]
    """
    check_choice("incomplete", incomplete, get_args(IncompleteDisplay))
    text = _labels(labels)
    name = text.get("age_k", "Age {k}").format(k=k)
    column = "share" if "share" in trend.columns else "value"
    frame = trend.with_columns((~pl.col("complete")).alias("incomplete"))
    fig = go.Figure()
    _line(
        fig, frame, x="cohort", y=column, name=name, color=FLOW_COLORS["retained"], incomplete=incomplete,
        incomplete_name=text["incomplete"], hover=f"%{{x}}<br>{name}: %{{y:{_TICKS[value_format]}}}<extra></extra>",
    )  # fmt: skip
    fig.update_layout(
        xaxis_title=text["cohort"], yaxis={"title": text["value"], "tickformat": _TICKS[value_format]}
    )
    return styled(fig, title=title)


def seasonality_chart(
    season: pl.DataFrame,
    *,
    month_names: Sequence[str] = MONTH_NAMES_EN,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Seasonality coefficient per calendar month from :func:`~retention_core.retention.seasonality.seasonality`.

    Bars above 1 (busier than an average month) in the primary colour, below 1 muted; a line at 1.

    Examples
    --------
    >>> s = pl.DataFrame({"month": list(range(1, 13)), "coefficient": [0.8] * 11 + [3.2]})
    >>> fig = seasonality_chart(s)
    >>> (list(fig.data[0].x)[:2], fig.data[0].marker.color[-2:])
    (['Jan', 'Feb'], ('#B0BEC5', '#1565C0'))
    """
    text = _labels(labels)
    names = [month_names[m - 1] for m in season["month"].to_list()]
    colors = (
        season.select(
            pl.when(pl.col("coefficient") >= 1)
            .then(pl.lit(SERIES_COLORS["primary"]))
            .otherwise(pl.lit(SERIES_COLORS["muted"]))
        )
        .to_series()
        .to_list()
    )
    fig = go.Figure(go.Bar(
        x=names, y=season["coefficient"].to_list(), marker={"color": colors}, name=text["coefficient"],
        hovertemplate="%{x}: %{y:.2f}<extra></extra>",
    ))  # fmt: skip
    fig.add_hline(
        y=1.0, line={"color": SERIES_COLORS["baseline"], "dash": "dash"}, annotation_text=text["average"],
        annotation_position="top left",  # inside the plot: at the right end the label ran past the edge (clipped)
    )
    fig.update_layout(xaxis_title=text["month"], yaxis_title=text["coefficient"], showlegend=False)
    return styled(fig, title=title)


def nps_trend_chart(
    nps: pl.DataFrame,
    *,
    segment: str | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """NPS per period from :func:`~retention_core.retention.nps.nps_by_period`, shown on the usual −100…100 scale.

    One line per segment value when ``segment`` names the frame's segment column (null → the
    ``labels["no_value"]`` text, default "(none)").

    Examples
    --------
    >>> n = pl.DataFrame({"period_start": [date(2024, 1, 1), date(2024, 2, 1)], "nps": [0.25, None],
    ...     "responses": [4, 0]})
    >>> fig = nps_trend_chart(n)
    >>> (len(fig.data), list(fig.data[0].y), tuple(fig.layout.yaxis.range))
    (1, [25.0, None], (-100, 100))
    """
    text = _labels(labels)
    fig = go.Figure()
    groups = (
        nps.partition_by(segment, maintain_order=True, include_key=True, as_dict=False)
        if segment is not None
        else [nps]
    )
    for i, part in enumerate(groups):
        name = text["nps"]
        if segment is not None:
            value = part[segment][0]
            name = text.get("no_value", "(none)") if value is None else str(value)
        fig.add_trace(go.Scatter(
            x=part["period_start"].to_list(), y=(part["nps"] * 100).to_list(), customdata=part["responses"].to_list(),
            mode="lines+markers", name=name, line={"color": QUALITATIVE[i % len(QUALITATIVE)], "width": 3},
            connectgaps=False, hovertemplate=f"%{{x}}<br>{name}: %{{y:.0f}} (%{{customdata}} {text['responses']})<extra></extra>",
        ))  # fmt: skip
    fig.add_hline(y=0, line={"color": SERIES_COLORS["muted"], "width": 1})
    fig.update_layout(
        xaxis_title=text["period"], yaxis={"title": text["nps"], "range": [-100, 100]}, hovermode="x unified"
    )
    return styled(fig, title=title)
