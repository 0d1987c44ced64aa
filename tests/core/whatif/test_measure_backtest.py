"""The what-if baseline measured from orders and the backtest (SPEC §6 "Honesty check")."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from retention_core.errors import NotEnoughDataError, ParameterError
from retention_core.ingest import load_file
from retention_core.retention.activity import activity_window
from retention_core.retention.flows import period_metrics
from retention_core.whatif.backtest import Backtest, NoBacktest, backtest, error_band
from retention_core.whatif.measure import baseline_at, lapsed_by_age, measure_baseline, monthly_pools
from retention_core.whatif.model import Scenario, project
from retention_core.whatif.solve import whatif_report
from tests.core.whatif.shops import loyal_club_shop, two_pool_shop

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "orders.csv"


def _orders(rows: list[tuple[str, date, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"customer_id": pl.String, "ordered_at": pl.Date, "amount": pl.Float64}, orient="row")


def test_pools_hand_computed_with_a_two_month_window():
    # W = 2. a: Jan, Feb, Jun; b: Jan; c: Mar (new), Apr; refund of b in Mar is not a purchase.
    # active (bought in the 2 months ending at p): Jan {a,b} Feb {a,b} Mar {a,c} Apr {c} May {c} Jun {a}
    # churned: Mar b (S={a,b}, E={a,c}); Apr a; Jun c.  reactivated: Jun a (lapsed Apr–May, age 2 at May)
    # lapsed: Mar {b} Apr {a,b} May {a,b} Jun {b,c}
    o = _orders([("a", date(2024, 1, 3), 10.0), ("b", date(2024, 1, 9), 20.0), ("a", date(2024, 2, 1), 5.0),
                 ("c", date(2024, 3, 5), 7.0), ("b", date(2024, 3, 6), -20.0), ("c", date(2024, 4, 2), 3.0),
                 ("a", date(2024, 6, 30), 8.0)])
    t = monthly_pools(o, window=2).table
    assert t["active"].to_list() == [2, 2, 2, 1, 1, 1]
    assert t["customers_start"].to_list() == [0, 2, 2, 2, 1, 1]
    assert t["churned"].to_list() == [0, 0, 1, 1, 0, 1]
    assert t["retained"].to_list() == [0, 2, 1, 1, 1, 0]
    assert t["new_customers"].to_list() == [2, 0, 1, 0, 0, 0]
    assert t["reactivated_le12"].to_list() == [0, 0, 0, 0, 0, 1]
    assert t["lapsed_le12"].to_list() == [0, 0, 1, 2, 2, 2]
    assert t["revenue"].to_list() == [30.0, 5.0, -13.0, 3.0, 0.0, 8.0]
    assert t["complete"].to_list() == [True] * 6
    pools = monthly_pools(o, window=2)
    # in May: a lapsed since April (age 2), b since March (age 3)
    assert lapsed_by_age(pools, int(t["period"][4])) == (0.0, 1.0, 1.0) + (0.0,) * 10
    # retention rate Feb–Jun: retained 2+1+1+1+0 = 5 over S 2+2+2+1+1 = 8; q: 1 back (Jun) over lapsed at the month before, Jan–May: 0+0+1+2+2 = 5
    b = baseline_at(pools)
    assert b.retention_rate == pytest.approx(5 / 8) and b.reactivation_rates[0] == pytest.approx(1 / 5)
    assert b.active_customers == 1.0 and b.last_month == date(2024, 6, 1) and b.window == 2


def test_pools_agree_with_period_metrics_on_the_sample():
    o = load_file(SAMPLE, kind="orders").frame
    w = activity_window(o, grain="month").periods
    pools = monthly_pools(o, window=w)
    m = period_metrics(o, grain="month", window=w)
    j = pools.table.join(m, on="period_start", suffix="_m")
    assert (j["active"] == j["customers_end"]).all() and (j["retained"] == j["retained_m"]).all()
    assert (j["reactivated_le12"] + j["reactivated_gt12"] == j["reactivated"]).all()
    assert (j["new_customers"] == j["new_customers_m"]).all()
    assert (j["active"] == j["customers_start"] - j["churned"] + j["reactivated"] + j["new_customers"]).all()
    last = pools.complete.row(-1, named=True)
    by_age = lapsed_by_age(pools, last["period"])
    assert sum(by_age[:12]) == last["lapsed_le12"] and by_age[12] == last["lapsed_gt12"]


def test_measure_baseline_recovers_the_rates_of_a_synthetic_shop():
    b = measure_baseline(two_pool_shop(), window=1)
    assert b.retention_rate == pytest.approx(0.75, abs=0.01)
    assert b.reactivation_rates == pytest.approx((0.08, 0.02), abs=0.005)
    assert b.purchase_frequency == pytest.approx(1.0) and b.aov == pytest.approx(25.0)
    assert b.new_customers == 800 and b.new_customers_seasonal == (800.0,) * 12


def test_backtest_on_a_synthetic_shop_is_within_3_percent():
    pools = monthly_pools(two_pool_shop(), window=1)
    bt = backtest(pools, horizon=12)
    assert isinstance(bt, Backtest) and len(bt.months) == 12
    assert bt.mape_active < 0.03 and bt.mape_revenue < 0.03
    assert bt.from_month == date(2022, 11, 1)  # 36 months Jan 2021–Dec 2023; 12 before the last


def test_backtest_on_the_sample_is_shown_and_finite():
    o = load_file(SAMPLE, kind="orders").frame
    pools = monthly_pools(o, window=activity_window(o, grain="month").periods)
    bt = backtest(pools, horizon=12)
    assert isinstance(bt, Backtest) and len(bt.months) == 12
    assert np.isfinite([bt.mape_active, bt.mape_revenue]).all() and 0 < bt.mape_active < 0.5
    base = baseline_at(pools)
    report = whatif_report(base, Scenario(), backtest=bt)
    assert report["backtest"]["mape_active"] == bt.mape_active
    assert len(report["backtest"]["actual"]["active_customers"]) == 12


def test_backtest_needs_history():
    o = _orders([(f"c{i}", date(2024, m, 5), 1.0) for i in range(5) for m in range(1, 6)])
    bt = backtest(monthly_pools(o, window=1, data_end=date(2024, 5, 31)), horizon=12)
    assert isinstance(bt, NoBacktest) and "at least 6 complete months" in bt.reason and bt.complete_months == 5
    r = whatif_report(measure_baseline(o, window=1), Scenario(), backtest=bt)
    assert r["backtest"] is None and r["backtest_reason"] == bt.reason
    # a short horizon shortens the backtest: H = min(horizon, half the history)
    # (orders fall on the 10th, so the 20th month is incomplete: 19 complete months ⇒ half = 9)
    long = monthly_pools(two_pool_shop(months=20), window=1)
    assert len(backtest(long, horizon=4).months) == 4 and len(backtest(long, horizon=24).months) == 9


def test_error_band_is_the_backtest_error_by_month_ahead():
    pools = monthly_pools(two_pool_shop(), window=1)
    bt = backtest(pools, horizon=6)
    p = project(baseline_at(pools), Scenario(horizon=9, crr_delta=0.05))
    band = error_band(p, bt)
    e = np.array([x or 0.0 for x in bt.ape_active])
    v = p["scenario_active_customers"].to_numpy()
    assert np.allclose(band["scenario_active_customers_high"].to_numpy()[:6], v[:6] * (1 + e))
    assert np.allclose(band["scenario_active_customers_low"].to_numpy()[6:], v[6:] * (1 - e.max()))


def test_measure_errors():
    with pytest.raises(NotEnoughDataError, match="at least 2 complete months"):
        measure_baseline(_orders([("a", date(2024, 1, 5), 1.0)]), window=1, data_end=date(2024, 1, 31))
    with pytest.raises(ParameterError, match="window=0"):
        monthly_pools(_orders([("a", date(2024, 1, 5), 1.0)]), window=0)
    with pytest.raises(ParameterError, match="months=1"):
        baseline_at(monthly_pools(two_pool_shop(months=6), window=1), months=1)


def test_loyal_club_shop_crr_near_100_and_plus_5_vs_plus_10():
    o = loyal_club_shop()
    b = measure_baseline(o, window=activity_window(o, grain="month"))
    assert b.crr == pytest.approx(1.0, abs=0.03) and b.retention_rate < 0.95
    d5, d10 = (project(b, Scenario(crr_delta=d))["cumulative_revenue_difference"][-1] for d in (0.05, 0.10))
    assert 0 < d5 < d10


def test_subscriber_projection_follows_the_sbg_survival():
    from retention_core.whatif.subscriptions import (
        SubscriberBaseline,
        measure_subscribers,
        project_subscribers,
    )

    # γ = 0.704, δ = 1.182 (the paper's regular segment); 1,000 at tenure 0 and 500 at tenure 3, 20 new a month
    g, d = 0.704, 1.182
    b = SubscriberBaseline(date(2024, 6, 30), date(2024, 6, 1), g, d, (1000.0, 0.0, 0.0, 500.0), 20.0, 10.0)
    p = project_subscribers(b, horizon=3)
    r = [(d + t - 1) / (g + d + t - 1) for t in range(1, 8)]  # r(t), paper eq. 5
    # month 1: 1000 r(1) + 500 r(4) + 20; month 2: 1000 r(1) r(2) + 500 r(4) r(5) + 20 r(1) + 20
    assert p["baseline_subscribers"][0] == pytest.approx(1000 * r[0] + 500 * r[3] + 20)
    assert p["baseline_subscribers"][1] == pytest.approx(1000 * r[0] * r[1] + 500 * r[3] * r[4] + 20 * r[0] + 20)
    assert p["period_start"].to_list() == [date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1)]
    # less churn ⇒ more subscribers, every month; no change ⇒ the baseline
    less = project_subscribers(b, horizon=12, churn_change=-0.3)
    assert (less["subscribers_difference"] > 0).all()
    assert project_subscribers(b, horizon=12)["subscribers_difference"].abs().max() == 0.0
    # on the sample: measured base, finite projection
    subs = load_file(SAMPLE.with_name("subscriptions.csv"), kind="subscriptions").frame
    real = measure_subscribers(subs)
    assert real.subscribers > 100 and real.mrr > 0
    assert np.isfinite(project_subscribers(real, horizon=24, churn_change=-0.1)["scenario_mrr"].to_numpy()).all()


def _sbg_population(months: int = 36, new: int = 400, gamma: float = 0.9, delta: float = 4.0,
                    seed: int = 3) -> pl.DataFrame:
    """``new`` subscriptions start on the 1st of every month; each has θ ~ beta(γ, δ) and lasts a geometric
    number of months; ends after the data's last day are left open."""
    rng = np.random.default_rng(seed)
    start_month = np.repeat(np.arange(months), new)
    life = rng.geometric(rng.beta(gamma, delta, start_month.size))
    end_month = start_month + life
    first = 2021 * 12
    frame = pl.DataFrame({"s": start_month + first, "e": end_month + first}).select(
        pl.format("S{}", pl.int_range(pl.len())).alias("customer_id"),
        pl.date(pl.col("s") // 12, pl.col("s") % 12 + 1, 1).alias("started_at"),
        pl.date(pl.col("e") // 12, pl.col("e") % 12 + 1, 1).alias("ended_at"),
        pl.lit(20.0).alias("mrr"),
    )
    last = date(2021 + (months - 1) // 12, (months - 1) % 12 + 1, 28)
    return frame.with_columns(pl.when(pl.col("ended_at") <= last).then(pl.col("ended_at")).alias("ended_at"))


def test_subscriber_backtest_on_an_sbg_population_is_within_3_percent():
    from retention_core.whatif.subscriptions import backtest_subscribers, subscribers_at

    subs = _sbg_population()
    # the counting rule by hand: on 2021-01-31 every January start is there except those who lasted ... none
    # end before Feb 1 (lifetimes ≥ 1 month), so all 400 are active
    assert subscribers_at(subs, [date(2021, 1, 31)]).tolist() == [400.0]
    bt = backtest_subscribers(subs, horizon=12)
    assert len(bt.months) == 12 and bt.mape < 0.03
    sample = load_file(SAMPLE.with_name("subscriptions.csv"), kind="subscriptions").frame
    real = backtest_subscribers(sample, horizon=12)
    assert np.isfinite(real.mape) and len(real.months) == 12
