"""Synthetic shops for the what-if tests, generated from known monthly rates (seeded numpy)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl


def two_pool_shop(*, months: int = 36, r: float = 0.75, q: tuple[float, float] = (0.08, 0.02), new: int = 800,
                  aov: float = 25.0, seed: int = 7, start: date = date(2021, 1, 1)) -> pl.DataFrame:
    """Orders of a shop that follows the two-pool model with W = 1 month exactly: each month an active
    customer buys again with probability ``r``, a lapsed one with ``q[0]`` (lapsed ≤ 12 months) or
    ``q[1]`` (longer); ``new`` customers buy for the first time. One order of ``aov`` per buyer per
    month (on the 10th), so frequency = 1 and AOV = ``aov``. The loop runs over months; customers are
    vectorised."""
    rng = np.random.default_rng(seed)
    last = np.zeros(0, dtype=np.int64)  # month of each customer's last purchase
    ids, month_of = [], []
    for m in range(months):
        gap = m - last  # 1 = active last month; g ≥ 2 = lapsed for g − 1 months
        p = np.where(gap == 1, r, np.where(gap - 1 <= 12, q[0], q[1]))
        buys = np.nonzero(rng.random(last.size) < p)[0]
        new_ids = np.arange(last.size, last.size + new)
        last = np.r_[last, np.full(new, m)]
        last[buys] = m
        both = np.r_[buys, new_ids]
        ids.append(both)
        month_of.append(np.full(both.size, m))
    cid, mon = np.concatenate(ids), np.concatenate(month_of)
    first = start.year * 12 + start.month - 1
    frame = pl.DataFrame({"customer_id": cid, "m": mon + first}).select(
        pl.format("C{}", "customer_id").alias("customer_id"),
        pl.date(pl.col("m") // 12, pl.col("m") % 12 + 1, 10).alias("ordered_at"),
        pl.lit(aov).alias("amount"),
    )
    return frame


def loyal_club_shop(*, customers: int = 3000, months: int = 30, stay: float = 0.6, back: float = 0.4,
                    seed: int = 11, start: date = date(2022, 1, 1)) -> pl.DataFrame:
    """A shop whose customers all joined in its first quarter and keep coming back (like the CD shop of
    issue 10): each month a customer who bought last month buys again with probability ``stay``, one who
    did not with ``back``. Net nobody leaves, so CRR ≈ 100 % while the retention rate is far below."""
    rng = np.random.default_rng(seed)
    joined = rng.integers(0, 3, customers)
    bought_last = np.zeros(customers, dtype=bool)
    rows_c, rows_m = [], []
    for m in range(months):
        p = np.where(bought_last, stay, back)
        buys = (rng.random(customers) < p) & (joined <= m)
        buys |= joined == m
        rows_c.append(np.nonzero(buys)[0])
        rows_m.append(np.full(int(buys.sum()), m))
        bought_last = buys
    cid, mon = np.concatenate(rows_c), np.concatenate(rows_m)
    day = rng.integers(1, 29, cid.size)
    first = start.year * 12 + start.month - 1
    amount = np.round(rng.lognormal(3.4, 0.4, cid.size), 2)
    return pl.DataFrame({"customer_id": cid, "m": mon + first, "d": day, "amount": amount}).select(
        pl.format("CD{}", "customer_id").alias("customer_id"),
        pl.date(pl.col("m") // 12, pl.col("m") % 12 + 1, pl.col("d")).alias("ordered_at"),
        "amount",
    )
