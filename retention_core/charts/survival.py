"""Charts of the honesty checks and of subscriber survival (SPEC §4.2, §6).

Every text a user reads is passed in by the caller (``ui/i18n``); colours come from the theme.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from retention_core.charts.theme import SERIES_COLORS, styled


def survival_chart(frame: pl.DataFrame, *, observed_name: str, model_name: str, projected_name: str,
                   x_title: str, y_title: str, title: str | None = None) -> go.Figure:
    """Observed survival (markers) vs the fitted sBG curve (solid) and its projection (dashed).

    ``frame`` is :func:`~retention_core.retention.survival.survival_frame`'s: ``age``, ``observed``,
    ``model``, ``projected``.

    Examples
    --------
    >>> f = pl.DataFrame({"age": [0, 1, 2, 3], "observed": [1.0, 0.6, None, None],
    ...                   "model": [1.0, 0.62, 0.45, 0.36], "projected": [False, False, True, True]})
    >>> fig = survival_chart(f, observed_name="Seen", model_name="sBG", projected_name="Projected",
    ...                      x_title="Periods", y_title="Still subscribed")
    >>> [(t.name, list(t.x)) for t in fig.data]
    [('Seen', [0, 1]), ('sBG', [0, 1]), ('Projected', [1, 2, 3])]
    """
    seen = frame.filter(pl.col("observed").is_not_null())
    fitted = frame.filter(~pl.col("projected"))
    ahead = frame.filter(pl.col("projected") | (pl.col("age") == fitted["age"].max()))
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=seen["age"].to_list(), y=seen["observed"].to_list(), mode="markers", name=observed_name,
                             marker={"color": SERIES_COLORS["baseline"], "size": 8}))
    fig.add_trace(go.Scatter(x=fitted["age"].to_list(), y=fitted["model"].to_list(), mode="lines", name=model_name,
                             line={"color": SERIES_COLORS["scenario"], "width": 3}))
    fig.add_trace(go.Scatter(x=ahead["age"].to_list(), y=ahead["model"].to_list(), mode="lines", name=projected_name,
                             line={"color": SERIES_COLORS["scenario"], "width": 3, "dash": "dash"}))
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title, yaxis_tickformat=".0%", hovermode="x unified")
    return styled(fig, title=title)


def backtest_chart(months: list, actual: list[float], projected: list[float], *, actual_name: str,
                   projected_name: str, y_title: str, title: str | None = None) -> go.Figure:
    """What happened (solid) vs what the model projected from the backtest's start (dashed).

    Examples
    --------
    >>> fig = backtest_chart(["2024-01-01", "2024-02-01"], [10.0, 12.0], [11.0, 11.5], actual_name="Actual",
    ...                      projected_name="Model", y_title="Customers")
    >>> [(t.name, list(t.y)) for t in fig.data]
    [('Actual', [10.0, 12.0]), ('Model', [11.0, 11.5])]
    """
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=months, y=actual, mode="lines+markers", name=actual_name,
                             line={"color": SERIES_COLORS["primary"], "width": 3}))
    fig.add_trace(go.Scatter(x=months, y=projected, mode="lines+markers", name=projected_name,
                             line={"color": SERIES_COLORS["baseline"], "width": 3, "dash": "dash"}))
    fig.update_layout(yaxis_title=y_title, hovermode="x unified")
    return styled(fig, title=title)
