"""Light tests for retention_core.charts.retention: traces, colours, masking, labels."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from retention_core.charts.retention import (
    age_k_trend_chart,
    cohort_heatmap,
    flow_chart,
    kpi_trend_chart,
    nps_trend_chart,
    retention_curve_chart,
    seasonality_chart,
)
from retention_core.charts.theme import FLOW_COLORS
from retention_core.errors import ParameterError
from retention_core.retention.cohorts import age_k_trend, cohort_matrix, event_retention, retention_curve
from retention_core.retention.flows import period_metrics
from retention_core.retention.nps import nps_by_period
from retention_core.retention.seasonality import seasonality
from retention_core.retention.subscriptions import subscription_metrics

# a, b in Jan; a, c in Feb; a in Mar; the data ends 10 Apr with b back ⇒ April incomplete
ORDERS = pl.DataFrame(
    {
        "customer_id": ["a", "b", "a", "c", "a", "b"],
        "ordered_at": [datetime(2024, 1, 5), datetime(2024, 1, 9), datetime(2024, 2, 2), datetime(2024, 2, 20),
                       datetime(2024, 3, 1), datetime(2024, 4, 10)],
        "amount": [10.0, 20.0, 15.0, 5.0, 7.0, 9.0],
    }
)


def test_kpi_trend_axes_incomplete_and_labels() -> None:
    metrics = period_metrics(ORDERS)
    fig = kpi_trend_chart(metrics, labels={"crr": "CRR (RU)", "incomplete": "неполный"})
    names = [t.name for t in fig.data]
    assert names == ["CRR (RU)", "CRR (RU) (неполный)", "Churn rate", "Churn rate (неполный)", "ARPU", "ARPU (неполный)"]
    assert [t.yaxis for t in fig.data] == ["y", "y", "y", "y", "y2", "y2"]
    assert fig.data[0].line.color == FLOW_COLORS["retained"] and fig.data[2].line.color == FLOW_COLORS["churned"]
    assert fig.data[1].line.dash == "dot"
    assert list(fig.data[1].x)[-1] == date(2024, 4, 1)  # the dotted part reaches the incomplete April
    hidden = kpi_trend_chart(metrics, incomplete="hidden")
    assert len(hidden.data) == 3 and date(2024, 4, 1) not in list(hidden.data[0].x)
    with pytest.raises(ParameterError, match="incomplete='dashed'.*distinct, hidden"):
        kpi_trend_chart(metrics, incomplete="dashed")  # type: ignore[arg-type]


def test_flow_chart_stacks_and_colours() -> None:
    metrics = period_metrics(ORDERS)
    fig = flow_chart(metrics, labels={"new": "Новые"})
    assert fig.layout.barmode == "relative"
    assert [t.marker.color for t in fig.data] == [FLOW_COLORS[k] for k in ("retained", "reactivated", "new", "churned")]
    assert fig.data[2].name == "Новые"
    # Feb: retained a, new c, churned b (drawn below zero); Apr: b reactivated, a churned
    assert list(fig.data[3].y) == [0, -1, -1, -1]
    assert list(fig.data[1].y) == [0, 0, 0, 1]
    assert list(fig.data[0].marker.opacity)[-1] < 1.0
    assert len(flow_chart(metrics, incomplete="hidden").data[0].x) == 3


def test_flow_chart_for_subscriptions_draws_null_reactivated_as_zero() -> None:
    subs = pl.DataFrame({"customer_id": ["a", "b"], "started_at": [date(2024, 1, 2), date(2024, 2, 3)], "ended_at": [None, None]},
                        schema_overrides={"ended_at": pl.Date})
    fig = flow_chart(subscription_metrics(subs, data_end=date(2024, 2, 29)))
    assert list(fig.data[1].y) == [0, 0]


def test_cohort_heatmap_masks_incomplete_cells() -> None:
    fig = cohort_heatmap(cohort_matrix(ORDERS))
    heat = fig.data[0]
    # Jan cohort {a,b}: Feb ½, Mar ½, Apr incomplete; Feb {c}: Mar 0; Apr cohort: empty (incomplete)
    assert list(heat.y) == ["2024-01-01", "2024-02-01"]
    assert [list(r) for r in heat.z] == [[1.0, 0.5, 0.5, None], [1.0, 0.0, None, None]]
    assert heat.texttemplate == "%{z:.0%}"
    assert fig.layout.yaxis.autorange == "reversed"
    money = cohort_heatmap(cohort_matrix(ORDERS, value="ltv"), value_format="money")
    assert money.data[0].texttemplate == "%{z:,.0f}"


def test_cohort_heatmap_of_event_retention_uses_shares() -> None:
    events = pl.DataFrame({"user_id": ["u", "v", "u"], "event": ["s", "s", "b"],
                           "occurred_at": [datetime(2024, 1, 1), datetime(2024, 1, 2), datetime(2024, 1, 14)]})
    fig = cohort_heatmap(event_retention(events, start_event="s", return_event="b"))
    assert [list(r) for r in fig.data[0].z] == [[1.0, 0.5]]


def test_curve_and_age_k_trend_charts() -> None:
    matrix = cohort_matrix(ORDERS)
    curve = retention_curve_chart(retention_curve(matrix), labels={"value": "Доля"})
    assert list(curve.data[0].y) == [1.0, 1 / 3, 0.5] and curve.layout.yaxis.title.text == "Доля"
    trend = age_k_trend_chart(age_k_trend(matrix, 1), k=1, labels={"age_k": "Месяц {k}"})
    assert [t.name for t in trend.data] == ["Месяц 1"]  # both age-1 cells are complete
    assert list(trend.data[0].y) == [0.5, 0.0]


def test_seasonality_and_nps_charts() -> None:
    days = [date(2023, m, 15) for m in range(1, 13)]
    orders = pl.DataFrame({"customer_id": ["a"] * 12, "ordered_at": days, "amount": [10.0] * 11 + [40.0]})
    fig = seasonality_chart(seasonality(orders, data_end=date(2023, 12, 31)), month_names=[f"M{i}" for i in range(1, 13)])
    assert list(fig.data[0].x)[0] == "M1" and list(fig.data[0].y)[-1] == 3.2
    assert fig.layout.shapes[0].y0 == 1.0
    survey = pl.DataFrame({"score": [10, 3, 9, 9], "answered_at": [date(2024, 1, 2)] * 2 + [date(2024, 2, 2)] * 2,
                           "region": ["n", "s", "n", None]})
    by_region = nps_trend_chart(nps_by_period(survey, segment="region"), segment="region", labels={"no_value": "—"})
    assert [t.name for t in by_region.data] == ["n", "s", "—"]
    assert list(by_region.data[0].y) == [100.0, 100.0]
    assert list(by_region.data[1].y) == [-100.0, None]
