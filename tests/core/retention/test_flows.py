"""Tests for retention_core.retention.flows (SPEC §4.1, §8 metrics, §9)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.periods import GRAINS, period_index
from retention_core.retention.flows import (
    METRIC_COLUMNS,
    ORDER_EXTRA_COLUMNS,
    customer_periods,
    period_metrics,
)


def _orders(rows: list[tuple[str, date, float]], **segments: list[str]) -> pl.DataFrame:
    """Canonical orders frame from (customer, day, amount) tuples (ordered_at as Datetime at noon)."""
    return pl.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "ordered_at": [datetime(r[1].year, r[1].month, r[1].day, 12) for r in rows],
            "amount": [float(r[2]) for r in rows],
            **segments,
        },
        schema_overrides={"ordered_at": pl.Datetime("us")},
    )


# a: Jan 10, Feb 20, Apr 30 · b: Jan 40 + a zero-amount order, refund −5 in Mar · c: Feb 50, Mar 60
# d: a refund (−8) only, never active · e: Apr 70 (last order Apr 10 ⇒ April incomplete)
GOLDEN = _orders(
    [
        ("a", date(2024, 1, 10), 10),
        ("b", date(2024, 1, 15), 40),
        ("b", date(2024, 1, 20), 0),
        ("a", date(2024, 2, 5), 20),
        ("c", date(2024, 2, 10), 50),
        ("b", date(2024, 3, 3), -5),
        ("c", date(2024, 3, 12), 60),
        ("d", date(2024, 3, 20), -8),
        ("a", date(2024, 4, 1), 30),
        ("e", date(2024, 4, 10), 70),
    ]
)

_SCHEMA = {
    "period_start": pl.Date,
    **{k: pl.Int64 for k in ("customers_start", "new_customers", "customers_end", "retained", "reactivated")},
    "churned": pl.Int64,
    "churned_new": pl.Int64,
    **{k: pl.Float64 for k in ("crr", "retention_rate", "churn_rate", "total_churn_rate", "revenue")},
    "orders": pl.Int64,
    **{k: pl.Float64 for k in ("aov", "arpu", "repeat_revenue_share", "revenue_churn_rate", "nrr")},
    "incomplete": pl.Boolean,
    **{k: pl.Float64 for k in ORDER_EXTRA_COLUMNS},
}


NEW_FLOW = ("reactivation_share", "lapsed", "reactivation_rate")


def _expected(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


def _old(result: pl.DataFrame) -> pl.DataFrame:
    """The columns the golden tables above were written for (the lapsed/reactivation columns have their own)."""
    return result.select(list(_SCHEMA))


def test_golden_month_window_1() -> None:
    # Jan: S=0, E={a,b}, N={a,b}; revenue 10+40+0 = 50 over 3 orders (the zero-amount order counts).
    # Feb: S={a,b}, E={a,c}, N={c}; retained {a}, churned {b}; CRR (2−1)/2; revenue 70;
    #      repeat share (70−50)/70; revenue churn = b's Jan 40 / S's Jan 50; NRR = a's Feb 20 / 50.
    # Mar: S={a,c}, E={c}; churned {a}; revenue −5+60−8 = 47 (refunds net, one order);
    #      revenue churn = a's Feb 20 / 70; NRR = (c 60 + a 0) / 70.
    # Apr: S={c}, E={a,e}, N={e}; a is reactivated, c churned; CRR (2−1)/1; NRR 0/60.
    expected = _expected(
        [
            (date(2024, 1, 1), 0, 2, 2, 0, 0, 0, None, None, None, None, None, 50.0, 3,
             50 / 3, 25.0, 0.0, None, None, False, 1.5, 50 / 3, None),
            (date(2024, 2, 1), 2, 1, 2, 1, 0, 1, None, 0.5, 0.5, 0.5, None, 70.0, 2,
             35.0, 35.0, 20 / 70, 0.8, 0.4, False, 1.0, 50.0, 20.0),
            (date(2024, 3, 1), 2, 0, 1, 1, 0, 1, None, 0.5, 0.5, 0.5, None, 47.0, 1,
             47.0, 47.0, 1.0, 20 / 70, 60 / 70, False, 1.0, None, 47.0),
            (date(2024, 4, 1), 1, 1, 2, 0, 1, 1, None, 1.0, 0.0, 1.0, None, 100.0, 2,
             50.0, 50.0, 0.3, 1.0, 0.0, True, 1.0, 70.0, 30.0),
        ]
    )
    result = period_metrics(GOLDEN)
    assert result.columns == list(METRIC_COLUMNS + ORDER_EXTRA_COLUMNS)
    assert_frame_equal(_old(result), expected)


def test_golden_month_window_2() -> None:
    # active(p) = an order in p or p−1: Jan {a,b}, Feb {a,b,c}, Mar {a,c}, Apr {a,c,e}.
    # Feb: S={a,b}, E={a,b,c}, N={c} ⇒ retained 2, CRR (3−1)/2; NRR = (a 20 + b 0) / 50.
    # Mar: S={a,b,c}, E={a,c} ⇒ churned {b}; revenue churn = b's Feb 0 / S's Feb 70;
    #      NRR = (a 0 + b −5 refund + c 60) / 70 — b is in S, so b's refund counts.
    # Apr: S={a,c}, E={a,c,e}, N={e} ⇒ nobody churned, CRR (3−1)/2; NRR = (a 30 + c 0) / (c 60).
    expected = _expected(
        [
            (date(2024, 1, 1), 0, 2, 2, 0, 0, 0, None, None, None, None, None, 50.0, 3,
             50 / 3, 25.0, 0.0, None, None, False, 1.5, 50 / 3, None),
            (date(2024, 2, 1), 2, 1, 3, 2, 0, 0, None, 1.0, 1.0, 0.0, None, 70.0, 2,
             35.0, 70 / 3, 20 / 70, 0.0, 0.4, False, 2 / 3, 50.0, 20.0),
            (date(2024, 3, 1), 3, 0, 2, 2, 0, 1, None, 2 / 3, 2 / 3, 1 / 3, None, 47.0, 1,
             47.0, 23.5, 1.0, 0.0, 55 / 70, False, 0.5, None, 47.0),
            (date(2024, 4, 1), 2, 1, 3, 2, 0, 0, None, 1.0, 1.0, 0.0, None, 100.0, 2,
             50.0, 100 / 3, 0.3, 0.0, 0.5, True, 2 / 3, 70.0, 30.0),
        ]
    )
    assert_frame_equal(_old(period_metrics(GOLDEN, window=2)), expected)


def test_golden_quarter() -> None:
    # Q1: a (2 orders, 30), b (2 orders, 40 − 5 = 35), c (2 orders, 110), d (refund −8, not active).
    # Repeat share Q1 = (167 − 175 from new customers) / 167: d's refund is money from a non-new customer.
    # Q2: a 30, e 70. S={a,b,c}, E={a,e}, N={e} ⇒ retained 1, churned 2, CRR (2−1)/3.
    # revenue churn = (b 35 + c 110) / (a 30 + b 35 + c 110); NRR = a's 30 / 175.
    result = _old(period_metrics(GOLDEN, grain="quarter"))
    expected = _expected(
        [
            (date(2024, 1, 1), 0, 3, 3, 0, 0, 0, None, None, None, None, None, 167.0, 6,
             167 / 6, 167 / 3, -8 / 167, None, None, False, 2.0, 175 / 6, None),
            (date(2024, 4, 1), 3, 1, 2, 1, 0, 2, None, 1 / 3, 1 / 3, 2 / 3, None, 100.0, 2,
             50.0, 50.0, 0.3, 145 / 175, 30 / 175, True, 1.0, 70.0, 30.0),
        ]
    )
    assert_frame_equal(result, expected)


def test_golden_lapsed_and_reactivation_month_window_1() -> None:
    # active (W=1): Jan {a,b}, Feb {a,c}, Mar {c}, Apr {a,e}; bought before: Feb {a,b}, Mar/Apr {a,b,c}.
    # lapsed: Jan 0 · Feb {b} · Mar {a,b} · Apr {b,c} (d never bought: refunds are not purchases).
    # Apr: a comes back ⇒ reactivated 1 of lapsed(Mar) = 2 ⇒ rate 0.5; share 1 / S(Apr)=1 ⇒ CRR 1 = 0 kept + 1 back.
    assert period_metrics(GOLDEN).select("reactivated", *NEW_FLOW).rows() == [
        (0, None, 0, None),
        (0, 0.0, 1, None),  # reactivated 0 over lapsed(Jan) = 0: null, not 0
        (0, 0.0, 2, 0.0),
        (1, 1.0, 2, 0.5),
    ]
    # W=2: active Jan {a,b}, Feb {a,b,c}, Mar {a,c}, Apr {a,c,e} ⇒ only b is lapsed, from March on.
    assert period_metrics(GOLDEN, window=2).select("reactivated", *NEW_FLOW).rows() == [
        (0, None, 0, None), (0, 0.0, 0, None), (0, 0.0, 1, None), (0, 0.0, 1, 0.0),
    ]


def test_golden_reactivation_with_a_two_month_window() -> None:
    # x: Jan, Apr · y: Jan, Feb, May · z: Feb. W = 2 months ⇒ active(p) = an order in p or p−1:
    #   Jan {x,y} · Feb {x,y,z} · Mar {y,z} · Apr {x} · May {x,y}
    # S: 0, 2, 3, 2, 1 · N: 2, 1, 0, 0, 0 · retained: –, 2, 2, 0, 1 · reactivated: 0, 0, 0, {x}, {y}
    # lapsed (bought before p, not active in p): 0, 0, {x}, {y,z}, {z}
    # reactivation_rate: Apr 1 / lapsed(Mar) 1 = 1.0 · May 1 / lapsed(Apr) 2 = 0.5
    # CRR = kept + came back: Feb 1 = 1 + 0 · Mar 2/3 = 2/3 + 0 · Apr 1/2 = 0 + 1/2 · May 2 = 1 + 1
    orders = _orders([("x", date(2024, 1, 5), 10), ("y", date(2024, 1, 9), 10), ("y", date(2024, 2, 2), 10),
                      ("z", date(2024, 2, 20), 10), ("x", date(2024, 4, 4), 10), ("y", date(2024, 5, 30), 10)])
    got = period_metrics(orders, window=2).select(
        "customers_start", "new_customers", "retained", "reactivated", "crr", "retention_rate", *NEW_FLOW)
    assert got.rows() == [
        (0, 2, 0, 0, None, None, None, 0, None),
        (2, 1, 2, 0, 1.0, 1.0, 0.0, 0, None),
        (3, 0, 2, 0, pytest.approx(2 / 3), pytest.approx(2 / 3), 0.0, 1, None),
        (2, 0, 0, 1, 0.5, 0.0, 0.5, 2, 1.0),
        (1, 0, 1, 1, 2.0, 1.0, 1.0, 1, 0.5),
    ]


def test_golden_week_and_day() -> None:
    # Mon 2024-01-01 … : a buys Mon W1 and Wed W2; b buys Sun W1 (still week 1) and nothing after.
    orders = _orders([("a", date(2024, 1, 1), 5), ("b", date(2024, 1, 7), 7), ("a", date(2024, 1, 10), 9)])
    weekly = period_metrics(orders, grain="week").select(
        "period_start", "customers_start", "customers_end", "retained", "churned", "crr", "revenue", "incomplete"
    )
    # W2: S={a,b}, E={a} ⇒ CRR (1−0)/2; the data ends Wed 10 Jan, inside W2 (Mon 8 … Sun 14).
    assert weekly.rows() == [
        (date(2024, 1, 1), 0, 2, 0, 0, None, 12.0, False),
        (date(2024, 1, 8), 2, 1, 1, 1, 0.5, 9.0, True),
    ]
    daily = period_metrics(orders, grain="day")
    # 10 days listed (1 … 10 Jan), empty days included; a day is never incomplete at its own end.
    assert daily.height == 10
    assert daily["customers_end"].to_list() == [1, 0, 0, 0, 0, 0, 1, 0, 0, 1]
    assert daily["customers_start"].to_list() == [0, 1, 0, 0, 0, 0, 0, 1, 0, 0]
    assert not daily["incomplete"].any()


def test_empty_periods_are_listed_with_null_ratios() -> None:
    # a buys in Jan and Apr only: Feb has S=1 (a churns), Mar has S=0 and E=0, Apr reactivates a.
    orders = _orders([("a", date(2024, 1, 31), 10), ("a", date(2024, 4, 30), 20)])
    result = period_metrics(orders).select(
        "period_start", "customers_start", "customers_end", "churned", "reactivated",
        "crr", "churn_rate", "revenue", "orders", "aov", "arpu", "repeat_revenue_share", "nrr",
    )
    assert result.rows() == [
        (date(2024, 1, 1), 0, 1, 0, 0, None, None, 10.0, 1, 10.0, 10.0, 0.0, None),
        (date(2024, 2, 1), 1, 0, 1, 0, 0.0, 1.0, 0.0, 0, None, None, None, 0.0),
        (date(2024, 3, 1), 0, 0, 0, 0, None, None, 0.0, 0, None, None, None, None),
        (date(2024, 4, 1), 0, 1, 0, 1, None, None, 20.0, 1, 20.0, 20.0, 1.0, None),
    ]


def test_one_customer_period_ratios() -> None:
    # S = 1 in Feb: the single customer stays ⇒ CRR 1, churn 0 (real zeros, not nulls).
    orders = _orders([("a", date(2024, 1, 3), 10), ("a", date(2024, 2, 3), 10)])
    row = period_metrics(orders).row(1, named=True)
    assert (row["crr"], row["retention_rate"], row["churn_rate"], row["nrr"]) == (1.0, 1.0, 0.0, 1.0)


def test_refund_only_period_is_not_activity() -> None:
    # a buys in Jan; in Feb a only gets a refund: a is churned in Feb, revenue −10, no orders.
    orders = _orders([("a", date(2024, 1, 3), 30), ("a", date(2024, 2, 3), -10)])
    row = period_metrics(orders).row(1, named=True)
    assert (row["customers_end"], row["churned"], row["orders"], row["revenue"]) == (0, 1, 0, -10.0)
    assert row["aov"] is None and row["arpu"] is None
    assert row["nrr"] == pytest.approx(-10 / 30)  # the refund is money lost from S


def test_data_end_extends_and_flags_periods() -> None:
    orders = _orders([("a", date(2024, 1, 31), 10)])
    result = period_metrics(orders, data_end=date(2024, 3, 15))
    # Jan complete, Feb complete (ends 29th ≤ 15 Mar), Mar incomplete; a churns in Feb.
    assert result.select("period_start", "churned", "incomplete").rows() == [
        (date(2024, 1, 1), 0, False),
        (date(2024, 2, 1), 1, False),
        (date(2024, 3, 1), 0, True),
    ]
    # a data end on the period's last day makes it complete
    assert period_metrics(orders, data_end=datetime(2024, 1, 31, 23, 0))["incomplete"].to_list() == [False]


def test_empty_orders_give_empty_table_with_schema() -> None:
    result = period_metrics(GOLDEN.clear())
    assert result.height == 0
    assert _old(result).schema == pl.Schema(_SCHEMA)
    assert result.select(NEW_FLOW).schema == pl.Schema({"reactivation_share": pl.Float64, "lapsed": pl.Int64,
                                                         "reactivation_rate": pl.Float64})


def test_input_not_mutated_and_date_column_accepted() -> None:
    before = GOLDEN.clone()
    as_dates = GOLDEN.with_columns(pl.col("ordered_at").cast(pl.Date))
    assert_frame_equal(period_metrics(as_dates), period_metrics(GOLDEN))
    assert_frame_equal(GOLDEN, before)


def test_customer_periods_contract() -> None:
    cp = customer_periods(GOLDEN).sort("customer_id", "period")
    assert cp.schema == pl.Schema(
        {"customer_id": pl.String, "period": pl.Int32, "orders": pl.Int64, "revenue": pl.Float64, "first_period": pl.Int32}
    )
    # b: Jan (2 orders incl. the zero one, 40), Mar (refund only) · d: refund only ⇒ no first period
    b = cp.filter(pl.col("customer_id") == "b").rows()
    assert b == [("b", 648, 2, 40.0, 648), ("b", 650, 0, -5.0, 648)]
    assert cp.filter(pl.col("customer_id") == "d").rows() == [("d", 650, 0, -8.0, None)]


def test_errors_name_the_problem() -> None:
    with pytest.raises(ColumnNotFoundError, match='"amount" not found.*did you mean "amout"'):
        period_metrics(GOLDEN.rename({"amount": "amout"}))
    with pytest.raises(ParameterError, match="grain='fortnight'.*day, week, month"):
        period_metrics(GOLDEN, grain="fortnight")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="window=0 is not allowed"):
        period_metrics(GOLDEN, window=0)


# ---------------------------------------------------------------------------------------------
# Properties against an independent, set-based reference implementation (Python loops are fine
# in a test: this is the slow obvious version of SPEC §4.1).


def _reference(orders: pl.DataFrame, grain: str, window: int) -> dict[int, dict[str, float | int]]:
    idx = orders.select(period_index(pl.col("ordered_at"), grain)).to_series().to_list()  # type: ignore[arg-type]
    rows = list(zip(orders["customer_id"].to_list(), idx, orders["amount"].to_list(), strict=True))
    first: dict[str, int] = {}
    for c, p, a in rows:
        if a >= 0:
            first[c] = min(first.get(c, p), p)
    ordered = defaultdict(set)
    money: dict[tuple[str, int], float] = defaultdict(float)
    for c, p, a in rows:
        money[c, p] += a
        if a >= 0:
            ordered[p].add(c)
    lo, hi = min(idx), max(idx)

    def active(p: int) -> set[str]:
        return set().union(*(ordered[q] for q in range(p - window + 1, p + 1)))

    out = {}
    for p in range(lo, hi + 1):
        s, e = (active(p - 1) if p > lo else set()), active(p)
        n = {c for c, f in first.items() if f == p}
        rev = sum(a for c, q, a in rows if q == p)
        out[p] = {
            "customers_start": len(s), "customers_end": len(e), "new_customers": len(n),
            "retained": len(s & e), "churned": len(s - e), "reactivated": len(e - s - n),
            "revenue": rev, "orders": sum(1 for c, q, a in rows if q == p and a >= 0),
            "revenue_start_now": sum(money[c, p] for c in s),
            "revenue_start_prev": sum(money[c, p - 1] for c in s),
            "revenue_churned_prev": sum(money[c, p - 1] for c in s - e),
            "revenue_new": sum(money[c, p] for c in n),
            "lapsed": len({c for c, f in first.items() if f < p} - e),
        }
    return out


_customers = st.sampled_from(["a", "b", "c", "d", "e", "f"])
_days = st.integers(0, 400).map(lambda k: date(2023, 11, 1) + timedelta(days=k))
_amounts = st.sampled_from([-7.0, 0.0, 3.0, 10.0, 25.5])
_order_rows = st.lists(st.tuples(_customers, _days, _amounts), min_size=1, max_size=25)


@settings(max_examples=80, derandomize=True, deadline=None)
@given(rows=_order_rows, grain=st.sampled_from(["day", "week", "month", "quarter"]), window=st.integers(1, 3))
def test_matches_set_reference(rows, grain, window) -> None:
    orders = _orders(rows)
    result = period_metrics(orders, grain=grain, window=window)
    ref = _reference(orders, grain, window)
    assert result.height == len(ref)
    for got, (p, want) in zip(result.iter_rows(named=True), sorted(ref.items()), strict=True):
        for key in ("customers_start", "customers_end", "new_customers", "retained", "churned", "reactivated", "orders",
                    "lapsed"):
            assert got[key] == want[key], (p, key)
        lapsed_before = ref[p - 1]["lapsed"] if p - 1 in ref else 0
        assert got["reactivation_rate"] == (None if lapsed_before == 0 else pytest.approx(want["reactivated"] / lapsed_before))
        assert got["reactivation_share"] == (
            None if want["customers_start"] == 0 else pytest.approx(want["reactivated"] / want["customers_start"]))
        assert got["revenue"] == pytest.approx(want["revenue"])
        s, e, n = want["customers_start"], want["customers_end"], want["new_customers"]
        assert got["crr"] == (None if s == 0 else pytest.approx((e - n) / s))
        assert got["nrr"] == (
            None if want["revenue_start_prev"] == 0 else pytest.approx(want["revenue_start_now"] / want["revenue_start_prev"])
        )
        assert got["revenue_churn_rate"] == (
            None
            if want["revenue_start_prev"] == 0
            else pytest.approx(want["revenue_churned_prev"] / want["revenue_start_prev"])
        )
        rev_new = want["revenue_new"]
        assert got["repeat_revenue_share"] == (
            None if want["revenue"] == 0 else pytest.approx((want["revenue"] - rev_new) / want["revenue"])
        )


@settings(max_examples=60, derandomize=True, deadline=None)
@given(rows=_order_rows, grain=st.sampled_from(GRAINS), window=st.integers(1, 3))
def test_flow_identities(rows, grain, window) -> None:
    result = period_metrics(_orders(rows), grain=grain, window=window)
    s, e = result["customers_start"], result["customers_end"]
    assert (result["retained"] + result["churned"] == s).all()
    assert (e == result["retained"] + result["reactivated"] + result["new_customers"]).all()
    assert s.to_list()[1:] == e.to_list()[:-1]  # customers at the end of p = at the start of p+1
    with_s = result.filter(pl.col("customers_start") > 0)
    assert ((with_s["retention_rate"] + with_s["churn_rate"] - 1).abs() < 1e-12).all()
    # SPEC §4.1: CRR = retention_rate + reactivation_share ("CRR 96 % = 71 % kept + 25 % came back")
    assert ((with_s["crr"] - with_s["retention_rate"] - with_s["reactivation_share"]).abs() < 1e-12).all()
    assert result.filter(pl.col("customers_start") == 0)["reactivation_share"].null_count() == (
        result.height - with_s.height)
    # every reactivated customer was lapsed the period before; lapsed + active = everyone who ever bought
    rate = result["reactivation_rate"].drop_nulls()
    assert ((rate >= 0) & (rate <= 1)).all()
    ever = result["new_customers"].cum_sum()
    assert (result["lapsed"] + result["customers_end"] == ever).all()
    assert result.filter(pl.col("customers_start") == 0)["crr"].null_count() == result.filter(
        pl.col("customers_start") == 0
    ).height
    assert result["new_customers"].sum() == len({c for c, _, a in rows if a >= 0})
    assert result["revenue"].sum() == pytest.approx(sum(a for _, _, a in rows))


@settings(max_examples=50, derandomize=True, deadline=None)
@given(rows=_order_rows, seed=st.integers(0, 10_000))
def test_row_order_is_irrelevant(rows, seed) -> None:
    orders = _orders(rows)
    assert_frame_equal(period_metrics(orders, window=2), period_metrics(orders.sample(fraction=1.0, shuffle=True, seed=seed), window=2))


@settings(max_examples=50, derandomize=True, deadline=None)
@given(rows=_order_rows, in_segment=st.sets(_customers))
def test_segment_and_complement_partition_customers_and_money(rows, in_segment) -> None:
    # Segment assigned per customer (e.g. region): every count splits exactly between the two parts.
    orders = _orders(rows, region=["north" if c in in_segment else "south" for c, _, _ in rows])
    end = orders["ordered_at"].max().date()  # type: ignore[union-attr]
    keys = ["customers_start", "new_customers", "customers_end", "retained", "reactivated", "churned", "orders", "revenue"]
    whole = period_metrics(orders, data_end=end).select("period_start", *keys)
    parts = [
        period_metrics(orders.filter(pl.col("region") == r), data_end=end).select("period_start", *keys)
        for r in ("north", "south")
    ]
    summed = pl.concat(parts).group_by("period_start").agg(pl.col(keys).sum())
    joined = whole.join(summed, on="period_start", how="left", suffix="_parts").fill_null(0)
    for key in keys:
        assert (joined[key] - joined[f"{key}_parts"]).abs().max() < 1e-9, key  # type: ignore[operator]


def _random_orders(n: int = 3000, seed: int = 11) -> pl.DataFrame:
    import numpy as np

    rng = np.random.default_rng(seed)
    return pl.DataFrame({
        "customer_id": [f"c{i}" for i in rng.integers(0, 80, n)],
        "ordered_at": [datetime(2024, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 500, n)],
        "amount": rng.choice([-5.0, 0.0, 20.0, 35.5], n),
    })


# --- the compact table made once and shared (metrics.compact → period_metrics / cohort_matrix) ---------------


@pytest.mark.parametrize("grain", ["week", "month", "quarter"])
def test_a_shared_compact_table_gives_the_same_numbers(grain):
    from retention_core.retention.cohorts import cohort_matrix
    from retention_core.retention.flows import compact

    orders = _random_orders()
    periods = compact(orders, grain=grain)
    for window in (1, 2):
        assert_frame_equal(period_metrics(orders, grain=grain, window=window, periods=periods),
                           period_metrics(orders, grain=grain, window=window))
    for value, mode in (("customers", "on"), ("customers", "unbounded"), ("revenue", "on"), ("ltv", "on")):
        assert_frame_equal(cohort_matrix(orders, grain=grain, value=value, mode=mode, periods=periods),
                           cohort_matrix(orders, grain=grain, value=value, mode=mode))


def test_a_compact_table_of_another_grain_is_refused():
    from retention_core.errors import ParameterError
    from retention_core.retention.cohorts import cohort_matrix
    from retention_core.retention.flows import compact

    orders = _random_orders()
    weekly = compact(orders, grain="week")
    with pytest.raises(ParameterError, match="grain='month'"):
        period_metrics(orders, grain="month", periods=weekly)
    with pytest.raises(ParameterError, match="grain='month'"):
        cohort_matrix(orders, grain="month", periods=weekly)
