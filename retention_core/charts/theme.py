"""One theme and one colour meaning for every chart (SPEC §7).

Retained, new, reactivated and churned customers always have the same colours; so do baseline vs
scenario. Figures use :data:`TEMPLATE` and large fonts so they read on a meeting-room projector.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Literal

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
TEMPLATE.layout.colorway = QUALITATIVE
TEMPLATE.layout.margin = {"l": 60, "r": 30, "t": 60, "b": 50}
# The legend sits under the plot, anchored to the figure's bottom edge (``yref="container"``): a title (and its
# filter subtitle) at the top and the mode bar at the top right can never cover it, and plotly pushes the
# plot area up to make room however many series there are.
TEMPLATE.layout.legend = {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.01, "xanchor": "left",
                          "x": 0}
TEMPLATE.layout.title = {"font": {"size": 19}, "x": 0, "xanchor": "left", "automargin": True,
                         "yref": "container", "y": 0.98, "yanchor": "top"}
TEMPLATE.layout.xaxis = {"automargin": True}
TEMPLATE.layout.yaxis = {"automargin": True}


_TEMPLATE_JSON = json.dumps(TEMPLATE.to_plotly_json())


def styled(fig: go.Figure, *, title: str | None = None) -> go.Figure:
    """Apply the house template (and a title) to a figure; returns the same figure.

    The template is set as plotly sets its own default template, with the layout's validation off:
    assigning it validated re-checks and deep-copies every property of the template (~10 ms a figure,
    60 ms a rerun of the Customer value page); this one is valid by construction (it was built from
    plotly's own ``plotly_white``), and each figure gets a fresh copy of it (a JSON round trip, 0.1 ms).
    """
    layout = fig.layout
    layout._validate = False  # what plotly's BaseFigure._initialize_layout_template does for the default
    try:
        layout.template = json.loads(_TEMPLATE_JSON)
    finally:
        layout._validate = True
    if title is not None:
        fig.update_layout(title_text=title)
    return fig


Lang = Literal["en", "ru"]
# Month abbreviations per language: plotly.js names months in English only (its locale files are not loaded
# by Streamlit nor by the report), so date axes get their tick labels from here.
MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ru": ("янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"),
}
SEPARATORS = {"en": ".,", "ru": ",\u202f"}  # plotly ``separators``: decimal mark, then thousands (1 234,5)
HOVER_DATE = {"en": "%Y-%m-%d", "ru": "%d.%m.%Y"}
MAX_DATE_TICKS = 12


def date_label(d: date, *, lang: Lang, grain: str | None) -> str:
    """A date as a tick label: ``янв 2025`` / ``Jan 2025`` for months and longer periods, the day for
    days and weeks (``05.01.2025`` / ``2025-01-05``), the year alone for years.

    >>> date_label(date(2025, 1, 1), lang="ru", grain="month"), date_label(date(2025, 1, 6), lang="ru", grain="week")
    ('янв 2025', '06.01.2025')
    """
    if grain == "year":
        return str(d.year)
    if grain in ("day", "week"):
        return d.strftime(HOVER_DATE[lang])
    return f"{MONTHS[lang][d.month - 1]} {d.year}"


def _dates(values) -> list[date] | None:
    if values is None:
        return None
    out = []
    for v in list(values):
        if hasattr(v, "astype") and str(getattr(v, "dtype", "")).startswith("datetime64"):
            v = v.astype("datetime64[D]").item()
        if isinstance(v, str):
            try:
                v = date.fromisoformat(v[:10])
            except ValueError:
                return None
        if isinstance(v, datetime):
            v = v.date()
        if not isinstance(v, date):
            return None
        out.append(v)
    return out


def localized(fig: go.Figure, *, lang: Lang, grain: str | None = None) -> go.Figure:
    """The figure in ``lang``: number separators (``1 234,5`` in Russian) and, when its x axis holds dates,
    tick labels with the language's month names (:func:`date_label`, at most :data:`MAX_DATE_TICKS`) and
    hovers that show the date in the language's format. Returns the same figure."""
    fig.update_layout(separators=SEPARATORS[lang])
    if any("xaxis" in trace for trace in fig.data):  # cartesian: plotly's "10k"/"1.2M" is English
        fig.update_xaxes(exponentformat="none", separatethousands=True)  # "10 000", not "10000" or "10k"
        fig.update_yaxes(exponentformat="none", separatethousands=True)
    found: set[date] = set()
    for trace in fig.data:
        if getattr(trace, "xaxis", None) not in (None, "x") or trace.type not in ("scatter", "bar", "scattergl"):
            continue
        xs = _dates(trace.x)
        if xs:
            found.update(xs)
    if not found:
        return fig
    ticks = sorted(found)
    step = -(-len(ticks) // MAX_DATE_TICKS)
    ticks = ticks[::step]
    fig.update_xaxes(tickmode="array", tickvals=[d.isoformat() for d in ticks],
                     ticktext=[date_label(d, lang=lang, grain=grain) for d in ticks], hoverformat=HOVER_DATE[lang])
    return fig
