"""Gamma-Gamma model of spend per purchase (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value").

A customer's purchase amounts are Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, independent of
the purchase process. The mean m̄ of x repeat purchases then has the marginal density (FH 2013 eq. 3)

    f(m̄ | p, q, γ, x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q · x^(px) · m̄^(px−1) / (γ + x m̄)^(px+q),

fitted here on customers with x ≥ 1 and m̄ > 0 (SPEC §4.4: repeat purchases only; customers whose
net repeat spend is ≤ 0 because of refunds are left out and counted in ``n_excluded``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.special import digamma, gammaln

from retention_core.errors import ColumnNotFoundError, NotEnoughDataError
from retention_core.value.clv._mle import dot, maximise

_COLUMNS = ("frequency", "monetary_value")
#: Fewer usable repeat customers than this raise NotEnoughDataError.
MIN_REPEAT_CUSTOMERS = 20
#: Above twice this many customers, a subsample of about this size is fitted first (see _mle).
WARM_START_CUSTOMERS = 50_000


@dataclass(frozen=True)
class GammaGammaParams:
    """Gamma-Gamma parameters: spend ~ Gamma(p, ν) per purchase, ν ~ Gamma(shape q, rate γ)."""

    p: float
    q: float
    gamma: float


@dataclass(frozen=True)
class GammaGammaFit(GammaGammaParams):
    """A maximum-likelihood Gamma-Gamma fit, its log-likelihood and the customers it used.

    ``n_customers`` repeat customers with positive monetary value were used; ``n_excluded`` repeat
    customers were left out because their net repeat spend was ≤ 0 (refunds).
    """

    log_likelihood: float
    n_customers: int
    n_excluded: int


def _usable(summary: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, int]:
    """(x, m̄) of repeat customers with m̄ > 0, and how many repeat customers had m̄ ≤ 0."""
    for col in _COLUMNS:
        if col not in summary.columns:
            raise ColumnNotFoundError.from_missing(col, summary.columns, role="customer summary")
    repeat = (
        summary.lazy()
        .filter(pl.col("frequency") > 0)
        .select(pl.col("frequency").cast(pl.Float64), pl.col("monetary_value").cast(pl.Float64))
    )
    ok = repeat.filter(pl.col("monetary_value") > 0).collect()
    excluded = (
        repeat.filter(~(pl.col("monetary_value") > 0).fill_null(False)).select(pl.len()).collect().item()
    )
    return ok.get_column("frequency").to_numpy(), ok.get_column("monetary_value").to_numpy(), int(excluded)


def _loglik(params: GammaGammaParams, x: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Per-customer ln f(m̄ | p, q, γ, x) (FH 2013 eq. 3)."""
    p, q, g = params.p, params.q, params.gamma
    return (
        gammaln(p * x + q)
        - gammaln(p * x)
        - gammaln(q)
        + q * np.log(g)
        + (p * x - 1) * np.log(m)
        + p * x * np.log(x)
        - (p * x + q) * np.log(x * m + g)
    )


class _Objective:
    """Mean −ln f and its gradient w.r.t. (ln p, ln q, ln γ).

        ∂/∂p = x (ψ(px+q) − ψ(px) + ln m̄ + ln x − ln(x m̄ + γ))
        ∂/∂q = ψ(px+q) − ψ(q) + ln γ − ln(x m̄ + γ)
        ∂/∂γ = q/γ − (px+q)/(x m̄ + γ)

    Terms in x alone are summed once per distinct x; sums of data-only terms are precomputed.
    """

    def __init__(self, x: np.ndarray, m: np.ndarray) -> None:
        self.xs, inv = np.unique(x, return_inverse=True)
        self.count_x = np.bincount(inv, minlength=self.xs.size).astype(float)
        self.x, self.xm = x, x * m
        self.n = float(x.size)
        log_m = np.log(m)
        self.sum_log_m = float(log_m.sum())
        self.sum_x_log_m = dot(x, log_m)
        self.sum_x_log_x = dot(x, np.log(x))

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, g = np.exp(theta)
        xs, cx, n = self.xs, self.count_x, self.n
        pxs = p * xs
        lg = np.log(self.xm + g)
        inv = 1.0 / (self.xm + g)
        sum_lg, sum_x_lg = float(lg.sum()), dot(self.x, lg)
        ll = (
            dot(cx, gammaln(pxs + q) - gammaln(pxs))
            - n * gammaln(q)
            + n * q * np.log(g)
            + p * self.sum_x_log_m
            - self.sum_log_m
            + p * self.sum_x_log_x
            - p * sum_x_lg
            - q * sum_lg
        )
        psi = digamma(pxs + q)
        grad_p = dot(cx * xs, psi - digamma(pxs)) + self.sum_x_log_m + self.sum_x_log_x - sum_x_lg
        grad_q = dot(cx, psi) - n * digamma(q) + n * np.log(g) - sum_lg
        grad_g = n * q / g - p * dot(self.x, inv) - q * float(inv.sum())
        grad = np.array([grad_p * p, grad_q * q, grad_g * g])
        return -ll / n, -grad / n


