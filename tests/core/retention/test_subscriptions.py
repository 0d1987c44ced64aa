"""Tests for retention_core.retention.subscriptions (SPEC §4.2)."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.periods import next_start
from retention_core.retention.subscriptions import (
    SUBSCRIPTION_COLUMNS,
    subscription_metrics,
    subscription_rows,
)


def _subs(rows: list[tuple], *, mrr: bool = True) -> pl.DataFrame:
    data = {
        "customer_id": [r[0] for r in rows],
        "started_at": [r[1] for r in rows],
        "ended_at": [r[2] for r in rows],
    }
    if mrr:
        data["mrr"] = [float(r[3]) for r in rows]
    return pl.DataFrame(data, schema_overrides={"started_at": pl.Date, "ended_at": pl.Date})


def test_spec_worked_example_verbatim() -> None:
    # SPEC §4.2: 400 customers at the start of September, 15 of them leave; 300 new customers join
    # in September and 4 of them leave ⇒ churn_rate 3.75 %, total_churn_rate 4.75 %, E = 681, CRR = 95.25 %.
    old = [(f"old{i}", date(2024, 8, 1 + i % 28), date(2024, 9, 1 + i % 30) if i < 15 else None) for i in range(400)]
    new = [(f"new{i}", date(2024, 9, 1 + i % 30), date(2024, 9, 30) if i < 4 else None) for i in range(300)]
    subs = pl.DataFrame(
        {"customer_id": [r[0] for r in old + new], "started_at": [r[1] for r in old + new], "ended_at": [r[2] for r in old + new]},
        schema_overrides={"ended_at": pl.Date},
    )
    sep = subscription_metrics(subs).filter(pl.col("period_start") == date(2024, 9, 1)).row(0, named=True)
    assert (sep["customers_start"], sep["churned"], sep["new_customers"], sep["churned_new"]) == (400, 15, 300, 4)
    assert sep["churn_rate"] == 0.0375
    assert sep["total_churn_rate"] == 0.0475
    assert sep["customers_end"] == 681
    assert sep["crr"] == 0.9525


# a: price change 10 → 15 on 1 Apr, written "ends 31 Mar, next starts 1 Apr"
# b: Jan 20 – Feb 10 (churns in Feb) · c: Feb 5 – Feb 25 (new and churned in Feb)
# d: 40 from 1 Feb, down to 25 from 1 Mar, written "ends 1 Mar, next starts 1 Mar"
GOLDEN = _subs(
    [
        ("a", date(2024, 1, 15), date(2024, 3, 31), 10),
        ("a", date(2024, 4, 1), None, 15),
        ("b", date(2024, 1, 20), date(2024, 2, 10), 20),
        ("c", date(2024, 2, 5), date(2024, 2, 25), 30),
        ("d", date(2024, 2, 1), date(2024, 3, 1), 40),
        ("d", date(2024, 3, 1), None, 25),
    ]
)


def test_golden_with_mrr() -> None:
    # Jan: N={a,b}, E=2; MRR at the end = a 10 + b 20 = 30 ⇒ arpu 15; new_mrr 30.
    # Feb: S={a,b}, b churns, N={c,d}, c also leaves ⇒ E = 2−1+2−1 = 2, CRR (2−2)/2;
    #      mrr_start 30, churned_mrr 20 (b) ⇒ mrr churn 2/3, NRR (30−20)/30; new_mrr c 30 + d 40;
    #      MRR at the end = a 10 + d 40 = 50 ⇒ arpu 25.
    # Mar: S={a,d}, nobody leaves; d contracts 40 → 25 ⇒ NRR (50 − 15)/50; end MRR 35 ⇒ arpu 17.5.
    # Apr: S={a,d}; a expands 10 → 15 ⇒ NRR (35 + 5)/35; end MRR 40 ⇒ arpu 20. Data end 30 Apr ⇒ complete.
    result = subscription_metrics(GOLDEN, data_end=date(2024, 4, 30))
    assert result.columns == list(SUBSCRIPTION_COLUMNS)
    cols = [
        "period_start", "customers_start", "new_customers", "customers_end", "retained", "churned", "churned_new",
        "crr", "retention_rate", "churn_rate", "total_churn_rate", "arpu", "nrr",
        "mrr_start", "new_mrr", "churned_mrr", "mrr_churn_rate", "incomplete",
    ]
    expected = pl.DataFrame(
        [
            (date(2024, 1, 1), 0, 2, 2, 0, 0, 0, None, None, None, None, 15.0, None, 0.0, 30.0, 0.0, None, False),
            (date(2024, 2, 1), 2, 2, 2, 1, 1, 1, 0.0, 0.5, 0.5, 1.0, 25.0, 1 / 3, 30.0, 70.0, 20.0, 2 / 3, False),
            (date(2024, 3, 1), 2, 0, 2, 2, 0, 0, 1.0, 1.0, 0.0, 0.0, 17.5, 0.7, 50.0, 0.0, 0.0, 0.0, False),
            (date(2024, 4, 1), 2, 0, 2, 2, 0, 0, 1.0, 1.0, 0.0, 0.0, 20.0, 40 / 35, 35.0, 0.0, 0.0, 0.0, False),
        ],
        schema={c: result.schema[c] for c in cols},
        orient="row",
    )
    assert_frame_equal(result.select(cols), expected)
    # orders-only keys are null for subscriptions
    for key in ("reactivated", "revenue", "orders", "aov", "repeat_revenue_share", "revenue_churn_rate", "aov_new"):
        assert result[key].null_count() == 4, key


def test_without_mrr_money_columns_are_null_and_default_data_end() -> None:
    result = subscription_metrics(GOLDEN.drop("mrr"))
    assert result["customers_start"].to_list() == [0, 2, 2, 2]
    for key in ("arpu", "nrr", "mrr_start", "new_mrr", "churned_mrr", "mrr_churn_rate"):
        assert result[key].null_count() == 4, key
    # default data end = latest start or end date = 1 Apr ⇒ April is incomplete
    assert result["incomplete"].to_list() == [False, False, False, True]


def test_gap_is_churn_then_new_and_boundary_days() -> None:
    # x: ends 1 Feb (= the start of Feb ⇒ in S of Feb and churned in Feb), back on 10 Mar after a gap.
    # y: ends 31 Jan ⇒ gone before Feb starts: churned_new in Jan, not in S of Feb.
    # z: starts 1 Feb ⇒ new in Feb, not in S of Feb (started_at < p_start is required).
    subs = _subs(
        [
            ("x", date(2024, 1, 3), date(2024, 2, 1), 5),
            ("x", date(2024, 3, 10), None, 5),
            ("y", date(2024, 1, 5), date(2024, 1, 31), 5),
            ("z", date(2024, 2, 1), None, 5),
        ]
    )
    got = subscription_metrics(subs, data_end=date(2024, 3, 31)).select(
        "customers_start", "new_customers", "churned", "churned_new", "customers_end"
    )
    assert got.rows() == [(0, 2, 0, 1, 1), (1, 1, 1, 0, 1), (1, 1, 0, 0, 2)]


def test_rows_merge_into_spans() -> None:
    rows = subscription_rows(GOLDEN).filter(pl.col("customer_id") == "a")
    # hand-over: a's first row now ends on 1 Apr, the day the new price starts; one open span
    assert rows.select("ended_at", "span_start", "span_end").rows() == [
        (date(2024, 4, 1), date(2024, 1, 15), None),
        (None, date(2024, 1, 15), None),
    ]


def test_end_before_start_reads_as_same_day() -> None:
    subs = _subs([("a", date(2024, 3, 10), date(2024, 3, 1), 5)])
    assert subscription_metrics(subs).select("new_customers", "churned_new").row(0) == (1, 1)


def test_empty_and_errors() -> None:
    empty = subscription_metrics(GOLDEN.clear())
    assert empty.height == 0 and empty.columns == list(SUBSCRIPTION_COLUMNS)
    with pytest.raises(ColumnNotFoundError, match='"ended_at" not found.*did you mean "end_at"'):
        subscription_metrics(GOLDEN.rename({"ended_at": "end_at"}))
    with pytest.raises(ParameterError, match="grain='fortnight'"):
        subscription_metrics(GOLDEN, grain="fortnight")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Day-level reference: a customer is covered on the days [started_at, ended_at] of their rows
# (inclusive; open = forever). "Active at the start of p" = covered on p_start − 1 and on p_start.

_HORIZON = date(2025, 12, 31)


def _reference(subs: pl.DataFrame, grain: str, periods: list[date]) -> list[dict[str, int]]:
    covered: dict[str, set[date]] = {}
    for c, s, e in subs.select("customer_id", "started_at", "ended_at").iter_rows():
        e = max(e, s) if e is not None else _HORIZON
        days = covered.setdefault(c, set())
        d = s
        while d <= e:
            days.add(d)
            d += timedelta(days=1)
    one = timedelta(days=1)
    out = []
    for p_start in periods:
        nxt = next_start(p_start, grain)  # type: ignore[arg-type]
        s_set = {c for c, days in covered.items() if p_start - one in days and p_start in days}
        e_set = {c for c, days in covered.items() if nxt - one in days and nxt in days}
        out.append({"customers_start": len(s_set), "customers_end": len(e_set)})
    return out


_starts = st.integers(0, 120).map(lambda k: date(2024, 1, 1) + timedelta(days=k))
_sub_rows = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d"]), _starts, st.one_of(st.none(), st.integers(0, 90)), st.sampled_from([0, 10, 25])),
    min_size=1,
    max_size=12,
).map(lambda rows: [(c, s, None if k is None else s + timedelta(days=k), m) for c, s, k, m in rows])


@settings(max_examples=80, derandomize=True, deadline=None)
@given(rows=_sub_rows, grain=st.sampled_from(["week", "month", "quarter"]))
def test_matches_day_level_reference_and_identities(rows, grain) -> None:
    subs = _subs(rows)
    result = subscription_metrics(subs, grain=grain, data_end=date(2024, 9, 30))
    ref = _reference(subs, grain, result["period_start"].to_list())
    assert result["customers_start"].to_list() == [r["customers_start"] for r in ref]
    assert result["customers_end"].to_list() == [r["customers_end"] for r in ref]
    s, e = result["customers_start"], result["customers_end"]
    assert s.to_list()[1:] == e.to_list()[:-1]
    assert (result["retained"] + result["churned"] == s).all()
    with_s = result.filter(pl.col("customers_start") > 0)
    assert ((with_s["crr"] + with_s["total_churn_rate"] - 1).abs() < 1e-12).all()
    assert ((with_s["retention_rate"] + with_s["churn_rate"] - 1).abs() < 1e-12).all()
    # MRR stock: start of p+1 = start of p + new − churned + net expansion − MRR of new ones who left
    assert (result["mrr_start"] >= -1e-9).all()


@settings(max_examples=50, derandomize=True, deadline=None)
@given(rows=_sub_rows, seed=st.integers(0, 10_000))
def test_row_order_is_irrelevant(rows, seed) -> None:
    subs = _subs(rows)
    shuffled = subs.sample(fraction=1.0, shuffle=True, seed=seed)
    assert_frame_equal(subscription_metrics(subs), subscription_metrics(shuffled))


@settings(max_examples=50, derandomize=True, deadline=None)
@given(rows=_sub_rows)
def test_nrr_matches_customer_level_mrr(rows) -> None:
    # NRR(p) = Σ over customers in S(p) still subscribed at the start of p+1 of their MRR then,
    # over mrr_start(p); a customer's MRR at the start of p = Σ mrr of rows in force (module docs).
    subs = _subs(rows)
    norm = subscription_rows(subs)
    result = subscription_metrics(subs, data_end=date(2024, 8, 31))
    periods = result["period_start"].to_list()

    def mrr_at(c: str, p: date) -> float:
        return sum(
            m for cc, s, e, m in norm.select("customer_id", "started_at", "ended_at", "mrr").iter_rows()
            if cc == c and s < p and (e is None or e >= p)
        )

    def in_start(c: str, p: date) -> bool:
        return any(
            cc == c and ss < p and (se is None or se >= p)
            for cc, ss, se in norm.select("customer_id", "span_start", "span_end").unique().iter_rows()
        )

    customers = set(norm["customer_id"])
    for i, p in enumerate(periods[:-1]):
        nxt = periods[i + 1]
        s_members = {c for c in customers if in_start(c, p)}
        start = sum(mrr_at(c, p) for c in s_members)
        # customers of S whose span carries on into p+1 (not churned within p)
        stay = {
            c for c in s_members
            if any(cc == c and ss < p and (se is None or se >= nxt)
                   for cc, ss, se in norm.select("customer_id", "span_start", "span_end").unique().iter_rows())
        }
        got = result.row(i, named=True)
        assert got["mrr_start"] == pytest.approx(start)
        assert got["nrr"] == (None if start == 0 else pytest.approx(sum(mrr_at(c, nxt) for c in stay) / start))
