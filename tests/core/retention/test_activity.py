"""The purchase-cycle activity window (SPEC §4.1): gaps, nearest-rank 80th percentile, rounding, clamping."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.retention.activity import (
    DAYS_PER_PERIOD,
    MAX_PERIODS,
    ActivityWindow,
    activity_window,
    cycle_days,
    periods_for,
    repeat_gaps,
)

D0 = date(2024, 1, 1)


def _orders(gaps_per_customer: dict[str, list[int]]) -> pl.DataFrame:
    """Each customer buys on D0 and then after each gap in days."""
    rows = []
    for cid, gaps in gaps_per_customer.items():
        day = D0
        rows.append((cid, day, 10.0))
        for g in gaps:
            day = day + timedelta(days=g)
            rows.append((cid, day, 10.0))
    return pl.DataFrame(rows, schema=["customer_id", "ordered_at", "amount"], orient="row")


def test_gaps_are_between_distinct_purchase_days_and_ignore_refunds():
    # a: Jan 1 (two orders), Jan 4 09:00, Jan 4 18:00, Jan 14 => purchase days Jan 1, 4, 14 => gaps 3, 10
    # a refund on Jan 30 is no purchase; b buys once => no gap
    orders = pl.DataFrame({
        "customer_id": ["a", "a", "a", "a", "a", "a", "b"],
        "ordered_at": [datetime(2024, 1, 1, 8), datetime(2024, 1, 1, 9), datetime(2024, 1, 4, 9),
                       datetime(2024, 1, 4, 18), datetime(2024, 1, 14), datetime(2024, 1, 30), datetime(2024, 1, 2)],
        "amount": [1.0, 2.0, 3.0, 4.0, 0.0, -5.0, 7.0]})
    assert sorted(repeat_gaps(orders).to_list()) == [3, 10]


def test_cycle_is_the_nearest_rank_80th_percentile():
    # 30 gaps: 24 of 10 days, 6 of 100 days => rank ceil(0.8*30)=24 => 10 days; one more 100 => rank 25 => 100
    assert cycle_days(pl.Series([10] * 24 + [100] * 6)) == 10
    assert cycle_days(pl.Series([10] * 24 + [100] * 7)) == 100
    assert cycle_days(pl.Series([5])) == 5


@pytest.mark.parametrize(("days", "grain", "expected"), [
    (119, "month", 4),      # 119 / 30.44 = 3.91 -> 4
    (119, "week", 17),      # 119 / 7 = 17 exactly
    (120, "week", 18),      # 17.1 -> 18
    (119, "day", 119),
    (119, "quarter", 2),    # 119 / 91.31 = 1.30 -> 2
    (119, "half-year", 1),
    (119, "year", 1),
    (1, "month", 1),        # never below 1
    (400, "month", 12),     # clamped to one year of periods
    (400, "week", 52),
    (400, "day", 365),
    (400, "quarter", 4),
    (800, "half-year", 2),
])
def test_days_to_periods_rounds_up_and_clamps(days, grain, expected):
    assert periods_for(days, grain) == expected


def test_window_from_data_per_grain_and_its_json():
    # 30 customers with one gap of 45 days => 30 gaps, cycle 45 => 2 months, 7 weeks, 1 quarter
    orders = _orders({f"c{i}": [45] for i in range(30)})
    w = activity_window(orders, grain="month")
    assert w == ActivityWindow(2, "month", "purchase_cycle", 45, 30)
    assert activity_window(orders, grain="week").periods == 7
    assert activity_window(orders, grain="quarter").periods == 1
    assert w.to_json() == {"periods": 2, "grain": "month", "source": "purchase_cycle", "cycle_days": 45,
                           "repeat_gaps": 30}


def test_too_few_repeat_gaps_give_one_period_and_say_why():
    orders = _orders({f"c{i}": [200] for i in range(29)})  # 29 gaps < 30
    w = activity_window(orders, grain="month")
    assert (w.periods, w.source, w.cycle_days, w.repeat_gaps) == (1, "too_few_repeats", None, 29)


def test_user_override_wins_and_keeps_the_measured_cycle():
    orders = _orders({f"c{i}": [45] for i in range(30)})
    w = activity_window(orders, grain="month", override=5)
    assert (w.periods, w.source, w.cycle_days) == (5, "user", 45)
    with pytest.raises(ParameterError, match="window"):
        activity_window(orders, grain="month", override=0)


def test_missing_column_is_named():
    with pytest.raises(ColumnNotFoundError, match="amount"):
        activity_window(pl.DataFrame({"customer_id": ["a"], "ordered_at": [D0]}))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 800), min_size=30, max_size=120), st.sampled_from(list(MAX_PERIODS)))
def test_rule_holds_on_any_gaps(gaps, grain):
    """At least 80 % of the gaps fall within the cycle; W covers the cycle unless clamped to a year."""
    orders = _orders({f"c{i}": [g] for i, g in enumerate(gaps)})
    w = activity_window(orders, grain=grain)
    assert w.source == "purchase_cycle" and w.repeat_gaps == len(gaps)
    assert sum(g <= w.cycle_days for g in gaps) >= 0.8 * len(gaps)
    assert sum(g < w.cycle_days for g in gaps) < 0.8 * len(gaps)  # and it is the smallest such gap
    assert 1 <= w.periods <= MAX_PERIODS[grain]
    if w.periods < MAX_PERIODS[grain]:
        assert w.periods * DAYS_PER_PERIOD[grain] >= w.cycle_days - 1e-6
        assert (w.periods - 1) * DAYS_PER_PERIOD[grain] < w.cycle_days
