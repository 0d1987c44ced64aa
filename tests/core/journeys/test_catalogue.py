"""What the funnel builder offers (event names, a suggested funnel, properties) and the funnel's
headline numbers (SPEC §5): hand-counted logs."""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from retention_core.charts.journeys import funnel_breakdown_chart
from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.journeys.catalogue import event_catalogue, event_properties, suggested_steps
from retention_core.journeys.funnels import FunnelSpec, FunnelStep, funnel, funnel_breakdown, funnel_summary

T0 = datetime(2024, 3, 1)


def ev(rows: list[tuple], **props: list) -> pl.DataFrame:
    """Events from (user, event, minutes after T0) rows; seq = row order."""
    return pl.DataFrame(
        {
            "user_id": [r[0] for r in rows],
            "event": [r[1] for r in rows],
            "occurred_at": [T0 + timedelta(minutes=r[2]) for r in rows],
            "seq": pl.Series(range(len(rows)), dtype=pl.UInt32),
            **props,
        },
        schema_overrides={"occurred_at": pl.Datetime("us")},
    )


# A shop log: everyone visits first; a, b, c view; a, b cart; a buys. d, e only search (a noise
# event with more users than cart or buy). b searched after viewing.
SHOP = ev([
    ("a", "visit", 0), ("a", "view", 1), ("a", "view", 2), ("a", "cart", 3), ("a", "buy", 4),
    ("b", "visit", 0), ("b", "view", 1), ("b", "search", 2), ("b", "cart", 3),
    ("c", "visit", 0), ("c", "view", 5),
    ("d", "visit", 0), ("d", "search", 1),
    ("e", "visit", 0), ("e", "search", 1),
])


def test_event_catalogue_golden():
    # occurrences: visit 5, view 4, search 3, cart 2, buy 1.
    # first positions: visit 0 ×5; view: a 1, b 1, c 1; search: b 2, d 1, e 1 → median 1;
    # cart: a 3, b 3; buy: a 4.
    expected = pl.DataFrame({
        "event": ["visit", "view", "search", "cart", "buy"],
        "occurrences": [5, 4, 3, 2, 1],
        "users": [5, 3, 3, 2, 1],
        "median_first_position": [0.0, 1.0, 1.0, 3.0, 4.0],
    })
    assert_frame_equal(event_catalogue(SHOP), expected)


def test_event_catalogue_uses_time_then_file_order():
    # Rows out of time order: x's buy (minute 1) comes after its visit (minute 0) whatever the row order.
    log = ev([("x", "buy", 1), ("x", "visit", 0)])
    assert event_catalogue(log).select("event", "median_first_position").rows() == [("buy", 1.0), ("visit", 0.0)]


def test_suggested_steps_follow_the_nested_chain_not_the_most_frequent():
    # search has 3 users (more than cart's 2), but only 1 of cart's 2 users searched first (< 90 %),
    # and search does not follow view (1 of 3 searchers viewed first). Chain: visit → view → cart → buy.
    assert suggested_steps(SHOP) == ("visit", "view", "cart", "buy")
    assert suggested_steps(SHOP, max_steps=2) == ("visit", "view")


def test_suggested_steps_fall_back_to_frequent_events_in_typical_order():
    # No event follows another for 90 % of its users: p then q for u, q then p for v, r alone.
    # Most users: p 2, q 2, r 1 → the two most frequent, by median first position (both 0.5 → by users, name).
    log = ev([("u", "p", 0), ("u", "q", 1), ("v", "q", 0), ("v", "p", 1), ("w", "r", 0)])
    assert suggested_steps(log, max_steps=2) == ("p", "q")


def test_suggested_steps_errors():
    with pytest.raises(ParameterError, match="max_steps"):
        suggested_steps(SHOP, max_steps=1)
    with pytest.raises(ParameterError, match="nested_share"):
        suggested_steps(SHOP, nested_share=0.5)
    with pytest.raises(ColumnNotFoundError, match="occurred_at"):
        suggested_steps(SHOP.drop("occurred_at"))


def test_suggested_steps_make_a_funnel_with_falling_counts():
    spec = FunnelSpec(suggested_steps(SHOP), window="1h")
    # a, b, c view; a, b cart; a buys.
    assert funnel(SHOP, spec).steps["users"].to_list() == [5, 3, 2, 1]


def test_event_properties_golden():
    log = ev([("a", "visit", 0), ("b", "visit", 0), ("c", "visit", 0), ("d", "visit", 0)],
             device=["mobile", "desktop", "mobile", None], visits=[1, 2, 2, 2])
    # mobile 2 > desktop 1 (null left out); numbers are compared as text: "2" ×3, "1" ×1.
    assert event_properties(log) == {"device": ["mobile", "desktop"], "visits": ["2", "1"]}
    assert event_properties(log, max_values=1) == {"device": ["mobile"], "visits": ["2"]}
    with pytest.raises(ParameterError, match="max_values"):
        event_properties(log, max_values=0)


def test_funnel_summary_golden():
    # visit → view → cart within 1 h: 5 entered, a and b reach cart after 3 min each → median 180 s.
    s = funnel_summary(funnel(SHOP, FunnelSpec(("visit", "view", "cart"), window="1h")))
    assert (s.entered, s.converted, s.last_step) == (5, 2, 3)
    assert s.conversion == pytest.approx(2 / 5)
    assert (s.median_seconds_to_convert, s.max_seconds_to_convert) == (180.0, 180.0)


def test_funnel_summary_converts_at_the_last_required_step():
    # cart optional: the last required step is view (a, b, c after 1, 1 and 5 min → median 60 s).
    spec = FunnelSpec(("visit", "view", FunnelStep("cart", optional=True)), window="1h")
    s = funnel_summary(funnel(SHOP, spec))
    assert (s.entered, s.converted, s.last_step) == (5, 3, 2)
    assert (s.median_seconds_to_convert, s.max_seconds_to_convert) == (60.0, 300.0)


def test_funnel_summary_nobody_converted_and_nobody_entered():
    s = funnel_summary(funnel(SHOP, FunnelSpec(("buy", "visit"), window="1h")))
    assert (s.entered, s.converted, s.median_seconds_to_convert) == (1, 0, None)
    empty = funnel_summary(funnel(SHOP, FunnelSpec(("visit", "view"), window="1h", date_from="2030-01-01")))
    assert (empty.entered, empty.converted, empty.conversion) == (0, 0, None)  # 0/0 is null, not 0


def test_breakdown_chart_bars_are_conversion_from_start_per_value():
    log = SHOP.with_columns(device=pl.Series(["m"] * 5 + ["d"] * 4 + ["m"] * 2 + ["d"] * 2 + ["m"] * 2))
    table = funnel_breakdown(funnel(log, FunnelSpec(("visit", "view"), window="1h"), breakdown="device"))
    # m: a, c, e entered; a, c viewed → 2/3. d: b, d entered; b viewed → 1/2.
    fig = funnel_breakdown_chart(table, max_values=8)
    assert [t.name for t in fig.data] == ["m", "d"]
    assert [list(t.y) for t in fig.data] == [[pytest.approx(2 / 3)], [0.5]]
    assert list(fig.data[0].x) == ["2. view"]
    assert [t.name for t in funnel_breakdown_chart(table, max_values=1).data] == ["m"]
    assert list(funnel_breakdown_chart(table, step_labels=["visit", "viewed"]).data[1].x) == ["viewed"]
    with pytest.raises(ParameterError, match="step_labels"):
        funnel_breakdown_chart(table, step_labels=["only one"])
