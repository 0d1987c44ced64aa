"""RFM scores and segments, at-risk list, win-back lists, CRM export (SPEC §4.5)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.value.segments import (
    AT_RISK_COLUMNS,
    CRM_COLUMNS,
    SEGMENTS,
    _segment,
    at_risk_customers,
    crm_export,
    lapsed_high_value,
    reactivated_customers,
    reactivated_per_period,
    rfm_summary_json,
    rfm_table,
)

AS_OF = date(2024, 3, 31)


def _orders(rows: list[tuple[str, datetime, float]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"customer_id": pl.String, "ordered_at": pl.Datetime("us"), "amount": pl.Float64},
        orient="row",
    )


# Ten customers: (recency days at AS_OF, orders, revenue).
SPEC = {
    "c0": (0, 5, 500.0),
    "c1": (0, 1, 20.0),
    "c2": (5, 3, 120.0),
    "c3": (10, 1, 15.0),
    "c4": (10, 2, 60.0),
    "c5": (30, 1, 30.0),
    "c6": (60, 4, 300.0),
    "c7": (60, 1, 10.0),
    "c8": (60, 1, 10.0),
    "c9": (200, 2, 80.0),
}


def _rfm_orders() -> pl.DataFrame:
    """Each customer: orders − 1 orders of 1.0 in 2023, the last order (revenue − rest) at AS_OF − recency.
    Plus: c2 has a 10.0 refund (not an order; its last order is 130), c1 an order after AS_OF."""
    rows = []
    for cid, (rec, n, rev) in SPEC.items():
        rows += [(cid, datetime(2023, 1, 1 + k), 1.0) for k in range(n - 1)]
        last = rev - (n - 1) + (10.0 if cid == "c2" else 0.0)
        rows.append(
            (
                cid,
                datetime.combine(AS_OF - timedelta(days=rec), datetime.min.time()) + timedelta(hours=9),
                last,
            )
        )
    rows.append(("c2", datetime(2023, 6, 1), -10.0))
    rows.append(("c1", datetime(2024, 4, 5), 999.0))
    return _orders(rows)


def test_rfm_golden_with_ties() -> None:
    # Scores: 1 + ⌊5·(min-rank − 1)/10⌋, better = higher rank.
    # R (rank by recency, oldest first): 200 → 1; 60 ×3 → rank 2 → 1; 30 → rank 5 → 3; 10 ×2 → rank 6 → 3;
    #   5 → rank 8 → 4; 0 ×2 → rank 9 → 5.
    # F: 1 ×5 → rank 1 → 1; 2 ×2 → rank 6 → 3; 3 → rank 8 → 4; 4 → rank 9 → 5; 5 → rank 10 → 5.
    # M: 10 ×2 → 1; 15 → rank 3 → 2; 20 → rank 4 → 2; 30 → 5 → 3; 60 → 6 → 3; 80 → 7 → 4; 120 → 8 → 4;
    #   300 → 9 → 5; 500 → 10 → 5.
    # FM = ⌊(F + M + 1)/2⌋; segment from the (R, FM) grid.
    want = {
        "c0": (5, 5, 5, 5, "Champions"),
        "c1": (5, 1, 2, 2, "Potential loyalists"),
        "c2": (4, 4, 4, 4, "Loyal"),
        "c3": (3, 1, 2, 2, "About to sleep"),
        "c4": (3, 3, 3, 3, "Need attention"),
        "c5": (3, 1, 3, 2, "About to sleep"),
        "c6": (1, 5, 5, 5, "Can't lose them"),
        "c7": (1, 1, 1, 1, "Lost"),
        "c8": (1, 1, 1, 1, "Lost"),
        "c9": (1, 3, 4, 4, "At risk"),
    }
    got = rfm_table(_rfm_orders(), as_of=AS_OF)
    assert got.get_column("customer_id").to_list() == list(SPEC)
    values = got.select("customer_id", "recency_days", "frequency", "monetary").rows()
    assert values == [(c, *v) for c, v in SPEC.items()]
    scores = got.select(
        "customer_id", "r_score", "f_score", "m_score", "fm_score", pl.col("segment").cast(pl.String)
    ).rows()
    assert scores == [(c, *v) for c, v in want.items()]


def test_rfm_default_as_of_is_the_last_order_day() -> None:
    got = rfm_table(_rfm_orders())  # last order: c1 on 2024-04-05
    assert got.filter(pl.col("customer_id") == "c1").get_column("recency_days").item() == 0
    assert got.filter(pl.col("customer_id") == "c0").get_column("recency_days").item() == 5


def test_segment_grid_cells() -> None:
    # The R × FM map written out cell by cell (rows R = 5 … 1, columns FM = 1 … 5).
    grid = {
        5: ["New", "Potential loyalists", "Potential loyalists", "Champions", "Champions"],
        4: ["Promising", "Potential loyalists", "Potential loyalists", "Loyal", "Loyal"],
        3: ["About to sleep", "About to sleep", "Need attention", "Loyal", "Loyal"],
        2: ["Hibernating", "Hibernating", "At risk", "At risk", "Can't lose them"],
        1: ["Lost", "Lost", "At risk", "At risk", "Can't lose them"],
    }
    cells = pl.DataFrame({"r": [r for r in range(1, 6) for _ in range(5)], "fm": list(range(1, 6)) * 5})
    got = cells.select(_segment(pl.col("r"), pl.col("fm")).cast(pl.String)).to_series().to_list()
    assert got == [grid[r][fm - 1] for r, fm in cells.rows()]
    assert set(got) == set(SEGMENTS)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.sampled_from([5.0, 10.0, 10.0, 50.0])), min_size=1, max_size=40)
)
def test_equal_values_get_equal_scores_and_better_never_scores_lower(rows) -> None:
    orders = _orders(
        [(f"c{i:02d}", datetime(2024, 3, 1) - timedelta(days=7 * d), v) for i, (d, v) in enumerate(rows)]
    )
    got = rfm_table(orders, as_of=date(2024, 3, 1))
    for value, score in (("recency_days", "r_score"), ("monetary", "m_score"), ("frequency", "f_score")):
        per_value = got.group_by(value).agg(pl.col(score).n_unique().alias("n"), pl.col(score).first())
        assert (per_value["n"] == 1).all()
        ordered = per_value.sort(value, descending=value == "recency_days")
        assert ordered[score].is_sorted()
        assert got[score].min() >= 1 and got[score].max() <= 5


def test_rfm_summary_json() -> None:
    out = rfm_summary_json(_rfm_orders(), as_of=AS_OF)
    assert list(out) == ["as_of", "segments"] and out["as_of"] == "2024-03-31"
    assert [s["segment"] for s in out["segments"]] == list(SEGMENTS)
    assert all(list(s) == ["segment", "customers", "revenue"] for s in out["segments"])
    by_name = {s["segment"]: s for s in out["segments"]}
    assert by_name["Lost"] == {"segment": "Lost", "customers": 2, "revenue": 20.0}
    assert by_name["New"]["customers"] == 0 and by_name["New"]["revenue"] == 0.0
    assert sum(s["customers"] for s in out["segments"]) == 10
    assert sum(s["revenue"] for s in out["segments"]) == pytest.approx(sum(v[2] for v in SPEC.values()))


# --- at risk -----------------------------------------------------------------------------------

RISK_AS_OF = date(2024, 6, 30)


def _risk_orders() -> pl.DataFrame:
    d = datetime
    return _orders(
        [
            # a: every 10 days, last Jan 21 (161 days ago > 90 and > 2 × 10) ⇒ overdue.
            ("a", d(2024, 1, 1), 20.0), ("a", d(2024, 1, 11), 20.0), ("a", d(2024, 1, 21), 20.0),
            # b: gaps 60, 60; last Mar 1: 121 days > 90 and > 2 × 60 = 120 ⇒ overdue (just).
            ("b", d(2023, 11, 2), 50.0), ("b", d(2024, 1, 1), 50.0), ("b", d(2024, 3, 1), 50.0),
            # c: gap 100, last Mar 10 (112 days > 90 but < 200) ⇒ not overdue.
            ("c", d(2023, 12, 1), 10.0), ("c", d(2024, 3, 10), 10.0),
            # e: one-time buyer long ago (two orders on one day) ⇒ not a repeat customer.
            ("e", d(2023, 1, 1, 9), 10.0), ("e", d(2023, 1, 1, 18), 10.0),
            # f: gap 5 days, last Jun 20 (10 days ago) ⇒ fine by the rule.
            ("f", d(2024, 6, 15), 30.0), ("f", d(2024, 6, 20), 30.0),
            # g: gaps 20, 20, last Apr 1 (90 days: not > 90) ⇒ fine.
            ("g", d(2024, 2, 21), 5.0), ("g", d(2024, 3, 12), 5.0), ("g", d(2024, 4, 1), 5.0),
        ]
    )  # fmt: skip


def test_at_risk_rule_without_a_model() -> None:
    got = at_risk_customers(_risk_orders(), as_of=RISK_AS_OF)
    assert got.columns == list(AT_RISK_COLUMNS)
    # value at risk = yearly spend so far = revenue × 365.25 / max(days since first order + 1, 365.25);
    # both became customers less than a year before 30 June (a: 182 days, b: 242) ⇒ their revenue:
    #   b: 150 first, a: 60.
    assert got.select("customer_id", "typical_gap_days", "days_since_last", "reason").rows() == [
        ("b", 60.0, 121, "overdue"),
        ("a", 10.0, 161, "overdue"),
    ]
    assert got.get_column("value_at_risk").to_list() == pytest.approx([150.0, 60.0])
    assert got.get_column("expected_next_order").to_list() == [date(2024, 4, 30), date(2024, 1, 31)]
    assert got.get_column("expected_value").to_list() == [None, None]
    assert got.get_column("rfm_segment").null_count() == 0


def test_value_at_risk_is_yearly_spend_for_old_customers() -> None:
    # a customer for two years (731 days + 1) who spent 300 is worth 300 × 365.25 / 732 ≈ 149.7 a year;
    # two orders a day apart no longer extrapolate to a fortune.
    orders = _orders([("o", datetime(2022, 6, 30), 100.0), ("o", datetime(2022, 7, 1), 200.0)])
    got = at_risk_customers(orders, as_of=date(2024, 6, 30))
    assert got.get_column("value_at_risk").to_list() == pytest.approx([300 * 365.25 / 732])


def test_at_risk_thresholds_move_the_line() -> None:
    # k = 2.5: b (121 days vs 150) drops out; min_days 170: a (161) drops out too.
    assert at_risk_customers(_risk_orders(), as_of=RISK_AS_OF, gap_multiple=2.5).get_column(
        "customer_id"
    ).to_list() == ["a"]
    assert at_risk_customers(_risk_orders(), as_of=RISK_AS_OF, min_days=170).height == 0
    # min_days 0 and k = 1: c (112 > 100) and f (10 > 5) and g (90 > 20) join.
    loose = at_risk_customers(_risk_orders(), as_of=RISK_AS_OF, min_days=0, gap_multiple=1.0)
    assert sorted(loose.get_column("customer_id").to_list()) == ["a", "b", "c", "f", "g"]


def test_at_risk_with_p_alive() -> None:
    clv = pl.DataFrame(
        {"customer_id": ["a", "f", "g", "e"], "p_alive": [0.1, 0.2, 0.9, 0.05], "clv": [5.0, 12.0, 40.0, 1.0]}
    )
    got = at_risk_customers(_risk_orders(), as_of=RISK_AS_OF, clv=clv)
    reasons = dict(got.select("customer_id", "reason").rows())
    # a overdue and unlikely alive; f only unlikely alive; e is not a repeat customer; g is fine.
    assert reasons == {"a": "overdue+low_p_alive", "b": "overdue", "f": "low_p_alive"}
    assert dict(got.select("customer_id", "expected_value").rows()) == {"a": 5.0, "b": None, "f": 12.0}
    # b: 150; a and f: 60 each (ties by customer id).
    assert got.get_column("customer_id").to_list() == ["b", "a", "f"]


def test_at_risk_errors() -> None:
    with pytest.raises(ParameterError, match="gap_multiple=0"):
        at_risk_customers(_risk_orders(), gap_multiple=0)
    with pytest.raises(ParameterError, match="p_alive_below=2"):
        at_risk_customers(_risk_orders(), p_alive_below=2)
    with pytest.raises(ColumnNotFoundError, match='"p_alive" not found'):
        at_risk_customers(_risk_orders(), clv=pl.DataFrame({"customer_id": ["a"], "clv": [1.0]}))


# --- win-back ----------------------------------------------------------------------------------


def test_reactivated_customers_and_counts() -> None:
    d = datetime
    orders = _orders(
        [
            ("a", d(2024, 1, 5), 10.0), ("a", d(2024, 4, 2), 30.0), ("a", d(2024, 4, 9), 5.0),  # back in Apr, gap 2
            ("b", d(2024, 1, 5), 10.0), ("b", d(2024, 2, 5), 10.0), ("b", d(2024, 4, 1), 7.0),  # back in Apr, gap 1
            ("c", d(2024, 1, 5), 10.0), ("c", d(2024, 3, 5), -10.0),  # a refund is not activity
            ("c", d(2024, 5, 1), 3.0),  # back in May after Feb–Apr
            ("e", d(2024, 3, 1), 1.0), ("e", d(2024, 4, 1), 1.0),  # consecutive months: no return
        ]
    )  # fmt: skip
    got = reactivated_customers(orders, grain="month")
    assert got.rows() == [
        ("a", date(2024, 4, 1), date(2024, 1, 1), 2, 2, 35.0),
        ("b", date(2024, 4, 1), date(2024, 2, 1), 1, 1, 7.0),
        ("c", date(2024, 5, 1), date(2024, 1, 1), 3, 1, 3.0),
    ]
    assert reactivated_per_period(orders).rows() == [(date(2024, 4, 1), 2, 42.0), (date(2024, 5, 1), 1, 3.0)]
    # By quarter every customer is active in consecutive quarters (Q1, Q2): no returns.
    assert reactivated_customers(orders, grain="quarter").height == 0


def test_lapsed_high_value() -> None:
    orders = _orders(
        [
            ("a", datetime(2024, 1, 1), 500.0),
            ("b", datetime(2024, 6, 25), 400.0),
            ("c", datetime(2023, 12, 1), 300.0),
            ("d", datetime(2023, 12, 1), 10.0),
            ("e", datetime(2024, 6, 1), 5.0),
        ]
    )
    clv = pl.DataFrame({"customer_id": ["a"], "p_alive": [0.4], "clv": [80.0]})
    got = lapsed_high_value(orders, as_of=RISK_AS_OF, top=0.6, clv=clv)
    # Top ⌈0.6 × 5⌉ = 3 by revenue: a, b, c; b bought 5 days ago.
    assert got.select("customer_id", "days_since_last", "expected_value", "reason").rows() == [
        ("a", 181, 80.0, "lapsed_high_value"),
        ("c", 212, None, "lapsed_high_value"),
    ]
    with pytest.raises(ParameterError, match="top=0"):
        lapsed_high_value(orders, top=0)


def test_crm_export_of_both_lists() -> None:
    risk = at_risk_customers(_risk_orders(), as_of=RISK_AS_OF)
    export = crm_export(risk)
    assert export.columns == list(CRM_COLUMNS)
    assert export.row(0) == ("b", date(2024, 3, 1), 3, 150.0, None, "overdue")
    lapsed = lapsed_high_value(_risk_orders(), as_of=RISK_AS_OF)
    assert crm_export(lapsed).columns == list(CRM_COLUMNS)
    assert "customer_id,last_order,orders,revenue,expected_value,reason" in export.write_csv()
    with pytest.raises(ColumnNotFoundError, match='"reason" not found'):
        crm_export(risk.drop("reason"))


def test_lists_of_empty_orders_are_empty() -> None:
    empty = _orders([])
    assert at_risk_customers(empty).columns == list(AT_RISK_COLUMNS)
    assert at_risk_customers(empty).height == 0
    assert rfm_summary_json(empty)["segments"][0] == {"segment": "Champions", "customers": 0, "revenue": 0.0}
    assert reactivated_customers(empty).height == 0


def test_reactivated_per_period_is_the_flow_tables_reactivated_under_any_window():
    """Win-back counts and the Overview's "reactivated" are one definition (issue 10): E \\ S \\ N under W."""
    import numpy as np

    from retention_core.retention.flows import period_metrics
    from retention_core.value.segments import reactivated_per_period

    rng = np.random.default_rng(7)
    n = 4000
    orders = pl.DataFrame({
        "customer_id": [f"c{i}" for i in rng.integers(0, 300, n)],
        "ordered_at": [datetime(2023, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 730, n)],
        "amount": rng.choice([-5.0, 0.0, 20.0, 35.0], n),
    })
    for grain, window in (("month", 1), ("month", 3), ("week", 13), ("quarter", 2)):
        flows = period_metrics(orders, grain=grain, window=window).filter(pl.col("reactivated") > 0)
        per = reactivated_per_period(orders, grain=grain, window=window)
        assert per.select("period_start", "reactivated").rows() == flows.select("period_start", "reactivated").rows()
