"""Win-back chart (SPEC §4.5): customers who came back after at least one empty period, per period.

Kept apart from :mod:`retention_core.charts.value` only to avoid editing it while it is being polished;
it can move there.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from retention_core.charts.theme import FLOW_COLORS, styled
from retention_core.errors import ColumnNotFoundError


def reactivated_chart(
    per_period: pl.DataFrame, *, x_title: str, y_title: str, revenue_name: str, title: str | None = None
) -> go.Figure:
    """Reactivated customers per period as bars in the reactivated colour, their revenue on hover.

    ``per_period`` is :func:`retention_core.value.segments.reactivated_per_period`'s frame (``period_start``,
    ``reactivated``, ``revenue``).

    Examples
    --------
    >>> per = pl.DataFrame({"period_start": [date(2024, 3, 1), date(2024, 4, 1)], "reactivated": [2, 5],
    ...                     "revenue": [9.0, 20.0]})
    >>> fig = reactivated_chart(per, x_title="Period", y_title="Came back", revenue_name="Revenue")
    >>> list(fig.data[0].y), fig.data[0].marker.color
    ([2, 5], '#F9A825')
    """
    for col in ("period_start", "reactivated", "revenue"):
        if col not in per_period.columns:
            raise ColumnNotFoundError.from_missing(col, per_period.columns, role="reactivated per period")
    fig = go.Figure(
        go.Bar(
            x=per_period.get_column("period_start").to_list(),
            y=per_period.get_column("reactivated").to_list(),
            customdata=per_period.get_column("revenue").to_list(),
            marker_color=FLOW_COLORS["reactivated"],
            hovertemplate=f"%{{x}}<br>{y_title}: %{{y:,}}<br>{revenue_name}: %{{customdata:,.2f}}<extra></extra>",
        )
    )
    fig.update_layout(xaxis_title=x_title, yaxis_title=y_title, showlegend=False)
    return styled(fig, title=title)
