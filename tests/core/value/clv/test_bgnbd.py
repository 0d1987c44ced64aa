"""BG/NBD (Fader, Hardie & Lee 2005): likelihood, fit, P(alive), expected purchases (SPEC §4.4)."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from retention_core.errors import ColumnNotFoundError, NotEnoughDataError, ParameterError
from retention_core.value.clv import (
    BgNbdParams,
    bgnbd_log_likelihood,
    expected_purchases,
    expected_purchases_new_customer,
    fit_bgnbd,
    probability_alive,
)
from retention_core.value.clv import bgnbd as bgnbd_module
from retention_core.value.clv._mle import maximise

TRUE = BgNbdParams(r=0.25, alpha=4.0, a=0.8, b=2.5)
# FHL 2005's CDNOW estimates as published (3 decimals).
CDNOW = BgNbdParams(r=0.243, alpha=4.414, a=0.793, b=2.426)


def simulate_summary(n: int, params: BgNbdParams, *, seed: int, t_max: float = 52.0) -> pl.DataFrame:
    """Exact draws from the BG/NBD generative process with continuous times.

    λ ~ Gamma(r, α), p ~ Beta(a, b); N ~ Poisson(λT) arrivals on (0, T]; the customer drops out
    right after repeat purchase D ~ Geometric(p), so x = min(N, D), and the x-th of N uniform arrival
    times is T · Beta(x, N − x + 1).
    """
    rng = np.random.default_rng(seed)
    T = rng.uniform(1.0, t_max, n)
    lam = rng.gamma(params.r, 1.0 / params.alpha, n)
    p = rng.beta(params.a, params.b, n)
    arrivals = rng.poisson(lam * T)
    x = np.minimum(arrivals, rng.geometric(p))
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), arrivals - x + 1), 0.0)
    return pl.DataFrame({"frequency": x, "recency": tx, "T": T})


def _one(x: int, tx: float, T: float) -> pl.DataFrame:
    return pl.DataFrame({"frequency": [x], "recency": [tx], "T": [T]})


# --- likelihood ---------------------------------------------------------------------------------


def _ll_reference(p: BgNbdParams, x: int, tx: float, T: float) -> float:
    """FHL 2005 eq. 6 written out with math.lgamma, one customer at a time."""

    def lbeta(u: float, v: float) -> float:
        return math.lgamma(u) + math.lgamma(v) - math.lgamma(u + v)

    head = math.lgamma(p.r + x) - math.lgamma(p.r) + p.r * math.log(p.alpha)
    first = lbeta(p.a, p.b + x) - lbeta(p.a, p.b) - (p.r + x) * math.log(p.alpha + T)
    if x == 0:
        return head + first
    second = lbeta(p.a + 1, p.b + x - 1) - lbeta(p.a, p.b) - (p.r + x) * math.log(p.alpha + tx)
    top = max(first, second)
    return head + top + math.log(math.exp(first - top) + math.exp(second - top))


CUSTOMERS = [
    (0, 0.0, 10.0),
    (1, 2.5, 10.0),
    (3, 30.43, 38.86),
    (12, 20.0, 21.0),
    (300, 50.0, 52.0),
    (2, 0.0, 5.0),
]
POINTS = [TRUE, CDNOW, BgNbdParams(2.0, 7.0, 1.2, 12.0), BgNbdParams(0.05, 0.3, 3.0, 0.4)]


@pytest.mark.parametrize("params", POINTS)
def test_log_likelihood_matches_a_scalar_reference(params: BgNbdParams) -> None:
    summary = pl.DataFrame(CUSTOMERS, schema=["frequency", "recency", "T"], orient="row")
    want = sum(_ll_reference(params, *c) for c in CUSTOMERS)
    assert bgnbd_log_likelihood(summary, params) == pytest.approx(want, rel=1e-12)
    # The fit's own objective (rising-factorial form, weights, log-parameters) agrees too.
    objective = bgnbd_module._objective(summary)
    theta = np.log([params.r, params.alpha, params.a, params.b])
    assert -objective(theta)[0] * objective.total == pytest.approx(want, rel=1e-10)


def _individual_likelihood(lam: float, p: float, x: int, tx: float, T: float) -> float:
    """FHL 2005 eq. 3: likelihood for known λ and p."""
    alive = (1 - p) ** x * lam**x * math.exp(-lam * T)
    dropped = p * (1 - p) ** (x - 1) * lam**x * math.exp(-lam * tx) if x > 0 else 0.0
    return alive + dropped


def _mix(params: BgNbdParams, f) -> float:
    """∫∫ f(λ, p) · Gamma(λ; r, α) · Beta(p; a, b) dλ dp by numerical quadrature."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    log_norm = r * math.log(alpha) - math.lgamma(r) - (math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))

    def integrand(lam: float, p: float) -> float:
        if lam <= 0 or p <= 0 or p >= 1:
            return 0.0
        dens = math.exp(
            log_norm
            + (r - 1) * math.log(lam)
            - alpha * lam
            + (a - 1) * math.log(p)
            + (b - 1) * math.log1p(-p)
        )
        return f(lam, p) * dens

    value, _ = integrate.dblquad(integrand, 0.0, 1.0, 0.0, math.inf, epsabs=1e-13, epsrel=1e-10)
    return value


