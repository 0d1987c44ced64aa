"""Funnel options of issue 14: exclusion ranges and PostHog's exclusion rule, property filters, global
filters, breakdown attribution and limit, average times, conversion over all users, the
time-to-convert histogram. Hand-built logs (our own data); hypothesis properties at the end.

``ev`` rows are ``(user, event, seconds after 2024-03-01, {property: value})``; ``seq`` is row order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retention_core.errors import ParameterError
from retention_core.journeys.funnels import (
    OTHER,
    FunnelSpec,
    FunnelStep,
    funnel,
    funnel_breakdown,
    funnel_summary,
    histogram_bins,
    time_to_convert,
)
from retention_core.journeys.spec import Exclusion, parse_steps
from tests.core.journeys.test_funnels import _chains, _date_ok, _matches

T0 = datetime(2024, 3, 1)
PROPS = ("device", "amount", "plan")


def ev(rows: list[tuple]) -> pl.DataFrame:
    props = [r[3] if len(r) > 3 else {} for r in rows]
    return pl.DataFrame(
        {
            "user_id": [r[0] for r in rows],
            "event": [r[1] for r in rows],
            "occurred_at": [T0 + timedelta(seconds=r[2]) for r in rows],
            "seq": pl.Series(range(len(rows)), dtype=pl.UInt32),
            **{p: pl.Series([d.get(p) for d in props], dtype=pl.String) for p in PROPS},
        },
        schema_overrides={"occurred_at": pl.Datetime("us")},
    )


def users(events, steps, window="1h", **kw) -> list[int]:
    return funnel(events, FunnelSpec(tuple(steps), window=window, **kw)).steps["users"].to_list()


# --- exclusions --------------------------------------------------------------------------------

def test_an_exclusion_counts_only_inside_its_step_range():
    # X comes after A and before B: it voids with the range 1-2 (and the whole funnel), not with 2-3.
    e = ev([("u", "A", 0), ("u", "X", 10), ("u", "B", 20), ("u", "C", 30)])
    assert users(e, "ABC", exclusions=("X",)) == [0, 0, 0]
    assert users(e, "ABC", exclusions=("X:1-2",)) == [0, 0, 0]
    assert users(e, "ABC", exclusions=("X:2-3",)) == [1, 1, 1]
    assert Exclusion.parse("X:2-3") == Exclusion("X", 2, 3)


def test_posthog_rule_does_not_fall_back_to_a_shorter_clean_attempt():
    # attempt 1: A B X C (void: X between B and C); attempt 2: A B (clean, stops at B).
    e = ev([("u", "A", 0), ("u", "B", 10), ("u", "X", 20), ("u", "C", 30), ("u", "A", 7200), ("u", "B", 7210)])
    assert users(e, "ABC", exclusions=("X",)) == [1, 1, 0]  # ours: the furthest clean attempt counts
    assert users(e, "ABC", exclusions=("X",), exclusion_rule="posthog") == [0, 0, 0]  # furthest (3) only void


def test_posthog_rule_voids_up_to_the_window_end_when_the_to_step_is_missing():
    # A, then X 50 s later, no B; window 100 s. Ours: nothing reached after A, so nothing is between.
    e = ev([("u", "A", 0), ("u", "X", 50), ("v", "A", 0), ("v", "X", 150)])
    assert users(e, "AB", window="100s", exclusions=("X",)) == [2, 0]
    # PostHog: an X up to t(A) + window voids (u); v's X comes after the window (kept).
    assert users(e, "AB", window="100s", exclusions=("X",), exclusion_rule="posthog") == [1, 0]


def test_posthog_rule_keeps_a_clean_attempt_that_reaches_the_same_step():
    e = ev([("u", "A", 0), ("u", "X", 5), ("u", "B", 10), ("u", "A", 7200), ("u", "B", 7210)])
    assert users(e, "AB", exclusions=("X",), exclusion_rule="posthog") == [1, 1]


def test_exclusion_ranges_are_checked():
    with pytest.raises(ParameterError, match="step range within 1-3"):
        FunnelSpec(("A", "B", "C"), window="1h", exclusions=("X:2-4",))
    with pytest.raises(ParameterError, match="whole funnel with order='any'"):
        FunnelSpec(("A", "B", "C"), window="1h", exclusions=("X:1-2",), order="any")
    with pytest.raises(ParameterError, match="exclusion_rule"):
        FunnelSpec(("A", "B"), window="1h", exclusion_rule="amplitude")


# --- filters -----------------------------------------------------------------------------------

def test_step_filters_with_operators_and_global_filters():
    e = ev([
        ("u1", "visit", 0, {"device": "mobile"}), ("u1", "buy", 10, {"device": "mobile", "amount": "150"}),
        ("u2", "visit", 0, {"device": "mobile"}), ("u2", "buy", 10, {"device": "mobile", "amount": "99,5"}),
        ("u3", "visit", 0, {"device": "desktop"}), ("u3", "buy", 10, {"device": "desktop", "amount": "1 200"}),
    ])
    assert users(e, parse_steps("visit,buy[amount>100]")) == [3, 2]
    assert users(e, parse_steps("visit,buy[amount>=99.5&amount<1000]")) == [3, 2]
    assert users(e, parse_steps("visit,buy[amount>100]"), where=("device=mobile",)) == [2, 1]
    assert users(e, parse_steps("visit,buy[device!=desktop]")) == [3, 2]
    assert users(e, parse_steps("visit,buy[device~MOB]")) == [3, 2]


# --- breakdown ---------------------------------------------------------------------------------

TOUCH = ev([
    ("u", "A", 0), ("u", "B", 10, {"device": "mobile"}), ("u", "C", 20, {"device": "desktop"}),
    ("v", "A", 0, {"device": "tablet"}), ("v", "B", 10),
])


@pytest.mark.parametrize(("attribution", "u", "v"), [
    ("step:1", None, "tablet"), ("step:2", "mobile", None), ("step:3", "desktop", None),
    ("first_touch", "mobile", "tablet"), ("last_touch", "desktop", "tablet"),
])
def test_attribution_picks_the_value(attribution, u, v):
    r = funnel(TOUCH, FunnelSpec(("A", "B", "C"), window="1h"), breakdown="device", attribution=attribution)
    assert dict(r.users.select("user_id", "device").rows()) == {"u": u, "v": v}


def test_all_events_attribution_runs_one_funnel_per_value():
    # u1: A on web, B on app → web: entered, not converted; app: B without A (not entered).
    # u2: A and B on app → app: converted.
    e = ev([("u1", "A", 0, {"device": "web"}), ("u1", "B", 10, {"device": "app"}),
            ("u2", "A", 0, {"device": "app"}), ("u2", "B", 10, {"device": "app"})])
    r = funnel(e, FunnelSpec(("A", "B"), window="1h"), breakdown="device", attribution="all_events")
    assert r.steps["users"].to_list() == [2, 2]  # the funnel itself ignores the values
    b = funnel_breakdown(r)
    assert {(v, s): n for v, s, n in b.select("value", "step", "users").rows()} == {
        ("app", 1): 1, ("app", 2): 1, ("web", 1): 1, ("web", 2): 0}


def test_all_events_exclusions_count_for_every_value_of_the_user():
    e = ev([("u", "A", 0, {"device": "web"}), ("u", "X", 5), ("u", "B", 10, {"device": "web"})])
    r = funnel(e, FunnelSpec(("A", "B"), window="1h", exclusions=("X",)), breakdown="device", attribution="all_events")
    assert funnel_breakdown(r)["users"].to_list() == []  # the only group's attempt is void


def test_breakdown_limit_groups_the_rest_as_other():
    rows = [(f"{d}{i}", "A", 0, {"plan": d}) for d, n in (("a", 3), ("b", 2), ("c", 1), ("d", 1)) for i in range(n)]
    r = funnel(ev(rows), FunnelSpec(("A", "B"), window="1h"), breakdown="plan")
    b = funnel_breakdown(r, limit=2).filter(pl.col("step") == 1)
    assert b.select("value", "users").rows() == [("a", 3), ("b", 2), (OTHER, 2)]
    assert funnel_breakdown(r, limit=10).height == 8  # 4 values x 2 steps, no Other
    with pytest.raises(ParameterError, match="breakdown limit"):
        funnel_breakdown(r, limit=0)


def test_unknown_attribution_is_refused():
    with pytest.raises(ParameterError, match="step:N with N from 1 to 2"):
        funnel(TOUCH, FunnelSpec(("A", "B"), window="1h"), breakdown="device", attribution="step:3")


# --- times, all users, histogram -------------------------------------------------------------

def test_average_time_beside_the_median():
    e = ev([r for i, s in enumerate((10, 20, 90)) for r in ((f"u{i}", "A", 0), (f"u{i}", "B", s))])
    r = funnel(e, FunnelSpec(("A", "B"), window="1h"))
    assert r.steps.select("median_seconds_from_previous", "average_seconds_from_previous").row(1) == (20.0, 40.0)
    s = funnel_summary(r)
    assert (s.median_seconds_to_convert, s.average_seconds_to_convert) == (20.0, 40.0)


def test_conversion_over_all_users_of_the_log():
    e = ev([("u1", "A", 0), ("u1", "B", 5), ("u2", "A", 0), ("u3", "C", 0), ("u4", "B", 0)])
    r = funnel(e, FunnelSpec(("A", "B"), window="1h"), all_users=True)
    assert r.all_users == 4
    assert r.steps["conversion_from_all_users"].to_list() == [0.5, 0.25]


def test_histogram_default_bins_and_counts():
    assert [histogram_bins(n) for n in (1, 2, 8, 27, 28, 216_000, 216_001)] == [1, 2, 2, 3, 4, 60, 60]
    # nine converters after 0..80 s in steps of 10 → 3 bins of ⌈80 / 3⌉ = 27 s: [0,27) [27,54) [54,81]
    e = ev([r for i in range(9) for r in ((f"u{i}", "A", 0), (f"u{i}", "B", 10 * i))])
    table, stats = time_to_convert(funnel(e, FunnelSpec(("A", "B"), window="1h")))
    assert table.rows() == [(0.0, 27.0, 3), (27.0, 54.0, 3), (54.0, 81.0, 3)]
    assert (stats["bins"], stats["median_seconds"], stats["average_seconds"]) == (3, 40.0, 40.0)


def test_histogram_between_chosen_steps():
    e = ev([("u", "A", 0), ("u", "B", 10), ("u", "C", 70)])
    table, stats = time_to_convert(funnel(e, FunnelSpec(("A", "B", "C"), window="1h")), from_step=2, to_step=3, bins=1)
    assert table.rows() == [(60.0, 61.0, 1)] and stats["users"] == 1
    with pytest.raises(ParameterError, match="two step numbers"):
        time_to_convert(funnel(e, FunnelSpec(("A", "B", "C"), window="1h")), from_step=3, to_step=2)


def test_step_text_round_trips():
    step = FunnelStep("purchase", where="amount>100&currency=EUR", optional=True, window="2h")
    assert str(step) == "purchase[amount>100&currency=EUR]?<2h"
    assert parse_steps("a,b[x=1,2],c") == (FunnelStep("a"), FunnelStep("b", where="x=1,2"), FunnelStep("c"))


# --- properties ------------------------------------------------------------------------------

EVENTS = ("A", "B", "C", "X", "N")


@st.composite
def logs(draw):
    n_users = draw(st.integers(1, 6))
    plans = {f"u{u}": draw(st.sampled_from(["free", "pro", "team"])) for u in range(n_users)}
    rows = []
    for _ in range(draw(st.integers(0, 30))):
        u = f"u{draw(st.integers(0, n_users - 1))}"
        rows.append((u, draw(st.sampled_from(EVENTS)), draw(st.integers(0, 40)) * 60, {"plan": plans[u]}))
    return ev(rows)


@st.composite
def specs(draw):
    order = draw(st.sampled_from(["ordered", "strict", "any"]))
    steps = ("A", "B", "C") if order == "any" else tuple(draw(st.lists(st.sampled_from("ABC"), min_size=2, max_size=4)))
    k = len(steps)
    excl = draw(st.sampled_from([(), ("X",), (f"X:1-{k}",), ("X:1-2",)] if order != "any" else [(), ("X",)]))
    return FunnelSpec(steps, window=draw(st.sampled_from(["5m", "20m", "1h"])), order=order, exclusions=excl,
                      exclusion_rule=draw(st.sampled_from(["between", "posthog"])))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs(), specs())
def test_counts_never_rise_along_a_funnel(events, spec):
    counts = funnel(events, spec).steps["users"].to_list()
    assert all(a >= b for a, b in zip(counts, counts[1:], strict=False))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs(), specs(), st.sampled_from(["step:1", "first_touch", "last_touch", "all_events"]), st.sampled_from([None, 1, 2]))
def test_breakdown_groups_add_up_when_every_user_has_one_value(events, spec, attribution, limit):
    r = funnel(events, spec, breakdown="plan", attribution=attribution)
    b = funnel_breakdown(r, limit=limit)
    total = b.group_by("step").agg(pl.col("users").sum()).sort("step")["users"].to_list()
    assert total == (r.steps["users"].to_list() if r.users.height else [])


# --- differential: exclusion ranges and both rules against a brute-force reference --------------
# The reference enumerates every chain (tests/core/journeys/test_funnels.py) and applies the rules as
# docs/journeys.md words them, on the times of the attempt's first longest chain (the earliest one).

def reference_with_rules(rows: list[dict], spec: FunnelSpec) -> dict[str, int]:
    k = len(spec.steps)
    rank = {id(r): min([j for j in range(k) if _matches(r, spec.steps[j])], default=k) for r in rows}
    out: dict[str, int] = {}
    for user in sorted({r["user_id"] for r in rows}):
        seq = sorted((r for r in rows if r["user_id"] == user), key=lambda r: (r["t"], rank[id(r)], r["seq"]))
        attempts = []  # (reach, void)
        for start, row in enumerate(seq):
            if not _date_ok(row["t"], spec):
                continue
            if spec.order == "any":
                if rank[id(row)] == k:
                    continue
                t0 = row["t"]
                times = sorted(min(ts) for step in spec.steps
                               if (ts := [r["t"] for r in seq if _matches(r, step) and t0 <= r["t"] <= t0 + spec.window]))
            else:
                if not _matches(row, spec.steps[0]):
                    continue
                chains = _chains(seq, spec, start)
                reach = max(len(c) for c in chains)
                times = [seq[p]["t"] for p in next(c for c in chains if len(c) == reach)]
            reach, void = len(times), False
            for x in spec.exclusions:
                a, b = x.span(k)
                xs = [r["t"] for r in seq if r["event"] == x.event]
                if reach < a:
                    continue
                lo = times[a - 1]
                if spec.exclusion_rule == "between":
                    inside = times[a:b]
                    void |= bool(inside) and any(lo < t < max(inside) for t in xs)
                elif reach >= b:
                    void |= any(lo < t < times[b - 1] for t in xs)
                else:
                    void |= any(lo < t <= lo + spec.window for t in xs)
            attempts.append((reach, void))
        if not attempts:
            continue
        if spec.exclusion_rule == "between":
            clean = [r for r, v in attempts if not v]
            if clean:
                out[user] = max(clean)
        else:
            top = max(r for r, _ in attempts)
            if any(r == top and not v for r, v in attempts):
                out[user] = top
    return out


@st.composite
def ruled_specs(draw):
    order = draw(st.sampled_from(["ordered", "strict", "any"]))
    steps = ("A", "B", "C") if order == "any" else tuple(draw(st.lists(st.sampled_from("ABC"), min_size=2, max_size=4)))
    k = len(steps)
    spans = [""] if order == "any" else ["", *(f":{a}-{b}" for a in range(1, k) for b in range(a + 1, k + 1))]
    excl = tuple(dict.fromkeys(f"X{draw(st.sampled_from(spans))}" for _ in range(draw(st.integers(0, 2)))))
    return FunnelSpec(steps, window=draw(st.sampled_from(["5m", "20m", "1h"])), order=order, exclusions=excl,
                      exclusion_rule=draw(st.sampled_from(["between", "posthog"])))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs(), ruled_specs())
def test_exclusion_rules_match_the_brute_force_reference(events, spec):
    got = {r["user_id"]: r["furthest_step"] for r in funnel(events, spec).users.to_dicts()}
    rows = [{**r, "t": r["occurred_at"]} for r in events.to_dicts()]
    assert got == reference_with_rules(rows, spec)
