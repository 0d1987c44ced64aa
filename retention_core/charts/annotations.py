"""Dated annotations ("promo started", "price change") as markers on a time chart (SPEC §7.1).

``annotations`` is the workspace's frame (:meth:`retention_core.workspace.Workspace.annotations`: ``date``,
``label``, …). Each one inside the chart's dates becomes a dotted vertical line with its label at the top.
Labels are user text: they are escaped, so plotly shows them as typed (no tags, no links).
"""

from __future__ import annotations

import html
from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl

from retention_core.charts.theme import SERIES_COLORS

MARK_COLOR = SERIES_COLORS["scenario"]


def _days(fig: go.Figure) -> tuple[date, date] | None:
    """The first and last day the figure's x axis covers (its traces' x values are period starts: the last
    period is taken to last as long as the step before it), None without dates."""
    seen = [str(x)[:10] for trace in fig.data for x in (getattr(trace, "x", None) or ())]
    days = []
    for text in seen:
        try:
            days.append(date.fromisoformat(text))
        except ValueError:
            continue  # not a date axis (an age, a category)
    if not days:
        return None
    distinct = sorted(set(days))
    # points are period starts: the last period runs until about one step after its start
    step = distinct[-1] - distinct[-2] if len(distinct) > 1 else timedelta(days=1)
    return distinct[0], distinct[-1] + step - timedelta(days=1)


def with_annotations(fig: go.Figure, annotations: pl.DataFrame | None) -> go.Figure:
    """Draw each annotation dated within the figure's x range as a dotted line labelled at the top.

    A chart whose x values are not dates is returned unchanged. Returns the same figure.

    Examples
    --------
    >>> fig = go.Figure(go.Scatter(x=[date(2024, 1, 1), date(2024, 3, 1)], y=[1, 2]))
    >>> notes = pl.DataFrame({"date": [date(2024, 2, 10), date(2025, 1, 1)], "label": ["promo <b>", "later"]})
    >>> marked = with_annotations(fig, notes)
    >>> [(s.x0, s.line.dash) for s in marked.layout.shapes], [a.text for a in marked.layout.annotations]
    ([('2024-02-10', 'dot')], ['promo &lt;b&gt;'])
    """
    if annotations is None or annotations.height == 0:
        return fig
    span = _days(fig)
    if span is None:
        return fig
    inside = annotations.filter(pl.col("date").is_between(span[0], span[1])).sort("date")
    for day, label in inside.select("date", "label").iter_rows():  # a few user-made notes, not data rows
        fig.add_shape(type="line", xref="x", yref="paper", x0=day.isoformat(), x1=day.isoformat(), y0=0, y1=1,
                      line={"color": MARK_COLOR, "width": 1.5, "dash": "dot"})
        fig.add_annotation(x=day.isoformat(), xref="x", y=1, yref="paper", yanchor="bottom", showarrow=False,
                           text=html.escape(label), font={"size": 12, "color": MARK_COLOR}, textangle=0)
    return fig