SMOOTH = BgNbdParams(r=1.5, alpha=3.0, a=1.5, b=2.5)  # densities without endpoint singularities


@pytest.mark.parametrize(("x", "tx", "T"), [(0, 0.0, 4.0), (1, 1.0, 3.0), (3, 5.0, 6.0)])
def test_closed_forms_match_numerical_integration_of_the_model(x: int, tx: float, T: float) -> None:
    """Differential check: likelihood, P(alive) and E[Y(t)] against direct integration over λ and p."""
    t = 4.0
    marginal = _mix(SMOOTH, lambda lam, p: _individual_likelihood(lam, p, x, tx, T))
    alive = _mix(SMOOTH, lambda lam, p: (1 - p) ** x * lam**x * math.exp(-lam * T))
    # Given alive at T with (λ, p): E[purchases in (T, T+t]] = (1 − e^{−λpt}) / p (FHL 2005 eq. 7).
    future = _mix(
        SMOOTH, lambda lam, p: (1 - p) ** x * lam**x * math.exp(-lam * T) * (-math.expm1(-lam * p * t)) / p
    )
    summary = _one(x, tx, T)
    assert bgnbd_log_likelihood(summary, SMOOTH) == pytest.approx(math.log(marginal), rel=1e-7)
    assert probability_alive(summary, SMOOTH).item() == pytest.approx(alive / marginal, rel=1e-7)
    assert expected_purchases(summary, SMOOTH, t=t).item() == pytest.approx(future / marginal, rel=1e-6)


# --- published values (Hardie's BG/NBD spreadsheet for CDNOW, via FHL 2005's estimates) ----------


def test_conditional_expectation_matches_published_cdnow_value() -> None:
    # x = 2, t_x = 30.43, T = 38.86 weeks: E[Y(39)] = 1.226 (FHL 2005 / Hardie's spreadsheet).
    assert expected_purchases(_one(2, 30.43, 38.86), CDNOW, t=39.0).item() == pytest.approx(1.226, abs=5e-4)


def test_unconditional_expectation_matches_published_cdnow_values() -> None:
    # Hardie's spreadsheet at the unrounded CDNOW estimates; the published parameters are rounded to
    # 3 decimals, which moves E[X(t)] by up to ~0.2 % here, hence rtol 0.3 %.
    times = [0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0]
    published = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576]
    got = [expected_purchases_new_customer(CDNOW, t=t) for t in times]
    assert got == pytest.approx(published, rel=3e-3, abs=1e-4)


# --- P(alive) and expected purchases: closed forms in edge cases ------------------------------------


