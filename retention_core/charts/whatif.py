"""What-if charts (SPEC §6): baseline vs scenario lines with the backtest error band, tornado, comparison.

Inputs are the frames of :mod:`retention_core.whatif.model` / :mod:`retention_core.whatif.solve`; every
text a user reads (series names, axis titles, lever names) is passed in by the caller (``ui/i18n``).
Baseline and scenario always take ``theme.SERIES_COLORS["baseline"]`` / ``["scenario"]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

import plotly.graph_objects as go
import polars as pl

from retention_core.charts.theme import SERIES_COLORS, styled
from retention_core.errors import ParameterError, check_choice

ProjectionMeasure = Literal["active_customers", "revenue", "cumulative_gross_profit"]
SensitivityMeasure = Literal["revenue", "gross_profit", "cumulative_revenue", "cumulative_gross_profit"]
ComparisonMeasure = Literal["active_customers_end", "cumulative_revenue", "cumulative_gross_profit"]
_SERIES = ("baseline", "scenario")


def _rgba(hex_color: str, alpha: float) -> str:
    """``#RRGGBB`` → ``rgba(r, g, b, alpha)`` for translucent band fills."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def projection_chart(
    projection: pl.DataFrame,
    *,
    measure: ProjectionMeasure,
    baseline_name: str,
    scenario_name: str,
    y_title: str,
    band: pl.DataFrame | None = None,
    band_name: str | None = None,
    title: str | None = None,
) -> go.Figure:
    """Baseline vs scenario over the horizon for one measure, optionally with the backtest's error band.

    ``projection`` is :func:`~retention_core.whatif.model.project`'s frame; ``band`` is
    :func:`~retention_core.whatif.backtest.error_band`'s (the same months): each series gets a
    translucent area of the backtest's error at each month ahead.

    Examples
    --------
    >>> from retention_core.whatif.model import Baseline, Scenario, project
    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
    ...              purchase_frequency=1.5, aov=20)
    >>> fig = projection_chart(project(b, Scenario(horizon=3, crr_delta=0.05)), measure="active_customers",
    ...                        baseline_name="Now", scenario_name="+5 pts", y_title="Customers")
    >>> [(t.name, t.y[0]) for t in fig.data]
    [('Now', 90.0), ('+5 pts', 95.0...)]
    """
    check_choice("measure", measure, get_args(ProjectionMeasure))
    x = projection["period_start"].to_list()
    fig = go.Figure()
    names = {"baseline": baseline_name, "scenario": scenario_name}
    if band is not None:
        for i, w in enumerate(_SERIES):
            color = SERIES_COLORS[w]
            # faint fills (0.18 swamped the scenario line): the lines drawn after them stay the figure's subject
            fig.add_trace(go.Scatter(
                x=x, y=band[f"{w}_{measure}_high"].to_list(), mode="lines", line={"width": 0, "color": color},
                showlegend=False, hoverinfo="skip", legendgroup="band",
            ))  # fmt: skip
            fig.add_trace(go.Scatter(
                x=x, y=band[f"{w}_{measure}_low"].to_list(), mode="lines", line={"width": 0, "color": color},
                fill="tonexty", fillcolor=_rgba(color, 0.10 if w == "scenario" else 0.06), name=band_name or "", legendgroup="band",
                showlegend=bool(band_name) and i == 0, hoverinfo="skip",
            ))  # fmt: skip
    for w in _SERIES:
        fig.add_trace(go.Scatter(
            x=x, y=projection[f"{w}_{measure}"].to_list(), mode="lines+markers", name=names[w],
            line={"color": SERIES_COLORS[w], "width": 3, "dash": "dash" if w == "baseline" else "solid"},
        ))  # fmt: skip
    fig.update_layout(yaxis_title=y_title, hovermode="x unified")
    return styled(fig, title=title)


