"""Projected survival of subscribers: the shifted-beta-geometric model (SPEC §4.2; Fader & Hardie 2007).

Fader & Hardie, "How to project customer retention", Journal of Interactive Marketing 21(1), 2007.
Each subscriber churns at the end of every period with a probability θ that stays fixed for them;
θ is beta(γ, δ)-distributed over subscribers. Then, for a lifetime ``T`` counted in whole periods
(``T = 1``: gone at the first renewal):

* ``P(T = t) = B(γ+1, δ+t−1) / B(γ, δ)`` (paper eq. 3), ``S(t) = B(γ, δ+t) / B(γ, δ)`` (eq. 4);
* the retention rate of period ``t`` is ``r(t) = S(t) / S(t−1) = (δ+t−1) / (γ+δ+t−1)`` (eq. 5): it
  rises with tenure because the subscribers likely to leave leave first;
* the discounted expected lifetime of a new subscriber is ``DEL = Σ_{t≥0} S(t) / (1+d)^t =
  ₂F₁(1, δ; γ+δ; 1/(1+d))`` (Fader & Hardie 2010, "Customer-base valuation in a contractual
  setting", eq. 6 in discrete form) and subscription LTV = DEL × the subscription's revenue a period.

γ and δ are fitted by maximum likelihood over every subscriber at once (all start cohorts pooled):
a subscriber who left after ``t`` periods adds ``log P(T = t)``, one still active after ``k`` whole
periods adds ``log S(k)``. The log-likelihood is analytic (``scipy.special.betaln``) and so is its
gradient (digamma); L-BFGS-B maximises it on log γ, log δ.

Lifetimes come from subscription spans (a price change is not a churn, see
:func:`~retention_core.retention.subscriptions.subscription_rows`): ``t`` = the number of periods from
start to end, a partial period counting as one (an annual contract that ends on its anniversary has
``t = 1``); spans still open at ``as_of`` (or ending after it) are censored after the whole periods
they had completed by ``as_of``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal, get_args

import numpy as np
import polars as pl
from scipy.optimize import minimize
from scipy.special import betaln, digamma, hyp2f1

from retention_core.errors import ConvergenceError, NotEnoughDataError, ParameterError, check_choice
from retention_core.retention.flows import require_columns
from retention_core.retention.subscriptions import subscription_rows

SurvivalGrain = Literal["year", "quarter", "month"]
MONTHS_PER: dict[str, int] = {"year": 12, "quarter": 3, "month": 1}
PERIODS_PER_YEAR: dict[str, int] = {"year": 1, "quarter": 4, "month": 12}


@dataclass(frozen=True)
class Lifetimes:
    """Pooled lifetimes in whole periods: ``churned[t−1]`` left after exactly ``t`` periods,
    ``censored[k]`` were still active after ``k`` periods (k = 0 adds nothing to the likelihood)."""

    churned: np.ndarray
    censored: np.ndarray

    @property
    def customers(self) -> int:
        return int(self.churned.sum() + self.censored.sum())


@dataclass(frozen=True)
class SbgFit:
    """A fitted sBG model (γ, δ) and its maximised log-likelihood."""

    gamma: float
    delta: float
    log_likelihood: float
    customers: int

    def survival(self, t: np.ndarray | int) -> np.ndarray:
        """``S(t) = B(γ, δ+t) / B(γ, δ)`` (paper eq. 4)."""
        return sbg_survival(self.gamma, self.delta, t)

    def retention_rate(self, t: np.ndarray | int) -> np.ndarray:
        """``r(t) = (δ+t−1) / (γ+δ+t−1)`` for t ≥ 1 (paper eq. 5)."""
        t = np.asarray(t, dtype=float)
        return (self.delta + t - 1) / (self.gamma + self.delta + t - 1)

    def del_(self, discount: float) -> float:
        """Discounted expected lifetime of a new subscriber, in periods (``discount`` per period, > 0)."""
        return discounted_expected_lifetime(self.gamma, self.delta, discount)


def sbg_survival(gamma: float, delta: float, t: np.ndarray | int) -> np.ndarray:
    """``S(t) = B(γ, δ+t) / B(γ, δ)`` (Fader & Hardie 2007 eq. 4).

    Examples
    --------
    γ = 1, δ = 1 (θ uniform): S(t) = 1 / (t + 1).

    >>> [round(float(x), 9) for x in sbg_survival(1.0, 1.0, np.arange(4))]
    [1.0, 0.5, 0.333333333, 0.25]
    """
    t = np.asarray(t, dtype=float)
    return np.exp(betaln(gamma, delta + t) - betaln(gamma, delta))


def discounted_expected_lifetime(gamma: float, delta: float, discount: float) -> float:
    """``DEL = Σ_{t≥0} S(t)/(1+d)^t = ₂F₁(1, δ; γ+δ; 1/(1+d))`` in periods (Fader & Hardie 2010 eq. 6, discrete).

    The first period counts in full (a new subscriber pays for it); ``discount`` is per period and > 0.

    Examples
    --------
    γ = 1, δ = 1, d = 10 %: Σ z^t / (t+1) with z = 1/1.1, i.e. −ln(1 − z) / z = 1.1 × ln 11 ≈ 2.6377.

    >>> round(discounted_expected_lifetime(1.0, 1.0, 0.1), 4), round(1.1 * math.log(11), 4)
    (2.6377, 2.6377)
    """
    if not (isinstance(discount, int | float) and math.isfinite(discount) and discount > 0):
        raise ParameterError("discount", discount, "a discount rate per period above 0")
    return float(hyp2f1(1.0, delta, gamma + delta, 1.0 / (1.0 + discount)))


def log_likelihood(gamma: float, delta: float, lifetimes: Lifetimes) -> float:
    """``Σ_t n_t log P(T=t) + Σ_k c_k log S(k)`` (paper eq. 7, with right-censoring at any k).

    Examples
    --------
    γ = δ = 1: P(T=1) = 1/2, S(1) = 1/2 ⇒ one churn at 1 and one censored at 1 ⇒ 2 ln 0.5.

    >>> round(log_likelihood(1.0, 1.0, Lifetimes(np.array([1]), np.array([0, 1]))), 9) == round(2 * math.log(0.5), 9)
    True
    """
    ll, _ = _ll_grad(np.log([gamma, delta]), lifetimes)
    return -ll


def _ll_grad(x: np.ndarray, lt: Lifetimes) -> tuple[float, np.ndarray]:
    """Negative log-likelihood and its gradient with respect to (log γ, log δ)."""
    g, d = np.exp(x)
    t = np.arange(1, lt.churned.size + 1, dtype=float)
    k = np.arange(lt.censored.size, dtype=float)
    n, c = lt.churned.astype(float), lt.censored.astype(float)
    total = n.sum() + c.sum()
    base = betaln(g, d)
    ll = (n * betaln(g + 1, d + t - 1)).sum() + (c * betaln(g, d + k)).sum() - total * base
    # ∂/∂a B-ln(a, b) = ψ(a) − ψ(a+b), ∂/∂b = ψ(b) − ψ(a+b)
    dbase_g, dbase_d = digamma(g) - digamma(g + d), digamma(d) - digamma(g + d)
    dg = (n * (digamma(g + 1) - digamma(g + d + t))).sum() + (c * (digamma(g) - digamma(g + d + k))).sum()
    dd = (n * (digamma(d + t - 1) - digamma(g + d + t))).sum() + (c * (digamma(d + k) - digamma(g + d + k))).sum()
    dg -= total * dbase_g
    dd -= total * dbase_d
    return -float(ll), -np.array([dg * g, dd * d])


def fit_sbg(lifetimes: Lifetimes) -> SbgFit:
    """Maximum-likelihood γ, δ of the sBG model for pooled lifetimes (SPEC §4.2).

    Raises
    ------
    NotEnoughDataError
        No subscriber has been observed for a whole period, or nobody churned (θ = 0 fits best:
        there is nothing to estimate a churn rate from).
    ConvergenceError
        The optimiser did not converge.

    Examples
    --------
    Fader & Hardie (2007) §4, "regular" segment (1,000 customers, 7 years; 241 still there).

    >>> lost = np.array([369, 163, 86, 56, 37, 27, 21])
    >>> fit = fit_sbg(Lifetimes(lost, np.r_[np.zeros(7), 1000 - lost.sum()]))
    >>> round(fit.gamma, 3), round(fit.delta, 3), round(fit.log_likelihood, 1)
    (0.704, 1.182, -1680.3)
    """
    if lifetimes.churned.sum() == 0:
        msg = "no subscriber has churned yet, so a churn rate cannot be estimated (the best fit is 'nobody ever leaves')."
        raise NotEnoughDataError(msg)
    if lifetimes.churned.sum() + lifetimes.censored[1:].sum() == 0:
        msg = "no subscriber has been observed for a whole period yet; load a longer history or a finer period."
        raise NotEnoughDataError(msg)
    best = None
    for start in ((0.0, 0.0), (-1.0, 1.0), (1.0, 2.0)):
        res = minimize(_ll_grad, np.array(start), args=(lifetimes,), jac=True, method="L-BFGS-B",
                       bounds=[(-12.0, 12.0), (-12.0, 12.0)], options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000})
        # a line search that cannot improve on 1e-15 ends "ABNORMAL" at the optimum: judge by the gradient
        ok = np.isfinite(res.fun) and (res.success or np.abs(res.jac).max() < 1e-4 * max(1.0, abs(res.fun)))
        if ok and (best is None or res.fun < best.fun):
            best = res
    if best is None:
        raise ConvergenceError("the sBG survival fit did not converge; try a coarser period or a longer history.")
    g, d = np.exp(best.x)
    return SbgFit(float(g), float(d), -float(best.fun), lifetimes.customers)


def _months(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    return (end.dt.year() - start.dt.year()) * 12 + end.dt.month() - start.dt.month()


def _plus_months(day: pl.Expr, months: pl.Expr) -> pl.Expr:
    return day.dt.offset_by(pl.format("{}mo", months))


def lifetime_table(subs: pl.DataFrame, *, period: SurvivalGrain = "year", as_of: date | None = None,
                   by: str | None = None) -> pl.DataFrame:
    """One row per subscription span: its start cohort, lifetime in periods and whether it churned.

    ``t`` = the smallest whole number of periods with ``start + t periods ≥ end`` (≥ 1; a partial
    period counts as one). A span open at ``as_of``, or ending after it, is censored: ``t`` = the
    whole periods completed by ``as_of`` (``start + t periods ≤ as_of``); so is a span that ended in
    the period still running at ``as_of`` (its period is not over: its churn is not counted yet).
    Spans starting after ``as_of`` are left out. ``as_of`` defaults to the latest start or end in the data.

    Returns
    -------
    pl.DataFrame
        ``customer_id``, ``cohort`` (Date, first day of the start's period), ``segment`` (String when
        ``by`` is given), ``mrr`` (Float64, the span's last price), ``t`` (Int64), ``churned`` (Boolean: a
        churn the likelihood counts), ``active`` (Boolean: still subscribed at ``as_of``).

    Examples
    --------
    An annual contract ending on its anniversary lives 1 year; one day more is 2; an open one
    started 2020-03-01 has completed 3 years by 2023-06-30.

    >>> subs = pl.DataFrame({"customer_id": ["a", "b", "c"],
    ...     "started_at": [date(2020, 1, 1), date(2020, 1, 1), date(2020, 3, 1)],
    ...     "ended_at": [date(2021, 1, 1), date(2021, 1, 2), None]})
    >>> lifetime_table(subs, as_of=date(2023, 6, 30)).select("customer_id", "t", "churned").sort("customer_id").rows()
    [('a', 1, True), ('b', 2, True), ('c', 3, False)]
    """
    check_choice("period", period, get_args(SurvivalGrain))
    require_columns(subs, ("customer_id", "started_at", "ended_at"), kind="subscriptions")
    if by is not None:
        require_columns(subs, (by,), kind="subscriptions")
    m = MONTHS_PER[period]
    rows = subscription_rows(subs)
    if by is not None:
        seg = subs.select("customer_id", pl.col("started_at").cast(pl.Date), pl.col(by).cast(pl.String).alias("segment"))
        rows = rows.join(seg.unique(["customer_id", "started_at"], keep="last"), on=["customer_id", "started_at"], how="left")
    if as_of is None:
        as_of = subs.select(pl.max_horizontal(pl.col("started_at").max().cast(pl.Date),
                                              pl.col("ended_at").max().cast(pl.Date))).item()
    spans = (rows.sort("customer_id", "started_at")
             .group_by("customer_id", "span_start", maintain_order=True)
             .agg(pl.col("span_end").first(), pl.col("mrr").last(),
                  *([pl.col("segment").first()] if by is not None else []))
             .filter(pl.col("span_start") <= as_of))
    s, e, a = pl.col("span_start"), pl.col("span_end"), pl.lit(as_of)
    ended = e.is_not_null() & (e <= a)
    k_end = _months(s, e) // m
    t_end = pl.max_horizontal(pl.when(_plus_months(s, k_end * m) >= e).then(k_end).otherwise(k_end + 1), pl.lit(1))
    k_as_of = _months(s, a) // m
    t_cens = pl.when(_plus_months(s, k_as_of * m) <= a).then(k_as_of).otherwise(k_as_of - 1)
    # a churn is counted only in a period that was over by as_of; a churn inside the period as_of falls in
    # is censored at the periods completed before it, as a subscriber still there then would be (else
    # the last, partial period would hold every churner of it and none of its survivors)
    churned = ended & (t_end <= t_cens)
    cohort_month = (s.dt.year() * 12 + s.dt.month() - 1) // m * m
    return spans.select(
        "customer_id",
        pl.date(cohort_month // 12, cohort_month % 12 + 1, 1).alias("cohort"),
        *(["segment"] if by is not None else []),
        pl.col("mrr"),
        pl.when(churned).then(t_end).otherwise(t_cens).cast(pl.Int64).alias("t"),
        churned.alias("churned"),
        (~ended).alias("active"),
    )


def pooled(table: pl.DataFrame) -> Lifetimes:
    """Counts of :func:`lifetime_table` rows: churned by ``t`` and censored by ``t``."""
    top = int(table["t"].max() or 0)
    churned = np.zeros(max(top, 1), dtype=np.int64)
    censored = np.zeros(top + 1, dtype=np.int64)
    counts = table.group_by("t", "churned").len()
    for t, is_churned, n in counts.iter_rows():  # at most 2 × (longest lifetime) rows
        if is_churned:
            churned[t - 1] += n
        else:
            censored[t] += n
    return Lifetimes(churned, censored)


def observed_survival(lt: Lifetimes) -> np.ndarray:
    """Product-limit (Kaplan–Meier) survival at 0, 1, …: pooled over cohorts observed for different
    lengths. For one cohort followed for the same time it is the share still active.

    Examples
    --------
    The paper's "regular" segment: 1,000 → 631 → 468 after two years.

    >>> lost = np.array([369, 163, 86, 56, 37, 27, 21])
    >>> [round(float(x), 3) for x in observed_survival(Lifetimes(lost, np.r_[np.zeros(7), 241]))[:3]]
    [1.0, 0.631, 0.468]
    """
    n_t = lt.churned.size
    churned = np.zeros(n_t + 1)
    churned[1:] = lt.churned
    censored = np.zeros(n_t + 1)
    censored[: lt.censored.size] = lt.censored
    # at risk at t: lifetime ≥ t (churned at ≥ t) plus censored at ≥ t
    at_risk = np.cumsum(churned[::-1])[::-1] + np.cumsum(censored[::-1])[::-1]
    hazard = np.divide(churned, at_risk, out=np.zeros_like(churned), where=at_risk > 0)
    hazard[0] = 0.0
    s = np.cumprod(1.0 - hazard)
    last = int(np.nonzero(at_risk > 0)[0].max()) if (at_risk > 0).any() else 0
    return s[: last + 1]


def survival_report(subs: pl.DataFrame, *, period: SurvivalGrain = "year", as_of: date | None = None,
                    horizon: int = 5, by: str | None = None, discount: float = 0.1) -> dict:
    """SPEC §8 ``survival`` JSON: one sBG fit per segment value (or one for everybody).

    ``observed`` = product-limit survival at 0 … the longest observed lifetime; ``fitted`` = S(t) on
    the same ages; ``projected`` = S(t) for the ``horizon`` periods after; ``retention_rate`` = r(t)
    for t = 1 … observed + horizon; ``del`` = DEL in periods at ``discount`` a *year* (converted to
    the period); ``mrr`` = mean MRR of the subscribers active at ``as_of``; ``ltv`` = DEL × MRR ×
    months per period.

    Raises
    ------
    ParameterError
        Unknown period, horizon outside 1–60, discount not in (0, 1].
    NotEnoughDataError
        A segment (or the whole file) without a churn or a whole period of history.
    """
    check_choice("period", period, get_args(SurvivalGrain))
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not 1 <= horizon <= 60:
        raise ParameterError("horizon", horizon, "a whole number of periods from 1 to 60")
    if not (isinstance(discount, int | float) and 0 < discount <= 1):
        raise ParameterError("discount", discount, "an annual discount rate above 0 and at most 1")
    require_columns(subs, ("customer_id", "started_at", "ended_at"), kind="subscriptions")
    if as_of is None:
        as_of = subs.select(pl.max_horizontal(pl.col("started_at").max().cast(pl.Date),
                                              pl.col("ended_at").max().cast(pl.Date))).item()
    table = lifetime_table(subs, period=period, as_of=as_of, by=by)
    if table.height == 0:
        raise NotEnoughDataError("no subscription starts on or before the analysis date.")
    d = (1 + discount) ** (1 / PERIODS_PER_YEAR[period]) - 1
    groups = [(None, table)] if by is None else [
        (v, table.filter(pl.col("segment").eq_missing(v))) for v in sorted(table["segment"].unique().to_list(),
                                                                         key=lambda x: (x is None, x or ""))]
    segments = []
    for value, part in groups:
        lt = pooled(part)
        try:
            fit = fit_sbg(lt)
        except NotEnoughDataError as exc:
            label = "" if value is None else f'segment "{value}": '
            raise NotEnoughDataError(f"{label}{exc}") from None
        observed = observed_survival(lt)
        ages = np.arange(observed.size)
        future = np.arange(observed.size, observed.size + horizon)
        active = part.filter(pl.col("active"))
        mrr = active["mrr"].mean() if active.height else None
        dl = fit.del_(d)
        segments.append({
            "value": value, "customers": fit.customers, "gamma": fit.gamma, "delta": fit.delta,
            "log_likelihood": fit.log_likelihood, "observed": observed.tolist(),
            "fitted": fit.survival(ages).tolist(), "projected": fit.survival(future).tolist(),
            "retention_rate": fit.retention_rate(np.arange(1, observed.size + horizon)).tolist(),
            "del": dl, "mrr": mrr, "ltv": None if mrr is None else dl * mrr * MONTHS_PER[period],
        })
    return {"model": "sBG", "period": period, "as_of": as_of, "discount_rate": discount,
            "segments": segments}


def survival_frame(segment: dict) -> pl.DataFrame:
    """One segment of :func:`survival_report` as a table for a chart: ``age`` (Int64), ``observed``,
    ``fitted_or_projected`` (Float64), ``projected`` (Boolean: beyond the observed ages)."""
    n_obs, n_proj = len(segment["observed"]), len(segment["projected"])
    return pl.DataFrame({
        "age": np.arange(n_obs + n_proj, dtype=np.int64),
        "observed": segment["observed"] + [None] * n_proj,
        "model": segment["fitted"] + segment["projected"],
        "projected": [False] * n_obs + [True] * n_proj,
    }, schema={"age": pl.Int64, "observed": pl.Float64, "model": pl.Float64, "projected": pl.Boolean})


__all__ = [
    "Lifetimes", "SbgFit", "SurvivalGrain", "discounted_expected_lifetime", "fit_sbg", "lifetime_table",
    "log_likelihood", "observed_survival", "pooled", "sbg_survival", "survival_frame", "survival_report",
]
