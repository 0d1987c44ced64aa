"""Clickable charts for the drill-down (SPEC §7.1): a click on a number selects it.

Plotly heatmaps cannot be selected (plotly.js has no point selection for them, so Streamlit's
``on_select`` returns nothing for a heatmap click: streamlit/streamlit#8760, #15042).
:func:`clickable_cells` lays one invisible marker on every shown cell; a click selects the marker,
which carries the cell's cohort and age. Selected, the marker draws an outline around its cell.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from retention_core.errors import ParameterError

OUTLINE = "#212121"


def clickable_cells(fig: go.Figure) -> go.Figure:
    """Add a selectable marker on each non-empty cell of the figure's first trace (a heatmap).

    The marker's ``customdata`` is ``[y, row customdata, z]`` (for the cohort heatmap: cohort, size,
    value) and its ``x`` the cell's column (the age). The heatmap's hover moves to the markers, so the
    nearest cell's label shows and a click picks that cell. Returns the same figure.

    Raises
    ------
    ParameterError
        The first trace is not a heatmap.

    Examples
    --------
    >>> fig = go.Figure(go.Heatmap(z=[[1.0, 0.5], [1.0, None]], x=[0, 1], y=["2024-01-01", "2024-02-01"],
    ...     customdata=[[4, 4], [2, 2]], hovertemplate="%{y} (%{customdata})<br>%{x}: %{z:.0%}"))
    >>> marks = clickable_cells(fig).data[1]
    >>> list(marks.x), [list(c) for c in marks.customdata]
    ([0, 1, 0], [['2024-01-01', 4, 1.0], ['2024-01-01', 4, 0.5], ['2024-02-01', 2, 1.0]])
    >>> marks.hovertemplate, fig.data[0].hoverinfo
    ('%{y} (%{customdata[1]})<br>%{x}: %{customdata[2]:.0%}', 'skip')
    """
    heat = fig.data[0] if fig.data else None
    if not isinstance(heat, go.Heatmap):
        raise ParameterError("fig", type(heat).__name__, "a figure whose first trace is a heatmap")
    z = np.array([[np.nan if v is None else v for v in row] for row in (heat.z or ())], dtype=float).reshape(
        len(heat.y or ()), len(heat.x or ()))
    rows, cols = np.nonzero(~np.isnan(z))
    y = np.asarray(heat.y, dtype=object)[rows]
    sizes = np.asarray(heat.customdata, dtype=object)[rows, cols] if heat.customdata is not None else rows * 0
    template = (heat.hovertemplate or "").replace("%{customdata", "%{customdata[1]").replace("%{z", "%{customdata[2]")
    fig.add_trace(go.Scatter(
        x=np.asarray(heat.x, dtype=object)[cols].tolist(), y=y.tolist(), mode="markers", showlegend=False,
        customdata=np.column_stack([y, sizes, z[rows, cols]]).tolist() if rows.size else [],
        marker={"symbol": "square-open", "size": 22, "opacity": 0, "color": OUTLINE, "line": {"width": 3}},
        selected={"marker": {"opacity": 1}}, unselected={"marker": {"opacity": 0}},
        hovertemplate=template or None, name="",
    ))  # fmt: skip
    heat.hoverinfo = "skip"
    heat.hovertemplate = None
    fig.update_layout(hovermode="closest", hoverdistance=-1)
    columns = [c for c in (heat.x or ()) if isinstance(c, int | float)]
    if columns:  # the markers would widen the axis by their size: keep the heatmap's own extent
        fig.update_xaxes(range=[min(columns) - 0.5, max(columns) + 0.5])
    return fig


def treemap_root(fig: go.Figure, *, label: str, root_id: str = "__all__") -> go.Figure:
    """Put a flat treemap's cells under one root named ``label``, so a click (which zooms into the cell)
    shows a path bar back to every cell. ``customdata`` rows of the root are the column sums. Returns the
    same figure.

    Examples
    --------
    >>> fig = go.Figure(go.Treemap(labels=["A", "B"], ids=["a", "b"], parents=["", ""], values=[3, 1],
    ...     customdata=[[3, 30.0], [1, 5.0]], marker={"colors": ["red", "blue"]}))
    >>> tm = treemap_root(fig, label="All").data[0]
    >>> list(tm.ids), list(tm.parents), [list(c) for c in tm.customdata], list(tm.marker.colors)
    (['__all__', 'a', 'b'], ['', '__all__', '__all__'], [[4.0, 35.0], [3.0, 30.0], [1.0, 5.0]], ['#ECEFF1', 'red', 'blue'])
    """
    tm = fig.data[0] if fig.data else None
    if not isinstance(tm, go.Treemap):
        raise ParameterError("fig", type(tm).__name__, "a figure whose first trace is a treemap")
    custom = np.asarray(tm.customdata, dtype=float) if tm.customdata is not None else None
    tm.update(
        ids=[root_id, *(tm.ids or tm.labels)], labels=[label, *tm.labels], parents=["", *(p or root_id for p in tm.parents)],
        values=[0, *tm.values], branchvalues="remainder",
        customdata=None if custom is None else np.vstack([custom.sum(axis=0), custom]).tolist(),
        marker={"colors": ["#ECEFF1", *tm.marker.colors]} if tm.marker.colors is not None else tm.marker,
    )
    return fig
