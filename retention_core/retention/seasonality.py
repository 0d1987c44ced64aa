"""Seasonality coefficient per calendar month (SPEC §4.4).

coefficient(m) = mean over the complete years of month m's value / mean of all those months' values.
"Complete years" = the most recent whole multiple of 12 complete months, so every calendar month
enters the mean the same number of times (an extra July from a partial year would bias July).
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

import polars as pl

from retention_core.errors import NotEnoughDataError, check_choice
from retention_core.periods import index_start, period_index
from retention_core.retention.flows import as_date, incomplete_expr, period_grid, require_columns

SeasonalValue = Literal["revenue", "orders", "active_customers"]


def seasonality(
    orders: pl.DataFrame, *, value: SeasonalValue = "revenue", data_end: date | None = None
) -> pl.DataFrame:
    """Seasonality coefficient per calendar month (SPEC §4.4).

    coef(m) = mean_y value(y, m) / mean over all used months, over Y = ⌊complete months / 12⌋ years
    made of the latest 12·Y complete months (months without orders count as 0). A coefficient of
    1.2 means that month is 20 % above an average month.

    Parameters
    ----------
    orders
        Canonical orders frame (``customer_id``, ``ordered_at``, ``amount``).
    value
        ``revenue`` (Σ amount, refunds net), ``orders`` (rows with amount ≥ 0) or
        ``active_customers`` (customers with an order in the month).
    data_end
        Last day the data covers (default: the last ``ordered_at`` day); a month ending after it is
        incomplete and left out.

    Returns
    -------
    pl.DataFrame
        12 rows, ``month`` (Int8, 1–12), ``value`` (Float64, the month's mean over the years),
        ``coefficient`` (Float64; null when every month is 0), ``years`` (Int64, Y).

    Raises
    ------
    NotEnoughDataError
        Fewer than 12 complete months.
    ParameterError
        Unknown value.
    ColumnNotFoundError
        A required column is missing.

    Examples
    --------
    Revenue 10 in every month of 2023 except 40 in December: mean = (11·10 + 40) / 12 = 12.5.

    >>> days = [date(2023, m, 15) for m in range(1, 13)]
    >>> orders = pl.DataFrame({"customer_id": ["a"] * 12, "ordered_at": days,
    ...     "amount": [10.0] * 11 + [40.0]})
    >>> seasonality(orders, data_end=date(2023, 12, 31))["coefficient"].to_list()
    [0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 3.2]
    """
    check_choice("value", value, get_args(SeasonalValue))
    require_columns(orders, ("customer_id", "ordered_at", "amount"), kind="orders")
    data_end = as_date(data_end)
    if data_end is None:
        data_end = orders.select(pl.col("ordered_at").max().cast(pl.Date)).item()
    if data_end is None:
        raise NotEnoughDataError("seasonality needs at least 12 complete months of orders; the data is empty")
    month = period_index(pl.col("ordered_at"), "month").alias("period")
    first = orders.select(month.min()).item()
    end_month = pl.select(period_index(pl.lit(data_end), "month")).item()
    last_complete = end_month - int(pl.select(incomplete_expr(pl.lit(end_month), "month", data_end)).item())
    available = last_complete - first + 1
    if available < 12:
        span = f"{_label(first)} … {_label(last_complete)}" if available > 0 else "none"
        msg = (
            f"seasonality needs at least 12 complete months of orders; found {max(available, 0)} ({span}). "
            "Load a longer history or pick a later data end."
        )
        raise NotEnoughDataError(msg, months=max(available, 0), required=12)
    years = available // 12
    start = last_complete - 12 * years + 1
    ordered = pl.col("amount") >= 0
    measure = {
        "revenue": pl.col("amount").sum(),
        "orders": ordered.sum(),
        "active_customers": pl.col("customer_id").filter(ordered).n_unique(),
    }[value]
    per_month = orders.lazy().group_by(month).agg(measure.cast(pl.Float64).alias("value"))
    months = (
        period_grid(start, last_complete)
        .lazy()
        .join(per_month, on="period", how="left")
        .with_columns(
            pl.col("value").fill_null(0.0), ((pl.col("period") % 12) + 1).cast(pl.Int8).alias("month")
        )
    )
    overall = pl.col("value").mean()
    return (
        months.group_by("month")
        .agg(pl.col("value").mean())
        .sort("month")
        .with_columns(
            pl.when(overall != 0).then(pl.col("value") / overall).alias("coefficient"),
            pl.lit(years, pl.Int64).alias("years"),
        )
        .collect()
    )


def _label(period: int) -> str:
    """``YYYY-MM`` of a month index."""
    return pl.select(index_start(pl.lit(period), "month").dt.strftime("%Y-%m")).item()
