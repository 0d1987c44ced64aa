"""Tests for retention_core.retention.compare: period/range comparisons and segment values side by side (SPEC §7.1)."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from retention_core.errors import ParameterError
from retention_core.retention.cohorts import cohort_matrix, retention_curve
from retention_core.retention.compare import (
    OTHER,
    compared_kpis,
    range_values,
    segment_period_metrics,
    segment_retention_curves,
    top_values,
)
from retention_core.retention.flows import period_metrics


def _orders(rows):
    return pl.DataFrame({
        "customer_id": [r[0] for r in rows],
        "ordered_at": [datetime(r[1].year, r[1].month, r[1].day, 10) for r in rows],
        "amount": [float(r[2]) for r in rows],
        "channel": [r[3] for r in rows],
    })


# web: a (Jan, Feb, Mar), b (Jan, Mar) · shop: c (Jan, Feb), d (Feb) · app: e (Mar)
ORDERS = _orders([
    ("a", date(2024, 1, 3), 10, "web"), ("b", date(2024, 1, 4), 20, "web"), ("c", date(2024, 1, 5), 30, "shop"),
    ("a", date(2024, 2, 3), 11, "web"), ("c", date(2024, 2, 9), 31, "shop"), ("d", date(2024, 2, 10), 5, "shop"),
    ("a", date(2024, 3, 3), 12, "web"), ("b", date(2024, 3, 4), 21, "web"), ("e", date(2024, 3, 31), 7, "app"),
])


def test_custom_ranges_pool_ratios_and_add_flows():
    # Feb: S {a,b,c} 3, E {a,c,d} 3, N {d} ⇒ E−N 2. Mar: S {a,c,d} 3, E {a,b,e} 3, N {e} ⇒ E−N 2.
    metrics = period_metrics(ORDERS)
    got = range_values(metrics, ["crr", "churn_rate", "revenue", "new_customers", "customers_end", "nrr"],
                       start=date(2024, 2, 1), end=date(2024, 3, 31))
    # churned: Feb b; Mar c, d ⇒ 3 / 6 · revenue 47 + 40 · new 1 + 1 · E (3 + 3) / 2 · nrr not poolable
    assert got == {"crr": 4 / 6, "churn_rate": 0.5, "revenue": 87.0, "new_customers": 2.0, "customers_end": 3.0,
                   "nrr": None}
    jan, feb_mar = compared_kpis(metrics, ["revenue", "crr"], basis="custom", current=(date(2024, 2, 1), date(2024, 3, 31)),
                                 baseline=(date(2024, 1, 1), date(2024, 1, 31)))
    assert (jan.value, jan.previous, jan.change) == (87.0, 60.0, pytest.approx(27 / 60))
    assert feb_mar.previous is None and feb_mar.change is None  # January has S = 0: no CRR to compare with
    with pytest.raises(ParameterError, match="baseline"):
        compared_kpis(metrics, ["crr"], basis="custom", current=(date(2024, 2, 1), date(2024, 3, 31)))


def test_same_period_last_year_takes_the_period_holding_that_day():
    t = pl.DataFrame({"period_start": [date(2023, 1, 2), date(2023, 1, 9), date(2024, 1, 1), date(2024, 1, 8)],
                      "revenue": [5.0, 7.0, 8.0, 14.0], "incomplete": [False] * 4})
    (kpi,) = compared_kpis(t, ["revenue"], basis="last_year")
    # the week of 8 Jan 2024 vs the week holding 8 Jan 2023 (starting 2 Jan 2023)
    assert (kpi.period_start, kpi.value, kpi.previous, kpi.change) == (date(2024, 1, 8), 14.0, 5.0, pytest.approx(1.8))
    (short,) = compared_kpis(t.tail(2), ["revenue"], basis="last_year")
    assert short.previous is None and short.change is None


def test_segment_values_each_get_their_own_period_metrics():
    assert top_values(ORDERS, "channel", top=2) == ["shop", "web"]  # 2 customers each, then by name; app has 1
    got = segment_period_metrics(ORDERS, segment="channel", top=2)
    assert got["segment_value"].unique(maintain_order=True).to_list() == ["shop", "web", OTHER]
    web = period_metrics(ORDERS.filter(pl.col("channel") == "web"), data_end=date(2024, 3, 31))
    assert_frame_equal(got.filter(pl.col("segment_value") == "web").drop("segment_value"), web)
    other = got.filter(pl.col("segment_value") == OTHER)
    # e, the only app customer, is new in March; a group's rows start at its first period
    assert other.select("period_start", "new_customers").rows() == [(date(2024, 3, 1), 1)]
    # each customer buys in one channel here, so the groups' new customers add up to the whole
    assert got["new_customers"].sum() == period_metrics(ORDERS)["new_customers"].sum()


def test_segment_cohort_curves_are_the_curve_of_each_value():
    got = segment_retention_curves(ORDERS, segment="channel", top=3)
    web = retention_curve(cohort_matrix(ORDERS.filter(pl.col("channel") == "web"), data_end=date(2024, 3, 31)))
    assert_frame_equal(got.filter(pl.col("segment_value") == "web").drop("segment_value"), web)
    # web cohort Jan = a, b: Feb a (0.5), Mar a, b (1.0)
    assert got.filter(pl.col("segment_value") == "web")["value"].to_list() == [1.0, 0.5, 1.0]
    with pytest.raises(ParameterError, match="top"):
        segment_retention_curves(ORDERS, segment="channel", top=0)
