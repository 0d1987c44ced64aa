"""What-if charts: series colours, the CRR band, tornado order, scenario comparison, labels."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from retention_core.charts.theme import SERIES_COLORS
from retention_core.charts.whatif import projection_chart, scenarios_chart, sensitivity_chart
from retention_core.errors import ParameterError
from retention_core.whatif.backtest import Backtest, error_band
from retention_core.whatif.model import Baseline, Scenario, project
from retention_core.whatif.solve import compare_scenarios, sensitivity

# 100 active, 10 new a month, r 0.8, 30 revenue per active customer
B = Baseline(
    last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10, purchase_frequency=1.5,
    aov=20,
)  # fmt: skip
# a backtest that was 20 % off in every month ahead
BT = Backtest(date(2023, 6, 1), (), (), (), (), (), (0.2, 0.2, 0.2), (0.2, 0.2, 0.2), 0.2, 0.2)
S = Scenario(name="Plus 5", horizon=3, crr_delta=0.05, margin=0.5, retention_cost=1.0)


def test_projection_chart_lines_and_band():
    fig = projection_chart(
        project(B, S), measure="active_customers", band=error_band(project(B, S), BT), band_name="Backtest error",
        baseline_name="Today", scenario_name="Plus 5", y_title="Active customers", title="Customers",
    )  # fmt: skip
    band_hi_b, band_lo_b, band_hi_s, band_lo_s, base, scen = fig.data
    # the lines: baseline 90, 82, 75.6; scenario 95, 90.75, 87.1375 (see test_whatif's worked example)
    assert (base.name, scen.name) == ("Today", "Plus 5")
    assert list(base.y) == pytest.approx([90.0, 82.0, 75.6])
    assert list(scen.y) == pytest.approx([95.0, 90.75, 87.1375])
    assert base.line.color == SERIES_COLORS["baseline"] and scen.line.color == SERIES_COLORS["scenario"]
    assert list(base.x) == [date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1)]
    # band: month 1 baseline 90 × (1 ± 0.2) = 72 … 108, scenario 95 × (1 ± 0.2) = 76 … 114
    assert (band_lo_b.y[0], band_hi_b.y[0]) == pytest.approx((72.0, 108.0))
    assert (band_lo_s.y[0], band_hi_s.y[0]) == pytest.approx((76.0, 114.0))
    assert band_lo_b.fill == "tonexty" and band_lo_b.fillcolor.startswith("rgba(96, 125, 139,")
    assert [t.showlegend for t in (band_lo_b, band_lo_s)] == [True, False]
    assert band_lo_b.name == "Backtest error"
    assert fig.layout.title.text == "Customers" and fig.layout.yaxis.title.text == "Active customers"


def test_projection_chart_without_band_and_cumulative_profit():
    fig = projection_chart(
        project(B, S), measure="cumulative_gross_profit", baseline_name="a", scenario_name="b", y_title="Profit"
    )
    assert len(fig.data) == 2
    assert list(fig.data[1].y) == pytest.approx([1340.0, 2620.5, 3850.425])
    with pytest.raises(ParameterError, match="measure='orders' is not allowed"):
        projection_chart(project(B, S), measure="orders", baseline_name="a", scenario_name="b", y_title="x")


def test_sensitivity_tornado_widest_lever_on_top():
    table = sensitivity(B, S)
    names = {"crr": "Retention", "winback": "Win-back", "aov": "Order value", "frequency": "Orders per customer"}
    fig = sensitivity_chart(
        table, lever_names=names, lower_name="−", higher_name="+", x_title="Cumulative profit change"
    )
    lower, higher = fig.data
    # ±5 % AOV or frequency: ±204.67 profit each; ±1 point of r: about ±73; win-back 0 (nobody lapsed
    # who could come back: q = 0) ⇒ win-back at the bottom, then retention
    assert list(higher.y)[:2] == ["Win-back", "Retention"]
    assert set(list(higher.y)[2:]) == {"Order value", "Orders per customer"}
    assert list(higher.x)[2:] == pytest.approx([204.665625, 204.665625])
    assert list(lower.x)[2:] == pytest.approx([-204.665625, -204.665625])
    assert higher.marker.color == SERIES_COLORS["scenario"] and lower.marker.color == SERIES_COLORS["baseline"]
    assert higher.texttemplate == "%{x:,.0f}"  # plotly formats the labels with the figure's separators
    with pytest.raises(ParameterError, match="display names for frequency"):
        sensitivity_chart(table, lever_names={"crr": "R", "winback": "W", "aov": "A"}, lower_name="-", higher_name="+", x_title="x")


def test_scenarios_chart_side_by_side():
    t = compare_scenarios(B, [S, replace(S, name="Plus 10", crr_delta=0.10)])
    fig = scenarios_chart(t, measure="active_customers_end", baseline_name="Today", scenario_name="Plan", y_title="N")
    base, scen = fig.data
    assert list(base.x) == ["Plus 5", "Plus 10"]
    # month 3: baseline 75.6 both; +5: 87.1375; +10: 100×0.9³ + 10×(0.81+0.9+1) = 72.9 + 27.1 = 100
    assert list(base.y) == pytest.approx([75.6, 75.6])
    assert list(scen.y) == pytest.approx([87.1375, 100.0])
    assert fig.layout.barmode == "group" and scen.marker.color == SERIES_COLORS["scenario"]
