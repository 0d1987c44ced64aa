"""Seeded synthetic exports for benchmarks, written once into bench/out/ and reused.

``python -m bench.datasets N`` writes ``bench/out/orders_N.csv``; :func:`orders_csv` runs that in a
child process so a benchmark's own peak memory does not include generating its input.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

OUT = Path(__file__).resolve().parent / "out"
_DAYS = 3 * 365
_START = datetime(2022, 1, 1)
_CHANNELS = np.array(["web", "app", "store", "marketplace"])


ORDERS_PER_CUSTOMER = 10
"""The default customer count is ``n_orders / 10``: 100k customers at 1M orders, 1M at 10M (issue 15)."""


def generate_orders(n_orders: int, *, customers: int | None = None, seed: int = 20240601) -> pl.DataFrame:
    """A canonical orders frame with exactly ``n_orders`` rows in date order (columnar numpy, fixed seed).

    ``customers`` (default ``n_orders / 10``) are acquired uniformly over three years; each has a
    geometric number of orders (mean ≈ the orders per customer) with exponential gaps (mean 75
    days); orders past the three years are cut and the count is topped up with further orders of
    random customers.
    """
    rng = np.random.default_rng(seed)
    n_customers = max(customers or n_orders // ORDERS_PER_CUSTOMER, 1)
    mean = n_orders / n_customers
    per_customer = rng.geometric(1 / mean, n_customers) + rng.integers(0, 2, n_customers)
    customer = np.repeat(np.arange(n_customers), per_customer)
    first_row = np.repeat(np.cumsum(per_customer) - per_customer, per_customer)
    gaps = rng.exponential(75.0, customer.size)
    gaps[np.arange(customer.size) == first_row] = 0.0
    cum = np.cumsum(gaps)
    since_first = cum - cum[first_row]
    acquired = rng.uniform(0, _DAYS, n_customers)
    day = acquired[customer] + since_first
    keep = day < _DAYS
    customer, day = customer[keep], day[keep]
    if customer.size < n_orders:  # top up with extra orders of random existing customers
        extra = rng.integers(0, customer.size, n_orders - customer.size)
        customer, day = np.concatenate([customer, customer[extra]]), np.concatenate([day, day[extra]])
    pick = np.sort(rng.choice(customer.size, n_orders, replace=False))
    customer, day = customer[pick], day[pick]
    amount = np.round(rng.lognormal(3.6, 0.7, n_orders), 2)
    kind = rng.random(n_orders)
    amount = np.where(kind < 0.03, -amount, np.where(kind < 0.04, 0.0, amount))
    channel = _CHANNELS[rng.choice(4, n_customers, p=[0.45, 0.3, 0.15, 0.1])][customer]
    start_us = int((_START - datetime(1970, 1, 1)).total_seconds()) * 1_000_000
    micros = start_us + (day * 86_400_000_000).astype(np.int64)
    order = np.argsort(micros, kind="stable")  # an export lists orders by date, not grouped by customer
    return pl.DataFrame(
        {
            "customer_id": pl.Series(customer[order]).cast(pl.String).str.zfill(8),
            "ordered_at": pl.Series(micros[order]).cast(pl.Datetime("us")),
            "amount": amount[order],
            "channel": channel[order],
        }
    ).with_columns(("C" + pl.col("customer_id")).alias("customer_id"))



def orders_csv(n_orders: int) -> Path:
    """Path of the seeded ``n_orders`` CSV export (order_date as text), generated on first use."""
    path = OUT / f"orders_{n_orders}_c{n_orders // ORDERS_PER_CUSTOMER}.csv"
    if not path.exists():
        subprocess.run([sys.executable, "-m", "bench.datasets", str(n_orders)], check=True,
                       cwd=Path(__file__).resolve().parent.parent)
    return path


def _write(n_orders: int) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"orders_{n_orders}_c{n_orders // ORDERS_PER_CUSTOMER}.csv"
    tmp = path.with_suffix(".tmp")
    frame = generate_orders(n_orders).with_columns(pl.int_range(1, n_orders + 1).alias("order_id"))
    frame.select("order_id", "customer_id", "ordered_at", "amount", "channel").rename(
        {"ordered_at": "order_date"}).write_csv(tmp, datetime_format="%Y-%m-%d %H:%M:%S")
    tmp.rename(path)


if __name__ == "__main__":
    _write(int(sys.argv[1]))
