"""What-if simulator (SPEC §6, §8 whatif): golden projections, solvers, properties, errors."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from retention_core.errors import ColumnNotFoundError, NotEnoughDataError, ParameterError
from retention_core.whatif.model import Baseline, Scenario, measure_baseline, project
from retention_core.whatif.solve import (
    acquisition_equivalent,
    break_even_retention_cost,
    compare_scenarios,
    crr_range_projection,
    customers_to_keep,
    lever_values,
    outcome_at,
    sensitivity,
    solve_target_crr,
    whatif_report,
)

# The worked example used throughout: 100 customers active in June 2024, 10 new a month,
# CRR 0.80, 1.5 orders per active customer a month, AOV 20 (30 revenue per active customer).
SMALL = Baseline(
    last_month=date(2024, 6, 1), active_customers=100, new_customers=10, crr=0.8, purchase_frequency=1.5, aov=20
)
# CRR +5 points, 3 months, 50 % margin, programme 1 per retained customer a month, CAC 50.
PLUS5 = Scenario(name="Plus 5", horizon=3, crr_delta=0.05, margin=0.5, retention_cost=1.0, cac=50.0)
MONTHS = [date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1)]


def test_worked_example_crr_plus_5_points_over_3_months():
    # baseline keep 0.80:  a1 = 100×0.8+10 = 90;  a2 = 90×0.8+10 = 82;  a3 = 82×0.8+10 = 75.6
    #   revenue = a × 1.5 × 20 = 2700, 2460, 2268 (cum 7428); profit × 0.5 = 1350, 1230, 1134 (cum 3714)
    # scenario keep 0.85:  a1 = 100×0.85+10 = 95;  a2 = 95×0.85+10 = 90.75;  a3 = 90.75×0.85+10 = 87.1375
    #   retained = 85, 80.75, 77.1375 → programme cost 1 each = 85, 80.75, 77.1375 (cum 242.8875)
    #   revenue = 2850, 2722.5, 2614.125 (cum 8186.625)
    #   profit = 1425−85 = 1340, 1361.25−80.75 = 1280.5, 1307.0625−77.1375 = 1229.925 (cum 3850.425)
    # differences: cum revenue 758.625; cum profit 136.425; customers at the end 11.5375
    # ROI (month 3) = 136.425 / 242.8875 = 0.561680…; LTV = 20×1.5×0.5/(1−keep): 75 → 100
    p = project(SMALL, PLUS5)
    expected = pl.DataFrame(
        {
            "month": pl.Series([1, 2, 3], dtype=pl.Int32),
            "period_start": MONTHS,
            "baseline_active_customers": [90.0, 82.0, 75.6],
            "baseline_revenue": [2700.0, 2460.0, 2268.0],
            "baseline_gross_profit": [1350.0, 1230.0, 1134.0],
            "baseline_cumulative_gross_profit": [1350.0, 2580.0, 3714.0],
            "scenario_retained_customers": [85.0, 80.75, 77.1375],
            "scenario_active_customers": [95.0, 90.75, 87.1375],
            "scenario_orders": [142.5, 136.125, 130.70625],
            "scenario_revenue": [2850.0, 2722.5, 2614.125],
            "scenario_programme_cost": [85.0, 80.75, 77.1375],
            "scenario_gross_profit": [1340.0, 1280.5, 1229.925],
            "scenario_cumulative_revenue": [2850.0, 5572.5, 8186.625],
            "scenario_cumulative_gross_profit": [1340.0, 2620.5, 3850.425],
            "cumulative_revenue_difference": [150.0, 412.5, 758.625],
            "cumulative_gross_profit_difference": [-10.0, 40.5, 136.425],
            "roi": [-10.0 / 85.0, 40.5 / 165.75, 136.425 / 242.8875],
            "baseline_ltv": [75.0, 75.0, 75.0],
            "scenario_ltv": [100.0, 100.0, 100.0],
        }
    )
    assert_frame_equal(p.select(expected.columns), expected, rel_tol=1e-12, abs_tol=1e-9)
    report = whatif_report(SMALL, PLUS5)
    assert report["difference"] == pytest.approx(
        {"revenue": 758.625, "gross_profit": 136.425, "active_customers_end": 11.5375}, rel=1e-12
    )
    # break-even cost: 0.5 × 758.625 / 242.8875 = 379.3125 / 242.8875 = 1.56168…
    assert break_even_retention_cost(SMALL, PLUS5) == pytest.approx(379.3125 / 242.8875, rel=1e-12)
    # acquisition: one extra new customer a month leaves 0.8² + 0.8 + 1 = 2.44 at month 3;
    # 11.5375 / 2.44 = 4.72848… a month, × 3 months × CAC 50 = 709.27 > programme 242.89
    acq = acquisition_equivalent(SMALL, PLUS5)
    assert acq.new_customers_per_month == pytest.approx(11.5375 / 2.44, rel=1e-12)
    assert acq.acquisition_cost == pytest.approx(11.5375 / 2.44 * 3 * 50, rel=1e-12)
    assert acq.cheaper == "retention"
    # (0.85 − 0.80) × 100 = 5 more customers kept each month
    assert customers_to_keep(SMALL, 0.85) == pytest.approx(5.0)


def test_zero_churn_keep_one():
    # keep 1: a1 = 100+10 = 110, a2 = 120, a3 = 130; retained = the previous month's 100, 110, 120;
    # lifetime unbounded ⇒ LTV null
    p = project(replace(SMALL, crr=1.0), Scenario(horizon=3))
    assert p["baseline_active_customers"].to_list() == [110.0, 120.0, 130.0]
    assert p["baseline_retained_customers"].to_list() == [100.0, 110.0, 120.0]
    assert p["baseline_revenue"].to_list() == [3300.0, 3600.0, 3900.0]
    assert p["baseline_ltv"].null_count() == 3 and p["ltv_difference"].null_count() == 3


def test_total_churn_keep_zero():
    # keep 0: only the month's new customers are active: 10, 10, 10 → revenue 300 each; LTV = 30/1
    b = replace(SMALL, crr=0.0)
    p = project(b, Scenario(horizon=3))
    assert p["baseline_active_customers"].to_list() == [10.0, 10.0, 10.0]
    assert p["baseline_retained_customers"].to_list() == [0.0, 0.0, 0.0]
    assert p["baseline_revenue"].to_list() == [300.0, 300.0, 300.0]
    assert p["baseline_ltv"].to_list() == [30.0] * 3
    assert break_even_retention_cost(b, Scenario(horizon=3, retention_cost=1.0)) is None


def test_zero_new_customers():
    # no new customers: a = 100 × 0.8^t = 80, 64, 51.2; scenario override new_customers=0 on a
    # baseline with 10 new a month gives the same
    p = project(replace(SMALL, new_customers=0.0), Scenario(horizon=3))
    assert p["baseline_active_customers"].to_list() == pytest.approx([80.0, 64.0, 51.2], rel=1e-12)
    q = project(SMALL, Scenario(horizon=3, new_customers=0))
    assert q["scenario_active_customers"].to_list() == pytest.approx([80.0, 64.0, 51.2], rel=1e-12)
    assert q["active_customers_difference"].to_list() == pytest.approx([-10.0, -18.0, -24.4], rel=1e-12)


def test_crr_above_one_is_capped_after_adding_the_delta():
    # CRR 1.05 (reactivations) → keep 1 (as the zero-churn case); −10 points → keep 0.95
    b = replace(SMALL, crr=1.05)
    p = project(b, Scenario(horizon=3, crr_delta=-0.10))
    assert p["baseline_active_customers"].to_list() == [110.0, 120.0, 130.0]
    # 100×0.95+10 = 105; 105×0.95+10 = 109.75
    assert p["scenario_active_customers"].to_list()[:2] == pytest.approx([105.0, 109.75], rel=1e-12)
    assert whatif_report(b, Scenario(horizon=3))["assumptions"]["baseline_keep_rate"] == 1.0


def test_months_roll_over_the_year_and_seasonal_new_customers():
    # last complete month November: projected months Dec, Jan, Feb take new customers 12, 1, 2
    seasonal = tuple(float(m) for m in range(1, 13))
    b = replace(SMALL, last_month=date(2023, 11, 1), new_customers_seasonal=seasonal, crr=0.0)
    p = project(b, Scenario(horizon=3))
    assert p["period_start"].to_list() == [date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1)]
    assert p["baseline_new_customers"].to_list() == [12.0, 1.0, 2.0]
    assert p["baseline_active_customers"].to_list() == [12.0, 1.0, 2.0]


def test_roi_is_null_without_programme_cost():
    p = project(SMALL, replace(PLUS5, retention_cost=0.0))
    assert p["roi"].null_count() == 3
    assert compare_scenarios(SMALL, [replace(PLUS5, retention_cost=0.0)])["roi"].to_list() == [None]


def _period_table(n: int, *, incomplete_last: bool = True) -> pl.DataFrame:
    """n monthly rows from Jan 2023: customers_end 100+10i, new 10+i, crr 0.70+0.01i (null first)."""
    i = pl.int_range(n, eager=True)
    return pl.DataFrame(
        {
            "period_start": pl.date_range(date(2023, 1, 1), date(2023 + (n - 1) // 12, (n - 1) % 12 + 1, 1), "1mo", eager=True),
            "customers_start": [None, *range(100, 100 + 10 * (n - 1), 10)],
            "new_customers": (10 + i).to_list(),
            "customers_end": (100 + 10 * i).to_list(),
            "crr": [None, *[0.70 + 0.01 * k for k in range(1, n)]],
            "retention_rate": [None, *[0.60 + 0.01 * k for k in range(1, n)]],
            "revenue": (1000.0 * (1 + i)).to_list(),
            "orders": (20 * (1 + i)).to_list(),
            "incomplete": [False] * (n - 1) + [incomplete_last],
        }
    )


def test_measure_baseline_uses_last_complete_months():
    # 10 rows Jan–Oct 2023, October incomplete ⇒ complete Jan–Sep (i = 0..8); last 6 = i 3..8:
    # active = customers_end(Sep) = 100 + 80 = 180; new = mean(13..18) = 15.5;
    # crr = mean(0.73..0.78) = 0.755; retention = mean(0.63..0.68) = 0.655;
    # frequency = Σ orders / Σ customers_end = 20×(4+…+9) / (130+…+180) = 780/930;
    # AOV = Σ revenue / Σ orders = 1000×39 / 780 = 50; band over the last 12 (here 9, crr 0.71..0.78)
    b = measure_baseline(_period_table(10))
    assert b.last_month == date(2023, 9, 1) and b.months_used == 6
    assert (b.active_customers, b.new_customers) == (180.0, 15.5)
    assert b.crr == pytest.approx(0.755) and b.retention_rate == pytest.approx(0.655)
    assert b.purchase_frequency == pytest.approx(780 / 930) and b.aov == pytest.approx(50.0)
    assert (b.crr_low, b.crr_high) == pytest.approx((0.71, 0.78)) and b.band_months == 9
    assert b.new_customers_seasonal is None
    # rows in any order give the same baseline
    assert measure_baseline(_period_table(10).reverse()) == b


def test_measure_baseline_seasonal_new_customers():
    # 16 rows Jan 2023–Apr 2024, all complete: last 12 = May 2023 (i=4)…Apr 2024 (i=15), new = 10+i
    # ⇒ Jan = 22, Feb = 23, Mar = 24, Apr = 25, May = 14, …, Dec = 21; a 12-vector Jan..Dec
    b = measure_baseline(_period_table(16, incomplete_last=False), seasonal_new=True)
    assert b.new_customers_seasonal == (22.0, 23.0, 24.0, 25.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0)
    # projection from April 2024: May, June, July take 14, 15, 16
    p = project(b, Scenario(horizon=3))
    assert p["baseline_new_customers"].to_list() == [14.0, 15.0, 16.0]
    # short history: missing calendar months fall back to the recent mean (3 complete: new 10,11,12)
    short = measure_baseline(_period_table(4), seasonal_new=True)
    assert short.new_customers_seasonal == (10.0, 11.0, 12.0, *[11.0] * 9)


def test_measure_baseline_errors():
    with pytest.raises(NotEnoughDataError, match="at least 2 complete months of data; found 1"):
        measure_baseline(_period_table(2))
    with pytest.raises(ColumnNotFoundError, match='column "crr" not found'):
        measure_baseline(_period_table(5).drop("crr"))
    with pytest.raises(ParameterError, match="months=1 is not allowed"):
        measure_baseline(_period_table(5), months=1)
    weekly = _period_table(5).with_columns(pl.col("period_start").dt.offset_by("3d"))
    with pytest.raises(ParameterError, match="not consecutive calendar months"):
        measure_baseline(weekly)
    gap = _period_table(5).filter(pl.col("period_start") != date(2023, 3, 1))
    with pytest.raises(ParameterError, match="not consecutive calendar months"):
        measure_baseline(gap)
    no_crr = _period_table(3).with_columns(pl.lit(None, pl.Float64).alias("crr"))
    with pytest.raises(NotEnoughDataError, match="no CRR"):
        measure_baseline(no_crr)
    no_orders = _period_table(4).with_columns(pl.lit(None, pl.Int64).alias("orders"))
    with pytest.raises(NotEnoughDataError, match="no orders"):
        measure_baseline(no_orders)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"horizon": 2}, "horizon=2 is not allowed"),
        ({"horizon": 37}, "horizon=37"),
        ({"horizon": 12.5}, "horizon=12.5"),
        ({"crr_delta": 1.5}, "crr_delta=1.5"),
        ({"aov_change": -1.2}, "aov_change=-1.2"),
        ({"frequency_change": float("nan")}, "frequency_change=nan"),
        ({"new_customers": -3}, "new_customers=-3"),
        ({"margin": 1.2}, "margin=1.2"),
        ({"cac": -1}, "cac=-1"),
        ({"retention_cost": float("inf")}, "retention_cost=inf"),
        ({"name": " "}, "name=' '"),
    ],
)
def test_scenario_rejects_bad_values(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        Scenario(**kwargs)


def test_baseline_rejects_bad_values():
    with pytest.raises(ParameterError, match="crr=-0.1"):
        replace(SMALL, crr=-0.1)
    with pytest.raises(ParameterError, match="crr_low=0.9 is not allowed; expected at most crr_high"):
        replace(SMALL, crr_low=0.9, crr_high=0.85)
    with pytest.raises(ParameterError, match="new_customers_seasonal"):
        replace(SMALL, new_customers_seasonal=(1.0, 2.0))


@pytest.mark.parametrize("text", ["", "v2~sQQ", "v1~x3", "v1~h", "v1~habc", "v1~~c0.1", "v1~s!!", "v1~s_w"])
def test_scenario_from_query_rejects_other_text(text):
    with pytest.raises(ParameterError, match="scenario=.* Scenario.to_query"):
        Scenario.from_query(text)
    # well-formed text with a value out of range names the lever
    with pytest.raises(ParameterError, match="horizon=40 is not allowed"):
        Scenario.from_query("v1~h40")


_URL_SAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


@st.composite
def scenarios(draw):
    return Scenario(
        name=draw(st.text(min_size=1, max_size=30).filter(str.strip)),
        horizon=draw(st.integers(3, 36)),
        crr_delta=draw(st.floats(-1, 1)),
        aov_change=draw(st.floats(-1, 5)),
        frequency_change=draw(st.floats(-1, 5)),
        new_customers=draw(st.none() | st.floats(0, 1e5)),
        margin=draw(st.floats(0, 1)),
        cac=draw(st.floats(0, 1e4)),
        retention_cost=draw(st.floats(0, 1e3)),
    )


@settings(max_examples=100, derandomize=True)
@given(scenarios())
def test_scenario_query_round_trip(s):
    text = s.to_query()
    assert set(text) <= _URL_SAFE
    assert Scenario.from_query(text) == s


@st.composite
def baselines(draw, max_crr=1.2):
    c = draw(st.floats(0, max_crr))
    return Baseline(
        last_month=date(2024, draw(st.integers(1, 12)), 1),
        active_customers=draw(st.floats(0, 1e5)),
        new_customers=draw(st.floats(0, 1e4)),
        crr=c,
        purchase_frequency=draw(st.floats(0.05, 5)),
        aov=draw(st.floats(0.5, 1e4)),
        crr_low=max(c - draw(st.floats(0, 0.2)), 0.0),
        crr_high=c + draw(st.floats(0, 0.2)),
        new_customers_seasonal=draw(st.none() | st.tuples(*[st.floats(0, 1e4)] * 12)),
    )


@settings(max_examples=80, derandomize=True)
@given(baselines(), scenarios(), st.floats(-1, 1), st.floats(-1, 1))
def test_higher_crr_never_lowers_customers_or_revenue(b, s, d1, d2):
    lo, hi = sorted((d1, d2))
    p_lo, p_hi = project(b, replace(s, crr_delta=lo)), project(b, replace(s, crr_delta=hi))
    for col in ("scenario_active_customers", "scenario_revenue", "scenario_cumulative_revenue"):
        assert (p_hi[col] >= p_lo[col]).all(), col


@settings(max_examples=80, derandomize=True)
@given(baselines(), scenarios())
def test_scenario_equal_to_baseline_has_zero_differences(b, s):
    same = replace(s, crr_delta=0.0, aov_change=0.0, frequency_change=0.0, retention_cost=0.0,
                   new_customers=None if b.new_customers_seasonal else b.new_customers)  # fmt: skip
    p = project(b, same)
    for col in [c for c in p.columns if c.endswith("_difference") and c != "ltv_difference"]:
        assert (p[col] == 0.0).all(), col
    assert p["ltv_difference"].drop_nulls().eq(0.0).all()
    assert p["roi"].null_count() == p.height
    assert p["scenario_cumulative_programme_cost"].eq(0.0).all()
    r = whatif_report(b, same)
    assert r["difference"] == {"revenue": 0.0, "gross_profit": 0.0, "active_customers_end": 0.0}
    assert r["baseline"] == r["scenario"]


@settings(max_examples=80, derandomize=True)
@given(
    baselines(max_crr=1.0),
    scenarios(),
    st.floats(0, 1),
    st.sampled_from(["revenue", "gross_profit"]),
    st.sampled_from(["month", "cumulative"]),
    st.integers(1, 36),
)
def test_solved_crr_fed_back_meets_the_target(b, s, u, metric, basis, by_month):
    by_month = min(by_month, s.horizon)
    s = replace(s, crr_delta=0.0)
    column = f"scenario_{metric}" if basis == "month" else f"scenario_cumulative_{metric}"
    lowest = project(replace(b, crr=0.0), s)[column][by_month - 1]
    highest = project(replace(b, crr=1.0), s)[column][by_month - 1]
    target = lowest + u * (highest - lowest)
    sol = solve_target_crr(b, s, target=target, metric=metric, by_month=by_month, basis=basis)
    if metric == "gross_profit" and s.margin * b.purchase_frequency * b.aov * (1 + s.frequency_change) * (
        1 + s.aov_change
    ) < s.retention_cost:
        assert not sol.reachable and sol.reason == "cost_exceeds_customer_profit"
        return
    assert sol.reachable and 0.0 <= sol.crr <= 1.0
    got = project(b, replace(s, crr_delta=sol.crr_delta))[column][by_month - 1]
    assert got == pytest.approx(target, rel=1e-7, abs=1e-6)
    assert sol.value_at_full_retention == pytest.approx(highest, rel=1e-9, abs=1e-9)


def test_solve_target_crr_answers():
    s3 = Scenario(horizon=3)
    # month-3 revenue 2614.125 is the +5-point scenario's ⇒ CRR 0.85, delta +0.05
    sol = solve_target_crr(SMALL, s3, target=2614.125)
    assert sol.reachable and sol.crr == pytest.approx(0.85, abs=1e-10) and sol.crr_delta == pytest.approx(0.05)
    assert sol.value_at_scenario == pytest.approx(2268.0)
    # cumulative revenue 8186.625 over 3 months is the same scenario
    cum = solve_target_crr(SMALL, s3, target=8186.625, basis="cumulative")
    assert cum.crr == pytest.approx(0.85, abs=1e-10)
    # month 3 at keep 1: 130 customers × 30 = 3900 is the most reachable
    miss = solve_target_crr(SMALL, s3, target=4000)
    assert (miss.reachable, miss.crr, miss.reason) == (False, None, "above_full_retention")
    assert miss.value_at_full_retention == pytest.approx(3900.0)
    # new customers alone (10 × 30 = 300) already reach 250 ⇒ any CRR will do
    assert solve_target_crr(SMALL, s3, target=250).crr == 0.0
    # a programme costing 40 per retained customer against 30 × 0.5 = 15 profit a customer
    costly = solve_target_crr(SMALL, replace(s3, margin=0.5, retention_cost=40.0), target=1.0, metric="gross_profit")
    assert (costly.reachable, costly.reason) == (False, "cost_exceeds_customer_profit")
    # by_month beyond the horizon is allowed (up to 36)
    assert solve_target_crr(SMALL, s3, target=3000, by_month=12).reachable


def test_solve_target_crr_errors():
    with pytest.raises(ParameterError, match="metric='orders' is not allowed; expected revenue, gross_profit"):
        solve_target_crr(SMALL, PLUS5, target=1.0, metric="orders")
    with pytest.raises(ParameterError, match="basis='total'"):
        solve_target_crr(SMALL, PLUS5, target=1.0, basis="total")
    with pytest.raises(ParameterError, match="by_month=0"):
        solve_target_crr(SMALL, PLUS5, target=1.0, by_month=0)
    with pytest.raises(ParameterError, match="target=nan"):
        solve_target_crr(SMALL, PLUS5, target=float("nan"))
    with pytest.raises(ParameterError, match="match='profit'"):
        acquisition_equivalent(SMALL, PLUS5, match="profit")
    with pytest.raises(ParameterError, match="target_crr=-0.5"):
        customers_to_keep(SMALL, -0.5)


def test_break_even_cost_fed_back_breaks_even():
    s = replace(PLUS5, horizon=12, aov_change=0.02)
    cost = break_even_retention_cost(SMALL, s)
    p = project(SMALL, replace(s, retention_cost=cost))
    assert p["cumulative_gross_profit_difference"][-1] == pytest.approx(0.0, abs=1e-8)
    # a scenario that earns nothing extra can afford nothing
    assert break_even_retention_cost(SMALL, replace(PLUS5, crr_delta=-0.05)) == 0.0


def test_acquisition_equivalent_fed_back_matches_the_scenario():
    s = replace(PLUS5, horizon=12)
    for match, column in (("customers", "active_customers"), ("revenue", "cumulative_revenue")):
        acq = acquisition_equivalent(SMALL, s, match=match)
        bought = project(SMALL, Scenario(horizon=12, new_customers=10 + acq.new_customers_per_month))
        assert bought[f"scenario_{column}"][-1] == pytest.approx(project(SMALL, s)[f"scenario_{column}"][-1])
        assert acq.new_customers_total == pytest.approx(12 * acq.new_customers_per_month)
    # worse than the baseline ⇒ nothing to buy
    worse = acquisition_equivalent(SMALL, replace(PLUS5, crr_delta=-0.05))
    assert worse.gap < 0 and worse.new_customers_per_month == 0.0 and worse.cheaper == "acquisition"


def test_customers_to_keep_is_zero_when_target_is_already_met():
    assert customers_to_keep(SMALL, 0.75) == 0.0
    assert customers_to_keep(replace(SMALL, active_customers=250), 0.9) == pytest.approx(25.0)  # 0.1 × 250


def test_sensitivity_table():
    t = sensitivity(SMALL, PLUS5)
    assert t.select("lever", "step").rows() == [
        ("crr", -0.01), ("crr", 0.01), ("aov", -0.05), ("aov", 0.05), ("frequency", -0.05), ("frequency", 0.05)
    ]  # fmt: skip
    # ±5 % AOV or frequency moves revenue by exactly ±5 % of 8186.625 = ±409.33125; profit by half
    # of that (margin 0.5), programme cost unchanged
    for lever in ("aov", "frequency"):
        rows = t.filter(lever=lever)
        assert rows["cumulative_revenue_change"].to_list() == pytest.approx([-409.33125, 409.33125])
        assert rows["cumulative_gross_profit_change"].to_list() == pytest.approx([-204.665625, 204.665625])
    # +1 point CRR = the scenario re-run at +6 points
    up = project(SMALL, replace(PLUS5, crr_delta=0.06))
    row = t.filter(lever="crr", step=0.01).row(0, named=True)
    assert row["cumulative_gross_profit"] == pytest.approx(up["scenario_cumulative_gross_profit"][-1])
    assert row["revenue"] == pytest.approx(up["scenario_revenue"][-1])


def test_crr_range_band():
    # CRR seen between 0.70 and 0.90: month 1 baseline 100×0.7+10 = 80 … 100×0.9+10 = 100;
    # scenario (+5 points) 100×0.75+10 = 85 … 100×0.95+10 = 105
    b = replace(SMALL, crr_low=0.70, crr_high=0.90)
    band = crr_range_projection(b, PLUS5)
    first = band.row(0, named=True)
    assert first["baseline_active_customers_low"] == pytest.approx(80.0)
    assert first["baseline_active_customers_high"] == pytest.approx(100.0)
    assert first["scenario_active_customers_low"] == pytest.approx(85.0)
    assert first["scenario_active_customers_high"] == pytest.approx(105.0)
    mid = project(b, PLUS5)
    for w in ("baseline", "scenario"):
        for m in ("active_customers", "revenue", "cumulative_gross_profit"):
            assert (band[f"{w}_{m}_low"] <= mid[f"{w}_{m}"]).all() and (mid[f"{w}_{m}"] <= band[f"{w}_{m}_high"]).all()


def test_whatif_report_shape_and_json():
    r = whatif_report(SMALL, PLUS5)
    assert set(r) == {"baseline", "scenario", "difference", "assumptions"}
    for w in ("baseline", "scenario"):
        assert set(r[w]) == {"months", "active_customers", "revenue", "gross_profit"}
        assert r[w]["months"] == ["2024-07-01", "2024-08-01", "2024-09-01"]
    assert set(r["difference"]) == {"revenue", "gross_profit", "active_customers_end"}
    assert r["scenario"]["gross_profit"] == pytest.approx([1340.0, 1280.5, 1229.925])
    a = r["assumptions"]
    assert (a["crr"], a["crr_delta"], a["scenario_keep_rate"], a["horizon"]) == (0.8, 0.05, pytest.approx(0.85), 3)
    assert json.loads(json.dumps(r)) == r


def test_compare_scenarios_side_by_side():
    t = compare_scenarios(SMALL, [PLUS5, replace(PLUS5, name="Plus 10", crr_delta=0.10)])
    assert t["name"].to_list() == ["Plus 5", "Plus 10"]
    assert t["cumulative_revenue_difference"][0] == pytest.approx(758.625)
    assert t["baseline_cumulative_revenue"].to_list() == pytest.approx([7428.0, 7428.0])
    assert t["cumulative_revenue_difference"][1] > t["cumulative_revenue_difference"][0]
    assert t["horizon"].dtype == pl.Int32 and t["new_customers"].to_list() == [None, None]
    with pytest.raises(ParameterError, match="distinct names"):
        compare_scenarios(SMALL, [PLUS5, PLUS5])
    with pytest.raises(ParameterError, match="distinct names"):
        compare_scenarios(SMALL, [])


def test_project_does_not_mutate_and_is_finite():
    p = project(SMALL, replace(PLUS5, horizon=36))
    assert p.height == 36 and p["period_start"][-1] == date(2027, 6, 1)
    assert all(math.isfinite(v) for v in p["scenario_cumulative_gross_profit"].to_list())
    assert SMALL.active_customers == 100.0


def test_outcome_at_is_what_the_solver_compares_with():
    # PLUS5 at its own keep 0.85: month-3 revenue 2614.125; profit summed 3850.425 (worked example)
    assert outcome_at(SMALL, PLUS5) == pytest.approx(2614.125)
    assert outcome_at(SMALL, PLUS5, metric="gross_profit", basis="cumulative") == pytest.approx(3850.425)
    # beyond the horizon: month 5 of the model, the same number the solver reports
    sol = solve_target_crr(SMALL, PLUS5, target=1.0, by_month=5)
    assert outcome_at(SMALL, PLUS5, by_month=5) == pytest.approx(sol.value_at_scenario)
    assert outcome_at(SMALL, PLUS5, by_month=5) == pytest.approx(project(SMALL, replace(PLUS5, horizon=5))["scenario_revenue"][-1])
    with pytest.raises(ParameterError, match="by_month=37"):
        outcome_at(SMALL, PLUS5, by_month=37)
    with pytest.raises(ParameterError, match="metric='orders'"):
        outcome_at(SMALL, PLUS5, metric="orders")


def test_lever_values_golden():
    # SMALL with PLUS5 plus AOV +10 %, frequency −20 %, 12 new a month:
    #   crr 0.8 → 0.85; keep the same; extra kept (0.85 − 0.8) × 100 = 5;
    #   frequency 1.5 → 1.2; AOV 20 → 22; revenue per customer 30 → 26.4
    s = replace(PLUS5, aov_change=0.1, frequency_change=-0.2, new_customers=12.0)
    expected = pl.DataFrame({
        "lever": ["crr", "keep_rate", "customers_kept_extra", "new_customers", "purchase_frequency", "aov",
                  "revenue_per_customer", "margin", "retention_cost", "cac"],
        "baseline": [0.8, 0.8, 0.0, 10.0, 1.5, 20.0, 30.0, 0.5, 0.0, 50.0],
        "scenario": [0.85, 0.85, 5.0, 12.0, 1.2, 22.0, 26.4, 0.5, 1.0, 50.0],
    })  # fmt: skip
    assert_frame_equal(lever_values(SMALL, s), expected, abs_tol=1e-9)
    # CRR 0.98 + 5 points: the model keeps 100 % but CRR shows 1.03; 5 more kept a month
    high = lever_values(replace(SMALL, crr=0.98), Scenario(crr_delta=0.05)).rows_by_key("lever", unique=True)
    assert high["crr"][1] == pytest.approx(1.03) and high["keep_rate"] == (0.98, 1.0)
    assert high["customers_kept_extra"][1] == pytest.approx(5.0)
    # a cut below zero: keep 0, nobody extra kept
    low = lever_values(replace(SMALL, crr=0.1), Scenario(crr_delta=-0.2)).rows_by_key("lever", unique=True)
    assert low["keep_rate"][1] == 0.0 and low["customers_kept_extra"][1] == 0.0
