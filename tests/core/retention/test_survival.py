"""sBG survival (SPEC §4.2) against Fader & Hardie (2007), "How to project customer retention", Table 1 / §4."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.special import beta as beta_fn

from retention_core.errors import NotEnoughDataError
from retention_core.retention.survival import (
    Lifetimes,
    discounted_expected_lifetime,
    fit_sbg,
    lifetime_table,
    log_likelihood,
    observed_survival,
    pooled,
    survival_report,
)

# The paper's survival percentages, years 0–7 (calibration) | 8–12 (holdout).
HIGH_END = [100, 86.9, 74.3, 65.3, 59.3, 55.1, 51.7, 49.1], [46.8, 44.5, 42.7, 40.9, 39.4]
REGULAR = [100, 63.1, 46.8, 38.2, 32.6, 28.9, 26.2, 24.1], [22.3, 20.7, 19.4, 18.3, 17.3]


def paper_file(survival: list[float], *, start: date = date(2000, 1, 1)) -> pl.DataFrame:
    """1,000 subscriptions starting on one day: round(1000 × (S(t−1) − S(t)) / 100) end in year t
    (on the anniversary of year t, so the lifetime is exactly t years); the rest are open after year 7."""
    lost = [round(1000 * (a - b) / 100) for a, b in zip(survival, survival[1:], strict=False)]
    ends: list[date | None] = [date(start.year + t, start.month, start.day) for t, n in enumerate(lost, 1) for _ in range(n)]
    ends += [None] * (1000 - len(ends))
    return pl.DataFrame({"customer_id": [f"c{i:04d}" for i in range(1000)], "started_at": [start] * 1000,
                         "ended_at": ends}, schema={"customer_id": pl.String, "started_at": pl.Date, "ended_at": pl.Date})


SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample"
AS_OF = date(2007, 1, 1)  # seven years after the start: the paper's calibration period


@pytest.mark.parametrize(("data", "gamma", "delta", "ll"), [
    (HIGH_END, 0.668, 3.806, -1611.2),
    (REGULAR, 0.704, 1.182, -1680.3),
])
def test_reproduces_fader_hardie_2007(data, gamma, delta, ll):
    table = lifetime_table(paper_file(data[0]), period="year", as_of=AS_OF)
    lt = pooled(table)
    assert lt.customers == 1000
    assert lt.censored[7] == 1000 - lt.churned.sum()
    fit = fit_sbg(lt)
    assert (round(fit.gamma, 3), round(fit.delta, 3), round(fit.log_likelihood, 1)) == (gamma, delta, ll)
    # the observed curve is the paper's percentages (to the rounding of the counts)
    np.testing.assert_allclose(observed_survival(lt) * 100, data[0], atol=0.051)


@pytest.mark.parametrize("data", [HIGH_END, REGULAR])
def test_projection_years_8_to_12_is_the_models_own_formula(data):
    report = survival_report(paper_file(data[0]), period="year", as_of=AS_OF, horizon=5)
    seg = report["segments"][0]
    g, d = seg["gamma"], seg["delta"]
    # S(t) = B(γ, δ+t) / B(γ, δ); r(t) = (δ+t−1)/(γ+δ+t−1)
    expected = [beta_fn(g, d + t) / beta_fn(g, d) for t in range(8, 13)]
    np.testing.assert_allclose(seg["projected"], expected, rtol=1e-12)
    np.testing.assert_allclose(seg["retention_rate"], [(d + t - 1) / (g + d + t - 1) for t in range(1, 13)], rtol=1e-12)
    # and it is close to what the paper's holdout shows (the paper's Figure 2: within ~2 points)
    assert np.max(np.abs(np.array(seg["projected"]) * 100 - data[1])) < 2.5
    assert len(seg["observed"]) == 8 and seg["observed"][0] == 1.0


def test_high_end_vs_regular_projection_of_paper():
    """The paper's point: sBG projects year 12 near the holdout (high end 39.4 %, regular 17.3 %)."""
    hi = survival_report(paper_file(HIGH_END[0]), period="year", as_of=AS_OF)["segments"][0]["projected"][-1]
    reg = survival_report(paper_file(REGULAR[0]), period="year", as_of=AS_OF)["segments"][0]["projected"][-1]
    assert abs(hi * 100 - 39.4) < 2.5 and abs(reg * 100 - 17.3) < 2.5


def test_del_is_the_discounted_sum_of_survival():
    g, d, disc = 0.704, 1.182, 0.1
    t = np.arange(0, 5000)
    series = (np.exp(np.log(beta_fn(g, d + t)) - np.log(beta_fn(g, d))) / (1 + disc) ** t).sum()
    assert discounted_expected_lifetime(g, d, disc) == pytest.approx(series, rel=1e-9)


def test_log_likelihood_matches_a_hand_sum():
    lost = np.array([2, 1])
    lt = Lifetimes(lost, np.array([0, 0, 3]))
    g, d = 0.5, 2.0
    p1 = beta_fn(g + 1, d) / beta_fn(g, d)
    p2 = beta_fn(g + 1, d + 1) / beta_fn(g, d)
    s2 = beta_fn(g, d + 2) / beta_fn(g, d)
    assert log_likelihood(g, d, lt) == pytest.approx(2 * np.log(p1) + np.log(p2) + 3 * np.log(s2), rel=1e-12)


