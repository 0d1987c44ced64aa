"""Gamma-Gamma spend model (Fader & Hardie 2013): likelihood, fit, conditional expected spend."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import integrate

from retention_core.errors import ColumnNotFoundError, NotEnoughDataError
from retention_core.value.clv import (
    GammaGammaParams,
    expected_spend,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)
from retention_core.value.clv import gamma_gamma as gg_module

TRUE = GammaGammaParams(p=6.0, q=4.0, gamma=15.0)


def simulate(n: int, params: GammaGammaParams, *, seed: int) -> pl.DataFrame:
    """x ∈ 1…10 repeat purchases; ν ~ Gamma(q, rate γ); each spend ~ Gamma(p, rate ν), so the mean of
    x spends is Gamma(p·x, rate ν·x)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 11, n)
    nu = rng.gamma(params.q, 1.0 / params.gamma, n)
    m = rng.gamma(params.p * x, 1.0) / (nu * x)
    return pl.DataFrame({"frequency": x, "monetary_value": m})


def _ll_reference(params: GammaGammaParams, x: int, m: float) -> float:
    p, q, g = params.p, params.q, params.gamma
    return (
        math.lgamma(p * x + q)
        - math.lgamma(p * x)
        - math.lgamma(q)
        + q * math.log(g)
        + (p * x - 1) * math.log(m)
        + p * x * math.log(x)
        - (p * x + q) * math.log(g + x * m)
    )


def _mixture_density(params: GammaGammaParams, x: int, m: float) -> float:
    """∫ Gamma(m̄; p·x, rate ν·x) · Gamma(ν; q, rate γ) dν by quadrature (FH 2013's derivation)."""
    p, q, g = params.p, params.q, params.gamma

    def integrand(nu: float) -> float:
        log_mean = p * x * math.log(nu * x) + (p * x - 1) * math.log(m) - nu * x * m - math.lgamma(p * x)
        log_prior = q * math.log(g) + (q - 1) * math.log(nu) - g * nu - math.lgamma(q)
        return math.exp(log_mean + log_prior)

    value, _ = integrate.quad(integrand, 0.0, math.inf, epsabs=0.0, epsrel=1e-11, limit=200)
    return value


@pytest.mark.parametrize(
    "params", [TRUE, GammaGammaParams(6.25, 3.74, 15.44), GammaGammaParams(0.7, 1.5, 2.0)]
)
def test_log_likelihood_matches_reference_and_integral(params: GammaGammaParams) -> None:
    rows = [(1, 12.5), (2, 30.0), (5, 7.25), (40, 55.0)]
    summary = pl.DataFrame(
        rows + [(0, None), (3, -4.0)], schema=["frequency", "monetary_value"], orient="row"
    )
    want = sum(_ll_reference(params, x, m) for x, m in rows)
    # Customers with x = 0 or m̄ ≤ 0 are not in the likelihood.
    assert gamma_gamma_log_likelihood(summary, params) == pytest.approx(want, rel=1e-12)
    for x, m in rows[:3]:
        assert _ll_reference(params, x, m) == pytest.approx(
            math.log(_mixture_density(params, x, m)), rel=1e-8
        )
    objective = gg_module._Objective(np.array([r[0] for r in rows], float), np.array([r[1] for r in rows]))
    theta = np.log([params.p, params.q, params.gamma])
    assert -objective(theta)[0] * objective.n == pytest.approx(want, rel=1e-11)