def test_p_alive_is_one_without_repeat_purchases_and_follows_eq_11() -> None:
    summary = pl.DataFrame({"frequency": [0, 0, 2], "recency": [0.0, 0.0, 4.0], "T": [1.0, 500.0, 10.0]})
    got = probability_alive(summary, TRUE).to_list()
    # x = 2: 1 / (1 + a/(b+x−1) · ((α+T)/(α+t_x))^(r+x)) = 1 / (1 + 0.8/3.5 · (14/8)^2.25)
    assert got[:2] == [1.0, 1.0]
    assert got[2] == pytest.approx(1 / (1 + 0.8 / 3.5 * (14 / 8) ** 2.25), rel=1e-13)


def test_purchase_on_the_last_day_means_alive() -> None:
    # t_x = T ⇒ odds a/(b+x−1) only.
    got = probability_alive(_one(4, 20.0, 20.0), TRUE).item()
    assert got == pytest.approx(1 / (1 + 0.8 / (2.5 + 3)), rel=1e-13)


@pytest.mark.parametrize("x", [0, 1, 5, 60, 400])
def test_expected_purchases_limits_hold_for_heavy_buyers(x: int) -> None:
    """Closed-form limits, also for customers with hundreds of purchases (no overflow).

    t → 0: E[Y(t)]/t → P(alive) · E[λ | alive] = P(alive) · (r+x)/(α+T).
    t → ∞ (a > 1): E[Y(∞)] = P(alive) · E[1/p | alive] = P(alive) · (a+b+x−1)/(a−1).
    """
    params = BgNbdParams(r=0.7, alpha=3.0, a=1.6, b=4.0)
    summary = _one(x, 0.9 * 52.0 if x else 0.0, 52.0)
    alive = probability_alive(summary, params).item()
    small = expected_purchases(summary, params, t=1e-6).item() / 1e-6
    assert small == pytest.approx(alive * (params.r + x) / (params.alpha + 52.0), rel=1e-4)
    huge = expected_purchases(summary, params, t=1e12).item()
    assert huge == pytest.approx(alive * (params.a + params.b + x - 1) / (params.a - 1), rel=1e-3)