def gamma_gamma_log_likelihood(summary: pl.DataFrame, params: GammaGammaParams) -> float:
    """Total Gamma-Gamma log-likelihood Σ ln f(m̄ | p, q, γ, x) over usable repeat customers (FH 2013).

    Customers with x = 0 or m̄ ≤ 0 are not part of the likelihood.

    Raises
    ------
    ColumnNotFoundError
        ``frequency`` or ``monetary_value`` is missing.

    Examples
    --------
    One customer, x = 1, m̄ = 1, p = q = γ = 1: f = Γ(2)/(Γ(1)Γ(1)) · 1 · 1 · 1 / (1+1)^2 = 1/4.

    >>> s = pl.DataFrame({"frequency": [1, 0], "monetary_value": [1.0, None]})
    >>> round(gamma_gamma_log_likelihood(s, GammaGammaParams(1.0, 1.0, 1.0)), 6)
    -1.386294
    """
    x, m, _ = _usable(summary)
    return float(_loglik(params, x, m).sum())


def fit_gamma_gamma(
    summary: pl.DataFrame, *, min_repeat_customers: int = MIN_REPEAT_CUSTOMERS
) -> GammaGammaFit:
    """Fit Gamma-Gamma (p, q, γ) by maximum likelihood on repeat customers with m̄ > 0 (FH 2013; SPEC §4.4).

    Maximises Σ ln f(m̄ | p, q, γ, x) with L-BFGS-B on (ln p, ln q, ln γ) and the analytic gradient.

    Parameters
    ----------
    summary
        Output of :func:`~retention_core.value.clv.customer_summary` (``frequency``, ``monetary_value``).
    min_repeat_customers
        Fewer usable repeat customers raise :class:`NotEnoughDataError`.

    Returns
    -------
    GammaGammaFit
        ``p, q, gamma, log_likelihood, n_customers`` (used), ``n_excluded`` (repeat customers with
        net repeat spend ≤ 0).

    Raises
    ------
    ColumnNotFoundError
        ``frequency`` or ``monetary_value`` is missing.
    NotEnoughDataError
        Fewer than ``min_repeat_customers`` repeat customers with positive spend.
    ConvergenceError
        The optimiser did not reach a finite optimum.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(1, 6, 400)
    >>> m = rng.gamma(6.0 * x, 1.0) / (x * rng.gamma(4.0, 1 / 15.0, 400))
    >>> fit = fit_gamma_gamma(pl.DataFrame({"frequency": x, "monetary_value": m}))
    >>> fit.n_customers, fit.n_excluded
    (400, 0)
    """
    x, m, excluded = _usable(summary)
    if x.size < min_repeat_customers:
        msg = (
            f"Gamma-Gamma needs at least {min_repeat_customers} repeat customers with a positive spend; "
            f"found {x.size} ({excluded} more had a net repeat spend ≤ 0 after refunds). Use a longer "
            f"period of data or the formula LTV instead."
        )
        raise NotEnoughDataError(msg, found=int(x.size), needed=min_repeat_customers, excluded=excluded)
    objective = _Objective(x, m)
    warm = None
    if x.size > 2 * WARM_START_CUSTOMERS:
        step = x.size // WARM_START_CUSTOMERS
        warm = _Objective(x[::step], m[::step])
    # Start: p = 1, q = 2 and γ matching the mean spend E[z] = pγ/(q−1).
    start = np.log([1.0, 2.0, float(m.mean())])
    theta, mean_nll = maximise(objective, start, model="Gamma-Gamma", names=("p", "q", "gamma"), warm=warm)
    p, q, g = (float(v) for v in np.exp(theta))
    return GammaGammaFit(
        p, q, g, log_likelihood=-mean_nll * objective.n, n_customers=int(x.size), n_excluded=excluded
    )


def expected_spend(summary: pl.DataFrame, params: GammaGammaParams) -> pl.Series:
    """Expected spend per future purchase per customer (FH 2013 eq. 5; SPEC §4.4).

    E[Z | x, m̄] = p (γ + x m̄) / (p x + q − 1): a weighted mean of the population mean p γ / (q − 1)
    and the customer's own m̄. Customers with no repeat purchase get the population mean; customers
    whose net repeat spend is ≤ 0 (refunds) count as x purchases of 0, i.e. p γ / (p x + q − 1). Null
    where the denominator is ≤ 0 (x = 0 with q ≤ 1: the population mean does not exist).

    Returns
    -------
    pl.Series
        ``expected_spend`` Float64, aligned with ``summary``'s rows.

    Raises
    ------
    ColumnNotFoundError
        ``frequency`` or ``monetary_value`` is missing.

    Examples
    --------
    p = 6, q = 4, γ = 15: population mean 6·15/3 = 30; x = 2, m̄ = 50 ⇒ 6·(15+100)/(12+3) = 46.

    >>> s = pl.DataFrame({"frequency": [0, 2], "monetary_value": [None, 50.0]})
    >>> expected_spend(s, GammaGammaParams(6.0, 4.0, 15.0)).to_list()
    [30.0, 46.0]
    """
    for col in _COLUMNS:
        if col not in summary.columns:
            raise ColumnNotFoundError.from_missing(col, summary.columns, role="customer summary")
    p, q, g = params.p, params.q, params.gamma
    x = pl.col("frequency").cast(pl.Float64)
    m = pl.when(x > 0).then(pl.col("monetary_value").fill_null(0.0).clip(lower_bound=0.0)).otherwise(0.0)
    den = p * x + q - 1
    return summary.select(pl.when(den > 0).then(p * (g + x * m) / den).alias("expected_spend")).to_series()