def sensitivity_chart(
    table: pl.DataFrame,
    *,
    lever_names: Mapping[str, str],
    lower_name: str,
    higher_name: str,
    x_title: str,
    measure: SensitivityMeasure = "cumulative_gross_profit",
    title: str | None = None,
) -> go.Figure:
    """Tornado of :func:`~retention_core.whatif.solve.sensitivity`: outcome change per lever nudge.

    One row per lever (``lever_names`` maps ``crr``/``aov``/``frequency`` to display names), the
    widest swing at the top; the bar for lowering the lever in the baseline colour, for raising it
    in the scenario colour, each labelled with its value.

    Raises
    ------
    ParameterError
        Unknown measure, or a lever in the table without a display name.

    Examples
    --------
    >>> table = pl.DataFrame({"lever": ["crr", "crr", "aov", "aov"], "step": [-0.01, 0.01, -0.05, 0.05],
    ...                       "revenue_change": [-70.0, 75.0, -130.0, 130.0]})
    >>> fig = sensitivity_chart(table, measure="revenue", lever_names={"crr": "CRR", "aov": "AOV"},
    ...                         lower_name="lower", higher_name="higher", x_title="Change")
    >>> fig.data[1].y, fig.data[1].x
    (('CRR', 'AOV'), (75.0, 130.0))
    """
    check_choice("measure", measure, get_args(SensitivityMeasure))
    levers = table["lever"].unique(maintain_order=True).to_list()
    missing = [lv for lv in levers if lv not in lever_names]
    if missing:
        raise ParameterError("lever_names", sorted(lever_names), f"display names for {', '.join(missing)}")
    change = f"{measure}_change"
    wide = (
        table.group_by("lever", maintain_order=True)
        .agg(
            pl.col(change).filter(pl.col("step") < 0).first().alias("lower"),
            pl.col(change).filter(pl.col("step") > 0).first().alias("higher"),
        )
        .with_columns((pl.col("higher") - pl.col("lower")).abs().alias("swing"))
        .sort("swing", maintain_order=True)  # plotly draws the first category at the bottom
    )
    y = [lever_names[lv] for lv in wide["lever"].to_list()]
    fig = go.Figure()
    for col, name, color in (("lower", lower_name, SERIES_COLORS["baseline"]), ("higher", higher_name, SERIES_COLORS["scenario"])):
        values = wide[col].to_list()
        fig.add_trace(go.Bar(
            y=y, x=values, orientation="h", name=name, marker_color=color, cliponaxis=False,
            texttemplate="%{x:,.0f}", textposition="outside",  # d3 format: the figure's separators (1 234 in ru)
        ))  # fmt: skip
    fig.update_layout(barmode="overlay", xaxis={"title": {"text": x_title}, "tickformat": ",.0f"},
                      yaxis={"automargin": True})
    fig.add_vline(x=0, line_color=SERIES_COLORS["muted"])
    return styled(fig, title=title)


def scenarios_chart(
    comparison: pl.DataFrame,
    *,
    measure: ComparisonMeasure,
    baseline_name: str,
    scenario_name: str,
    y_title: str,
    title: str | None = None,
) -> go.Figure:
    """Named scenarios side by side: baseline and scenario bars per scenario at its horizon.

    ``comparison`` is :func:`~retention_core.whatif.solve.compare_scenarios`'s frame; the scenario
    names on the x axis are the user's own names.

    Examples
    --------
    >>> from retention_core.whatif.model import Baseline, Scenario
    >>> from retention_core.whatif.solve import compare_scenarios
    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
    ...              purchase_frequency=1.5, aov=20)
    >>> t = compare_scenarios(b, [Scenario(name="A", horizon=3), Scenario(name="B", horizon=3, aov_change=0.1)])
    >>> fig = scenarios_chart(t, measure="cumulative_revenue", baseline_name="Now", scenario_name="Plan",
    ...                       y_title="Revenue")
    >>> fig.data[0].x, fig.data[1].y  # 7428 × 1.1 = 8170.8
    (('A', 'B'), (7428.0, 8170.8...))
    """
    check_choice("measure", measure, get_args(ComparisonMeasure))
    x = comparison["name"].to_list()
    fig = go.Figure()
    for w, name in (("baseline", baseline_name), ("scenario", scenario_name)):
        fig.add_trace(go.Bar(x=x, y=comparison[f"{w}_{measure}"].to_list(), name=name, marker_color=SERIES_COLORS[w]))
    fig.update_layout(barmode="group", yaxis_title=y_title)
    return styled(fig, title=title)
