"""Segment values side by side (SPEC §7.1): one line per value on a period trend or a cohort curve.

Inputs are :func:`retention_core.retention.compare.segment_period_metrics` and
:func:`~retention_core.retention.compare.segment_retention_curves`; texts come from ``labels`` like the
other builders (:data:`~retention_core.charts.retention.DEFAULT_LABELS`).
"""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go
import polars as pl

from retention_core.charts.theme import QUALITATIVE, SERIES_COLORS, styled
from retention_core.definitions import METRIC_BY_KEY
from retention_core.retention.compare import OTHER

_TICKS = {"percent": ".0%", "money": ",.0f", "number": ",.2~f"}


def _name(value: str, labels: Mapping[str, str]) -> str:
    return labels.get("other", "Other") if value == OTHER else value


def segment_trend_chart(
    metrics: pl.DataFrame, *, key: str, labels: Mapping[str, str] | None = None, title: str | None = None,
) -> go.Figure:
    """``key`` over periods, one line per ``segment_value`` (the "other" group grey and dashed).

    The incomplete period (``incomplete``) is left out: a line per segment with a dotted tail each would
    be unreadable.

    Examples
    --------
    >>> m = pl.DataFrame({"segment_value": ["web", "web", "(other)"], "period_start": [date(2024, 1, 1),
    ...     date(2024, 2, 1), date(2024, 2, 1)], "crr": [None, 0.5, 0.2], "incomplete": [False] * 3})
    >>> [(t.name, list(t.y)) for t in segment_trend_chart(m, key="crr", labels={"other": "Other"}).data]
    [('web', [None, 0.5]), ('Other', [0.2])]
    """
    text = dict(labels or {})
    unit = METRIC_BY_KEY[key].unit if key in METRIC_BY_KEY else "ratio"
    fmt = ".1%" if unit == "ratio" else ",.2f"
    shown = metrics.filter(~pl.col("incomplete")) if "incomplete" in metrics.columns else metrics
    fig = go.Figure()
    for i, part in enumerate(shown.partition_by("segment_value", maintain_order=True)):
        value = part["segment_value"][0]
        name = _name(value, text)
        other = value == OTHER
        color = SERIES_COLORS["muted"] if other else QUALITATIVE[i % len(QUALITATIVE)]
        fig.add_trace(go.Scatter(
            x=part["period_start"].to_list(), y=part[key].to_list(), mode="lines+markers", name=name,
            line={"color": color, "width": 2 if other else 3, "dash": "dash" if other else "solid"},
            hovertemplate=f"%{{x}}<br>{name}: %{{y:{fmt}}}<extra></extra>",
        ))  # fmt: skip
    fig.update_layout(
        xaxis_title=text.get("period", "Period"),
        yaxis={"title": text.get(key, key), "tickformat": ".0%" if unit == "ratio" else ",.0f"},
        hovermode="x unified",
    )
    return styled(fig, title=title)


def segment_curves_chart(
    curves: pl.DataFrame, *, value_format: str = "percent", labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """Average cohort curve by age, one line per ``segment_value``.

    Examples
    --------
    >>> c = pl.DataFrame({"segment_value": ["x", "x", "y"], "age": [0, 1, 0], "value": [1.0, 0.4, 1.0],
    ...     "cohorts": [2, 1, 1]})
    >>> [(t.name, list(t.y)) for t in segment_curves_chart(c).data]
    [('x', [1.0, 0.4]), ('y', [1.0])]
    """
    text = dict(labels or {})
    tick = _TICKS.get(value_format, ".0%")
    fig = go.Figure()
    for i, part in enumerate(curves.partition_by("segment_value", maintain_order=True)):
        value = part["segment_value"][0]
        name = _name(value, text)
        other = value == OTHER
        fig.add_trace(go.Scatter(
            x=part["age"].to_list(), y=part["value"].to_list(), customdata=part["cohorts"].to_list(),
            mode="lines+markers", name=name,
            line={"color": SERIES_COLORS["muted"] if other else QUALITATIVE[i % len(QUALITATIVE)], "width": 3,
                  "dash": "dash" if other else "solid"},
            hovertemplate=f"{name}<br>%{{x}}: %{{y:{tick}}} (n=%{{customdata}})<extra></extra>",
        ))  # fmt: skip
    fig.update_layout(
        xaxis={"title": text.get("age", "Age (periods)"), "dtick": 1},
        yaxis={"title": text.get("value", "Value"), "tickformat": tick, "rangemode": "tozero"},
    )
    return styled(fig, title=title)


def comparison_chart(
    trend: pl.DataFrame, *, key: str, names: tuple[str, str], labels: Mapping[str, str] | None = None,
    title: str | None = None,
) -> go.Figure:
    """A metric (solid) and what it is compared with (dashed, grey) on the same periods, from
    :func:`retention_core.retention.compare.compared_trend`; the hover names the compared period.

    Examples
    --------
    >>> t = pl.DataFrame({"period_start": [date(2024, 1, 1)], "value": [0.7], "compared_start": [date(2023, 1, 1)],
    ...     "compared_value": [0.5]})
    >>> [(tr.name, list(tr.y)) for tr in comparison_chart(t, key="crr", names=("2024", "a year earlier")).data]
    [('2024', [0.7]), ('a year earlier', [0.5])]
    """
    text = dict(labels or {})
    unit = METRIC_BY_KEY[key].unit if key in METRIC_BY_KEY else "ratio"
    fmt = ".1%" if unit == "ratio" else ",.2f"
    x = trend["period_start"].to_list()
    fig = go.Figure([
        go.Scatter(x=x, y=trend["value"].to_list(), mode="lines+markers", name=names[0],
                   line={"color": QUALITATIVE[0], "width": 3}, hovertemplate=f"%{{x}}: %{{y:{fmt}}}<extra>{names[0]}</extra>"),
        go.Scatter(x=x, y=trend["compared_value"].to_list(), mode="lines+markers", name=names[1],
                   customdata=[d.isoformat() if d else "" for d in trend["compared_start"].to_list()],
                   line={"color": SERIES_COLORS["baseline"], "width": 2, "dash": "dash"},
                   hovertemplate=f"%{{customdata}}: %{{y:{fmt}}}<extra>{names[1]}</extra>"),
    ])  # fmt: skip
    fig.update_layout(xaxis_title=text.get("period", "Period"),
                      yaxis={"title": text.get(key, key), "tickformat": ".0%" if unit == "ratio" else ",.0f"},
                      hovermode="x unified")
    return styled(fig, title=title)
