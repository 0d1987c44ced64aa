"""Dataset summary: the few numbers that describe any orders table at a glance (Overview, Data page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl


@dataclass(frozen=True)
class OrdersSummary:
    """Customers, orders, revenue, AOV and the date span of an orders table (SPEC §4.1 terms).

    ``orders`` counts rows with amount ≥ 0 (refunds are not orders); ``revenue`` nets refunds;
    ``aov = revenue / orders`` (null when there are no orders); ``customers`` have at least one order.
    """

    customers: int
    orders: int
    refunds: int
    revenue: float
    aov: float | None
    first: datetime | None
    last: datetime | None


def orders_summary(orders: pl.DataFrame) -> OrdersSummary:
    """Summarise a canonical orders frame.

    Examples
    --------
    Two orders of a, one of b, and a refund of 5 for b: revenue 10+20+15−5 = 40 over 3 orders.

    >>> df = pl.DataFrame({"customer_id": ["a", "a", "b", "b"], "amount": [10.0, 20.0, 15.0, -5.0],
    ...     "ordered_at": [datetime(2024, 1, d) for d in (1, 2, 3, 4)]})
    >>> s = orders_summary(df)
    >>> s.customers, s.orders, s.refunds, s.revenue, round(s.aov, 4)
    (2, 3, 1, 40.0, 13.3333)
    """
    is_order = pl.col("amount") >= 0
    row = orders.select(
        customers=pl.col("customer_id").filter(is_order).n_unique(),
        orders=is_order.sum(),
        refunds=(~is_order).sum(),
        revenue=pl.col("amount").sum(),
        first=pl.col("ordered_at").min(),
        last=pl.col("ordered_at").max(),
    ).row(0, named=True)
    n = int(row["orders"] or 0)
    revenue = float(row["revenue"] or 0.0)
    return OrdersSummary(
        customers=int(row["customers"] or 0), orders=n, refunds=int(row["refunds"] or 0), revenue=revenue,
        aov=revenue / n if n else None, first=row["first"], last=row["last"],
    )
