"""What-if two-pool model (SPEC §6, §8 whatif): golden projections, levers and cuts, solvers, properties."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core.errors import ParameterError
from retention_core.whatif.model import Baseline, Scenario, applied_levers, project
from retention_core.whatif.solve import (
    acquisition_equivalent,
    break_even_retention_cost,
    compare_scenarios,
    customers_to_keep,
    lever_values,
    outcome_at,
    sensitivity,
    solve_target_crr,
    solve_target_winback,
    whatif_report,
)

# The worked example: 100 customers active in June 2024, 10 new a month, r = 0.80, no lapsed
# customers, 1.5 orders per active customer a month, AOV 20 (30 revenue per active customer).
SMALL = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
                 purchase_frequency=1.5, aov=20)
# +5 points on r, 3 months, 50 % margin, programme 1 per retained customer a month, CAC 50.
PLUS5 = Scenario(name="Plus 5", horizon=3, crr_delta=0.05, margin=0.5, retention_cost=1.0, cac=50.0)
MONTHS = [date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1)]
NO_LAPSED = (0.0,) * 13


def test_worked_example_plus_5_points_over_3_months():
    # baseline r 0.80:  a1 = 100×0.8+10 = 90;  a2 = 90×0.8+10 = 82;  a3 = 82×0.8+10 = 75.6
    #   revenue = a × 1.5 × 20 = 2700, 2460, 2268 (cum 7428); profit × 0.5 = 1350, 1230, 1134 (cum 3714)
    # scenario r 0.85:  a1 = 95;  a2 = 95×0.85+10 = 90.75;  a3 = 90.75×0.85+10 = 87.1375
    #   retained = 85, 80.75, 77.1375 → programme cost 1 each (cum 242.8875); revenue 2850, 2722.5, 2614.125
    #   profit = 1425−85 = 1340, 1361.25−80.75 = 1280.5, 1307.0625−77.1375 = 1229.925 (cum 3850.425)
    # The customers who lapse (10, 15.5, …) have q = 0 here, so they never come back: the old
    # single-keep-rate model is the special case q = 0.
    p = project(SMALL, PLUS5)
    expected = pl.DataFrame({
        "month": pl.Series([1, 2, 3], dtype=pl.Int32),
        "period_start": MONTHS,
        "baseline_active_customers": [90.0, 82.0, 75.6],
        "baseline_lapsed_customers": [20.0, 38.0, 54.4],
        "baseline_revenue": [2700.0, 2460.0, 2268.0],
        "baseline_cumulative_gross_profit": [1350.0, 2580.0, 3714.0],
        "scenario_retained_customers": [85.0, 80.75, 77.1375],
        "scenario_active_customers": [95.0, 90.75, 87.1375],
        "scenario_revenue": [2850.0, 2722.5, 2614.125],
        "scenario_programme_cost": [85.0, 80.75, 77.1375],
        "scenario_gross_profit": [1340.0, 1280.5, 1229.925],
        "scenario_cumulative_revenue": [2850.0, 5572.5, 8186.625],
        "cumulative_revenue_difference": [150.0, 412.5, 758.625],
        "cumulative_gross_profit_difference": [-10.0, 40.5, 136.425],
        "roi": [-10.0 / 85.0, 40.5 / 165.75, 136.425 / 242.8875],
    })  # fmt: skip
    assert_frame_equal(p.select(expected.columns), expected, rel_tol=1e-12, abs_tol=1e-9)
    report = whatif_report(SMALL, PLUS5)
    assert report["difference"] == pytest.approx({"revenue": 758.625, "gross_profit": 136.425,
                                                  "active_customers_end": 11.5375}, rel=1e-12)
    assert break_even_retention_cost(SMALL, PLUS5) == pytest.approx(379.3125 / 242.8875, rel=1e-12)
    # acquisition: one extra new customer a month leaves 0.8² + 0.8 + 1 = 2.44 at month 3
    acq = acquisition_equivalent(SMALL, PLUS5)
    assert acq.new_customers_per_month == pytest.approx(11.5375 / 2.44, rel=1e-12)
    assert acq.acquisition_cost == pytest.approx(11.5375 / 2.44 * 3 * 50, rel=1e-12) and acq.cheaper == "retention"
    assert customers_to_keep(SMALL, 0.85) == pytest.approx(5.0)
    # LTV over 3 months of one customer new in month 1: (1 + 0.8 + 0.64) × 30 × 0.5 = 36.6; at 0.85: (1 + 0.85 + 0.7225) × 15 = 38.5875
    assert p["baseline_ltv"][0] == pytest.approx(36.6) and p["scenario_ltv"][0] == pytest.approx(38.5875)


def test_two_pools_with_aging_lapsed_customers():
    # 100 active, r 0.5, q (0.2, 0.1), lapsed: 10 at age 12, 20 at 13+; no new; 1 order × 10.
    # m1: retained 50; back 10×0.2 + 20×0.1 = 4; active 54 (CRR 0.54); lapsed age 1 = 50,
    #     13+ = 10×0.8 + 20×0.9 = 26 (the age-12 ones age into the older bucket) ⇒ 76
    # m2: retained 27; back 50×0.2 + 26×0.1 = 12.6; active 39.6 (CRR 39.6/54); lapsed 27 + 40 + 23.4 = 90.4
    # m3: retained 19.8; back 27×0.2 + 40×0.2 + 23.4×0.1 = 15.74; active 35.54; lapsed 130 − 35.54
    b = Baseline(last_month=date(2024, 1, 1), active_customers=100, retention_rate=0.5, new_customers=0,
                 purchase_frequency=1.0, aov=10.0, reactivation_rates=(0.2, 0.1),
                 lapsed_by_age=(0,) * 11 + (10, 20))
    p = project(b, Scenario(horizon=3))
    assert p["baseline_active_customers"].to_list() == pytest.approx([54.0, 39.6, 35.54])
    assert p["baseline_reactivated_customers"].to_list() == pytest.approx([4.0, 12.6, 15.74])
    assert p["baseline_lapsed_customers"].to_list() == pytest.approx([76.0, 90.4, 130 - 35.54])
    assert p["baseline_crr"].to_list() == pytest.approx([0.54, 39.6 / 54, 35.54 / 39.6])
    assert p["baseline_revenue"].to_list() == pytest.approx([540.0, 396.0, 355.4])
    # win-back +10 points: q (0.3, 0.2): m1 back 10×0.3 + 20×0.2 = 7 ⇒ active 57
    w = project(b, Scenario(horizon=3, winback_delta=0.10))
    assert w["scenario_active_customers"][0] == pytest.approx(57.0)


def test_a_lever_cut_at_100_percent_is_reported():
    b = replace(SMALL, retention_rate=0.97)
    a = applied_levers(b, Scenario(crr_delta=0.05))
    assert (a.scenario_retention_rate, a.crr_cut) == (1.0, True) and a.crr_delta_applied == pytest.approx(0.03)
    a = applied_levers(b, Scenario(crr_delta=0.02))
    assert a.crr_cut is False and a.crr_delta_applied == pytest.approx(0.02)
    a = applied_levers(replace(b, reactivation_rates=(0.95, 0.1)), Scenario(winback_delta=0.1))
    assert a.winback_cut and a.winback_delta_applied == pytest.approx((0.05, 0.1))
    assumptions = whatif_report(b, Scenario(crr_delta=0.05))["assumptions"]
    assert assumptions["crr_delta_applied"] == pytest.approx(0.03) and assumptions["crr_delta_cut"] is True
    assert assumptions["scenario_retention_rate"] == 1.0 and assumptions["retention_rate"] == 0.97
    # a negative delta below 0 is cut at 0 too
    assert applied_levers(replace(SMALL, retention_rate=0.02), Scenario(crr_delta=-0.05)).crr_delta_applied == -0.02


def test_plus_5_and_plus_10_differ_on_a_crr_near_100_percent():
    # The CD shop: CRR 98.5 % (many come back) but r = 0.7. The old model capped CRR + delta
    # at 1, so +5 and +10 were the same; r + 0.05 and r + 0.10 are both below 1.
    b = Baseline(last_month=date(2024, 6, 1), active_customers=1000, retention_rate=0.70, new_customers=5,
                 purchase_frequency=0.5, aov=40, reactivation_rates=(0.25, 0.05),
                 lapsed_by_age=(120, 100, 80, 60, 50, 40, 30, 25, 20, 15, 10, 10, 300), crr=0.985)
    d5, d10 = (project(b, Scenario(crr_delta=d))["cumulative_revenue_difference"][-1] for d in (0.05, 0.10))
    assert 0 < d5 < d10


@st.composite
def baselines(draw):
    """Baselines with r ≥ q_≤12 ≥ q_>12 (every shop measured; see solve's module notes)."""
    r = draw(st.floats(0.0, 1.0))
    q0 = draw(st.floats(0.0, r))
    q1 = draw(st.floats(0.0, q0))
    return Baseline(
        last_month=date(2024, draw(st.integers(1, 12)), 1),
        active_customers=draw(st.floats(0, 1e5)),
        retention_rate=r,
        new_customers=draw(st.floats(0, 1e4)),
        purchase_frequency=draw(st.floats(0.05, 5)),
        aov=draw(st.floats(0.5, 1e4)),
        reactivation_rates=(q0, q1),
        lapsed_by_age=draw(st.tuples(*[st.floats(0, 1e4)] * 13)),
        new_customers_seasonal=draw(st.none() | st.tuples(*[st.floats(0, 1e4)] * 12)),
        frequency_seasonal=draw(st.none() | st.tuples(*[st.floats(0.05, 5)] * 12)),
    )


@st.composite
def scenarios(draw):
    return Scenario(
        name=draw(st.text(min_size=1, max_size=30).filter(str.strip)),
        horizon=draw(st.integers(3, 36)),
        crr_delta=draw(st.floats(-1, 1)),
        winback_delta=draw(st.floats(-1, 1)),
        aov_change=draw(st.floats(-1, 5)),
        frequency_change=draw(st.floats(-1, 5)),
        new_customers=draw(st.none() | st.floats(0, 1e5)),
        margin=draw(st.floats(0, 1)),
        cac=draw(st.floats(0, 1e4)),
        retention_cost=draw(st.floats(0, 1e3)),
    )


@settings(max_examples=80, derandomize=True, deadline=None)
@given(baselines(), scenarios())
def test_zero_levers_give_the_baseline_exactly(b, s):
    same = replace(s, crr_delta=0.0, winback_delta=0.0, aov_change=0.0, frequency_change=0.0, retention_cost=0.0,
                   new_customers=None)
    p = project(b, same)
    for w in ("active_customers", "revenue", "gross_profit", "lapsed_customers", "reactivated_customers"):
        assert p[f"baseline_{w}"].to_list() == p[f"scenario_{w}"].to_list(), w
    for col in [c for c in p.columns if c.endswith("_difference")]:
        assert (p[col] == 0.0).all(), col
    r = whatif_report(b, same)
    assert r["baseline"] == r["scenario"]
    assert r["difference"] == {"revenue": 0.0, "gross_profit": 0.0, "active_customers_end": 0.0}


def _rates_ok(b: Baseline, s: Scenario) -> bool:
    a = applied_levers(b, s)
    q0, q1 = a.scenario_reactivation_rates
    return a.scenario_retention_rate >= q0 >= q1


_TOL = 1e-9


def _not_lower(hi: pl.Series, lo: pl.Series) -> bool:
    return bool(((hi - lo) >= -_TOL * (1 + lo.abs())).all())


@settings(max_examples=80, derandomize=True, deadline=None)
@given(baselines(), scenarios(), st.floats(-1, 1), st.floats(-1, 1))
def test_monotone_in_the_crr_lever(b, s, d1, d2):
    lo, hi = sorted((d1, d2))
    s_lo, s_hi = replace(s, crr_delta=lo), replace(s, crr_delta=hi)
    assume(_rates_ok(b, s_lo) and _rates_ok(b, s_hi))
    p_lo, p_hi = project(b, s_lo), project(b, s_hi)
    for col in ("scenario_active_customers", "scenario_revenue", "scenario_cumulative_revenue"):
        assert _not_lower(p_hi[col], p_lo[col]), col


@settings(max_examples=80, derandomize=True, deadline=None)
@given(baselines(), scenarios(), st.floats(-1, 1), st.floats(-1, 1))
def test_monotone_in_the_winback_lever(b, s, d1, d2):
    lo, hi = sorted((d1, d2))
    s_lo, s_hi = replace(s, winback_delta=lo), replace(s, winback_delta=hi)
    assume(_rates_ok(b, s_lo) and _rates_ok(b, s_hi))
    p_lo, p_hi = project(b, s_lo), project(b, s_hi)
    for col in ("scenario_active_customers", "scenario_revenue", "scenario_cumulative_revenue"):
        assert _not_lower(p_hi[col], p_lo[col]), col


@settings(max_examples=60, derandomize=True, deadline=None)
@given(baselines(), scenarios(), st.sampled_from(["aov_change", "frequency_change", "new_customers"]),
       st.floats(0, 3), st.floats(0, 3))
def test_monotone_in_aov_frequency_and_new_customers(b, s, lever, x1, x2):
    lo, hi = sorted((x1, x2))
    if lever == "new_customers":
        lo, hi = lo * 1000, hi * 1000
    p_lo, p_hi = project(b, replace(s, **{lever: lo})), project(b, replace(s, **{lever: hi}))
    for col in ("scenario_revenue", "scenario_cumulative_revenue"):
        assert _not_lower(p_hi[col], p_lo[col]), col


@settings(max_examples=80, derandomize=True, deadline=None)
@given(baselines(), scenarios())
def test_plus_10_beats_plus_5_whenever_r_is_below_095(b, s):
    assume(b.retention_rate < 0.95 and b.active_customers > 1)
    s = replace(s, winback_delta=0.0, new_customers=None, aov_change=0.0, frequency_change=0.0)
    p5, p10 = project(b, replace(s, crr_delta=0.05)), project(b, replace(s, crr_delta=0.10))
    assert p10["scenario_active_customers"][0] > p5["scenario_active_customers"][0]
    assert p10["scenario_cumulative_revenue"][-1] > p5["scenario_cumulative_revenue"][-1]


def test_seasonal_new_customers_and_frequency_roll_over_the_year():
    # last complete month November: projected Dec, Jan, Feb take new customers 12, 1, 2 and frequency 1.2, 0.1, 0.2
    seasonal = tuple(float(m) for m in range(1, 13))
    b = replace(SMALL, last_month=date(2023, 11, 1), new_customers_seasonal=seasonal, retention_rate=0.0,
                frequency_seasonal=tuple(m / 10 for m in range(1, 13)))
    p = project(b, Scenario(horizon=3))
    assert p["period_start"].to_list() == [date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1)]
    assert p["baseline_new_customers"].to_list() == [12.0, 1.0, 2.0]
    # revenue = active (= the new, r = 0, q = 0) × frequency × 20
    assert p["baseline_revenue"].to_list() == pytest.approx([12 * 1.2 * 20, 1 * 0.1 * 20, 2 * 0.2 * 20])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"horizon": 2}, "horizon=2 is not allowed"),
        ({"horizon": 37}, "horizon=37"),
        ({"crr_delta": 1.5}, "crr_delta=1.5"),
        ({"winback_delta": -1.5}, "winback_delta=-1.5"),
        ({"aov_change": -1.2}, "aov_change=-1.2"),
        ({"frequency_change": float("nan")}, "frequency_change=nan"),
        ({"new_customers": -3}, "new_customers=-3"),
        ({"margin": 1.2}, "margin=1.2"),
        ({"retention_cost": float("inf")}, "retention_cost=inf"),
        ({"name": " "}, "name=' '"),
    ],
)
def test_scenario_rejects_bad_values(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        Scenario(**kwargs)


def test_baseline_rejects_bad_values():
    with pytest.raises(ParameterError, match="retention_rate=1.1"):
        replace(SMALL, retention_rate=1.1)
    with pytest.raises(ParameterError, match="reactivation_rates"):
        replace(SMALL, reactivation_rates=(0.1,))
    with pytest.raises(ParameterError, match="lapsed_by_age"):
        replace(SMALL, lapsed_by_age=(1.0, 2.0))
    with pytest.raises(ParameterError, match="new_customers_seasonal"):
        replace(SMALL, new_customers_seasonal=(1.0, 2.0))


_URL_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


@settings(max_examples=100, derandomize=True, deadline=None)
@given(scenarios())
def test_scenario_query_round_trip(s):
    text = s.to_query()
    assert set(text) <= _URL_SAFE
    assert Scenario.from_query(text) == s


@pytest.mark.parametrize("text", ["", "v2~sQQ", "v1~x3", "v1~h", "v1~habc", "v1~~c0.1", "v1~s!!", "v1~s_w"])
def test_scenario_from_query_rejects_other_text(text):
    with pytest.raises(ParameterError, match="scenario=.* Scenario.to_query"):
        Scenario.from_query(text)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(baselines(), scenarios(), st.floats(0, 1), st.sampled_from(["revenue", "gross_profit"]),
       st.sampled_from(["month", "cumulative"]), st.integers(1, 36))
def test_solved_retention_rate_fed_back_meets_the_target(b, s, u, metric, basis, by_month):
    by_month = min(by_month, s.horizon)
    s = replace(s, crr_delta=0.0, winback_delta=0.0)
    column = f"scenario_{metric}" if basis == "month" else f"scenario_cumulative_{metric}"
    # q ≤ r is the model's stated domain: solve on baselines without win-back (r is then free in [0, 1])
    b = replace(b, reactivation_rates=(0.0, 0.0))
    lowest = project(replace(b, retention_rate=0.0), s)[column][by_month - 1]
    highest = project(replace(b, retention_rate=1.0), s)[column][by_month - 1]
    target = lowest + u * (highest - lowest)
    sol = solve_target_crr(b, s, target=target, metric=metric, by_month=by_month, basis=basis)
    if sol.reason == "cost_exceeds_customer_profit":
        assert metric == "gross_profit"
        return
    assert sol.reachable and 0.0 <= sol.rate <= 1.0
    got = project(b, replace(s, crr_delta=sol.delta))[column][by_month - 1]
    assert got == pytest.approx(target, rel=1e-7, abs=1e-6) or sol.rate == 0.0


def test_solve_target_crr_answers():
    s3 = Scenario(horizon=3)
    sol = solve_target_crr(SMALL, s3, target=2614.125)
    assert sol.reachable and sol.rate == pytest.approx(0.85, abs=1e-10) and sol.delta == pytest.approx(0.05)
    assert sol.value_at_scenario == pytest.approx(2268.0)
    assert solve_target_crr(SMALL, s3, target=8186.625, basis="cumulative").rate == pytest.approx(0.85, abs=1e-10)
    # month 3 at r = 1: 130 customers × 30 = 3900 is the most reachable
    miss = solve_target_crr(SMALL, s3, target=4000)
    assert (miss.reachable, miss.rate, miss.reason) == (False, None, "above_full_retention")
    assert miss.value_at_full_retention == pytest.approx(3900.0)
    assert solve_target_crr(SMALL, s3, target=250).rate == 0.0
    costly = solve_target_crr(SMALL, replace(s3, margin=0.5, retention_cost=40.0), target=1.0, metric="gross_profit")
    assert (costly.reachable, costly.reason) == (False, "cost_exceeds_customer_profit")


def test_solve_target_winback_fed_back():
    b = replace(SMALL, reactivation_rates=(0.1, 0.02), lapsed_by_age=(30,) * 12 + (500,))
    s = Scenario(horizon=12, crr_delta=0.02)
    target = outcome_at(b, s, basis="cumulative") * 1.05
    sol = solve_target_winback(b, s, target=target, basis="cumulative")
    assert sol.reachable and sol.lever == "winback" and sol.delta > 0
    got = project(b, replace(s, winback_delta=sol.delta))["scenario_cumulative_revenue"][-1]
    assert got == pytest.approx(target, rel=1e-8)
    assert sol.rate == pytest.approx(0.1 + sol.delta)
    far = solve_target_winback(b, s, target=1e12)
    assert not far.reachable and far.reason == "above_full_retention"


def test_solver_errors():
    with pytest.raises(ParameterError, match="metric='orders' is not allowed; expected revenue, gross_profit"):
        solve_target_crr(SMALL, PLUS5, target=1.0, metric="orders")
    with pytest.raises(ParameterError, match="by_month=0"):
        solve_target_winback(SMALL, PLUS5, target=1.0, by_month=0)
    with pytest.raises(ParameterError, match="target=nan"):
        solve_target_crr(SMALL, PLUS5, target=float("nan"))
    with pytest.raises(ParameterError, match="match='profit'"):
        acquisition_equivalent(SMALL, PLUS5, match="profit")
    with pytest.raises(ParameterError, match="target_rate=1.5"):
        customers_to_keep(SMALL, 1.5)


def test_break_even_and_acquisition_fed_back():
    b = replace(SMALL, reactivation_rates=(0.1, 0.02), lapsed_by_age=(30,) * 12 + (500,))
    s = replace(PLUS5, horizon=12, aov_change=0.02)
    cost = break_even_retention_cost(b, s)
    p = project(b, replace(s, retention_cost=cost))
    assert p["cumulative_gross_profit_difference"][-1] == pytest.approx(0.0, abs=1e-7)
    for match, column in (("customers", "active_customers"), ("revenue", "cumulative_revenue")):
        acq = acquisition_equivalent(b, s, match=match)
        bought = project(b, Scenario(horizon=12, new_customers=10 + acq.new_customers_per_month))
        assert bought[f"scenario_{column}"][-1] == pytest.approx(project(b, s)[f"scenario_{column}"][-1])


def test_sensitivity_table():
    t = sensitivity(SMALL, PLUS5)
    assert t.select("lever", "step").rows() == [
        ("crr", -0.01), ("crr", 0.01), ("winback", -0.01), ("winback", 0.01),
        ("aov", -0.05), ("aov", 0.05), ("frequency", -0.05), ("frequency", 0.05)]  # fmt: skip
    for lever in ("aov", "frequency"):
        rows = t.filter(lever=lever)
        assert rows["cumulative_revenue_change"].to_list() == pytest.approx([-409.33125, 409.33125])
    up = project(SMALL, replace(PLUS5, crr_delta=0.06))
    assert t.filter(lever="crr", step=0.01)["revenue"].item() == pytest.approx(up["scenario_revenue"][-1])


def test_whatif_report_shape_and_json():
    r = whatif_report(SMALL, PLUS5)
    assert set(r) == {"baseline", "scenario", "difference", "assumptions", "backtest"}
    for w in ("baseline", "scenario"):
        assert set(r[w]) == {"months", "active_customers", "revenue", "gross_profit"}
    a = r["assumptions"]
    for key in ("retention_rate", "reactivation_rate", "scenario_retention_rate", "crr_delta_applied"):
        assert key in a
    assert a["reactivation_rate"] == {"lapsed_up_to_12_months": 0.0, "lapsed_over_12_months": 0.0}
    assert (a["retention_rate"], a["crr_delta"], a["scenario_retention_rate"]) == (0.8, 0.05, pytest.approx(0.85))
    assert json.loads(json.dumps(r)) == r


def test_compare_scenarios_side_by_side():
    t = compare_scenarios(SMALL, [PLUS5, replace(PLUS5, name="Plus 10", crr_delta=0.10)])
    assert t["name"].to_list() == ["Plus 5", "Plus 10"]
    assert t["cumulative_revenue_difference"][0] == pytest.approx(758.625)
    assert t["cumulative_revenue_difference"][1] > t["cumulative_revenue_difference"][0]
    assert t["scenario_retention_rate"].to_list() == pytest.approx([0.85, 0.90])
    with pytest.raises(ParameterError, match="distinct names"):
        compare_scenarios(SMALL, [PLUS5, PLUS5])


def test_lever_values_golden():
    # r 0.8 + 5 points; q (0.1, 0.02) + 1 point; AOV +10 %, frequency −20 %, 12 new a month
    b = replace(SMALL, reactivation_rates=(0.1, 0.02), lapsed_by_age=(10,) * 12 + (100,), crr=0.9)
    s = replace(PLUS5, winback_delta=0.01, aov_change=0.1, frequency_change=-0.2, new_customers=12.0)
    v = lever_values(b, s).rows_by_key("lever", unique=True)
    assert v["retention_rate"] == pytest.approx((0.8, 0.85))
    assert v["reactivation_rate_le12"] == pytest.approx((0.1, 0.11))
    assert v["reactivation_rate_gt12"] == pytest.approx((0.02, 0.03))
    assert v["customers_kept_extra"] == pytest.approx((0.0, 5.0))
    # won back extra in month 1: 120 lapsed ≤ 12 × 0.01 + 100 × 0.01 = 2.2; CRR 0.9 → 0.9 + (5 + 2.2) / 100
    assert v["customers_won_back_extra"] == pytest.approx((0.0, 2.2))
    assert v["crr"] == pytest.approx((0.9, 0.972))
    assert v["new_customers"] == pytest.approx((10.0, 12.0))
    assert v["revenue_per_customer"] == pytest.approx((30.0, 26.4))


def test_project_is_finite_over_36_months():
    b = replace(SMALL, reactivation_rates=(0.1, 0.02), lapsed_by_age=(30,) * 12 + (500,))
    p = project(b, replace(PLUS5, horizon=36))
    assert p.height == 36 and p["period_start"][-1] == date(2027, 6, 1)
    assert all(math.isfinite(v) for v in p["scenario_cumulative_gross_profit"].to_list())
    # customers are conserved: active + lapsed = start + all new
    total = p["baseline_active_customers"] + p["baseline_lapsed_customers"]
    assert np.allclose(total.to_numpy(), 100 + 500 + 360 + 10 * np.arange(1, 37))
