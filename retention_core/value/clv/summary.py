"""Per-customer purchase summary for the BG/NBD and Gamma-Gamma models (SPEC §4.4).

A *purchase* is a distinct calendar day with at least one order (several orders on one day are one
purchase). From each customer's purchase days up to the calibration end:

* ``frequency`` x = distinct purchase days − 1 (repeat purchases),
* ``recency`` t_x = last − first purchase day, ``T`` = calibration end − first purchase day,
  both in the chosen time unit as fractions: days / 1, days / 7 (week) or days / 30.4375 (month, the
  mean Gregorian month = 365.25 / 12 days),
* ``monetary_value`` m̄ = mean spend of the repeat purchase days (first day excluded), null when x = 0.

Refunds (negative amounts) follow SPEC §4.1: a refund row is not an order, so a day with only refunds
is not a purchase day and its amounts are left out (without order links a later refund cannot be
matched to the purchase it reverses). A refund on a purchase day nets against that day's spend, so a
purchase day's spend is the sum of all that day's rows and can be ≤ 0; customers whose
``monetary_value`` ends ≤ 0 are left out of the Gamma-Gamma fit, which reports how many.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal, get_args

import polars as pl

from retention_core.errors import ColumnNotFoundError, ParameterError, check_choice

TimeUnit = Literal["day", "week", "month"]
TIME_UNITS: tuple[str, ...] = get_args(TimeUnit)
#: Length of one time unit in days (a month is the mean Gregorian month, 365.25 / 12).
UNIT_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 30.4375}

SUMMARY_COLUMNS = (
    "customer_id",
    "first_purchase",
    "last_purchase",
    "frequency",
    "recency",
    "T",
    "monetary_value",
)
HOLDOUT_COLUMNS = ("frequency_holdout", "monetary_value_holdout", "duration_holdout")
_REQUIRED = ("customer_id", "ordered_at", "amount")
_EPOCH = date(1970, 1, 1)


def _day_number(day: date) -> int:
    if isinstance(day, datetime):
        day = day.date()
    return (day - _EPOCH).days


def customer_summary(
    orders: pl.DataFrame,
    *,
    calibration_end: date,
    time_unit: TimeUnit = "week",
    holdout_end: date | None = None,
) -> pl.DataFrame:
    """Frequency, recency, T and monetary value per customer (SPEC §4.4), in one polars query.

    x = distinct purchase days − 1; t_x = last − first purchase day; T = calibration_end − first
    purchase day (in ``time_unit``: days / 1, / 7 or / 30.4375); m̄ = mean spend of the repeat purchase
    days (a day's spend = sum of that day's orders, same-day refunds netted; first day excluded).

    The calibration period is inclusive: every order placed on ``calibration_end`` (any time of day)
    is in it. Customers whose first purchase falls after ``calibration_end`` are not in the result.

    Parameters
    ----------
    orders
        Canonical orders frame (``customer_id``, ``ordered_at``, ``amount``; docs/data-model.md).
    calibration_end
        Last day of the calibration period (inclusive).
    time_unit
        Unit of ``recency``, ``T`` and ``duration_holdout``: ``"day"``, ``"week"`` or ``"month"``.
    holdout_end
        Last day of a holdout period (inclusive) after ``calibration_end``; adds the holdout columns.

    Returns
    -------
    pl.DataFrame
        One row per customer, in the order of their first order in ``orders``: ``customer_id`` String, ``first_purchase``
        Date, ``last_purchase`` Date (both within the calibration period), ``frequency`` Int64,
        ``recency`` Float64, ``T`` Float64, ``monetary_value`` Float64 (null when frequency is 0).
        With ``holdout_end``: ``frequency_holdout`` Int64 (purchase days in (calibration_end,
        holdout_end]), ``monetary_value_holdout`` Float64 (their mean spend, null when none) and
        ``duration_holdout`` Float64 (holdout length in ``time_unit``).

    Raises
    ------
    ColumnNotFoundError
        A required column is missing.
    ParameterError
        Unknown ``time_unit``, or ``holdout_end`` not after ``calibration_end``.

    Examples
    --------
    a buys on Jan 1 (two orders: 10 + 5), Jan 8 (20) and Jan 15 (30 and a same-day refund of −6);
    calibration end Jan 15 ⇒ x = 2, t_x = 14 days = 2 weeks, T = 2 weeks, m̄ = (20 + 24) / 2 = 22.
    b buys once on Jan 8 ⇒ x = 0, T = 1 week, m̄ null.

    >>> orders = pl.DataFrame({
    ...     "customer_id": ["a", "a", "a", "a", "a", "b"],
    ...     "ordered_at": [datetime(2024, 1, 1, 9), datetime(2024, 1, 1, 18), datetime(2024, 1, 8),
    ...                    datetime(2024, 1, 15), datetime(2024, 1, 15, 12), datetime(2024, 1, 8)],
    ...     "amount": [10.0, 5.0, 20.0, 30.0, -6.0, 7.0]})
    >>> s = customer_summary(orders, calibration_end=date(2024, 1, 15))
    >>> s.select("customer_id", "frequency", "recency", "T", "monetary_value").rows()
    [('a', 2, 2.0, 2.0, 22.0), ('b', 0, 0.0, 1.0, None)]
    """
    check_choice("time_unit", time_unit, TIME_UNITS)
    for col in _REQUIRED:
        if col not in orders.columns:
            raise ColumnNotFoundError.from_missing(col, orders.columns, role="orders")
    cal = _day_number(calibration_end)
    end = cal
    if holdout_end is not None:
        end = _day_number(holdout_end)
        if end <= cal:
            raise ParameterError(
                "holdout_end", holdout_end, f"a date after calibration_end {calibration_end}"
            )
    unit = UNIT_DAYS[time_unit]

    # Step 1: one row per (customer, purchase day). Customers are keyed by two independent 64-bit
    # hashes of the id: grouping integers is several times faster than grouping strings, and a
    # collision of both hashes has probability ~2^-128 per pair of ids. The id itself is fetched at
    # the end through the row number of the customer's first order (carrying strings through the
    # group-bys costs more than the rest of the query).
    day = pl.col("ordered_at").cast(pl.Date).cast(pl.Int32)
    days = (
        orders.lazy()
        .select(
            pl.col("customer_id").hash(0).alias("_h0"),
            pl.col("customer_id").hash(1).alias("_h1"),
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("_row"),
            day.alias("_day"),
            pl.col("amount"),
        )
        .filter(pl.col("_day") <= end)
        .group_by("_h0", "_h1", "_day")
        .agg(
            pl.col("_row").min(),
            pl.col("amount").sum().alias("_spend"),
            (pl.col("amount") >= 0).any().alias("_purchase"),
        )
        .filter(pl.col("_purchase"))
    )
    # Step 2: one row per customer. With a holdout period, calibration aggregates skip holdout days
    # via when/then (null is ignored); without one every day is a calibration day.
    if holdout_end is None:
        aggs = [
            pl.col("_row").min(),
            pl.col("_day").min().alias("_first"),
            pl.col("_day").max().alias("_last"),
            pl.len().cast(pl.Int64).alias("_n"),
            pl.col("_spend").sum().alias("_cal_spend"),
            pl.col("_spend").min_by("_day").alias("_first_spend"),
        ]
    else:
        in_cal = pl.col("_day") <= cal
        aggs = [
            pl.col("_row").min(),
            pl.col("_day").min().alias("_first"),
            pl.when(in_cal).then(pl.col("_day")).max().alias("_last"),
            in_cal.sum().cast(pl.Int64).alias("_n"),
            pl.when(in_cal).then(pl.col("_spend")).sum().alias("_cal_spend"),
            pl.col("_spend").min_by("_day").alias("_first_spend"),
            (~in_cal).sum().cast(pl.Int64).alias("frequency_holdout"),
            pl.when(~in_cal).then(pl.col("_spend")).sum().alias("_hold_spend"),
        ]
    frequency = pl.col("_n") - 1
    out = [
        pl.col("_row"),
        pl.col("_first").cast(pl.Date).alias("first_purchase"),
        pl.col("_last").cast(pl.Date).alias("last_purchase"),
        frequency.alias("frequency"),
        ((pl.col("_last") - pl.col("_first")) / unit).alias("recency"),
        ((cal - pl.col("_first")) / unit).alias("T"),
        pl.when(frequency > 0)
        .then((pl.col("_cal_spend") - pl.col("_first_spend")) / frequency)
        .alias("monetary_value"),
    ]
    if holdout_end is not None:
        out += [
            pl.col("frequency_holdout"),
            pl.when(pl.col("frequency_holdout") > 0)
            .then(pl.col("_hold_spend") / pl.col("frequency_holdout"))
            .alias("monetary_value_holdout"),
            pl.lit((end - cal) / unit, dtype=pl.Float64).alias("duration_holdout"),
        ]
    summary = (
        days.group_by("_h0", "_h1")
        .agg(aggs)
        .filter(pl.col("_first") <= cal)
        .select(out)
        .sort("_row")
        .collect()
    )
    ids = orders.get_column("customer_id").gather(summary.get_column("_row"))
    return summary.select(ids.alias("customer_id"), pl.exclude("_row"))