def test_objective_gradient_matches_finite_differences() -> None:
    summary = simulate(500, TRUE, seed=5)
    objective = gg_module._Objective(
        *(summary.get_column(c).cast(pl.Float64).to_numpy() for c in summary.columns)
    )
    theta = np.log([5.0, 3.0, 10.0])
    _, grad = objective(theta)
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-6
        numeric = (objective(theta + step)[0] - objective(theta - step)[0]) / 2e-6
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_fit_recovers_known_parameters() -> None:
    """5000 customers from p=6, q=4, γ=15.

    Tolerance: 4 asymptotic standard errors of each log-parameter (inverse observed information at
    the fit); a two-sided miss has probability ~6e-5 per parameter. Gamma-Gamma's q and γ are
    strongly correlated, so their SEs are the larger ones (≈ 10 %).
    """
    summary = simulate(5000, TRUE, seed=2024)
    fit = fit_gamma_gamma(summary)
    got = np.log([fit.p, fit.q, fit.gamma])
    objective = gg_module._Objective(
        *(summary.get_column(c).cast(pl.Float64).to_numpy() for c in summary.columns)
    )
    hess = np.empty((3, 3))
    for i in range(3):
        step = np.zeros(3)
        step[i] = 1e-4
        hess[i] = (objective(got + step)[1] - objective(got - step)[1]) / 2e-4
    se = np.sqrt(np.diag(np.linalg.inv((hess + hess.T) / 2 * objective.n)))
    assert np.all(se < 0.25)
    assert np.all(np.abs(got - np.log([TRUE.p, TRUE.q, TRUE.gamma])) < 4 * se), (fit, se)
    assert fit.log_likelihood >= gamma_gamma_log_likelihood(summary, TRUE)
    assert (fit.n_customers, fit.n_excluded) == (5000, 0)


def test_customers_with_non_positive_spend_are_excluded_and_counted() -> None:
    base = simulate(300, TRUE, seed=9)
    extra = pl.DataFrame({"frequency": [2, 1, 0, 3], "monetary_value": [-5.0, 0.0, None, None]})
    fit = fit_gamma_gamma(pl.concat([base, extra]))
    ref = fit_gamma_gamma(base)
    # −5 and 0 are excluded (2), x = 0 is not a repeat customer, x = 3 with a null m̄ counts as ≤ 0.
    assert (fit.n_customers, fit.n_excluded) == (300, 2 + 1)
    assert (fit.p, fit.q, fit.gamma) == pytest.approx((ref.p, ref.q, ref.gamma), rel=1e-9)


def test_expected_spend_closed_form_and_posterior_mean() -> None:
    # E[Z | x, m̄] = p(γ + x m̄)/(p x + q − 1):
    #   x = 0 ⇒ 6·15/3 = 30 (population mean); x = 1, m̄ = 20 ⇒ 6·35/9; x = 4, m̄ = −3 (refunds) ⇒ 6·15/27.
    summary = pl.DataFrame({"frequency": [0, 1, 4], "monetary_value": [None, 20.0, -3.0]})
    got = expected_spend(summary, TRUE).to_list()
    assert got == pytest.approx([30.0, 6 * 35 / 9, 6 * 15 / 27], rel=1e-14)
    # Independent: posterior of ν given (x, m̄) ∝ ν^(px) e^(−ν x m̄) · ν^(q−1) e^(−γν); E[Z | ν] = p/ν.
    x, m = 1, 20.0
    p, q, g = TRUE.p, TRUE.q, TRUE.gamma

    def post(nu: float) -> float:
        return nu ** (p * x + q - 1) * math.exp(-nu * (x * m + g))

    num, _ = integrate.quad(lambda nu: p / nu * post(nu), 0.0, math.inf, epsrel=1e-12)
    den, _ = integrate.quad(post, 0.0, math.inf, epsrel=1e-12)
    assert got[1] == pytest.approx(num / den, rel=1e-7)


def test_expected_spend_is_null_without_a_finite_population_mean() -> None:
    summary = pl.DataFrame({"frequency": [0, 2], "monetary_value": [None, 10.0]})
    got = expected_spend(summary, GammaGammaParams(p=2.0, q=0.8, gamma=5.0)).to_list()
    assert got[0] is None
    assert got[1] == pytest.approx(2.0 * (5.0 + 20.0) / (4.0 + 0.8 - 1))


def test_thin_data_and_missing_columns() -> None:
    summary = pl.DataFrame({"frequency": [1] * 19 + [2] * 5, "monetary_value": [10.0] * 19 + [-1.0] * 5})
    with pytest.raises(NotEnoughDataError, match=r"at least 20 repeat customers.*found 19 \(5 more"):
        fit_gamma_gamma(summary)
    with pytest.raises(ColumnNotFoundError, match='"monetary_value" not found'):
        fit_gamma_gamma(summary.drop("monetary_value"))
    with pytest.raises(ColumnNotFoundError, match='"frequency" not found'):
        expected_spend(summary.drop("frequency"), TRUE)
