"""Event retention options of issue 14 (SPEC §4.3): any event, cumulative, minimum occurrences, hours,
week start, time zone, breakdown by an event or user property, property filters. Hand-built logs.

Weeks (Mon): W1 = 1–7 Jan 2024, W2 = 8–14, W3 = 15–21. 7 Jan and 14 Jan are Sundays.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.retention.cohorts import ANY_EVENT, event_retention

W1, W2, W3 = date(2024, 1, 1), date(2024, 1, 8), date(2024, 1, 15)


def ev(rows: list[tuple]) -> pl.DataFrame:
    """(user, event, datetime[, plan[, amount]])."""
    return pl.DataFrame({
        "user_id": [r[0] for r in rows],
        "event": [r[1] for r in rows],
        "occurred_at": pl.Series([r[2] for r in rows], dtype=pl.Datetime("us")),
        "seq": pl.Series(range(len(rows)), dtype=pl.UInt32),
        "plan": pl.Series([r[3] if len(r) > 3 else "(none)" for r in rows], dtype=pl.String),
        "amount": pl.Series([r[4] if len(r) > 4 else "(none)" for r in rows], dtype=pl.String),
    })


def cells(m: pl.DataFrame, *cols: str) -> list[tuple]:
    return m.select(*(cols or ("cohort", "age", "value"))).rows()


# u1: signup W1, view W2, buy W3 · u2: signup W1, buy W2 (twice), nothing later · u3: view W1, signup W2
LOG = ev([
    ("u1", "signup", datetime(2024, 1, 1, 9)), ("u1", "view", datetime(2024, 1, 9)), ("u1", "buy", datetime(2024, 1, 16)),
    ("u2", "signup", datetime(2024, 1, 2)), ("u2", "buy", datetime(2024, 1, 10)), ("u2", "buy", datetime(2024, 1, 11)),
    ("u3", "view", datetime(2024, 1, 3)), ("u3", "signup", datetime(2024, 1, 8)),
])


def test_any_event_as_return_and_as_start():
    # return = any event: W1 {u1, u2}: W2 both (u1 view, u2 buy), W3 u1 ⇒ 2, 2, 1; W2 {u3}: nothing after
    m = event_retention(LOG, start_event="signup", return_event=ANY_EVENT)
    assert cells(m.filter(pl.col("cohort") == W1)) == [(W1, 0, 2), (W1, 1, 2), (W1, 2, 1)]
    # start = any event: first event W1 for everyone; buy later: u1 W3 (age 2), u2 W2 (age 1)
    m = event_retention(LOG, start_event=ANY_EVENT, return_event="buy")
    assert cells(m) == [(W1, 0, 3), (W1, 1, 1), (W1, 2, 1)]


def test_cumulative_counts_a_return_at_that_age_or_later():
    # buy: u1 at age 2, u2 at age 1 ⇒ on: 1, 1; on or after: age 1 = 2 (u1 returns later), age 2 = 1
    assert cells(event_retention(LOG, start_event="signup", return_event="buy"))[:3] == [(W1, 0, 2), (W1, 1, 1), (W1, 2, 1)]
    m = event_retention(LOG, start_event="signup", return_event="buy", cumulative=True)
    assert cells(m)[:3] == [(W1, 0, 2), (W1, 1, 2), (W1, 2, 1)]


def test_minimum_occurrences_per_period():
    # u2 buys twice in W2, u1 once in W3: with at least 2 only u2's W2 counts
    m = event_retention(LOG, start_event="signup", return_event="buy", min_occurrences=2)
    assert cells(m)[:3] == [(W1, 0, 2), (W1, 1, 1), (W1, 2, 0)]
    with pytest.raises(ParameterError, match="min_occurrences"):
        event_retention(LOG, start_event="signup", return_event="buy", min_occurrences=0)


def test_hour_periods():
    e = ev([("a", "open", datetime(2024, 1, 1, 10, 5)), ("a", "open", datetime(2024, 1, 1, 12, 59)),
            ("b", "open", datetime(2024, 1, 1, 10, 59)), ("b", "open", datetime(2024, 1, 1, 11, 0))])
    m = event_retention(e, start_event="open", return_event="open", grain="hour")
    assert m.schema["cohort"] == pl.Datetime("us")
    # cohort 10:00 {a, b}: 11:00 b, 12:00 a; the data ends inside 12:00–13:00, still counted complete (its last hour)
    assert cells(m, "cohort", "age", "value", "complete") == [
        (datetime(2024, 1, 1, 10), 0, 2, True), (datetime(2024, 1, 1, 10), 1, 1, True), (datetime(2024, 1, 1, 10), 2, 1, True)]


def test_week_start_sunday():
    # a signs up on Sunday 7 Jan and buys on Monday 8 Jan: Monday weeks put them one week apart,
    # Sunday weeks (7–13 Jan) put both in the same week (no return)
    e = ev([("a", "signup", datetime(2024, 1, 7, 12)), ("a", "buy", datetime(2024, 1, 8, 12)),
            ("b", "signup", datetime(2024, 1, 8, 9)), ("b", "buy", datetime(2024, 1, 14, 12))])
    monday = event_retention(e, start_event="signup", return_event="buy")
    # Monday weeks: W1 {a} returns in W2; W2 {b} buys on Sunday 14 Jan, still W2 (no return)
    assert cells(monday) == [(W1, 0, 1), (W1, 1, 1), (W2, 0, 1)]
    sunday = event_retention(e, start_event="signup", return_event="buy", week_start="sunday")
    # Sunday weeks (7–13 Jan, 14–20 Jan): a signs up and buys in one week; b returns in the next one
    assert cells(sunday) == [(date(2024, 1, 7), 0, 2), (date(2024, 1, 7), 1, 1)]


def test_time_zone_moves_events_across_midnight():
    # 7 Jan 22:30 UTC is 8 Jan 01:30 in Moscow (UTC+3): a Monday-week W2 there
    e = ev([("a", "signup", datetime(2024, 1, 7, 22, 30)), ("a", "buy", datetime(2024, 1, 8, 10))])
    assert cells(event_retention(e, start_event="signup", return_event="buy")) == [(W1, 0, 1), (W1, 1, 1)]
    moscow = event_retention(e, start_event="signup", return_event="buy", time_zone="Europe/Moscow")
    assert cells(moscow) == [(W2, 0, 1)]
    with pytest.raises(ParameterError, match="IANA time zone"):
        event_retention(e, start_event="signup", return_event="buy", time_zone="Mars/Olympus")


def test_breakdown_by_event_property_needs_the_same_value_on_the_return():
    # u1 signs up on free and buys on pro a week later; u2 signs up and buys on pro
    e = ev([("u1", "signup", datetime(2024, 1, 1), "free"), ("u1", "buy", datetime(2024, 1, 9), "pro"),
            ("u2", "signup", datetime(2024, 1, 2), "pro"), ("u2", "buy", datetime(2024, 1, 10), "pro")])
    by_event = event_retention(e, start_event="signup", return_event="buy", breakdown="plan")
    assert by_event.select("breakdown", "age", "value").rows() == [("free", 0, 1), ("free", 1, 0), ("pro", 0, 1), ("pro", 1, 1)]
    # user property: each user's latest value (u1: pro) — both in pro, both return
    by_user = event_retention(e, start_event="signup", return_event="buy", breakdown="plan", breakdown_type="user")
    assert by_user.select("breakdown", "age", "value").rows() == [("pro", 0, 2), ("pro", 1, 2)]
    with pytest.raises(ColumnNotFoundError, match="breakdown"):
        event_retention(e, start_event="signup", return_event="buy", breakdown="tier")


def test_property_filters_on_start_and_return():
    e = ev([("a", "signup", datetime(2024, 1, 1), "pro"), ("a", "buy", datetime(2024, 1, 9), "pro", "20"),
            ("b", "signup", datetime(2024, 1, 1), "free"), ("b", "buy", datetime(2024, 1, 9), "free", "500")])
    pro = event_retention(e, start_event="signup", return_event="buy", start_where="plan=pro")
    assert cells(pro) == [(W1, 0, 1), (W1, 1, 1)]
    big = event_retention(e, start_event="signup", return_event="buy", return_where=["amount>=100"])
    assert cells(big) == [(W1, 0, 2), (W1, 1, 1)]


@st.composite
def logs(draw):
    n = draw(st.integers(1, 6))
    plans = {f"u{i}": draw(st.sampled_from(["free", "pro"])) for i in range(n)}
    rows = []
    for _ in range(draw(st.integers(1, 25))):
        u = f"u{draw(st.integers(0, n - 1))}"
        rows.append((u, draw(st.sampled_from(["A", "B"])), datetime(2024, 1, 1) + timedelta(days=draw(st.integers(0, 40))), plans[u]))
    return ev(rows)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs(), st.sampled_from(["event", "user"]), st.booleans(), st.sampled_from(["first_time", "recurring"]))
def test_breakdown_groups_add_up_when_every_user_has_one_value(events, kind, cumulative, type_):
    start = "A" if (events["event"] == "A").any() else "B"
    whole = event_retention(events, start_event=start, return_event="B" if (events["event"] == "B").any() else start,
                            cumulative=cumulative, type=type_)
    parts = event_retention(events, start_event=start, return_event="B" if (events["event"] == "B").any() else start,
                            cumulative=cumulative, type=type_, breakdown="plan", breakdown_type=kind)
    summed = parts.group_by("cohort", "age").agg(pl.col("value").sum()).sort("cohort", "age")
    assert summed.rows() == whole.select("cohort", "age", "value").sort("cohort", "age").rows()


def test_a_date_time_to_is_that_instant():
    # hourly: the data ends at 11:30 (a date-time --to) ⇒ the 11:00 hour is incomplete and the 12:00 open is not read
    e = ev([("a", "open", datetime(2024, 1, 1, 10, 5)), ("a", "open", datetime(2024, 1, 1, 11, 10)),
            ("a", "open", datetime(2024, 1, 1, 12, 0))])
    m = event_retention(e, start_event="open", return_event="open", grain="hour", date_to=datetime(2024, 1, 1, 11, 30))
    assert cells(m, "age", "value", "complete") == [(0, 1, True), (1, 1, False)]
    whole_day = event_retention(e, start_event="open", return_event="open", grain="hour", date_to=date(2024, 1, 1))
    assert whole_day.height == 14  # the 10:00 cohort, ages 0..13: up to the day's last hour
