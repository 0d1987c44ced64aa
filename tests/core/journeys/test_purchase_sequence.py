"""Purchase sequence (SPEC §5): 1st → 2nd → 3rd → 4th+ order from orders alone."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.journeys.purchase_sequence import purchase_sequence


def orders(rows: list[tuple]) -> pl.DataFrame:
    """(customer, 'YYYY-MM-DD', amount[, channel]) rows."""
    return pl.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "ordered_at": [datetime.fromisoformat(r[1]) for r in rows],
            "amount": [float(r[2]) for r in rows],
            "channel": [r[3] if len(r) > 3 else "web" for r in rows],
        },
        schema_overrides={"ordered_at": pl.Datetime("us")},
    )


# a: Jan 1, Jan 11, Jan 31, Feb 10, Mar 1 (5 orders); b: Jan 5, Jan 7 (+ a refund on Jan 9);
# c: Feb 3 and a zero-amount order Feb 4 (zero is an order); d: Feb 20 only.
DATA = orders([
    ("a", "2024-01-01", 10, "web"), ("a", "2024-01-11", 12), ("a", "2024-01-31", 9), ("a", "2024-02-10", 5), ("a", "2024-03-01", 5),
    ("b", "2024-01-05", 20, "shop"), ("b", "2024-01-07", 5), ("b", "2024-01-09", -5),
    ("c", "2024-02-03", 7, "shop"), ("c", "2024-02-04", 0),
    ("d", "2024-02-20", 8, "web"),
])


def test_overall_sequence_golden():
    # 1st: 4 customers. 2nd: a (10 d), b (2 d), c (1 d) → 3, median 2. 3rd: a (20 d). 4th+: a (10 d).
    expected = pl.DataFrame(
        {
            "order_number": pl.Series([1, 2, 3, 4], dtype=pl.Int32),
            "customers": [4, 3, 1, 1],
            "conversion_from_start": [1.0, 0.75, 0.25, 0.25],
            "conversion_from_previous": [None, 0.75, 1 / 3, 1.0],
            "median_days_from_previous": [None, 2.0, 20.0, 10.0],
        }
    )
    assert_frame_equal(purchase_sequence(DATA), expected)


def test_by_acquisition_cohort_lists_every_step_for_every_cohort():
    # January cohort: a, b → 2nd: both (10 d, 2 d → median 6); 3rd, 4th: a.
    # February cohort: c, d → 2nd: c (1 d); 3rd, 4th: nobody (0 customers, null ratio from 0).
    got = purchase_sequence(DATA, by="cohort", grain="month")
    assert got.columns[0] == "cohort"
    assert got.select("cohort", "order_number", "customers", "conversion_from_previous", "median_days_from_previous").rows() == [
        (date(2024, 1, 1), 1, 2, None, None),
        (date(2024, 1, 1), 2, 2, 1.0, 6.0),
        (date(2024, 1, 1), 3, 1, 0.5, 20.0),
        (date(2024, 1, 1), 4, 1, 1.0, 10.0),
        (date(2024, 2, 1), 1, 2, None, None),
        (date(2024, 2, 1), 2, 1, 0.5, 1.0),
        (date(2024, 2, 1), 3, 0, 0.0, None),
        (date(2024, 2, 1), 4, 0, None, None),
    ]


def test_by_segment_uses_the_value_on_the_first_order():
    # first orders: a web, b shop, c shop, d web. web: a (5 orders), d (1). shop: b (2), c (2).
    got = purchase_sequence(DATA, by="channel", max_order=2)
    assert got.select("channel", "order_number", "customers").rows() == [
        ("shop", 1, 2), ("shop", 2, 2), ("web", 1, 2), ("web", 2, 1),
    ]


def test_errors():
    with pytest.raises(ParameterError, match="max_order=1"):
        purchase_sequence(DATA, max_order=1)
    with pytest.raises(ParameterError, match="grain='fortnight'"):
        purchase_sequence(DATA, by="cohort", grain="fortnight")
    with pytest.raises(ColumnNotFoundError, match='by column "chanel".*did you mean "channel"'):
        purchase_sequence(DATA, by="chanel")
    with pytest.raises(ColumnNotFoundError, match='orders column "amount"'):
        purchase_sequence(DATA.drop("amount"))


rows_st = st.lists(
    st.tuples(st.sampled_from("abcde"), st.integers(1, 60), st.integers(-5, 20)), max_size=30
).map(lambda rows: orders([(c, f"2024-{1 + d // 30:02d}-{1 + d % 28:02d}", a) for c, d, a in rows]))


@settings(derandomize=True, max_examples=60, deadline=None)
@given(data=rows_st, seed=st.integers(0, 1000), max_order=st.integers(2, 5))
def test_counts_never_rise_and_row_order_is_irrelevant(data, seed, max_order):
    got = purchase_sequence(data, max_order=max_order)
    customers = got["customers"].to_list()
    assert customers == sorted(customers, reverse=True)
    assert customers[0] == data.filter(pl.col("amount") >= 0)["customer_id"].n_unique()
    assert_frame_equal(got, purchase_sequence(data.sample(fraction=1.0, shuffle=True, seed=seed), max_order=max_order))