@pytest.mark.parametrize("params", [BgNbdParams(0.7, 3.0, 1.6, 4.0), BgNbdParams(0.5, 1.0, 0.5, 0.5)])
@pytest.mark.parametrize("x", [0, 5, 60, 400])
def test_expected_purchases_match_a_one_dimensional_integral(params: BgNbdParams, x: int) -> None:
    """Independent form for any x: given alive, λ ~ Gamma(r+x, α+T) and p ~ Beta(a, b+x) a posteriori,
    and E[e^{−λpt}] = ((α+T)/(α+T+pt))^(r+x), so

        E[Y(t)] = P(alive) · ∫₀¹ (1 − ((α+T)/(α+T+pt))^(r+x)) / p · Beta(p; a, b+x) dp.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    T = 52.0
    summary = _one(x, 40.0 if x else 0.0, T)
    alive = probability_alive(summary, params).item()
    log_norm = math.lgamma(a + b + x) - math.lgamma(a) - math.lgamma(b + x)
    for t in (1.0, 10.0, 100.0):

        def gain(p: float, t: float = t) -> float:
            if p == 0.0:  # limit p → 0
                return (r + x) * t / (alpha + T)
            return -math.expm1((r + x) * (math.log(alpha + T) - math.log(alpha + T + p * t))) / p

        # Beta(p; a, b+x) ∝ p^(a−1) (1−p)^(b+x−1): an algebraic weight, integrated exactly by QAWS.
        value, _ = integrate.quad(
            gain, 0.0, 1.0, weight="alg", wvar=(a - 1, b + x - 1), epsabs=0.0, epsrel=1e-11
        )
        value *= math.exp(log_norm)
        got = expected_purchases(summary, params, t=t).item()
        assert got == pytest.approx(alive * value, rel=1e-7, abs=1e-300)


def test_expectation_at_a_equal_one_is_the_limit_of_its_neighbours() -> None:
    summary = _one(3, 8.0, 12.0)
    at_one = expected_purchases(summary, BgNbdParams(0.5, 4.0, 1.0, 3.0), t=10.0).item()
    below = expected_purchases(summary, BgNbdParams(0.5, 4.0, 1.0 - 1e-3, 3.0), t=10.0).item()
    above = expected_purchases(summary, BgNbdParams(0.5, 4.0, 1.0 + 1e-3, 3.0), t=10.0).item()
    assert min(below, above) <= at_one <= max(below, above)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    x=st.integers(0, 500),
    share=st.floats(0.0, 1.0),
    T=st.floats(0.5, 200.0),
    t=st.floats(0.1, 500.0),
    r=st.floats(0.05, 20.0),
    alpha=st.floats(0.1, 100.0),
    a=st.floats(0.05, 20.0),
    b=st.floats(0.05, 50.0),
)
def test_predictions_are_finite_bounded_and_grow_with_the_horizon(x, share, T, t, r, alpha, a, b) -> None:
    params = BgNbdParams(r, alpha, a, b)
    summary = _one(x, share * T if x else 0.0, T)
    alive = probability_alive(summary, params).item()
    near = expected_purchases(summary, params, t=t).item()
    far = expected_purchases(summary, params, t=2 * t).item()
    assert 0.0 <= alive <= 1.0
    assert math.isfinite(near) and math.isfinite(far)
    assert 0.0 <= near <= far * (1 + 1e-9) + 1e-12


def test_horizon_zero_and_negative() -> None:
    assert expected_purchases(_one(3, 5.0, 9.0), TRUE, t=0.0).item() == 0.0
    with pytest.raises(ParameterError, match="t=-1.0"):
        expected_purchases(_one(3, 5.0, 9.0), TRUE, t=-1.0)


# --- fitting ------------------------------------------------------------------------------------


def _standard_errors(summary: pl.DataFrame, theta: np.ndarray) -> np.ndarray:
    """Asymptotic standard errors of the log-parameters: inverse observed information."""
    objective = bgnbd_module._objective(summary)
    hess = np.empty((4, 4))
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-4
        hess[i] = (objective(theta + step)[1] - objective(theta - step)[1]) / 2e-4
    info = (hess + hess.T) / 2 * objective.total
    return np.sqrt(np.diag(np.linalg.inv(info)))


def test_fit_recovers_known_parameters() -> None:
    """5000 simulated customers from r=0.25, α=4, a=0.8, b=2.5.

    Tolerance: the MLE is asymptotically normal, so each log-parameter should lie within a few
    standard errors (from the observed information at the fit) of the truth; 4 SE bounds a
    two-sided miss at ~6e-5 per parameter. With 5000 customers those SEs are 6–25 % (a and b are the
    weakly identified pair), so the check also guards against gross errors.
    """
    summary = simulate_summary(5000, TRUE, seed=42)
    fit = fit_bgnbd(summary)
    got = np.log([fit.r, fit.alpha, fit.a, fit.b])
    want = np.log([TRUE.r, TRUE.alpha, TRUE.a, TRUE.b])
    se = _standard_errors(summary, got)
    assert np.all(se < 0.3)
    assert np.all(np.abs(got - want) < 4 * se), (fit, se)
    assert fit.log_likelihood >= bgnbd_log_likelihood(summary, TRUE)
    assert fit.log_likelihood == pytest.approx(bgnbd_log_likelihood(summary, fit), rel=1e-12)
    assert (fit.n_customers, fit.time_unit) == (5000, "week")


def test_fit_is_a_maximum() -> None:
    summary = simulate_summary(3000, TRUE, seed=7)
    fit = fit_bgnbd(summary)
    best = bgnbd_log_likelihood(summary, fit)
    for i in range(4):
        for factor in (0.98, 1.02):
            values = [fit.r, fit.alpha, fit.a, fit.b]
            values[i] *= factor
            assert bgnbd_log_likelihood(summary, BgNbdParams(*values)) < best


def test_duplicated_customers_give_the_same_parameters_and_twice_the_likelihood() -> None:
    summary = simulate_summary(2000, TRUE, seed=3)
    once, twice = fit_bgnbd(summary), fit_bgnbd(pl.concat([summary, summary]))
    assert [twice.r, twice.alpha, twice.a, twice.b] == pytest.approx(
        [once.r, once.alpha, once.a, once.b], rel=1e-5
    )
    assert twice.log_likelihood == pytest.approx(2 * once.log_likelihood, rel=1e-9)


def test_data_without_dropout_still_fits() -> None:
    # Everyone alive and buying at a Poisson rate: a, b run off to large values (p nearly constant);
    # the fit must still return usable, finite predictions.
    rng = np.random.default_rng(1)
    T = np.full(400, 30.0)
    x = rng.poisson(2.0, 400)
    summary = pl.DataFrame(
        {"frequency": x, "recency": np.where(x > 0, T * rng.beta(np.maximum(x, 1), 1), 0.0), "T": T}
    )
    fit = fit_bgnbd(summary)
    predicted = expected_purchases(summary, fit, t=30.0)
    assert predicted.is_finite().all()
    assert predicted.mean() == pytest.approx(x.mean(), rel=0.25)


def test_warm_start_reaches_the_same_optimum_as_a_direct_fit() -> None:
    summary = simulate_summary(150_000, BgNbdParams(2.0, 7.0, 1.2, 12.0), seed=11, t_max=104.0)
    warm = fit_bgnbd(summary)  # > 100 000 customers ⇒ subsample first, Newton polish
    objective = bgnbd_module._objective(summary)
    direct, _ = maximise(
        objective, np.log([1.0, 1.0, 1.0, 1.0]), model="BG/NBD", names=("r", "alpha", "a", "b")
    )
    assert np.log([warm.r, warm.alpha, warm.a, warm.b]) == pytest.approx(direct, abs=1e-5)


def test_thin_data_raises_not_enough_data() -> None:
    summary = pl.DataFrame(
        {"frequency": [0] * 50 + [1] * 19, "recency": [0.0] * 50 + [1.0] * 19, "T": [5.0] * 69}
    )
    with pytest.raises(
        NotEnoughDataError, match="at least 20 customers with a repeat purchase.*found 19 of 69"
    ):
        fit_bgnbd(summary)


def test_bad_summaries_are_rejected() -> None:
    with pytest.raises(ColumnNotFoundError, match='"recency" not found'):
        fit_bgnbd(pl.DataFrame({"frequency": [1], "T": [2.0]}))
    with pytest.raises(ParameterError, match="recency=3.0, T=2.0"):
        fit_bgnbd(pl.DataFrame({"frequency": [1], "recency": [3.0], "T": [2.0]}))
    with pytest.raises(ParameterError, match="frequency=1.5"):
        probability_alive(pl.DataFrame({"frequency": [1.5], "recency": [1.0], "T": [2.0]}), TRUE)
    with pytest.raises(ParameterError, match="time_unit='fortnight'"):
        fit_bgnbd(simulate_summary(100, TRUE, seed=1), time_unit="fortnight")  # type: ignore[arg-type]


def test_optimiser_failures_raise_convergence_error() -> None:
    from retention_core.errors import ConvergenceError

    def not_finite(theta: np.ndarray) -> tuple[float, np.ndarray]:
        return float("nan"), np.full_like(theta, np.nan)

    def wrong_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        return float(theta @ theta), -2 * theta  # the gradient points uphill: no line search can succeed

    with pytest.raises(ConvergenceError, match="BG/NBD fit failed: the log-likelihood is not finite"):
        maximise(not_finite, np.zeros(4), model="BG/NBD", names=("r", "alpha", "a", "b"))
    with pytest.raises(ConvergenceError, match="did not converge.*r=.*Try a longer calibration period"):
        maximise(wrong_gradient, np.ones(4), model="BG/NBD", names=("r", "alpha", "a", "b"))
