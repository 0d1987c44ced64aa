"""Historical LTV, formula LTV, key customers, Pareto curve and top share (SPEC §4.4)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, NotEnoughDataError, ParameterError
from retention_core.periods import period_index
from retention_core.value.ltv import (
    customer_revenue,
    formula_ltv,
    formula_ltv_from_periods,
    historical_ltv,
    key_customers,
    ltv_quantiles,
    pareto_curve,
    top_share,
)


def _orders(rows: list[tuple[str, datetime, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"customer_id": pl.String, "ordered_at": pl.Datetime("us"), "amount": pl.Float64},
        orient="row",
    )


ORDERS = _orders(
    [
        ("a", datetime(2024, 1, 3), 100.0),
        ("a", datetime(2024, 1, 3, 15), 20.0),  # same day: 2 orders, 1 purchase day
        ("a", datetime(2024, 3, 9), 60.0),
        ("a", datetime(2024, 3, 20), -30.0),  # refund: nets revenue, not an order
        ("b", datetime(2024, 1, 28), 50.0),
        ("c", datetime(2024, 2, 14), 0.0),  # a zero-amount order is an order
        ("c", datetime(2024, 2, 20), 40.0),
        ("d", datetime(2024, 2, 2), -5.0),  # refund only: not a customer
    ]
)


def test_customer_revenue_golden() -> None:
    want = pl.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "first_order": [date(2024, 1, 3), date(2024, 1, 28), date(2024, 2, 14)],
            "last_order": [date(2024, 3, 9), date(2024, 1, 28), date(2024, 2, 20)],
            "orders": [3, 1, 2],
            "purchase_days": [2, 1, 2],
            "revenue": [150.0, 50.0, 40.0],  # a: 100 + 20 + 60 − 30
        }
    )
    assert_frame_equal(customer_revenue(ORDERS), want)
    # Cut at Feb 15: a keeps Jan only (120), c has its zero order, b unchanged.
    cut = customer_revenue(ORDERS, as_of=date(2024, 2, 15))
    assert cut.select("customer_id", "orders", "revenue").rows() == [
        ("a", 2, 120.0),
        ("b", 1, 50.0),
        ("c", 1, 0.0),
    ]


def test_historical_ltv_golden() -> None:
    # Months: Jan = 0 … Mar = 2. Cohorts: Jan {a, b}, Feb {c} (d has no order).
    # Jan cohort: Jan revenue 120 + 50 = 170; Feb 0; Mar 60 − 30 = 30 ⇒ cumulative 170, 170, 200;
    #   LTV 85, 85, 100. Feb cohort: Feb 0 + 40 = 40, Mar 0 ⇒ LTV 40, 40.
    got = historical_ltv(ORDERS, grain="month")
    want = pl.DataFrame(
        {
            "cohort": [date(2024, 1, 1)] * 3 + [date(2024, 2, 1)] * 2,
            "age": pl.Series([0, 1, 2, 0, 1], dtype=pl.Int32),
            "customers": [2, 2, 2, 1, 1],
            "revenue": [170.0, 0.0, 30.0, 40.0, 0.0],
            "cumulative_revenue": [170.0, 170.0, 200.0, 40.0, 40.0],
            "ltv": [85.0, 85.0, 100.0, 40.0, 40.0],
        }
    )
    assert_frame_equal(got, want)


def test_historical_ltv_weekly_and_errors() -> None:
    got = historical_ltv(ORDERS, grain="week")
    assert got.get_column("cohort").min() == date(2024, 1, 1)  # the Monday of Jan 3
    with pytest.raises(ParameterError, match="grain='fortnight'"):
        historical_ltv(ORDERS, grain="fortnight")  # type: ignore[arg-type]
    with pytest.raises(ColumnNotFoundError, match='"ordered_at" not found'):
        historical_ltv(ORDERS.drop("ordered_at"))


_row = st.tuples(
    st.sampled_from(["a", "b", "c", "d", "e"]),
    st.integers(0, 200).map(lambda d: datetime(2024, 1, 1) + timedelta(days=d)),
    st.sampled_from([-20.0, 0.0, 5.0, 12.5, 40.0]),
)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(_row, min_size=1, max_size=30), st.sampled_from(["week", "month", "quarter"]))
def test_final_ltv_times_cohort_size_adds_up_to_revenue(rows, grain) -> None:
    orders = _orders(rows)
    ltv = historical_ltv(orders, grain=grain)
    if ltv.height == 0:
        assert customer_revenue(orders).height == 0
        return
    last = ltv.group_by("cohort").agg(pl.col("ltv").last(), pl.col("customers").first(), pl.col("age").max())
    # Revenue from a customer's first order on (refunds before it have no age).
    first = (
        orders.filter(pl.col("amount") >= 0)
        .group_by("customer_id")
        .agg(pl.col("ordered_at").min().alias("f"))
    )
    joined = orders.join(first, on="customer_id")
    after = joined.filter(period_index(pl.col("ordered_at"), grain) >= period_index(pl.col("f"), grain))
    assert (last["ltv"] * last["customers"]).sum() == pytest.approx(after["amount"].sum(), abs=1e-9)
    assert last["customers"].sum() == customer_revenue(orders).height
    # Every cohort runs to the last period in the data; ages are consecutive from 0.
    counts = ltv.group_by("cohort").agg(pl.len().alias("n"), pl.col("age").max().alias("m"))
    assert (counts["n"] == counts["m"] + 1).all()


def test_ltv_quantiles() -> None:
    got = dict(ltv_quantiles(ORDERS).rows())
    # Customer revenues 150, 50, 40.
    assert got["mean"] == pytest.approx(80.0)
    assert (got["median"], got["max"]) == (50.0, 150.0)
    assert got["p25"] == pytest.approx(45.0)  # linear between 40 and 50
    empty = dict(ltv_quantiles(ORDERS.clear()).rows())
    assert empty["mean"] is None


def test_formula_ltv() -> None:
    assert formula_ltv(50.0, 1.2, 0.04) == pytest.approx(1500.0)
    assert formula_ltv(50.0, 1.2, 0.04, margin=0.25) == pytest.approx(375.0)
    assert formula_ltv(50.0, 1.2, 1.0) == pytest.approx(60.0)  # everyone leaves after one month
    assert formula_ltv(50.0, 1.2, 0.0) is None  # no churn ⇒ unbounded lifetime ⇒ null
    assert formula_ltv(None, 1.2, 0.05) is None
    with pytest.raises(ParameterError, match="monthly_churn_rate=1.5"):
        formula_ltv(50.0, 1.2, 1.5)
    with pytest.raises(ParameterError, match="margin=0"):
        formula_ltv(50.0, 1.2, 0.1, margin=0)
    with pytest.raises(ParameterError, match="purchases_per_month=-1"):
        formula_ltv(50.0, -1, 0.1)


PERIODS = pl.DataFrame(
    {
        "period_start": [date(2024, m, 1) for m in (1, 2, 3, 4, 5)],
        "aov": [30.0, 40.0, 50.0, 60.0, 10.0],
        "purchase_frequency": [1.0, 1.1, 1.3, 1.5, 0.2],
        "churn_rate": [None, 0.02, 0.04, 0.06, 0.9],
        "incomplete": [False, False, False, False, True],
    }
)


def test_formula_ltv_from_recent_complete_months() -> None:
    # May is incomplete, January has no churn. Last 2 complete months: Mar, Apr.
    # AOV 55, frequency 1.4, churn 0.05 ⇒ 55 × 1.4 / 0.05 = 1540, lifetime 20 months.
    got = formula_ltv_from_periods(PERIODS.reverse(), months=2)
    assert got.months == (date(2024, 3, 1), date(2024, 4, 1))
    assert (got.aov, got.purchase_frequency) == pytest.approx((55.0, 1.4))
    assert got.churn_rate == pytest.approx(0.05)
    assert got.lifetime_months == pytest.approx(20.0)
    assert got.ltv == pytest.approx(1540.0)
    # Asking for more months than exist uses all three complete ones: AOV 50, freq 1.3, churn 0.04.
    assert formula_ltv_from_periods(PERIODS, months=12, margin=0.5).ltv == pytest.approx(
        50 * 1.3 / 0.04 * 0.5
    )


def test_formula_ltv_from_periods_errors_and_zero_churn() -> None:
    zero = PERIODS.with_columns(pl.lit(0.0).alias("churn_rate"))
    got = formula_ltv_from_periods(zero)
    assert (got.ltv, got.lifetime_months) == (None, None)
    with pytest.raises(ColumnNotFoundError, match='"churn_rate" not found'):
        formula_ltv_from_periods(PERIODS.drop("churn_rate"))
    with pytest.raises(NotEnoughDataError, match="complete month"):
        formula_ltv_from_periods(PERIODS.head(1))
    with pytest.raises(ParameterError, match="months=0"):
        formula_ltv_from_periods(PERIODS, months=0)


def test_key_customers_and_shares() -> None:
    orders = _orders(
        [
            ("a", datetime(2024, 1, 1), 30.0),
            ("b", datetime(2024, 1, 1), 50.0),
            ("c", datetime(2024, 1, 1), 30.0),  # ties with a: broken by id
            ("d", datetime(2024, 1, 1), -10.0),
            ("d", datetime(2024, 1, 1), 0.0),  # d: a customer with net revenue −10
        ]
    )
    got = key_customers(orders)
    # Total 100: b 0.5, a 0.3 (cum 0.8), c 0.3 (cum 1.1), d −0.1 (cum 1.0).
    assert got.select("customer_id", "rank").rows() == [("b", 1), ("a", 2), ("c", 3), ("d", 4)]
    assert got.get_column("cumulative_share").to_list() == pytest.approx([0.5, 0.8, 1.1, 1.0])
    assert pareto_curve(orders).get_column("revenue_share").to_list() == pytest.approx(
        [0.0, 0.5, 0.8, 1.1, 1.0]
    )


def test_pareto_curve_and_top_share_golden() -> None:
    # Five customers: 50, 20, 15, 10, 5 (total 100).
    orders = _orders(
        [(c, datetime(2024, 1, 1), v) for c, v in zip("abcde", [5.0, 10.0, 50.0, 20.0, 15.0], strict=True)]
    )
    curve = pareto_curve(orders)
    assert curve.get_column("customer_share").to_list() == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert curve.get_column("revenue_share").to_list() == pytest.approx([0.0, 0.5, 0.7, 0.85, 0.95, 1.0])
    assert top_share(orders, top=0.2) == pytest.approx(0.5)
    assert top_share(orders, top=0.1) == pytest.approx(0.25)  # halfway to the first customer
    assert top_share(orders, top=0.5) == pytest.approx(0.775)  # between 0.7 and 0.85
    assert (top_share(orders, top=0.0), top_share(orders, top=1.0)) == (0.0, pytest.approx(1.0))
    with pytest.raises(ParameterError, match="top=1.5"):
        top_share(orders, top=1.5)


def test_shares_are_null_without_positive_revenue() -> None:
    orders = _orders([("a", datetime(2024, 1, 1), 0.0), ("a", datetime(2024, 1, 2), -3.0)])
    assert key_customers(orders).get_column("revenue_share").to_list() == [None]
    assert pareto_curve(orders).get_column("revenue_share").to_list() == [None, None]
    assert top_share(orders) is None
    assert top_share(orders.clear()) is None
    assert pareto_curve(orders.clear()).rows() == [(0, 0.0, None)]


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.floats(0.0, 1000.0), min_size=1, max_size=40), st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_top_share_is_monotone_and_at_least_proportional(values, x1, x2) -> None:
    orders = _orders([(f"c{i}", datetime(2024, 1, 1), v) for i, v in enumerate(values)])
    lo, hi = sorted((x1, x2))
    a, b = top_share(orders, top=lo), top_share(orders, top=hi)
    if sum(values) <= 0:
        assert a is None and b is None
        return
    assert a <= b + 1e-12
    assert b >= hi - 1e-9  # the top x % never bring less than x % of revenue
