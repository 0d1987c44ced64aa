"""customer_summary (SPEC §4.4): purchase days, frequency/recency/T/monetary, holdout columns."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.value.clv import customer_summary

CAL = date(2024, 1, 31)


def _orders(rows: list[tuple[str, datetime, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"customer_id": pl.String, "ordered_at": pl.Datetime("us"), "amount": pl.Float64},
        orient="row",
    )


def _core(summary: pl.DataFrame) -> pl.DataFrame:
    return summary.select("customer_id", "frequency", "recency", "T", "monetary_value").sort("customer_id")


def test_golden_summary_in_days() -> None:
    # a: Jan 1 (10 + 5, same day ⇒ one purchase), Jan 11 (20), Jan 31 23:59 (30, on the calibration
    #    end ⇒ inside, inclusive). Purchase days 1, 11, 31 ⇒ x = 2, t_x = 30, T = 30,
    #    m̄ = (20 + 30) / 2 = 25 (first day's 15 excluded).
    # b: one order Jan 21 ⇒ x = 0, t_x = 0, T = 10, m̄ null.
    # c: Jan 5 and Feb 1 ⇒ Feb 1 is after the calibration end ⇒ x = 0, T = 26.
    # d: first order Feb 2 ⇒ not a calibration customer at all.
    orders = _orders(
        [
            ("a", datetime(2024, 1, 1, 9), 10.0),
            ("a", datetime(2024, 1, 1, 20), 5.0),
            ("a", datetime(2024, 1, 11), 20.0),
            ("a", datetime(2024, 1, 31, 23, 59), 30.0),
            ("b", datetime(2024, 1, 21), 8.0),
            ("c", datetime(2024, 1, 5), 12.0),
            ("c", datetime(2024, 2, 1), 12.0),
            ("d", datetime(2024, 2, 2), 99.0),
        ]
    )
    got = customer_summary(orders, calibration_end=CAL, time_unit="day")
    want = pl.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "frequency": [2, 0, 0],
            "recency": [30.0, 0.0, 0.0],
            "T": [30.0, 10.0, 26.0],
            "monetary_value": [25.0, None, None],
        }
    )
    assert_frame_equal(_core(got), want)
    row_a = got.filter(pl.col("customer_id") == "a").row(0, named=True)
    assert (row_a["first_purchase"], row_a["last_purchase"]) == (date(2024, 1, 1), date(2024, 1, 31))


@pytest.mark.parametrize(
    ("unit", "divisor"),
    [("day", 1.0), ("week", 7.0), ("month", 30.4375)],
)
def test_time_units_are_fractions_of_days(unit: str, divisor: float) -> None:
    # Purchases on Jan 1 and Jan 15, calibration end Jan 31: t_x = 14 days, T = 30 days.
    orders = _orders([("a", datetime(2024, 1, 1), 1.0), ("a", datetime(2024, 1, 15), 2.0)])
    row = customer_summary(orders, calibration_end=CAL, time_unit=unit).row(0, named=True)
    assert row["recency"] == pytest.approx(14 / divisor, rel=1e-15)
    assert row["T"] == pytest.approx(30 / divisor, rel=1e-15)


def test_refund_rules() -> None:
    # a: Jan 1 buys 40; Jan 10 buys 30 and refunds 10 the same day (net 20); Jan 20 only a refund
    #    (−40, not a purchase day, ignored) ⇒ x = 1, t_x = 9, m̄ = 20.
    # b: Jan 1 buys 10; Jan 5 buys 5 and refunds 25 the same day ⇒ x = 1, m̄ = −20 (kept here;
    #    Gamma-Gamma leaves such customers out).
    # c: only a refund ⇒ not a customer. A zero-amount order is an order: e has x = 1, m̄ = 0.
    orders = _orders(
        [
            ("a", datetime(2024, 1, 1), 40.0),
            ("a", datetime(2024, 1, 10, 10), 30.0),
            ("a", datetime(2024, 1, 10, 18), -10.0),
            ("a", datetime(2024, 1, 20), -40.0),
            ("b", datetime(2024, 1, 1), 10.0),
            ("b", datetime(2024, 1, 5), 5.0),
            ("b", datetime(2024, 1, 5), -25.0),
            ("c", datetime(2024, 1, 3), -7.0),
            ("e", datetime(2024, 1, 2), 3.0),
            ("e", datetime(2024, 1, 3), 0.0),
        ]
    )
    got = customer_summary(orders, calibration_end=CAL, time_unit="day")
    want = pl.DataFrame(
        {
            "customer_id": ["a", "b", "e"],
            "frequency": [1, 1, 1],
            "recency": [9.0, 4.0, 1.0],
            "T": [30.0, 30.0, 29.0],
            "monetary_value": [20.0, -20.0, 0.0],
        }
    )
    assert_frame_equal(_core(got), want)


def test_holdout_columns() -> None:
    # Calibration to Jan 31, holdout to Feb 29 (29 days = 29/7 weeks).
    # a: Jan 1, Jan 8 | Feb 1 (10), Feb 1 (5, same day), Feb 20 (30), Mar 1 (after holdout, ignored)
    #    ⇒ x = 1 | frequency_holdout = 2, monetary_value_holdout = (15 + 30) / 2 = 22.5.
    # b: Jan 31 only ⇒ frequency_holdout = 0, monetary_value_holdout null.
    # c: first order Feb 3 (in holdout) ⇒ not in the summary.
    orders = _orders(
        [
            ("a", datetime(2024, 1, 1), 1.0),
            ("a", datetime(2024, 1, 8), 1.0),
            ("a", datetime(2024, 2, 1), 10.0),
            ("a", datetime(2024, 2, 1, 12), 5.0),
            ("a", datetime(2024, 2, 20), 30.0),
            ("a", datetime(2024, 3, 1), 99.0),
            ("b", datetime(2024, 1, 31), 4.0),
            ("c", datetime(2024, 2, 3), 4.0),
        ]
    )
    got = customer_summary(orders, calibration_end=CAL, holdout_end=date(2024, 2, 29)).sort("customer_id")
    assert got.get_column("customer_id").to_list() == ["a", "b"]
    assert got.get_column("frequency").to_list() == [1, 0]
    assert got.get_column("frequency_holdout").to_list() == [2, 0]
    assert got.get_column("monetary_value_holdout").to_list() == [22.5, None]
    assert got.get_column("duration_holdout").to_list() == pytest.approx([29 / 7, 29 / 7])
    assert got.schema["frequency_holdout"] == pl.Int64


def test_without_holdout_end_there_are_no_holdout_columns() -> None:
    orders = _orders([("a", datetime(2024, 1, 1), 1.0), ("a", datetime(2024, 3, 1), 1.0)])
    got = customer_summary(orders, calibration_end=CAL)
    assert got.columns == [
        "customer_id",
        "first_purchase",
        "last_purchase",
        "frequency",
        "recency",
        "T",
        "monetary_value",
    ]
    assert got.schema["frequency"] == pl.Int64
    assert got.schema["first_purchase"] == pl.Date


def test_date_column_and_empty_result() -> None:
    orders = pl.DataFrame({"customer_id": ["a"], "ordered_at": [date(2024, 2, 5)], "amount": [1.0]})
    got = customer_summary(orders, calibration_end=CAL)
    assert got.height == 0
    assert "monetary_value" in got.columns


def test_input_is_not_mutated() -> None:
    orders = _orders([("a", datetime(2024, 1, 1), 1.0), ("a", datetime(2024, 1, 2), 2.0)])
    before = orders.clone()
    customer_summary(orders, calibration_end=CAL, holdout_end=date(2024, 3, 1))
    assert_frame_equal(orders, before)


def test_errors_name_the_problem() -> None:
    orders = _orders([("a", datetime(2024, 1, 1), 1.0)])
    with pytest.raises(ColumnNotFoundError, match='"amount" not found'):
        customer_summary(orders.drop("amount"), calibration_end=CAL)
    with pytest.raises(ParameterError, match="time_unit='year'"):
        customer_summary(orders, calibration_end=CAL, time_unit="year")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="holdout_end.*after calibration_end 2024-01-31"):
        customer_summary(orders, calibration_end=CAL, holdout_end=CAL)


def _reference(rows: list[tuple[str, datetime, float]], cal: date, unit_days: float) -> dict[str, tuple]:
    """Independent pure-Python summary: dict of day → net amount, purchase days = days with an order ≥ 0."""
    net: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    bought: dict[str, set[date]] = defaultdict(set)
    for cid, ts, amount in rows:
        day = ts.date()
        if day > cal:
            continue
        net[cid][day] += amount
        if amount >= 0:
            bought[cid].add(day)
    out = {}
    for cid, days in bought.items():
        ordered = sorted(days)
        x = len(ordered) - 1
        first, last = ordered[0], ordered[-1]
        m = sum(net[cid][d] for d in ordered[1:]) / x if x else None
        out[cid] = (x, (last - first).days / unit_days, (cal - first).days / unit_days, m)
    return out


_row = st.tuples(
    st.sampled_from(["a", "b", "c", "d"]),
    st.integers(min_value=0, max_value=60).map(
        lambda d: datetime(2024, 1, 1) + timedelta(days=d, hours=d % 5)
    ),
    st.sampled_from([-5.0, 0.0, 2.5, 10.0, 40.0]),
)


@settings(max_examples=80, derandomize=True, deadline=None)
@given(st.lists(_row, min_size=1, max_size=25), st.sampled_from(["day", "week", "month"]))
def test_matches_an_independent_reference_in_any_row_order(rows, unit) -> None:
    divisor = {"day": 1.0, "week": 7.0, "month": 30.4375}[unit]
    want = _reference(rows, CAL, divisor)
    for ordering in (rows, rows[::-1]):
        got = customer_summary(_orders(ordering), calibration_end=CAL, time_unit=unit)
        result = {
            r[0]: r[1:]
            for r in got.select("customer_id", "frequency", "recency", "T", "monetary_value").rows()
        }
        assert result.keys() == want.keys()
        for cid, (x, tx, T, m) in want.items():
            gx, gtx, gT, gm = result[cid]
            assert (gx, gtx, gT) == (x, pytest.approx(tx), pytest.approx(T))
            assert gm == (None if m is None else pytest.approx(m))
            assert 0 <= gtx <= gT