def test_parameter_recovery_on_simulated_cohorts():
    """Cohorts starting in 24 different months, θ ~ beta(γ, δ), geometric lifetimes, censored at as-of."""
    rng = np.random.default_rng(20070101)
    gamma, delta, n = 0.9, 2.5, 24_000
    theta = rng.beta(gamma, delta, n)
    life = rng.geometric(theta)  # months until churn, ≥ 1
    start_month = rng.integers(0, 24, n)
    starts = pl.date_range(date(2020, 1, 1), date(2021, 12, 1), "1mo", eager=True).gather(start_month)
    frame = pl.DataFrame({"customer_id": [f"s{i}" for i in range(n)], "started_at": starts, "life": life})
    frame = frame.with_columns(
        pl.col("started_at").dt.offset_by(pl.format("{}mo", pl.col("life"))).alias("ended_at")).drop("life")
    as_of = date(2022, 6, 1)
    frame = frame.with_columns(pl.when(pl.col("ended_at") <= as_of).then(pl.col("ended_at")).alias("ended_at"))
    lt = pooled(lifetime_table(frame, period="month", as_of=as_of))
    assert lt.censored.sum() > 1000  # censoring really happens at many ages
    fit = fit_sbg(lt)
    assert fit.gamma == pytest.approx(gamma, rel=0.1) and fit.delta == pytest.approx(delta, rel=0.15)


def test_lifetime_counting_and_censoring():
    subs = pl.DataFrame({
        "customer_id": ["a", "b", "c", "d", "e"],
        "started_at": [date(2024, 1, 15)] * 4 + [date(2024, 7, 1)],
        # a: 2 weeks (partial month = 1); b: ends on the 2-month anniversary (2); c: ends after as-of (censored);
        # d: open; e: starts after as-of (left out)
        "ended_at": [date(2024, 1, 29), date(2024, 3, 15), date(2024, 9, 1), None, None],
    })
    t = lifetime_table(subs, period="month", as_of=date(2024, 5, 20)).sort("customer_id")
    # c and d: Jan 15 + 4 months = May 15 ≤ May 20 < Jun 15 ⇒ 4 whole months
    assert t.select("customer_id", "t", "churned").rows() == [
        ("a", 1, True), ("b", 2, True), ("c", 4, False), ("d", 4, False)]


def test_a_churn_inside_the_running_period_is_not_counted_yet():
    # f: Jan 15 → May 18; as-of May 20 is inside f's 5th month (May 15 – Jun 15), which is not over: f is
    # censored after 4 whole months like a subscriber still there, but is not active any more
    subs = pl.DataFrame({"customer_id": ["f", "g"], "started_at": [date(2024, 1, 15)] * 2,
                         "ended_at": [date(2024, 5, 18), date(2024, 5, 15)]})
    t = lifetime_table(subs, period="month", as_of=date(2024, 5, 20)).sort("customer_id")
    # g ends on its 4-month anniversary: its 4th month is over, the churn counts
    assert t.select("customer_id", "t", "churned", "active").rows() == [("f", 4, False, False), ("g", 4, True, False)]
    # yearly periods on the sample: no age is left with churners only (the observed curve never drops to 0)
    from retention_core.ingest import load_file

    seg = survival_report(load_file(SAMPLE / "subscriptions.csv", kind="subscriptions").frame, period="year")
    assert min(seg["segments"][0]["observed"]) > 0.1


def test_a_price_change_is_not_a_churn():
    subs = pl.DataFrame({"customer_id": ["a", "a"], "started_at": [date(2024, 1, 1), date(2024, 4, 1)],
                         "ended_at": [date(2024, 3, 31), date(2024, 6, 1)], "mrr": [10.0, 15.0]})
    t = lifetime_table(subs, period="month", as_of=date(2024, 12, 31))
    assert t.select("t", "churned", "mrr").rows() == [(5, True, 15.0)]


def test_no_churn_is_a_clear_error():
    subs = pl.DataFrame({"customer_id": ["a"], "started_at": [date(2024, 1, 1)], "ended_at": [None]},
                        schema={"customer_id": pl.String, "started_at": pl.Date, "ended_at": pl.Date})
    with pytest.raises(NotEnoughDataError, match="churn"):
        survival_report(subs, period="month", as_of=date(2024, 12, 1))


def test_by_segment_fits_one_curve_each_and_ltv():
    a = paper_file(HIGH_END[0]).with_columns(pl.lit("high").alias("plan"), mrr=pl.lit(10.0))
    b = paper_file(REGULAR[0]).with_columns(pl.lit("regular").alias("plan"), pl.col("customer_id") + "r",
                                            mrr=pl.lit(10.0))
    rep = survival_report(pl.concat([a, b]), period="year", as_of=AS_OF, by="plan")
    got = {s["value"]: (round(s["gamma"], 3), round(s["delta"], 3), s["customers"]) for s in rep["segments"]}
    assert got == {"high": (0.668, 3.806, 1000), "regular": (0.704, 1.182, 1000)}
    seg = rep["segments"][0]
    assert seg["ltv"] == pytest.approx(seg["del"] * 10.0 * 12)


def test_sample_subscriptions_fit_is_finite():
    from retention_core.ingest import load_file

    subs = load_file(SAMPLE / "subscriptions.csv", kind="subscriptions").frame
    rep = survival_report(subs, period="month", horizon=12)
    seg = rep["segments"][0]
    assert 0 < seg["gamma"] < 100 and 0 < seg["delta"] < 1000 and np.isfinite(seg["del"])
    # monthly churn ≈ 4–6 % in the generator ⇒ first-month retention ≈ 0.94–0.96
    assert 0.85 < seg["retention_rate"][0] < 0.99
