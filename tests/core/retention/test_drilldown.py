"""Tests for retention_core.retention.drilldown: the customers behind a cohort cell or a flow bar (SPEC §7.1)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from retention_core.errors import ParameterError
from retention_core.ingest import connect, load_file
from retention_core.retention.cohorts import cohort_matrix
from retention_core.retention.drilldown import (
    LIST_COLUMNS,
    cohort_cell_customers,
    customer_list,
    flow_customers,
)
from retention_core.retention.flows import compact, period_metrics

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "orders.csv"


def _orders(rows: list[tuple[str, date, float]]) -> pl.DataFrame:
    return pl.DataFrame({
        "customer_id": [r[0] for r in rows],
        "ordered_at": [datetime(r[1].year, r[1].month, r[1].day, 9) for r in rows],
        "amount": [float(r[2]) for r in rows],
    })


# a: Jan 10, Mar 20, refund −3 in Apr · b: Jan 30, Feb 40 · c: Feb 5 + 15, Apr 25 · d: a refund only
# e: Apr 50 · f: Jan 7, Apr 8 (back after two empty months)
GOLDEN = _orders([
    ("a", date(2024, 1, 10), 10), ("b", date(2024, 1, 20), 30), ("f", date(2024, 1, 25), 7),
    ("b", date(2024, 2, 15), 40), ("c", date(2024, 2, 3), 5), ("c", date(2024, 2, 28), 15),
    ("a", date(2024, 3, 5), 20), ("a", date(2024, 4, 2), -3), ("c", date(2024, 4, 4), 25),
    ("d", date(2024, 3, 9), -1), ("e", date(2024, 4, 8), 50), ("f", date(2024, 4, 6), 8),
])
JAN, FEB, MAR, APR = (date(2024, m, 1) for m in (1, 2, 3, 4))


def _ids(frame: pl.DataFrame) -> list[str]:
    return sorted(frame["customer_id"].to_list())


def test_cohort_cells_list_the_hand_counted_customers():
    # January cohort = a, b, f (size 3). Ordered in Feb: b; Mar: a; Apr: f (a's April row is a refund only).
    cells = {age: _ids(cohort_cell_customers(GOLDEN, cohort=JAN, age=age)) for age in range(4)}
    assert cells == {0: ["a", "b", "f"], 1: ["b"], 2: ["a"], 3: ["f"]}
    # then or later: last order ages a 2, b 1, f 3 ⇒ age 1: a, b, f; age 2: a, f; age 3: f
    later = {age: _ids(cohort_cell_customers(GOLDEN, cohort=JAN, age=age, mode="unbounded")) for age in (1, 2, 3)}
    assert later == {1: ["a", "b", "f"], 2: ["a", "f"], 3: ["f"]}
    # February cohort = c alone; any day of the month names the cohort
    assert _ids(cohort_cell_customers(GOLDEN, cohort=date(2024, 2, 17), age=2)) == ["c"]


def test_a_cell_list_carries_the_crm_columns_and_the_cell_money():
    got = cohort_cell_customers(GOLDEN, cohort=JAN, age=0)
    expected = pl.DataFrame({
        "customer_id": ["b", "a", "f"],  # by revenue over the whole table: b 70, a 10 + 20 − 3 = 27, f 15
        "first_order": [date(2024, 1, 20), date(2024, 1, 10), date(2024, 1, 25)],
        "last_order": [date(2024, 2, 15), date(2024, 3, 5), date(2024, 4, 6)],
        "orders": [2, 2, 2],
        "revenue": [70.0, 27.0, 15.0],
        "cell_revenue": [30.0, 10.0, 7.0],
    })
    assert_frame_equal(got, expected)
    assert got.columns[: len(LIST_COLUMNS)] == list(LIST_COLUMNS)
    # revenue cell of April for January: a's refund (−3) and f's 8 ⇒ 5, as the matrix says
    april = cohort_cell_customers(GOLDEN, cohort=JAN, age=3, value="revenue")
    assert _ids(april) == ["a", "f"] and april["cell_revenue"].sum() == 5.0
    matrix = cohort_matrix(GOLDEN, value="revenue").filter((pl.col("cohort") == JAN) & (pl.col("age") == 3))
    assert matrix["value"].item() == 5.0
    # LTV up to age 1: (10 + 30 + 40 + 7) / 3 members
    ltv = cohort_cell_customers(GOLDEN, cohort=JAN, age=1, value="ltv")
    assert ltv.height == 3 and ltv["cell_revenue"].sum() / 3 == pytest.approx(87 / 3)


def test_flow_bars_list_the_hand_counted_customers():
    # W = 1. Feb: S = {a, b, f}, E = {b, c}, N = {c} ⇒ retained b, churned a f, new c.
    # Mar: S = {b, c}, E = {a}, N = {} ⇒ reactivated a, churned b c. Apr: S = {a}, E = {c, e, f}, N = {e}.
    def flows(period: date, window: int = 1) -> dict[str, list[str]]:
        return {f: _ids(flow_customers(GOLDEN, period=period, flow=f, window=window))
                for f in ("retained", "new", "reactivated", "churned")}

    assert flows(FEB) == {"retained": ["b"], "new": ["c"], "reactivated": [], "churned": ["a", "f"]}
    assert flows(MAR) == {"retained": [], "new": [], "reactivated": ["a"], "churned": ["b", "c"]}
    assert flows(APR) == {"retained": [], "new": ["e"], "reactivated": ["c", "f"], "churned": ["a"]}
    # W = 2 in April: S = active(Mar) = ordered Feb–Mar = {a, b, c}; E = ordered Mar–Apr = {a, c, e, f}
    assert flows(APR, window=2) == {"retained": ["a", "c"], "new": ["e"], "reactivated": ["f"], "churned": ["b"]}
    churned = flow_customers(GOLDEN, period=MAR, flow="churned")
    assert churned["period_revenue"].to_list() == [0.0, 0.0]


def test_flow_counts_equal_period_metrics_by_hand_table():
    for window in (1, 2, 3):
        metrics = period_metrics(GOLDEN, window=window)
        for row in metrics.iter_rows(named=True):
            for flow, column in (("retained", "retained"), ("new", "new_customers"),
                                 ("reactivated", "reactivated"), ("churned", "churned")):
                got = flow_customers(GOLDEN, period=row["period_start"], flow=flow, window=window).height
                assert got == row[column], (window, row["period_start"], flow)


def test_bad_options_name_the_parameter():
    with pytest.raises(ParameterError, match="flow"):
        flow_customers(GOLDEN, period=FEB, flow="lost")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="age"):
        cohort_cell_customers(GOLDEN, cohort=JAN, age=-1)
    with pytest.raises(ParameterError, match="mode"):
        cohort_cell_customers(GOLDEN, cohort=JAN, age=1, value="revenue", mode="unbounded")
    with pytest.raises(ParameterError, match="window"):
        flow_customers(GOLDEN, period=FEB, flow="new", window=0)


def test_customer_list_keeps_unknown_customers_and_extra_columns():
    got = customer_list(GOLDEN, pl.DataFrame({"customer_id": ["zz", "e"], "note": [1, 2]}))
    assert got.select("customer_id", "orders", "note").rows() == [("e", 1, 2), ("zz", None, 1)]


@pytest.fixture(scope="module")
def sample() -> pl.DataFrame:
    return load_file(SAMPLE, kind="orders", con=connect()).frame


@pytest.mark.parametrize("grain", ["month", "quarter"])
def test_every_cohort_cell_of_the_sample_lists_exactly_its_count(sample, grain):
    """The list behind each (cohort, age) cell has value · size customers, in both modes (SPEC §7.1)."""
    periods = compact(sample, grain=grain)
    for mode in ("on", "unbounded"):
        matrix = cohort_matrix(sample, grain=grain, mode=mode, periods=periods)
        counts = matrix.with_columns((pl.col("value") * pl.col("size")).round().cast(pl.Int64).alias("n"))
        cells = counts if grain == "quarter" else counts.filter(pl.col("cohort").dt.month().is_in([1, 6]))
        for cohort, age, n in cells.select("cohort", "age", "n").iter_rows():
            got = cohort_cell_customers(sample, cohort=cohort, age=age, grain=grain, mode=mode, periods=periods)
            assert got.height == n, (mode, cohort, age)
            assert got["customer_id"].n_unique() == n


def test_every_flow_bar_of_the_sample_lists_exactly_its_count(sample):
    periods = compact(sample, grain="month")
    for window in (1, 3):
        metrics = period_metrics(sample, window=window, periods=periods)
        for row in metrics.iter_rows(named=True):
            for flow, column in (("retained", "retained"), ("new", "new_customers"),
                                 ("reactivated", "reactivated"), ("churned", "churned")):
                got = flow_customers(sample, period=row["period_start"], flow=flow, window=window, periods=periods)
                assert got.height == row[column], (window, row["period_start"], flow)
