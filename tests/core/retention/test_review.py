"""Weekly review: last complete period vs the one before, overall and by segment (hand-computed)."""

from datetime import date

import polars as pl
import pytest

from retention_core.errors import ColumnNotFoundError, NotEnoughDataError
from retention_core.retention.review import changes_table, segment_movers, what_changed

# Weeks starting Mon 1, 8, 15 Jan 2024. Week 1: a, b. Week 2: a, c (new). Week 3: a, b (back), d (new);
# the data ends on Wed 24 Jan, inside week 4 (incomplete): e buys.
ORDERS = pl.DataFrame({
    "customer_id": ["a", "b", "a", "c", "a", "b", "d", "e"],
    "amount": [10.0, 20.0, 15.0, 5.0, 12.0, 8.0, 30.0, 99.0],
    "channel": ["web", "shop", "web", "shop", "web", "shop", "web", "web"],
    "ordered_at": [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 8), date(2024, 1, 9), date(2024, 1, 15),
                   date(2024, 1, 16), date(2024, 1, 17), date(2024, 1, 24)],
})


def _row(rows, metric: str) -> dict:
    return changes_table(rows).filter(pl.col("metric") == metric).row(0, named=True)


def test_last_complete_week_vs_the_one_before():
    t = what_changed(ORDERS)
    assert {k.period_start for k in t} == {date(2024, 1, 15)}  # week 4 is incomplete: never compared
    # week 3: E = {a, b, d} = 3, week 2: E = {a, c} = 2 ⇒ +50 %
    assert (_row(t, "customers_end")["current"], _row(t, "customers_end")["change"]) == (3.0, 0.5)
    # week 3: S = {a, c}, N = {d} ⇒ CRR (3 − 1)/2 = 1.0; week 2: S = {a, b}, N = {c} ⇒ (2 − 1)/2 = 0.5 ⇒ +50 pp
    crr = _row(t, "crr")
    assert (crr["current"], crr["previous"], crr["change"], crr["change_is_points"]) == (1.0, 0.5, 0.5, True)
    # revenue 12 + 8 + 30 = 50 vs 20 ⇒ +150 %; churned: c ⇒ 1 (higher is worse)
    assert _row(t, "revenue")["change"] == pytest.approx(1.5)
    assert (_row(t, "churned")["current"], _row(t, "churned")["higher_is_better"]) == (1.0, False)
    assert _row(t, "reactivated")["current"] == 1.0  # b came back after a week away


def test_one_complete_week_is_not_enough():
    with pytest.raises(NotEnoughDataError, match="two complete weeks"):
        what_changed(ORDERS.filter(pl.col("ordered_at") < date(2024, 1, 9)))


def test_segment_movers_sorted_by_revenue_change():
    m = segment_movers(ORDERS, segment="channel")
    # web: 12 + 30 = 42 vs 15 (Δ 27); shop: 8 vs 5 (Δ 3)
    assert m["segment"].to_list() == ["web", "shop"]
    web = m.row(0, named=True)
    assert (web["revenue"], web["revenue_previous"]) == (42.0, 15.0)
    assert web["revenue_change"] == pytest.approx(27 / 15)
    with pytest.raises(ColumnNotFoundError, match='did you mean "channel"'):
        segment_movers(ORDERS, segment="chanel")


def test_crr_comes_with_its_parts_and_the_window_is_applied():
    t = what_changed(ORDERS)
    # week 3: S = {a, c}; a kept, c gone ⇒ retention 1/2; b came back ⇒ share 1/2; CRR 1.0 = 0.5 + 0.5
    assert (_row(t, "retention_rate")["current"], _row(t, "reactivation_share")["current"]) == (0.5, 0.5)
    # W = 2 weeks: week 3's S = active in weeks 1–2 = {a, b, c}, E = active in weeks 2–3 = {a, b, c, d}
    # ⇒ nobody churned, nobody came back (b was still active), CRR (4 − 1)/3 = 1.0 = 1.0 kept + 0
    w2 = what_changed(ORDERS, window=2)
    assert (_row(w2, "churned")["current"], _row(w2, "reactivated")["current"]) == (0.0, 0.0)
    assert (_row(w2, "crr")["current"], _row(w2, "retention_rate")["current"]) == (1.0, 1.0)
    movers = segment_movers(ORDERS, segment="channel", window=2)
    web = movers.filter(pl.col("segment") == "web").row(0, named=True)
    # web in week 3: S = {a} (weeks 1–2), E = {a, d}, N = {d} ⇒ CRR 1 = 1 kept + 0 back
    assert (web["crr"], web["retention_rate"], web["reactivation_share"]) == (1.0, 1.0, 0.0)
