"""Tests for retention_core.retention.cohorts (SPEC §4.3, §8 cohorts / retention)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.retention.cohorts import (
    age_k_trend,
    cohort_matrix,
    event_retention,
    matrix_payload,
    retention_curve,
)
from retention_core.retention.flows import period_metrics


def _orders(rows: list[tuple[str, date, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "customer_id": [r[0] for r in rows],
            "ordered_at": [datetime(r[1].year, r[1].month, r[1].day, 9) for r in rows],
            "amount": [float(r[2]) for r in rows],
        }
    )


# a: Jan 10, Mar 20, refund −3 in Apr · b: Jan 30, Feb 40 · c: Feb 5 + 15, Apr 25
# d: a refund only (no cohort) · e: Apr 50 on 8 Apr, the last day of data ⇒ April cells incomplete
GOLDEN = _orders(
    [
        ("a", date(2024, 1, 10), 10), ("b", date(2024, 1, 20), 30), ("b", date(2024, 2, 15), 40),
        ("c", date(2024, 2, 3), 5), ("c", date(2024, 2, 28), 15), ("a", date(2024, 3, 5), 20),
        ("d", date(2024, 3, 9), -4), ("a", date(2024, 4, 1), -3), ("c", date(2024, 4, 2), 25),
        ("e", date(2024, 4, 8), 50),
    ]
)
J, F, A = date(2024, 1, 1), date(2024, 2, 1), date(2024, 4, 1)
CELLS = [(J, 2, 0), (J, 2, 1), (J, 2, 2), (J, 2, 3), (F, 1, 0), (F, 1, 1), (F, 1, 2), (A, 1, 0)]
COMPLETE = [True, True, True, False, True, True, False, False]


def _matrix(values: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        [(c, s, k, v, ok) for (c, s, k), v, ok in zip(CELLS, values, COMPLETE, strict=True)],
        schema={"cohort": pl.Date, "size": pl.Int64, "age": pl.Int32, "value": pl.Float64, "complete": pl.Boolean},
        orient="row",
    )


@pytest.mark.parametrize(
    ("value", "mode", "values"),
    [
        # Jan {a,b}: Feb b, Mar a, Apr only a's refund (not active). Feb {c}: Apr c. Apr {e}.
        ("customers", "on", [1.0, 0.5, 0.5, 0.0, 1.0, 0.0, 1.0, 1.0]),
        # last active age: a 2, b 1 ⇒ Jan: 2/2, 2/2, 1/2, 0/2; c's last age 2 ⇒ Feb: 1, 1, 1
        ("customers", "unbounded", [1.0, 1.0, 0.5, 0.0, 1.0, 1.0, 1.0, 1.0]),
        # Jan: 10+30, 40, 20, −3 (refund); Feb: 20, 0, 25; Apr: 50
        ("revenue", "on", [40.0, 40.0, 20.0, -3.0, 20.0, 0.0, 25.0, 50.0]),
        # cumulative per cohort customer: Jan 40/2, 80/2, 100/2, 97/2; Feb 20, 20, 45; Apr 50
        ("ltv", "on", [20.0, 40.0, 50.0, 48.5, 20.0, 20.0, 45.0, 50.0]),
    ],
)
def test_golden_matrix(value, mode, values) -> None:
    assert_frame_equal(cohort_matrix(GOLDEN, value=value, mode=mode), _matrix(values))


def test_quarter_grain_and_data_end() -> None:
    # Q1 cohort {a,b,c} (size 3); Q2: c active (a only refunds); Q2 cohort {e}. Data end 30 Jun ⇒ all complete.
    m = cohort_matrix(GOLDEN, grain="quarter", data_end=date(2024, 6, 30))
    assert m.rows() == [
        (date(2024, 1, 1), 3, 0, 1.0, True),
        (date(2024, 1, 1), 3, 1, 1 / 3, True),
        (date(2024, 4, 1), 1, 0, 1.0, True),
    ]
    # a data end in a later quarter adds cells in the future, flagged incomplete
    later = cohort_matrix(GOLDEN, grain="quarter", data_end=date(2024, 8, 1))
    assert later.filter(pl.col("cohort") == date(2024, 1, 1)).select("age", "value", "complete").rows() == [
        (0, 1.0, True), (1, 1 / 3, True), (2, 0.0, False)
    ]


def test_payload_shape_is_json_ready() -> None:
    payload = matrix_payload(cohort_matrix(GOLDEN), period="month", value="customers", mode="on")
    assert json.loads(json.dumps(payload)) == {
        "period": "month",
        "value": "customers",
        "mode": "on",
        "cohorts": [
            {"cohort": "2024-01-01", "size": 2, "values": [1.0, 0.5, 0.5, 0.0]},
            {"cohort": "2024-02-01", "size": 1, "values": [1.0, 0.0, 1.0]},
            {"cohort": "2024-04-01", "size": 1, "values": [1.0]},
        ],
    }


def test_retention_curve_uses_complete_cells_only() -> None:
    m = cohort_matrix(GOLDEN)
    # age 0: Jan, Feb (Apr incomplete); age 1: (0.5·2 + 0·1)/3; age 2: Jan only (Feb's is incomplete); age 3: none
    assert retention_curve(m).rows() == [(0, 1.0, 2), (1, 1 / 3, 2), (2, 0.5, 1)]
    assert retention_curve(m, weighting="mean").rows() == [(0, 1.0, 2), (1, 0.25, 2), (2, 0.5, 1)]


def test_age_k_trend() -> None:
    trend = age_k_trend(cohort_matrix(GOLDEN), 1)
    assert trend.columns == ["cohort", "size", "value", "complete"]
    assert trend.rows() == [(J, 2, 0.5, True), (F, 1, 0.0, True)]
    with pytest.raises(ParameterError, match="k=-1 is not allowed"):
        age_k_trend(cohort_matrix(GOLDEN), -1)


def test_cohort_errors() -> None:
    with pytest.raises(ParameterError, match="mode='unbounded'.*applies to value=\"customers\" only"):
        cohort_matrix(GOLDEN, value="revenue", mode="unbounded")
    with pytest.raises(ParameterError, match="value='orders'.*customers, revenue, ltv"):
        cohort_matrix(GOLDEN, value="orders")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="weighting='median'.*size, mean"):
        retention_curve(cohort_matrix(GOLDEN), weighting="median")  # type: ignore[arg-type]
    with pytest.raises(ColumnNotFoundError, match='"customer_id" not found'):
        cohort_matrix(GOLDEN.rename({"customer_id": "client"}))


def test_empty_orders_give_empty_matrix() -> None:
    m = cohort_matrix(GOLDEN.clear())
    assert m.height == 0 and m.columns == ["cohort", "size", "age", "value", "complete"]
    refunds_only = _orders([("d", date(2024, 3, 9), -4)])
    assert cohort_matrix(refunds_only).height == 0


# --- properties ---------------------------------------------------------------------------------

_days = st.integers(0, 300).map(lambda k: date(2024, 1, 1) + timedelta(days=k))
_rows = st.lists(
    st.tuples(st.sampled_from(list("abcdefg")), _days, st.sampled_from([0.0, 5.0, 12.5])), min_size=1, max_size=25
)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(rows=_rows, grain=st.sampled_from(["week", "month", "quarter"]))
def test_matrix_invariants_and_agreement_with_period_metrics(rows, grain) -> None:
    orders = _orders(rows)
    on = cohort_matrix(orders, grain=grain)
    unb = cohort_matrix(orders, grain=grain, mode="unbounded")
    sizes = on.filter(pl.col("age") == 0)
    assert sizes["size"].sum() == len({c for c, _, _ in rows})  # cohort sizes sum to the customers
    assert (sizes["value"] == 1.0).all()  # age 0 of customers is 1.0
    assert (unb["value"] >= on["value"] - 1e-12).all()
    assert unb.select((pl.col("value").diff().over("cohort").fill_null(0) <= 1e-12).all()).item()  # never rises
    # Σ over cohorts of active customers in a period = E of period_metrics; same for revenue
    active = on.with_columns((pl.col("value") * pl.col("size")).round(6).alias("n"))
    revenue = cohort_matrix(orders, grain=grain, value="revenue")
    pm = period_metrics(orders, grain=grain)
    by_period_on = active.group_by(pl.col("cohort"), "age").agg(pl.col("n").sum())
    for row in pm.iter_rows(named=True):
        p = row["period_start"]
        matching = [r for r in by_period_on.iter_rows() if _period_of(r[0], r[1], grain) == p]
        assert sum(r[2] for r in matching) == pytest.approx(row["customers_end"])
        rev = [r for r in revenue.iter_rows() if _period_of(r[0], r[2], grain) == p]
        assert sum(r[3] for r in rev) == pytest.approx(row["revenue"])


def _period_of(cohort: date, age: int, grain: str) -> date:
    if grain == "week":
        return cohort + timedelta(weeks=age)
    months = cohort.month - 1 + age * (3 if grain == "quarter" else 1)
    return date(cohort.year + months // 12, months % 12 + 1, 1)


@settings(max_examples=40, derandomize=True, deadline=None)
@given(rows=_rows, seed=st.integers(0, 1000))
def test_matrix_row_order_irrelevant(rows, seed) -> None:
    orders = _orders(rows)
    assert_frame_equal(
        cohort_matrix(orders, value="ltv"), cohort_matrix(orders.sample(fraction=1.0, shuffle=True, seed=seed), value="ltv")
    )


# --- event retention -----------------------------------------------------------------------------
# Weeks (Mon): W1 = 1–7 Jan, W2 = 8–14, W3 = 15–21, W4 = 22–28 Jan 2024.
# u1: signup 1 Jan, buy 3 Jan (same week: not a return), buy 16 Jan, signup again 17 Jan
# u2: signup 9 Jan, buy 15 and 18 Jan (W3, once), buy 23 Jan · u3: buy 2 Jan (before signup), signup 10 Jan
EVENTS = pl.DataFrame(
    {
        "user_id": ["u1", "u1", "u1", "u1", "u2", "u2", "u2", "u2", "u3", "u3"],
        "event": ["signup", "buy", "buy", "signup", "signup", "buy", "buy", "buy", "buy", "signup"],
        "occurred_at": [
            datetime(2024, 1, 1, 10), datetime(2024, 1, 3), datetime(2024, 1, 16), datetime(2024, 1, 17),
            datetime(2024, 1, 9), datetime(2024, 1, 15), datetime(2024, 1, 18), datetime(2024, 1, 23),
            datetime(2024, 1, 2), datetime(2024, 1, 10),
        ],
        "seq": pl.Series(range(10), dtype=pl.UInt32),
    }
)
W1, W2, W3 = date(2024, 1, 1), date(2024, 1, 8), date(2024, 1, 15)


def test_event_retention_first_time() -> None:
    # W1 {u1}: u1 buys in W3 ⇒ 1, 0, 1, 0. W2 {u2,u3}: u2 buys in W3 and W4 ⇒ 2, 1, 1.
    # Data ends Tue 23 Jan, inside W4 ⇒ W4 cells incomplete.
    got = event_retention(EVENTS, start_event="signup", return_event="buy")
    assert got.rows() == [
        (W1, 1, 0, 1, 1.0, True), (W1, 1, 1, 0, 0.0, True), (W1, 1, 2, 1, 1.0, True), (W1, 1, 3, 0, 0.0, False),
        (W2, 2, 0, 2, 1.0, True), (W2, 2, 1, 1, 0.5, True), (W2, 2, 2, 1, 0.5, False),
    ]
    assert got.schema == pl.Schema(
        {"cohort": pl.Date, "size": pl.Int64, "age": pl.Int32, "value": pl.Int64, "share": pl.Float64, "complete": pl.Boolean}
    )
    payload = matrix_payload(got, period="week", value="users", mode="first_time")
    assert payload["cohorts"][1] == {"cohort": "2024-01-08", "size": 2, "values": [2, 1, 1]}


def test_event_retention_recurring_and_range() -> None:
    # recurring adds cohort W3 {u1} (second signup): u1 does not buy in W4 ⇒ 1, 0.
    got = event_retention(EVENTS, start_event="signup", return_event="buy", type="recurring")
    assert got.filter(pl.col("cohort") == W3).select("age", "value").rows() == [(0, 1), (1, 0)]
    assert got.filter(pl.col("cohort") != W3).drop("share").rows() == event_retention(
        EVENTS, start_event="signup", return_event="buy"
    ).drop("share").rows()
    # from 8 Jan: u1's first signup ever is 1 Jan (W1), so u1 stays in W1 and is not shown; --from only
    # chooses the cohorts shown (issue 14 bug 2: u1 used to move into W3). To 21 Jan (a Sunday): W3 is
    # complete, no W4.
    ranged = event_retention(
        EVENTS, start_event="signup", return_event="buy", date_from=date(2024, 1, 8), date_to=date(2024, 1, 21)
    )
    assert ranged.select("cohort", "size", "age", "value", "complete").rows() == [
        (W2, 2, 0, 2, True), (W2, 2, 1, 1, True)
    ]
    # recurring: u1's second signup (W3) is a cohort of its own, and it is shown
    recurring = event_retention(EVENTS, start_event="signup", return_event="buy", type="recurring",
                                date_from=date(2024, 1, 8), date_to=date(2024, 1, 21))
    assert recurring.filter(pl.col("cohort") == W3).select("size", "age", "value").rows() == [(1, 0, 1)]
    # the curve over event matrices averages shares: age 1 = (0·1 + 1) / (1 + 2)
    curve = retention_curve(event_retention(EVENTS, start_event="signup", return_event="buy"))
    assert curve.filter(pl.col("age") == 1)["value"].item() == pytest.approx(1 / 3)


def test_event_retention_errors() -> None:
    with pytest.raises(ParameterError, match=r"start_event='sign_up'.*an event name in the data \(or \* for any event\): buy, signup"):
        event_retention(EVENTS, start_event="sign_up", return_event="buy")
    with pytest.raises(ParameterError, match="type='daily'.*first_time, recurring"):
        event_retention(EVENTS, start_event="signup", return_event="buy", type="daily")  # type: ignore[arg-type]
    with pytest.raises(ColumnNotFoundError, match='"user_id" not found'):
        event_retention(EVENTS.rename({"user_id": "user"}), start_event="signup", return_event="buy")
    empty = event_retention(EVENTS, start_event="signup", return_event="buy", date_from=date(2025, 1, 1))
    assert empty.height == 0 and "share" in empty.columns


# --- event retention from the engine's stored user × period × event counts (issue 15, SPEC §9) ---

_event_rows = st.lists(
    st.tuples(st.sampled_from(["u1", "u2", "u3", "u4", "u5"]), st.sampled_from(["visit", "buy", "open"]),
              st.integers(0, 200), st.integers(0, 86_399)),
    min_size=1, max_size=40,
)


def _events(rows) -> pl.DataFrame:
    start = datetime(1969, 12, 1)  # across 1970: negative and positive period indexes
    return pl.DataFrame({"user_id": [r[0] for r in rows], "event": [r[1] for r in rows],
                         "occurred_at": [start + timedelta(days=r[2], seconds=r[3]) for r in rows]})


def _from_counts(events: pl.DataFrame, grain: str, **options) -> pl.DataFrame:
    from retention_core.engine import event_counts
    from retention_core.retention.cohorts import event_retention_from_counts

    last = events["occurred_at"].max().date()
    return event_retention_from_counts(event_counts(events, grain=grain), data_end=last, grain=grain, **options)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(rows=_event_rows, grain=st.sampled_from(["week", "month"]), kind=st.sampled_from(["first_time", "recurring"]),
       start=st.sampled_from(["visit", "*"]), back=st.sampled_from(["buy", "visit", "*"]), cumulative=st.booleans(),
       least=st.integers(1, 3), from_day=st.one_of(st.none(), st.integers(0, 200)))
def test_event_retention_from_counts_equals_the_events(rows, grain, kind, start, back, cumulative, least, from_day):
    events = _events(rows)
    names = set(events["event"])
    if (start != "*" and start not in names) or (back != "*" and back not in names):
        return  # an unknown event name is an error on both paths (tested below)
    date_from = None if from_day is None else date(1969, 12, 1) + timedelta(days=from_day)
    options = {"start_event": start, "return_event": back, "type": kind, "cumulative": cumulative,
               "min_occurrences": least, "date_from": date_from}
    assert_frame_equal(_from_counts(events, grain, **options), event_retention(events, grain=grain, **options))


def test_event_retention_from_counts_by_hand_and_errors() -> None:
    from retention_core.retention.cohorts import event_retention_from_counts

    # u1 visits twice in the week of 1 Jan and once in the week of 15 Jan; u2 once in the week of 8 Jan.
    ev = pl.DataFrame({"user_id": ["u1", "u1", "u2", "u1"], "event": ["visit"] * 4,
                       "occurred_at": [datetime(2024, 1, 1, 9), datetime(2024, 1, 2, 9), datetime(2024, 1, 10, 9),
                                       datetime(2024, 1, 17, 9)]})
    m = _from_counts(ev, "week", start_event="visit", return_event="visit", type="recurring")
    assert m.select("cohort", "age", "value").rows() == [
        (date(2024, 1, 1), 0, 1), (date(2024, 1, 1), 1, 0), (date(2024, 1, 1), 2, 1),
        (date(2024, 1, 8), 0, 1), (date(2024, 1, 8), 1, 0), (date(2024, 1, 15), 0, 1)]
    assert m["complete"].to_list() == [True, True, False, True, False, False]  # the data ends on Wed 17 Jan
    twice = _from_counts(ev, "week", start_event="visit", return_event="visit", type="recurring", min_occurrences=2)
    assert twice["value"].to_list() == [1, 0, 0, 1, 0, 1]  # no later week has two visits (age 0 = the cohort)
    from retention_core.engine import event_counts

    counts = event_counts(ev, grain="week")
    with pytest.raises(ParameterError, match="grain"):
        event_retention_from_counts(counts, data_end=date(2024, 1, 17), start_event="visit", return_event="visit",
                                    grain="day")
    with pytest.raises(ParameterError, match="visit"):  # the message lists the known names
        event_retention_from_counts(counts, data_end=date(2024, 1, 17), start_event="signup", return_event="visit")
    with pytest.raises(ColumnNotFoundError):
        event_retention_from_counts(counts.drop("events"), data_end=date(2024, 1, 17), start_event="visit",
                                    return_event="visit")
