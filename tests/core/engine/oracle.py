"""The polars reference implementation of the heavy steps: the oracle the engines are checked against.

Written the obvious way (group-by, then a sort and per-customer shifts), independent of the SQL.
"""

from __future__ import annotations

import polars as pl

from retention_core.periods import period_index


def compact(orders: pl.DataFrame, grain: str) -> pl.DataFrame:
    """Customer × period rows sorted by customer and period, revenue as Float64."""
    p = pl.col("period")
    bought = pl.when(pl.col("orders") > 0).then(p)
    return (
        orders.group_by("customer_id", period_index(pl.col("ordered_at"), grain).alias("period"))  # type: ignore[arg-type]
        .agg((pl.col("amount") >= 0).sum().cast(pl.Int64).alias("orders"), pl.col("amount").sum().alias("revenue"))
        .sort("customer_id", "period")
        .with_columns(
            bought.min().over("customer_id").alias("first_period"),
            bought.shift(1).forward_fill().over("customer_id").alias("last_purchase"),
            bought.shift(-1).backward_fill().over("customer_id").alias("next_purchase"),
        )
        .with_columns((p - pl.col("last_purchase")).alias("lapse_age"))
        .with_columns(pl.col("first_period", "last_purchase", "next_purchase", "lapse_age").cast(pl.Int32))
    )


def event_counts(events: pl.DataFrame, grain: str) -> pl.DataFrame:
    return (
        events.group_by("user_id", period_index(pl.col("occurred_at"), grain).alias("period"), "event")  # type: ignore[arg-type]
        .agg(pl.len().cast(pl.Int64).alias("events"))
        .sort("user_id", "period", "event")
    )


def sorted_compact(frame: pl.DataFrame) -> pl.DataFrame:
    """An engine's compact table in the oracle's order with revenue as Float64 (for comparison)."""
    return frame.sort("customer_id", "period").with_columns(pl.col("revenue").cast(pl.Float64))
