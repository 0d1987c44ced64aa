"""Funnels (SPEC §5, §8 ``funnel``): hand-computed scenarios, invariants, and a brute-force reference.

Time base: 2024-03-01 00:00 (a Friday). ``ev([...])`` builds an events frame from
``(user, event, seconds after the base[, device])`` rows; ``seq`` is the row order.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.journeys.funnels import (
    FunnelResult,
    FunnelSpec,
    FunnelStep,
    dropped_users,
    funnel,
    funnel_breakdown,
    funnel_json,
    funnel_steps,
    funnel_trend,
)

T0 = datetime(2024, 3, 1)
MIN, HOUR, DAY = 60, 3600, 86400


def ev(rows: list[tuple], *, seq: list[int] | None = None) -> pl.DataFrame:
    """Events frame from (user, event, seconds[, device]) rows; seq = row order unless given."""
    return pl.DataFrame(
        {
            "user_id": [r[0] for r in rows],
            "event": [r[1] for r in rows],
            "occurred_at": [T0 + timedelta(seconds=r[2]) for r in rows],
            "seq": pl.Series(seq if seq is not None else range(len(rows)), dtype=pl.UInt32),
            "device": [r[3] if len(r) > 3 else "mobile" for r in rows],
        },
        schema_overrides={"occurred_at": pl.Datetime("us")},
    )


def counts(events: pl.DataFrame, steps, window="1h", **kw) -> list[int]:
    return funnel(events, FunnelSpec(tuple(steps), window=window, **kw)).steps["users"].to_list()


# ---------------------------------------------------------------------------------------------
# Brute-force reference (plain Python, every attempt and chain enumerated; tiny logs only).
# A brute-force funnel in plain Python, independent of the engine, for differential tests.
#
# It enumerates every attempt and every chain of each user (exponential; fine for the tiny logs of
# the tests). Same definitions as the module docs of ``retention_core.journeys.funnels``:
#
# * a user's events in order of ``(occurred_at, rank, seq)``, rank = first step the event matches;
# * ordered: chains at strictly increasing positions with ``t_j − t_1 ≤ window``; an attempt reaches
#   the longest chain from its start; its times are those of the lexicographically first such chain;
# * strict: consecutive positions;
# * any: every step occurrence starts a window ``[t0, t0 + window]``; steps done = steps occurring in it;
# * void: an exclusion event with ``t_first < t_x < t_last`` where ``t_last`` is the earliest possible
#   time of the attempt's last reached step;
# * the counted attempt: the furthest non-void attempt, the first (by position) on ties.
# No per-step windows and no optional steps here (their scenario tests are hand-written).


def _matches(row: dict, step: FunnelStep) -> bool:
    return row["event"] == step.event and all(row.get(f.column) == f.value for f in step.where)


def _date_ok(t: datetime, spec: FunnelSpec) -> bool:
    d: date = t.date()
    return (spec.date_from is None or d >= spec.date_from) and (spec.date_to is None or d <= spec.date_to)


def _chains(seq: list[dict], spec: FunnelSpec, start: int) -> list[list[int]]:
    """Every chain of positions from ``start`` (ordered: increasing; strict: consecutive), in lexicographic order."""
    steps, w = spec.steps, spec.window
    out: list[list[int]] = []

    def grow(chain: list[int]) -> None:
        out.append(chain)
        j = len(chain)
        if j == len(steps):
            return
        nxt = [chain[-1] + 1] if spec.order == "strict" else range(chain[-1] + 1, len(seq))
        for p in nxt:
            if p < len(seq) and _matches(seq[p], steps[j]) and seq[p]["t"] - seq[start]["t"] <= w:
                grow([*chain, p])

    grow([start])
    return out


def reference_funnel(rows: list[dict], spec: FunnelSpec) -> dict[str, tuple[int, list[datetime]]]:
    """``{user: (furthest, [time of funnel row 1, 2, …])}`` for users with a counted attempt."""
    k = len(spec.steps)
    rank = {id(r): min([j for j in range(k) if _matches(r, spec.steps[j])], default=k) for r in rows}
    result: dict[str, tuple[int, list[datetime]]] = {}
    for user in sorted({r["user_id"] for r in rows}):
        seq = sorted((r for r in rows if r["user_id"] == user), key=lambda r: (r["t"], rank[id(r)], r["seq"]))
        xs = [r["t"] for r in seq if r["event"] in spec.exclusion_events]
        best: tuple[int, list[datetime]] | None = None
        for start, row in enumerate(seq):
            if not _date_ok(row["t"], spec):
                continue
            if spec.order == "any":
                if rank[id(row)] == k:
                    continue
                t0 = row["t"]
                firsts = []
                for step in spec.steps:
                    ts = [r["t"] for r in seq if _matches(r, step) and t0 <= r["t"] <= t0 + spec.window]
                    if ts:
                        firsts.append(min(ts))
                times = sorted(firsts)
                reach, t_last = len(times), times[-1]
            else:
                if not _matches(row, spec.steps[0]):
                    continue
                chains = _chains(seq, spec, start)
                reach = max(len(c) for c in chains)
                first = next(c for c in chains if len(c) == reach)  # lexicographically first longest
                times = [seq[p]["t"] for p in first]
                t_last = min(seq[c[-1]]["t"] for c in chains if len(c) == reach)
            if any(times[0] < x < t_last for x in xs):
                continue  # void
            if best is None or reach > best[0]:
                best = (reach, times)
        if best is not None:
            result[user] = best
    return result


def _rows(events: pl.DataFrame) -> list[dict]:
    return [{**r, "t": r["occurred_at"]} for r in events.to_dicts()]


def engine_as_reference(result: FunnelResult) -> dict[str, tuple[int, list[datetime]]]:
    k = len(result.spec.steps)
    out = {}
    for r in result.users.to_dicts():
        times = [r["entered_at"]] + [r[f"step_{j}_at"] for j in range(2, k + 1)]
        out[r["user_id"]] = (r["furthest_step"], [t for t in times if t is not None])
    return out


# ---------------------------------------------------------------------------------------------
# Scenarios (hand-computed; window 1 h unless stated).


def test_steps_out_of_order_do_not_count():
    # u1 does B before A: entered at A, never B after it. u2: A then B.
    e = ev([("u1", "B", 0), ("u1", "A", 60), ("u2", "A", 0), ("u2", "B", 60)])
    assert counts(e, ["A", "B"]) == [2, 1]


def test_repeated_step_event_needs_a_strictly_later_occurrence():
    # (A, A, B): u1 has one A → only step 1; u2: A, A, B → all three.
    e = ev([("u1", "A", 0), ("u1", "B", 60), ("u2", "A", 0), ("u2", "A", 10), ("u2", "B", 20)])
    assert counts(e, ["A", "A", "B"]) == [2, 1, 1]
    # (A, B, A): the A of step 1 cannot serve step 3.
    assert counts(ev([("u", "A", 0), ("u", "B", 10)]), ["A", "B", "A"]) == [1, 1, 0]


def test_later_attempt_that_goes_further_is_counted_with_its_times():
    # Attempt 1: A@0, B@600, C only at 7380 s (> 1 h after A) → step 2.
    # Attempt 2: A@7200, B@7260, C@7380 → step 3; times 60 s and 120 s.
    e = ev([("u", "A", 0), ("u", "B", 600), ("u", "A", 7200), ("u", "B", 7260), ("u", "C", 7380)])
    r = funnel(e, FunnelSpec(("A", "B", "C"), window="1h"))
    assert r.steps["users"].to_list() == [1, 1, 1]
    row = r.users.row(0, named=True)
    assert row["entered_at"] == T0 + timedelta(seconds=7200)
    assert (row["seconds_to_step_2"], row["seconds_to_step_3"]) == (60.0, 120.0)


def test_equally_far_attempts_take_times_from_the_first():
    # Both attempts reach B: the first (A@0 → B@100) gives the time, not A@200 → B@250.
    e = ev([("u", "A", 0), ("u", "B", 100), ("u", "A", 200), ("u", "B", 250)])
    r = funnel(e, FunnelSpec(("A", "B"), window="1h"))
    assert r.users.select("entered_at", "seconds_to_step_2").row(0) == (T0, 100.0)


def test_window_end_is_inclusive_and_measured_from_the_first_step():
    # u1: B exactly 1 h after A counts; u2: 1 s later does not.
    e = ev([("u1", "A", 0), ("u1", "B", HOUR), ("u2", "A", 0), ("u2", "B", HOUR + 1)])
    assert counts(e, ["A", "B"]) == [2, 1]
    # C at exactly t1 + window (not t2 + window) still counts; 1 s later it does not.
    ok = ev([("u", "A", 0), ("u", "B", 1800), ("u", "C", HOUR)])
    late = ev([("u", "A", 0), ("u", "B", 1800), ("u", "C", HOUR + 1)])
    assert counts(ok, ["A", "B", "C"]) == [1, 1, 1]
    assert counts(late, ["A", "B", "C"]) == [1, 1, 0]


def test_equal_timestamps_different_steps_count_in_order_whatever_the_file_order():
    # B is listed before A in the file, same timestamp: still A → B.
    e = ev([("u", "B", 0), ("u", "A", 0)])
    assert counts(e, ["A", "B"]) == [1, 1]
    r = funnel(e, FunnelSpec(("A", "B"), window="1h"))
    assert r.users["seconds_to_step_2"].to_list() == [0.0]


def test_equal_timestamps_one_event_never_satisfies_two_steps():
    # (A, A): u1 has a single A; u2 has two A rows at the same second → two events, both steps.
    e = ev([("u1", "A", 0), ("u2", "A", 0), ("u2", "A", 0)])
    assert counts(e, ["A", "A"]) == [2, 1]
    # (A, B, A) all at one timestamp with one A: the A is used once.
    assert counts(ev([("u", "A", 0), ("u", "B", 0)]), ["A", "B", "A"]) == [1, 1, 0]


def test_users_who_start_at_step_two_are_not_counted():
    e = ev([("u", "B", 0), ("u", "C", 10)])
    r = funnel(e, FunnelSpec(("A", "B", "C"), window="1h"))
    assert r.steps["users"].to_list() == [0, 0, 0]
    assert r.users.height == 0
    assert r.steps["conversion_from_start"].to_list() == [None, None, None]  # 0/0 is null


def test_strict_is_broken_by_an_unrelated_event():
    # u1: A, N, B — ordered reaches B, strict does not. u2: A, B back to back.
    e = ev([("u1", "A", 0), ("u1", "N", 10), ("u1", "B", 20), ("u2", "A", 0), ("u2", "B", 10)])
    assert counts(e, ["A", "B"], order="strict") == [2, 1]
    assert counts(e, ["A", "B"], order="ordered") == [2, 2]
    # A later A restarts: A@0, A@5, B@10 → the attempt at A@5 is consecutive with B.
    assert counts(ev([("u", "A", 0), ("u", "A", 5), ("u", "B", 10)]), ["A", "B"], order="strict") == [1, 1]


def test_any_order_counts_distinct_steps_within_one_window():
    # u1: C, A, B within 20 s → 3 steps in any order (ordered: A → B only).
    # u2: B then C 2 h later → never 2 steps in one window.
    e = ev([("u1", "C", 0), ("u1", "A", 10), ("u1", "B", 20), ("u2", "B", 0), ("u2", "C", 2 * HOUR)])
    assert counts(e, ["A", "B", "C"], order="any") == [2, 1, 1]
    assert counts(e, ["A", "B", "C"], order="ordered") == [1, 1, 0]
    r = funnel(e, FunnelSpec(("A", "B", "C"), window="1h", order="any"))
    u1 = r.users.filter(pl.col("user_id") == "u1").row(0, named=True)
    assert (u1["furthest_step"], u1["seconds_to_step_2"], u1["seconds_to_step_3"]) == (3, 10.0, 10.0)


def test_exclusion_between_reached_steps_voids_the_attempt():
    e = ev([
        ("u1", "A", 0), ("u1", "X", 5), ("u1", "B", 10), ("u1", "C", 20),  # X inside → void, u1 absent
        ("u2", "A", 0), ("u2", "B", 10), ("u2", "C", 20), ("u2", "X", 30),  # X after the last step
        ("u3", "A", 0), ("u3", "B", 10), ("u3", "X", 15),  # reached B; X after it
        ("u4", "A", 0), ("u4", "X", 0), ("u4", "B", 10),  # X at A's very timestamp: not strictly between
        ("u5", "A", 0), ("u5", "X", 5), ("u5", "B", 10), ("u5", "A", 100), ("u5", "B", 110),  # 2nd attempt clean
        ("u6", "A", 0), ("u6", "B", 10), ("u6", "X", 10),  # X at the last step's timestamp: not between
    ])
    r = funnel(e, FunnelSpec(("A", "B", "C"), window="1h", exclusions=("X",)))
    assert r.steps["users"].to_list() == [5, 5, 1]
    assert sorted(r.users["user_id"]) == ["u2", "u3", "u4", "u5", "u6"]
    assert r.users.filter(pl.col("user_id") == "u5")["entered_at"].item() == T0 + timedelta(seconds=100)


def test_with_exclusions_a_wider_window_can_void_an_attempt():
    # Window 60 s: A only (B is too late), nothing between → counted. 200 s: A…X…B → void.
    e = ev([("u", "A", 0), ("u", "X", 5), ("u", "B", 100)])
    assert counts(e, ["A", "B"], window="60s", exclusions=("X",)) == [1, 0]
    assert counts(e, ["A", "B"], window="200s", exclusions=("X",)) == [0, 0]


def test_breakdown_uses_the_value_at_the_first_step_of_the_counted_attempt():
    # u1: A on mobile (goes nowhere), later A→B on desktop (counted) → desktop.
    # u2: mobile A→B. u3: desktop A only.
    e = ev([
        ("u1", "A", 0, "mobile"), ("u1", "A", 7200, "desktop"), ("u1", "B", 7300, "desktop"),
        ("u2", "A", 0, "mobile"), ("u2", "B", 10, "mobile"),
        ("u3", "A", 0, "desktop"),
    ])
    r = funnel(e, FunnelSpec(("A", "B"), window="1h"), breakdown="device")
    b = funnel_breakdown(r)
    # desktop: 2 entered (u1, u3), 1 converted after 100 s; mobile: 1 entered, 1 converted after 10 s.
    assert b.select("value", "step", "users", "conversion_from_previous", "median_seconds_from_previous").rows() == [
        ("desktop", 1, 2, None, None),
        ("desktop", 2, 1, 0.5, 100.0),
        ("mobile", 1, 1, None, None),
        ("mobile", 2, 1, 1.0, 10.0),
    ]
    out = funnel_json(r)
    assert [g["value"] for g in out["breakdown"]] == ["desktop", "mobile"]
    assert out["breakdown"][0]["steps"][1] == {
        "event": "B", "users": 1, "conversion_from_start": 0.5, "conversion_from_previous": 0.5,
        "median_seconds_from_previous": 100.0, "average_seconds_from_previous": 100.0,
    }


def test_date_range_selects_attempts_by_their_first_step():
    d = DAY
    e = ev([
        ("u1", "A", d - HOUR), ("u1", "B", d + HOUR),  # starts on Mar 1 → outside
        ("u2", "A", 2 * d - HOUR), ("u2", "B", 2 * d + HOUR),  # starts Mar 2, B on Mar 3 still counts
        ("u3", "A", 10 * HOUR), ("u3", "A", d + 10 * HOUR),  # second attempt (Mar 2) in range
    ])
    spec = dict(window="2d", date_from=date(2024, 3, 2), date_to=date(2024, 3, 2))
    assert counts(e, ["A", "B"], **spec) == [2, 1]
    assert counts(e, ["A", "B"], window="2d") == [3, 2]


def test_per_step_window_bounds_the_time_since_the_previous_matched_step():
    # C must come within 60 s of B. u1: 90 s → no. u2: exactly 60 s → yes.
    # u3: B@10 is the matched B (earliest); C@100 is 90 s after it, so no — even though a second
    # B@80 is 20 s before C (documented: steps are matched by their earliest occurrence).
    e = ev([
        ("u1", "A", 0), ("u1", "B", 10), ("u1", "C", 100),
        ("u2", "A", 0), ("u2", "B", 10), ("u2", "C", 70),
        ("u3", "A", 0), ("u3", "B", 10), ("u3", "B", 80), ("u3", "C", 100),
    ])
    steps = (FunnelStep("A"), FunnelStep("B"), FunnelStep("C", window=timedelta(seconds=60)))
    r = funnel(e, FunnelSpec(steps, window="1h"))
    assert r.steps["users"].to_list() == [3, 3, 1]
    assert r.users.filter(pl.col("step_3_at").is_not_null())["user_id"].to_list() == ["u2"]


def test_optional_step_may_be_skipped():
    # A, B (optional), C. u1 skips B; u2 does A, B, C; u3's B comes after C (not between) → skipped;
    # u4 does A, B and stops.
    e = ev([
        ("u1", "A", 0), ("u1", "C", 100),
        ("u2", "A", 0), ("u2", "B", 50), ("u2", "C", 100),
        ("u3", "A", 0), ("u3", "C", 100), ("u3", "B", 200),
        ("u4", "A", 0), ("u4", "B", 50),
    ])
    steps = (FunnelStep("A"), FunnelStep("B", optional=True), FunnelStep("C"))
    r = funnel(e, FunnelSpec(steps, window="1h"))
    s = r.steps
    assert s["users"].to_list() == [4, 2, 3]
    # B: 2 of the 4 who reached A; C: 3 of 4 from A (the previous required step), not 3/2.
    assert s["conversion_from_previous"].to_list() == [None, 0.5, 0.75]
    assert s["optional"].to_list() == [False, True, False]
    u2 = r.users.filter(pl.col("user_id") == "u2").row(0, named=True)
    assert (u2["seconds_to_step_2"], u2["seconds_to_step_3"]) == (50.0, 100.0)  # C timed from A
    assert dropped_users(r, 3)["user_id"].to_list() == ["u4"]
    assert sorted(dropped_users(r, 2)["user_id"]) == ["u1", "u3"]


def test_property_filter_on_a_step():
    e = ev([("u1", "A", 0, "mobile"), ("u1", "B", 10), ("u2", "A", 0, "desktop"), ("u2", "B", 10, "mobile")])
    steps = (FunnelStep("A", where=(("device", "desktop"),)), FunnelStep("B"))
    assert funnel(e, FunnelSpec(steps, window="1h")).steps["users"].to_list() == [1, 1]


def test_steps_table_golden():
    # 4 users convert A → B after 10, 20, 30, 40 s; a 5th never does.
    # median 25; p25 = 10 + 0.75·10 = 17.5; p75 = 30 + 0.25·10 = 32.5 (linear).
    e = ev([r for i, s in enumerate((10, 20, 30, 40)) for r in ((f"u{i}", "A", 0), (f"u{i}", "B", s))] + [("u9", "A", 0)])
    r = funnel(e, FunnelSpec(("A", "B"), window="1h"))
    expected = pl.DataFrame(
        {
            "step": pl.Series([1, 2], dtype=pl.Int32),
            "event": ["A", "B"],
            "optional": [False, False],
            "users": pl.Series([5, 4], dtype=pl.Int64),
            "conversion_from_start": [1.0, 0.8],
            "conversion_from_previous": [None, 0.8],
            "median_seconds_from_previous": [None, 25.0],
            "average_seconds_from_previous": [None, 25.0],
            "conversion_from_all_users": pl.Series([None, None], dtype=pl.Float64),
            "p25_seconds": [None, 17.5],
            "p75_seconds": [None, 32.5],
        }
    )
    assert_frame_equal(r.steps, expected)
    assert_frame_equal(funnel_steps(r.users, r.spec), expected)


def test_users_table_columns_and_order():
    e = ev([("b", "A", 10), ("b", "B", 20), ("a", "A", 10)])
    users = funnel(e, FunnelSpec(("A", "B"), window="1h")).users
    expected = pl.DataFrame(
        {
            "user_id": ["a", "b"],
            "furthest_step": pl.Series([1, 2], dtype=pl.Int32),
            "entered_at": [T0 + timedelta(seconds=10)] * 2,
            "step_2_at": [None, T0 + timedelta(seconds=20)],
            "seconds_to_step_2": [None, 10.0],
        },
        schema_overrides={"entered_at": pl.Datetime("us"), "step_2_at": pl.Datetime("us")},
    )
    assert_frame_equal(users, expected)


def test_conversion_trend_by_entry_week():
    # Week of Mon 26 Feb: u1 converts, u2 does not → 0.5. Week of Mon 4 Mar: u3 converts → 1.0.
    # Week of Mon 18 Mar: u4 enters on the 19th; data ends on the 20th, before 25 Mar + 1 h → incomplete.
    e = ev([
        ("u1", "A", 0), ("u1", "B", 600), ("u2", "A", 0),
        ("u3", "A", 3 * DAY), ("u3", "B", 3 * DAY + 300),
        ("u4", "A", 18 * DAY),
        ("u9", "N", 19 * DAY),
    ])
    trend = funnel_trend(funnel(e, FunnelSpec(("A", "B"), window="1h")), grain="week")
    got = trend.filter(pl.col("step") == 2).select("period_start", "incomplete", "users", "conversion_from_start").rows()
    assert got == [
        (date(2024, 2, 26), False, 1, 0.5),
        (date(2024, 3, 4), False, 1, 1.0),
        (date(2024, 3, 18), True, 0, 0.0),
    ]
    with pytest.raises(ParameterError, match="grain='fortnight'"):
        funnel_trend(funnel(e, FunnelSpec(("A", "B"), window="1h")), grain="fortnight")


def test_funnel_json_has_the_spec_8_shape():
    e = ev([("u1", "A", 0), ("u1", "B", 30), ("u2", "A", 0)])
    out = funnel_json(funnel(e, FunnelSpec(("A", "B"), window="2w", order="strict")))
    trend, ttc = out.pop("trend"), out.pop("time_to_convert")
    assert out == {
        "order": "strict",
        "window_seconds": 14 * DAY,
        "steps": [
            {"event": "A", "users": 2, "conversion_from_start": 1.0, "conversion_from_previous": None,
             "median_seconds_from_previous": None, "average_seconds_from_previous": None},
            {"event": "B", "users": 1, "conversion_from_start": 0.5, "conversion_from_previous": 0.5,
             "median_seconds_from_previous": 30.0, "average_seconds_from_previous": 30.0},
        ],
        "breakdown": None,
        "attribution": None,
        "exclusion_rule": "between",
        "all_users": None,
    }
    assert [(r["entered"], r["converted"], r["conversion"]) for r in trend] == [(2, 1, 0.5)]
    assert ttc["users"] == 1 and ttc["histogram"] == [{"from_seconds": 30.0, "to_seconds": 31.0, "users": 1}]


def test_empty_events_give_zero_users_and_null_ratios():
    r = funnel(ev([]), FunnelSpec(("A", "B"), window="1h"))
    assert r.steps.select("users", "conversion_from_start", "conversion_from_previous").rows() == [(0, None, None), (0, None, None)]


def test_missing_seq_means_row_order_is_file_order():
    # (A, A) at one timestamp without seq: two rows, two events.
    e = ev([("u", "A", 0), ("u", "A", 0)]).drop("seq")
    assert counts(e, ["A", "A"]) == [1, 1]


def test_rows_with_a_null_user_or_time_are_left_out():
    e = ev([("u1", "A", 0), ("u1", "B", 10), ("u2", "A", 0), ("u2", "B", 10)])
    broken = e.with_columns(
        user_id=pl.when(pl.int_range(pl.len()) == 2).then(None).otherwise(pl.col("user_id")),
        occurred_at=pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("occurred_at")),
    )
    assert counts(broken, ["A", "B"]) == [1, 1]


def test_spec_is_a_hashable_value_built_from_strings_or_objects():
    a = FunnelSpec(("A", "B"), window="7d", date_from="2024-03-01")
    b = FunnelSpec((FunnelStep("A"), FunnelStep("B")), window=timedelta(days=7), date_from=date(2024, 3, 1))
    assert a == b and hash(a) == hash(b)
    assert FunnelStep("A", where={"device": "m"}) == FunnelStep("A", where=(("device", "m"),))


def test_breakdown_null_value_is_its_own_group():
    e = ev([("u1", "A", 0, None), ("u1", "B", 10), ("u2", "A", 0, "desktop")])
    out = funnel_json(funnel(e, FunnelSpec(("A", "B"), window="1h"), breakdown="device"))
    assert [(g["value"], g["steps"][1]["users"]) for g in out["breakdown"]] == [("desktop", 0), (None, 1)]


def test_strict_with_a_per_step_window():
    # B right after A, but 2 min later: the 1-minute step window rejects it; u2's B is 30 s after A.
    e = ev([("u1", "A", 0), ("u1", "B", 120), ("u2", "A", 0), ("u2", "B", 30)])
    steps = (FunnelStep("A"), FunnelStep("B", window="1m"))
    assert funnel(e, FunnelSpec(steps, window="1h", order="strict")).steps["users"].to_list() == [2, 1]


def test_optional_last_step_counts_users_who_did_it_within_the_window():
    # A, B, C (optional): u1 does C 10 min after B; u2 never does C; u3's C is after the window.
    e = ev([
        ("u1", "A", 0), ("u1", "B", 60), ("u1", "C", 660),
        ("u2", "A", 0), ("u2", "B", 60),
        ("u3", "A", 0), ("u3", "B", 60), ("u3", "C", HOUR + 1),
    ])
    steps = (FunnelStep("A"), FunnelStep("B"), FunnelStep("C", optional=True))
    r = funnel(e, FunnelSpec(steps, window="1h"))
    assert r.steps["users"].to_list() == [3, 3, 1]
    assert r.users["furthest_step"].to_list() == [2, 2, 2]  # furthest *required* step
    assert r.users.filter(pl.col("user_id") == "u1")["seconds_to_step_3"].item() == 600.0


# ---------------------------------------------------------------------------------------------
# Errors


def test_spec_validation_errors():
    with pytest.raises(ParameterError, match="at least 2"):
        FunnelSpec(("A",), window="1h")
    with pytest.raises(ParameterError, match="positive duration"):
        FunnelSpec(("A", "B"), window=timedelta(0))
    with pytest.raises(ParameterError, match="window='soon'"):
        FunnelSpec(("A", "B"), window="soon")
    with pytest.raises(ParameterError, match="order='random'.*ordered, strict, any"):
        FunnelSpec(("A", "B"), window="1h", order="random")
    with pytest.raises(ParameterError, match="first step"):
        FunnelSpec((FunnelStep("A", optional=True), "B"), window="1h")
    with pytest.raises(ParameterError, match="first step"):
        FunnelSpec((FunnelStep("A", window="1m"), "B"), window="1h")
    with pytest.raises(ParameterError, match="not funnel steps"):
        FunnelSpec(("A", "B"), window="1h", exclusions=("B",))
    with pytest.raises(ParameterError, match="on or before date_to"):
        FunnelSpec(("A", "B"), window="1h", date_from="2024-03-05", date_to="2024-03-01")
    with pytest.raises(ParameterError, match="order='any'"):
        FunnelSpec(("A", FunnelStep("B", optional=True)), window="1h", order="any")
    with pytest.raises(ParameterError, match="order='strict'"):
        FunnelSpec(("A", FunnelStep("B", optional=True)), window="1h", order="strict")
    with pytest.raises(ParameterError, match="no single event can match twice"):
        FunnelSpec(("A", "B", "A"), window="1h", order="any")
    with pytest.raises(ParameterError, match="per-step windows"):
        FunnelSpec(("A", FunnelStep("B", window="1m")), window="1h", order="any")
    with pytest.raises(ParameterError, match="a number after >"):
        FunnelStep("A", where=["amount>lots"])
    assert len(FunnelStep("A", where="amount>=10&amount<100").where) == 2  # a range names one column twice
    # steps told apart by a filter are fine in any order
    FunnelSpec((FunnelStep("A", where={"device": "mobile"}), FunnelStep("A", where={"device": "desktop"})), window="1h", order="any")


def test_missing_columns_raise_column_not_found():
    e = ev([("u", "A", 0)])
    with pytest.raises(ColumnNotFoundError, match='step filter column "browser" not found'):
        funnel(e, FunnelSpec((FunnelStep("A", where={"browser": "x"}), "B"), window="1h"))
    with pytest.raises(ColumnNotFoundError, match='breakdown column "devices".*did you mean "device"'):
        funnel(e, FunnelSpec(("A", "B"), window="1h"), breakdown="devices")
    with pytest.raises(ColumnNotFoundError, match='events column "user_id"'):
        funnel(e.drop("user_id"), FunnelSpec(("A", "B"), window="1h"))


def test_result_helpers_reject_bad_arguments():
    r = funnel(ev([("u", "A", 0)]), FunnelSpec(("A", "B"), window="1h"))
    with pytest.raises(ParameterError, match="step=1"):
        dropped_users(r, 1)
    with pytest.raises(ParameterError, match="breakdown=None"):
        funnel_breakdown(r)


# ---------------------------------------------------------------------------------------------
# Random logs: invariants and the differential test against the brute-force reference.

USERS = ["u1", "u2", "u3"]
row_st = st.tuples(st.sampled_from(USERS), st.sampled_from(["A", "B", "C", "X", "N"]), st.integers(0, 12).map(lambda q: 4 * q), st.sampled_from(["m", "d"]))
logs_st = st.lists(row_st, max_size=24).map(lambda rows: ev([(u, e, h * HOUR, d) for u, e, h, d in rows]))
names_st = st.lists(st.sampled_from(["A", "B", "C"]), min_size=2, max_size=4)
distinct_st = st.permutations(["A", "B", "C"]).flatmap(lambda p: st.integers(2, 3).map(lambda n: tuple(p[:n])))
window_st = st.integers(1, 30).map(lambda h: timedelta(hours=h))
SETTINGS = settings(derandomize=True, max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def specs(draw, order: str) -> FunnelSpec:
    names = draw(distinct_st if order == "any" else names_st)
    steps = [FunnelStep(n) for n in names]
    if draw(st.booleans()):  # a property filter on one step
        i = draw(st.integers(0, len(steps) - 1))
        steps[i] = FunnelStep(names[i], where={"device": draw(st.sampled_from(["m", "d"]))})
    date_from = draw(st.sampled_from([None, date(2024, 3, 2)]))
    return FunnelSpec(
        tuple(steps), window=draw(window_st), order=order,
        exclusions=draw(st.sampled_from([(), ("X",)])),
        date_from=date_from, date_to=draw(st.sampled_from([None, date(2024, 3, 2)])),
    )


@pytest.mark.parametrize("order", ["ordered", "strict", "any"])
def test_engine_matches_brute_force_reference(order):
    @SETTINGS
    @given(events=logs_st, spec=specs(order))
    def check(events, spec):
        assert engine_as_reference(funnel(events, spec)) == reference_funnel(_rows(events), spec)

    check()


@pytest.mark.parametrize("order", ["ordered", "strict", "any"])
def test_counts_never_increase_along_the_funnel(order):
    @SETTINGS
    @given(events=logs_st, spec=specs(order))
    def check(events, spec):
        users = funnel(events, spec).steps["users"].to_list()
        assert users == sorted(users, reverse=True)

    check()


@SETTINGS
@given(events=logs_st, names=distinct_st, window=window_st)
def test_strict_at_most_ordered_at_most_any(events, names, window):
    by_order = {o: counts(events, names, window=window, order=o) for o in ("strict", "ordered", "any")}
    for s, o, a in zip(by_order["strict"], by_order["ordered"], by_order["any"], strict=True):
        assert s <= o <= a


@SETTINGS
@given(events=logs_st, names=names_st, window=window_st, extra=window_st, order=st.sampled_from(["ordered", "strict"]))
def test_widening_the_window_never_lowers_a_count(events, names, window, extra, order):
    narrow = counts(events, names, window=window, order=order)
    wide = counts(events, names, window=window + extra, order=order)
    assert all(n <= w for n, w in zip(narrow, wide, strict=True))


@SETTINGS
@given(events=logs_st, names=distinct_st, window=window_st, extra=window_st)
def test_widening_the_window_never_lowers_a_count_any_order(events, names, window, extra):
    narrow = counts(events, names, window=window, order="any")
    wide = counts(events, names, window=window + extra, order="any")
    assert all(n <= w for n, w in zip(narrow, wide, strict=True))


@pytest.mark.parametrize("order", ["ordered", "strict", "any"])
def test_row_order_is_irrelevant_when_seq_travels_with_the_row(order):
    @SETTINGS
    @given(events=logs_st, spec=specs(order), seed=st.integers(0, 2**16))
    def check(events, spec, seed):
        shuffled = events.sample(fraction=1.0, shuffle=True, seed=seed)
        a, b = funnel(events, spec, breakdown="device"), funnel(shuffled, spec, breakdown="device")
        assert_frame_equal(a.users, b.users)
        assert_frame_equal(a.steps, b.steps)

    check()


def test_hash_collision_fallback_gives_the_same_answer(monkeypatch):
    # Make the second hash disagree between rows so every user looks collided: the exact
    # string-sorted path must run and give the hashed path's answer.
    import retention_core.journeys.attempts as fa

    rng = random.Random(3)
    e = ev([(f"u{rng.randrange(6)}", rng.choice("ABCN"), rng.randrange(40) * MIN) for _ in range(80)])
    spec = FunnelSpec(("A", "B", "C"), window="30m")
    expected = funnel(e, spec)
    calls = []
    exact = fa._exact_user_order
    monkeypatch.setattr(fa, "_exact_user_order", lambda *args: calls.append(1) or exact(*args))
    original = pl.Expr.hash
    monkeypatch.setattr(
        pl.Expr, "hash",
        lambda self, seed=0: original(self, 0) if seed == 0 else pl.int_range(pl.len(), dtype=pl.UInt64),
    )
    got = funnel(e, spec)
    assert calls == [1]
    assert_frame_equal(got.users, expected.users)
    assert expected.steps["users"].to_list()[2] > 0


@pytest.mark.parametrize("order", ["ordered", "strict", "any"])
def test_chronological_export_with_same_second_ties_matches_the_reference(order):
    # A time-sorted file (the fast path) where many events share a second in random step order.
    rng = random.Random(11)
    raw = sorted(((f"u{rng.randrange(5)}", rng.choice("ABCXN"), rng.randrange(12) * 600) for _ in range(120)), key=lambda r: r[2])
    events = ev(raw)
    spec = FunnelSpec(("A", "B", "C") if order == "any" else ("A", "B", "A", "C"), window="40m", order=order, exclusions=("X",) if order != "strict" else ())
    got = engine_as_reference(funnel(events, spec))
    assert got == reference_funnel(_rows(events), spec)
    assert any(reach >= 3 for reach, _ in got.values())


@SETTINGS
@given(events=logs_st, names=st.lists(st.sampled_from(["A", "B", "C"]), min_size=3, max_size=4), data=st.data())
def test_optional_steps_never_change_the_required_steps(events, names, data):
    # Making step i optional leaves every required step's count as in the funnel without step i.
    i = data.draw(st.integers(1, len(names) - 1))
    window = data.draw(window_st)
    with_opt = tuple(FunnelStep(n, optional=(j == i)) for j, n in enumerate(names))
    without = tuple(FunnelStep(n) for j, n in enumerate(names) if j != i)
    if len(without) < 2:
        return
    got = funnel(events, FunnelSpec(with_opt, window=window)).steps
    ref = funnel(events, FunnelSpec(without, window=window)).steps["users"].to_list()
    assert got.filter(~pl.col("optional"))["users"].to_list() == ref
    # the optional step counts at most the users of the required step before it
    users = got["users"].to_list()
    assert users[i] <= users[i - 1]


@SETTINGS
@given(events=logs_st, data=st.data())
def test_any_ordered_spec_with_optional_steps_and_step_windows_is_consistent(events, data):
    # Several optional steps (also adjacent ones), per-step windows, exclusions: the required
    # counts never rise, an optional step never exceeds the required step before it.
    names = data.draw(st.lists(st.sampled_from(["A", "B", "C"]), min_size=2, max_size=5))
    steps = [FunnelStep(names[0])] + [
        FunnelStep(n, optional=data.draw(st.booleans()), window=data.draw(st.sampled_from([None, timedelta(hours=4), timedelta(hours=12)])))
        for n in names[1:]
    ]
    spec = FunnelSpec(tuple(steps), window=data.draw(window_st), exclusions=data.draw(st.sampled_from([(), ("X",)])))
    table = funnel(events, spec).steps
    required = table.filter(~pl.col("optional"))["users"].to_list()
    assert required == sorted(required, reverse=True)
    prev_required = table.with_columns(p=pl.when(~pl.col("optional")).then(pl.col("users")).forward_fill().shift(1))
    assert prev_required.filter(pl.col("optional")).select((pl.col("users") <= pl.col("p")).all()).item() in (True, None)
