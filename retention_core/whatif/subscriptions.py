"""What-if for subscriptions data (SPEC §6): subscribers projected with the fitted sBG survival (§4.2).

Current subscribers are grouped by tenure ``k`` (whole months completed at the analysis date); one
of them is still there ``n`` months later with probability ``S(k+n) / S(k)`` — the sBG survivors of
tenure ``k`` churn at ``c(t) = γ / (γ+δ+t−1)`` in their ``t``-th month, so the base's churn falls as it
ages. A subscriber who starts in projected month ``m`` is still there at the end of month ``n ≥ m`` with
probability ``S(n − m)``. New subscribers per month are the mean of the last 12 complete months'
starts (or a number you give); revenue = subscribers × the mean MRR of the current subscribers.

The churn lever scales every churn probability: ``c_s(t) = min(c(t) × (1 + churn_change), 1)``, so
``churn_change = −0.2`` is "20 % less churn at every tenure".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from retention_core.errors import NotEnoughDataError, ParameterError
from retention_core.periods import index_start, period_index
from retention_core.retention.subscriptions import subscription_rows
from retention_core.retention.survival import fit_sbg, lifetime_table, pooled
from retention_core.whatif.model import HORIZON_RANGE


@dataclass(frozen=True)
class SubscriberBaseline:
    """The subscriber base at ``as_of``: sBG ``gamma``/``delta`` (monthly), subscribers by tenure in
    months (``by_tenure[k]``), new subscribers per month, mean MRR; ``last_month`` is the first day of
    the month ``as_of`` falls in (projections start the month after)."""

    as_of: date
    last_month: date
    gamma: float
    delta: float
    by_tenure: tuple[float, ...]
    new_per_month: float
    mrr: float

    @property
    def subscribers(self) -> float:
        return float(sum(self.by_tenure))


def measure_subscribers(subs: pl.DataFrame, *, as_of: date | None = None) -> SubscriberBaseline:
    """Fit the monthly sBG on every start cohort and read the base at ``as_of`` (default: the data's end).

    Raises
    ------
    NotEnoughDataError
        Nobody churned yet or no whole month of history (from the fit), or nobody subscribed at ``as_of``.
    """
    if as_of is None:
        as_of = subs.select(pl.max_horizontal(pl.col("started_at").max().cast(pl.Date),
                                              pl.col("ended_at").max().cast(pl.Date))).item()
    table = lifetime_table(subs, period="month", as_of=as_of)
    fit = fit_sbg(pooled(table))
    active = table.filter(pl.col("active"))
    if active.height == 0:
        raise NotEnoughDataError(f"no subscription is active on {as_of}; nothing to project.")
    counts = active.group_by("t").len().sort("t")
    by_tenure = np.zeros(int(counts["t"].max()) + 1)  # type: ignore[arg-type]
    by_tenure[counts["t"].to_numpy()] = counts["len"].to_numpy()
    this_month = pl.select(period_index(pl.lit(as_of), "month")).item()
    done = pl.select(period_index(pl.lit(as_of + timedelta(days=1)), "month")).item()  # first month not complete
    starts = (subscription_rows(subs).select("customer_id", "span_start").unique()  # a price change is no start
              .select(period_index(pl.col("span_start"), "month").alias("p"))
              .filter((pl.col("p") < done) & (pl.col("p") >= done - 12)))
    months = min(12, max(1, done - int(starts["p"].min()))) if starts.height else 1  # type: ignore[arg-type]
    mrr = active["mrr"].mean()
    return SubscriberBaseline(
        as_of=as_of, last_month=pl.select(index_start(pl.lit(this_month), "month")).item(),
        gamma=fit.gamma, delta=fit.delta, by_tenure=tuple(float(x) for x in by_tenure),
        new_per_month=starts.height / months, mrr=float(mrr) if mrr is not None else 0.0,
    )


def _survival(b: SubscriberBaseline, churn_change: float, upto: int) -> np.ndarray:
    """``S_s(t)`` for t = 0 … upto with churn scaled by ``1 + churn_change``."""
    t = np.arange(1, upto + 1, dtype=float)
    churn = np.minimum(b.gamma / (b.gamma + b.delta + t - 1) * (1.0 + churn_change), 1.0)
    return np.r_[1.0, np.cumprod(1.0 - churn)]


def _subscribers(b: SubscriberBaseline, churn_change: float, new: np.ndarray) -> np.ndarray:
    h = new.size
    k = np.arange(len(b.by_tenure))
    s = _survival(b, churn_change, k.size + h)
    n = np.arange(1, h + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(s[k][None, :] > 0, s[k[None, :] + n[:, None]] / s[k][None, :], 0.0)
    current = ratio @ np.asarray(b.by_tenure)
    lag = n[:, None] - n[None, :]  # month n, start month m: S(n − m) for n ≥ m
    joined = np.where(lag >= 0, s[np.maximum(lag, 0)], 0.0) @ new
    return current + joined


def project_subscribers(b: SubscriberBaseline, *, horizon: int = 12, churn_change: float = 0.0,
                        new_per_month: float | None = None) -> pl.DataFrame:
    """Subscribers and MRR per projected month, baseline (measured churn, measured new) vs scenario.

    Returns
    -------
    pl.DataFrame
        ``month`` (Int32), ``period_start`` (Date), ``baseline_subscribers``, ``scenario_subscribers``,
        ``baseline_mrr``, ``scenario_mrr``, ``subscribers_difference``, ``cumulative_mrr_difference`` (Float64).

    Examples
    --------
    γ = δ = 1 (S(t) = 1/(t+1)), 100 subscribers of tenure 0, no new: month 1 keeps S(1)/S(0) = 1/2;
    month 2 S(2) = 1/3. Half the churn: month 1 keeps 1 − 0.5 × 0.5 = 0.75.

    >>> b = SubscriberBaseline(date(2024, 6, 30), date(2024, 6, 1), 1.0, 1.0, (100.0,), 0.0, 10.0)
    >>> p = project_subscribers(b, horizon=3, churn_change=-0.5)
    >>> [round(x, 6) for x in p["baseline_subscribers"].to_list()], round(p["scenario_subscribers"][0], 6)
    ([50.0, 33.333333, 25.0], 75.0)
    """
    lo, hi = HORIZON_RANGE
    if isinstance(horizon, bool) or not isinstance(horizon, int) or not lo <= horizon <= hi:
        raise ParameterError("horizon", horizon, f"a whole number of months from {lo} to {hi}")
    if not (isinstance(churn_change, int | float) and math.isfinite(churn_change) and -1.0 <= churn_change <= 5.0):
        raise ParameterError("churn_change", churn_change, "a relative change of churn from -1 to 5")
    new_b = np.full(horizon, b.new_per_month)
    new_s = new_b if new_per_month is None else np.full(horizon, float(new_per_month))
    base, scen = _subscribers(b, 0.0, new_b), _subscribers(b, churn_change, new_s)
    first = b.last_month.year * 12 + b.last_month.month - 1970 * 12
    months = pl.Series("month", np.arange(1, horizon + 1, dtype=np.int32))
    return pl.DataFrame({"baseline_subscribers": base, "scenario_subscribers": scen}).select(
        months,
        index_start(pl.lit(months + first - 1), "month").alias("period_start"),
        "baseline_subscribers",
        "scenario_subscribers",
        (pl.col("baseline_subscribers") * b.mrr).alias("baseline_mrr"),
        (pl.col("scenario_subscribers") * b.mrr).alias("scenario_mrr"),
        (pl.col("scenario_subscribers") - pl.col("baseline_subscribers")).alias("subscribers_difference"),
        ((pl.col("scenario_subscribers") - pl.col("baseline_subscribers")) * b.mrr).cum_sum()
        .alias("cumulative_mrr_difference"),
    )


def subscribers_at(subs: pl.DataFrame, days: list[date]) -> np.ndarray:
    """Subscribers active at the end of each day in ``days``: a span started on or before it that had not
    ended by it (a span ending on a day is gone at its end)."""
    spans = subscription_rows(subs).select("customer_id", "span_start", "span_end").unique()
    probe = pl.DataFrame({"day": days}, schema={"day": pl.Date})
    counted = probe.join(spans, how="cross").filter(
        (pl.col("span_start") <= pl.col("day")) & (pl.col("span_end").is_null() | (pl.col("span_end") > pl.col("day")))
    ).group_by("day").len()
    found = dict(counted.iter_rows())
    return np.array([float(found.get(d, 0)) for d in days])


@dataclass(frozen=True)
class SubscriberBacktest:
    """The subscriber projection's honesty check: fitted on the data up to ``from_day`` (a month end),
    projected ``len(months)`` months, compared with the subscribers really there at each month end."""

    from_day: date
    months: tuple[date, ...]
    actual: tuple[float, ...]
    projected: tuple[float, ...]
    ape: tuple[float | None, ...]
    mape: float | None

    @property
    def ape_active(self) -> tuple[float | None, ...]:
        """The error by month ahead under the name :func:`~retention_core.whatif.backtest.error_band` reads
        (subscribers here; MRR is subscribers × the same mean MRR, so it has the same error)."""
        return self.ape

    ape_revenue = ape_active


def backtest_subscribers(subs: pl.DataFrame, *, horizon: int = 12, as_of: date | None = None):
    """Fit the sBG on the subscriptions up to ``H`` month ends before the last complete month, project ``H``
    months, compare with the subscribers at each later month end (``H`` = horizon, or half the complete
    months if shorter). A :class:`~retention_core.whatif.backtest.NoBacktest` when fewer than 6 complete months.
    """
    from retention_core.whatif.backtest import MIN_MONTHS_AHEAD, NoBacktest

    if as_of is None:
        as_of = subs.select(pl.max_horizontal(pl.col("started_at").max().cast(pl.Date),
                                              pl.col("ended_at").max().cast(pl.Date))).item()
    first = subs.select(period_index(pl.col("started_at").min(), "month")).item()
    done = pl.select(period_index(pl.lit(as_of + timedelta(days=1)), "month")).item()  # first incomplete month
    n = done - first
    h = min(int(horizon), n // 2)
    if h < MIN_MONTHS_AHEAD:
        return NoBacktest(f"the backtest needs at least {2 * MIN_MONTHS_AHEAD} complete months of history; found {n}.", n)
    month_ends = pl.select(
        (index_start(pl.int_range(done - h - 1, done, eager=True), "month").dt.offset_by("1mo") - pl.duration(days=1))
        .alias("e")).to_series().to_list()
    origin, later = month_ends[0], month_ends[1:]
    base = measure_subscribers(subs, as_of=origin)
    projected = project_subscribers(base, horizon=max(h, 3))["baseline_subscribers"].to_numpy()[:h]
    actual = subscribers_at(subs, later)
    ape = [None if a == 0 else float(abs(p - a) / a) for p, a in zip(projected, actual, strict=True)]
    kept = [x for x in ape if x is not None]
    return SubscriberBacktest(origin, tuple(d.replace(day=1) for d in later), tuple(actual.tolist()),
                              tuple(projected.tolist()), tuple(ape), float(np.mean(kept)) if kept else None)


__all__ = ["SubscriberBacktest", "SubscriberBaseline", "backtest_subscribers", "measure_subscribers",
           "project_subscribers", "subscribers_at"]
