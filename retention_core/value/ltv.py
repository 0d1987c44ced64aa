"""Historical and formula customer value, key customers and the Pareto curve (SPEC §4.4).

Conventions (SPEC §4.1): an *order* is a row with amount ≥ 0 (zero-amount orders count); a refund
row (amount < 0) is not an order and does not make anyone a customer, but nets against revenue. A
customer is anyone with at least one order; their revenue is the net sum of all their rows.
Predictive CLV (BG/NBD + Gamma-Gamma) lives in :mod:`retention_core.value.clv`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import polars as pl

from retention_core.errors import ColumnNotFoundError, NotEnoughDataError, ParameterError
from retention_core.periods import Grain
from retention_core.retention.cohorts import cohort_matrix

_REQUIRED = ("customer_id", "ordered_at", "amount")


def _check_orders(orders: pl.DataFrame) -> None:
    for col in _REQUIRED:
        if col not in orders.columns:
            raise ColumnNotFoundError.from_missing(col, orders.columns, role="orders")


def _as_date(day: date) -> date:
    return day.date() if isinstance(day, datetime) else day


def _until(orders: pl.DataFrame, as_of: date | None) -> pl.LazyFrame:
    """Orders with a ``_day`` Date column, cut at ``as_of`` (inclusive) when given."""
    lf = orders.lazy().with_columns(pl.col("ordered_at").cast(pl.Date).alias("_day"))
    return lf if as_of is None else lf.filter(pl.col("_day") <= _as_date(as_of))


def customer_revenue(orders: pl.DataFrame, *, as_of: date | None = None) -> pl.DataFrame:
    """Per-customer totals: first and last order, orders, purchase days, net revenue (SPEC §4.4).

    revenue = Σ amount over all the customer's rows (refunds net); orders = rows with amount ≥ 0.
    Historical LTV of a customer is their revenue.

    Parameters
    ----------
    orders
        Canonical orders frame.
    as_of
        Only rows on or before this day count (None: all).

    Returns
    -------
    pl.DataFrame
        Sorted by ``customer_id``: ``customer_id`` String, ``first_order`` Date, ``last_order`` Date,
        ``orders`` Int64, ``purchase_days`` Int64 (distinct days with an order), ``revenue`` Float64.
        Customers with only refund rows are not listed.

    Raises
    ------
    ColumnNotFoundError
        A required orders column is missing.

    Examples
    --------
    a: 10 and 5 on Jan 1, a refund of 3 on Jan 2 ⇒ 2 orders on 1 day, revenue 12; b: only a refund.

    >>> orders = pl.DataFrame({"customer_id": ["a", "a", "a", "b"], "amount": [10.0, 5.0, -3.0, -1.0],
    ...     "ordered_at": [datetime(2024, 1, 1), datetime(2024, 1, 1, 12), datetime(2024, 1, 2), datetime(2024, 1, 3)]})
    >>> customer_revenue(orders).select("customer_id", "orders", "purchase_days", "revenue").rows()
    [('a', 2, 1, 12.0)]
    """
    _check_orders(orders)
    is_order = pl.col("amount") >= 0
    order_day = pl.when(is_order).then(pl.col("_day"))
    return (
        _until(orders, as_of)
        .group_by("customer_id")
        .agg(
            order_day.min().alias("first_order"),
            order_day.max().alias("last_order"),
            is_order.sum().cast(pl.Int64).alias("orders"),
            order_day.drop_nulls().n_unique().cast(pl.Int64).alias("purchase_days"),
            pl.col("amount").sum().alias("revenue"),
        )
        .filter(pl.col("orders") > 0)
        .sort("customer_id")
        .collect()
    )


def historical_ltv(orders: pl.DataFrame, *, grain: Grain = "month") -> pl.DataFrame:
    """Cumulative revenue per customer by cohort and age (SPEC §4.3 ``value=ltv``, §4.4).

    Cohort = period of a customer's first order; for cohort c at age k:
    ltv(c, k) = Σ_{j ≤ k} revenue of the cohort's customers in period c+j / cohort size. Ages run to
    the last period in the data (ages with no revenue repeat the previous value).

    Parameters
    ----------
    orders
        Canonical orders frame.
    grain
        Period grain (``periods.Grain``).

    Returns
    -------
    pl.DataFrame
        ``cohort`` Date (first day of the cohort period), ``age`` Int32, ``customers`` Int64 (cohort
        size), ``revenue`` Float64 (in that age), ``cumulative_revenue`` Float64, ``ltv`` Float64;
        sorted by cohort, age.

    Raises
    ------
    ColumnNotFoundError
        A required orders column is missing.
    ParameterError
        Unknown grain.

    Examples
    --------
    January cohort {a, b}: revenue 10 + 20 in Jan, 30 from a in Feb ⇒ ltv 15, then (30 + 30) / 2 = 30.

    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "a"], "amount": [10.0, 20.0, 30.0],
    ...     "ordered_at": [datetime(2024, 1, 3), datetime(2024, 1, 9), datetime(2024, 2, 1)]})
    >>> historical_ltv(orders).select("age", "customers", "ltv").rows()
    [(0, 2, 15.0), (1, 2, 30.0)]
    """
    _check_orders(orders)
    # the cohort × age revenue is the cohort matrix's (one implementation of cohorts and ages)
    revenue = cohort_matrix(orders, grain=grain, value="revenue")
    return (
        revenue.sort("cohort", "age")
        .select(
            "cohort",
            "age",
            pl.col("size").cast(pl.Int64).alias("customers"),
            pl.col("value").fill_null(0.0).alias("revenue"),
        )
        .with_columns(pl.col("revenue").cum_sum().over("cohort").alias("cumulative_revenue"))
        .with_columns((pl.col("cumulative_revenue") / pl.col("customers")).alias("ltv"))
    )


def ltv_quantiles(orders: pl.DataFrame, *, as_of: date | None = None) -> pl.DataFrame:
    """Distribution of historical LTV (net revenue) over customers: mean and quantiles (SPEC §4.4).

    Returns
    -------
    pl.DataFrame
        ``statistic`` String (mean, p10, p25, median, p75, p90, max) and ``value`` Float64 (null when
        there are no customers). Quantiles use linear interpolation.

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "c"], "amount": [10.0, 20.0, 60.0],
    ...     "ordered_at": [datetime(2024, 1, 1)] * 3})
    >>> dict(ltv_quantiles(orders).rows())["median"], dict(ltv_quantiles(orders).rows())["mean"]
    (20.0, 30.0)
    """
    revenue = pl.col("revenue")
    stats = {
        "mean": revenue.mean(),
        "p10": revenue.quantile(0.1, "linear"),
        "p25": revenue.quantile(0.25, "linear"),
        "median": revenue.quantile(0.5, "linear"),
        "p75": revenue.quantile(0.75, "linear"),
        "p90": revenue.quantile(0.9, "linear"),
        "max": revenue.max(),
    }
    row = customer_revenue(orders, as_of=as_of).select(e.cast(pl.Float64).alias(k) for k, e in stats.items())
    return pl.DataFrame(
        {"statistic": list(stats), "value": list(row.row(0))},
        schema={"statistic": pl.String, "value": pl.Float64},
    )


def formula_ltv(
    aov: float | None,
    purchases_per_month: float | None,
    monthly_churn_rate: float | None,
    *,
    margin: float = 1.0,
) -> float | None:
    """Owner's formula LTV = AOV × purchases per month × 1 / monthly churn × margin (SPEC §4.4).

    The expected lifetime in months is 1 / churn (a constant monthly churn gives a geometric
    lifetime). With churn 0 the lifetime is unbounded and no finite LTV follows: the result is null
    (None), like every ratio with a zero denominator; also None when any input is None.

    Parameters
    ----------
    aov
        Average order value.
    purchases_per_month
        Orders per active customer per month (≥ 0).
    monthly_churn_rate
        Share of customers lost per month, in [0, 1].
    margin
        Gross margin fraction in (0, 1]; 1.0 gives revenue LTV, less gives profit LTV.

    Raises
    ------
    ParameterError
        Churn outside [0, 1], negative frequency, or margin outside (0, 1].

    Examples
    --------
    AOV 50, 1.2 orders a month, 4 % monthly churn ⇒ 50 × 1.2 × 25 = 1500; at 30 % margin 450.

    >>> round(formula_ltv(50.0, 1.2, 0.04), 6), round(formula_ltv(50.0, 1.2, 0.04, margin=0.3), 6)
    (1500.0, 450.0)
    >>> formula_ltv(50.0, 1.2, 0.0) is None
    True
    """
    if not 0 < margin <= 1:
        raise ParameterError("margin", margin, "a fraction in (0, 1], e.g. 0.3 for a 30 % gross margin")
    if monthly_churn_rate is not None and not 0 <= monthly_churn_rate <= 1:
        raise ParameterError("monthly_churn_rate", monthly_churn_rate, "a fraction in [0, 1]")
    if purchases_per_month is not None and not purchases_per_month >= 0:
        raise ParameterError("purchases_per_month", purchases_per_month, "a number ≥ 0")
    if aov is None or purchases_per_month is None or monthly_churn_rate is None or monthly_churn_rate == 0:
        return None
    return aov * purchases_per_month / monthly_churn_rate * margin


@dataclass(frozen=True)
class FormulaLtv:
    """Formula LTV and the monthly inputs it was computed from (means over ``months``)."""

    aov: float | None
    purchase_frequency: float | None
    churn_rate: float | None
    lifetime_months: float | None
    margin: float
    ltv: float | None
    months: tuple[date, ...]


def formula_ltv_from_periods(periods: pl.DataFrame, *, months: int = 3, margin: float = 1.0) -> FormulaLtv:
    """Formula LTV from the last ``months`` complete months of a monthly period table (SPEC §4.4, §8).

    Takes the period table's ``aov``, ``purchase_frequency`` and ``churn_rate`` columns (SPEC §8
    ``metrics`` keys, monthly grain), skips rows flagged ``incomplete`` and rows whose churn is null
    (the first period), keeps the latest ``months`` rows, and averages each input over them (a plain
    mean of the monthly values; nulls skipped). Then LTV = AOV × frequency / churn × margin.

    Parameters
    ----------
    periods
        Monthly period table, ordered by ``period_start`` if present.
    months
        How many recent complete months to average (≥ 1).
    margin
        Gross margin fraction in (0, 1].

    Returns
    -------
    FormulaLtv
        The averaged inputs, ``lifetime_months`` = 1 / churn (null when churn is 0), ``ltv`` and the
        months used (``period_start`` values, empty when the table has none).

    Raises
    ------
    ColumnNotFoundError
        ``aov``, ``purchase_frequency`` or ``churn_rate`` is missing.
    ParameterError
        ``months`` < 1 or a bad margin.
    NotEnoughDataError
        No complete month with a churn rate.

    Examples
    --------
    Complete months Feb, Mar (Apr is incomplete): AOV (40+60)/2 = 50, frequency 1.2, churn (0.03+0.05)/2
    ⇒ 50 × 1.2 / 0.04 = 1500.

    >>> periods = pl.DataFrame({"period_start": [date(2024, m, 1) for m in (1, 2, 3, 4)],
    ...     "aov": [10.0, 40.0, 60.0, 99.0], "purchase_frequency": [1.0, 1.2, 1.2, 9.0],
    ...     "churn_rate": [None, 0.03, 0.05, 0.5], "incomplete": [False, False, False, True]})
    >>> round(formula_ltv_from_periods(periods, months=2).ltv, 6)
    1500.0
    """
    if not (isinstance(months, int) and months >= 1):
        raise ParameterError("months", months, "a whole number of months ≥ 1")
    for col in ("aov", "purchase_frequency", "churn_rate"):
        if col not in periods.columns:
            raise ColumnNotFoundError.from_missing(col, periods.columns, role="period table")
    usable = periods.lazy()
    if "period_start" in periods.columns:
        usable = usable.sort("period_start")
    if "incomplete" in periods.columns:
        usable = usable.filter(~pl.col("incomplete").fill_null(False))
    recent = usable.filter(pl.col("churn_rate").is_not_null()).tail(months).collect()
    if recent.height == 0:
        msg = "formula LTV needs at least one complete month with a churn rate; the period table has none"
        raise NotEnoughDataError(msg)
    means = recent.select(pl.col("aov", "purchase_frequency", "churn_rate").cast(pl.Float64).mean()).row(
        0, named=True
    )
    churn = means["churn_rate"]
    used = tuple(recent.get_column("period_start").to_list()) if "period_start" in recent.columns else ()
    return FormulaLtv(
        aov=means["aov"],
        purchase_frequency=means["purchase_frequency"],
        churn_rate=churn,
        lifetime_months=None if not churn else 1.0 / churn,
        margin=margin,
        ltv=formula_ltv(means["aov"], means["purchase_frequency"], churn, margin=margin),
        months=used,
    )


def key_customers(orders: pl.DataFrame, *, as_of: date | None = None) -> pl.DataFrame:
    """Customers sorted by historical value (net revenue), with their share of revenue (SPEC §4.4).

    Returns
    -------
    pl.DataFrame
        :func:`customer_revenue`'s columns plus ``rank`` Int64 (1 = most valuable; ties broken by
        customer id), ``revenue_share`` and ``cumulative_share`` Float64 (of total net revenue; null
        when the total is ≤ 0). Sorted by rank.

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "c"], "amount": [20.0, 50.0, 30.0],
    ...     "ordered_at": [datetime(2024, 1, 1)] * 3})
    >>> key_customers(orders).select("customer_id", "revenue_share", "cumulative_share").rows()
    [('b', 0.5, 0.5), ('c', 0.3, 0.8), ('a', 0.2, 1.0)]
    """
    totals = customer_revenue(orders, as_of=as_of).sort(["revenue", "customer_id"], descending=[True, False])
    total = pl.when(pl.col("revenue").sum() > 0).then(pl.col("revenue").sum())
    return totals.with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"),
        (pl.col("revenue") / total).alias("revenue_share"),
        (pl.col("revenue").cum_sum() / total).alias("cumulative_share"),
    )


def pareto_curve(orders: pl.DataFrame, *, as_of: date | None = None) -> pl.DataFrame:
    """Share of revenue from the top x % of customers (SPEC §4.4), as a curve from (0, 0) to (1, 1).

    Customers are sorted by net revenue, largest first; point k is (k / n, revenue of the top k /
    total revenue). Customers with negative net revenue (refunds beyond purchases) come last, so the
    curve may pass 1 just before its end. Shares are null when total revenue is ≤ 0.

    Returns
    -------
    pl.DataFrame
        ``customers`` Int64 (k, from 0), ``customer_share`` Float64 (k / n), ``revenue_share`` Float64.

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "c", "d"], "amount": [10.0, 60.0, 20.0, 10.0],
    ...     "ordered_at": [datetime(2024, 1, 1)] * 4})
    >>> pareto_curve(orders).get_column("revenue_share").to_list()
    [0.0, 0.6, 0.8, 0.9, 1.0]
    """
    ranked = key_customers(orders, as_of=as_of)
    n = ranked.height
    defined = n > 0 and ranked.get_column("cumulative_share").null_count() == 0
    origin = pl.DataFrame({"customers": [0], "cumulative_share": [0.0 if defined else None]})
    points = pl.concat(
        [origin, ranked.select(pl.col("rank").alias("customers"), "cumulative_share")], how="vertical_relaxed"
    )
    return points.select(
        pl.col("customers").cast(pl.Int64),
        (pl.col("customers") / max(n, 1)).alias("customer_share"),
        pl.col("cumulative_share").cast(pl.Float64).alias("revenue_share"),
    )


def top_share(orders: pl.DataFrame, *, top: float = 0.2, as_of: date | None = None) -> float | None:
    """Share of net revenue that comes from the top ``top`` fraction of customers (SPEC §4.4).

    Read off :func:`pareto_curve` with linear interpolation between its points, so ``top`` need not
    be a multiple of 1/n: with 3 customers, the top 50 % is the first customer plus half of the
    second. None when there are no customers or total revenue is ≤ 0.

    Raises
    ------
    ParameterError
        ``top`` outside [0, 1].

    Examples
    --------
    Revenue 60, 20, 10, 10: the top 25 % (1 of 4) bring 60 %, the top 50 % bring 80 %.

    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "c", "d"], "amount": [10.0, 60.0, 20.0, 10.0],
    ...     "ordered_at": [datetime(2024, 1, 1)] * 4})
    >>> top_share(orders, top=0.25), top_share(orders, top=0.5), round(top_share(orders, top=0.375), 9)
    (0.6, 0.8, 0.7)
    """
    if not 0 <= top <= 1:
        raise ParameterError("top", top, "a fraction of customers in [0, 1], e.g. 0.2 for the top 20 %")
    curve = pareto_curve(orders, as_of=as_of)
    shares = curve.get_column("revenue_share")
    if curve.height <= 1 or shares.null_count():
        return None
    return float(np.interp(top, curve.get_column("customer_share").to_numpy(), shares.to_numpy()))
