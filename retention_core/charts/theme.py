"""One theme and one colour meaning for every chart (SPEC §7).

Retained, new, reactivated and churned customers always have the same colours; so do baseline vs
scenario. Figures use :data:`TEMPLATE` and large fonts so they read on a meeting-room projector.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

FLOW_COLORS: dict[str, str] = {
    "retained": "#2E7D32",  # green
    "new": "#1565C0",  # blue
    "reactivated": "#F9A825",  # amber
    "churned": "#C62828",  # red
}
SERIES_COLORS: dict[str, str] = {
    "baseline": "#607D8B",  # grey-blue
    "scenario": "#6A1B9A",  # purple
    "primary": "#1565C0",
    "secondary": "#00897B",
    "muted": "#B0BEC5",
    "incomplete": "#9E9E9E",
}
SEQUENTIAL = "Blues"  # heatmaps of shares
QUALITATIVE = ["#1565C0", "#00897B", "#F9A825", "#6A1B9A", "#C62828", "#5D4037", "#2E7D32", "#AD1457"]

TEMPLATE = go.layout.Template(pio.templates["plotly_white"])
TEMPLATE.layout.font = {"size": 15}
TEMPLATE.layout.title = {"font": {"size": 19}}
TEMPLATE.layout.colorway = QUALITATIVE
TEMPLATE.layout.margin = {"l": 60, "r": 30, "t": 60, "b": 50}
TEMPLATE.layout.legend = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0}


def styled(fig: go.Figure, *, title: str | None = None) -> go.Figure:
    """Apply the house template (and a title) to a figure; returns the same figure."""
    fig.update_layout(template=TEMPLATE)
    if title is not None:
        fig.update_layout(title_text=title)
    return fig
