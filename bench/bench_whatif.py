"""What-if simulator speed (SPEC §6): every slider move re-runs a projection; target well under 10 ms.

``run(quick)`` returns one row per call: the median wall time of repeated calls on a 36-month
horizon (quick: fewer repeats). Input: a synthetic 60-month two-pool shop from a fixed seed; the
heavy step (``monthly_pools``, once per dataset and window) is timed apart from the per-lever calls.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from retention_core.whatif.backtest import backtest
from retention_core.whatif.measure import baseline_at, monthly_pools
from retention_core.whatif.model import Scenario, project
from retention_core.whatif.solve import (
    acquisition_equivalent,
    sensitivity,
    solve_target_crr,
    solve_target_winback,
    whatif_report,
)


def _orders(months: int, seed: int = 7) -> pl.DataFrame:
    """A shop following the two-pool model: r 0.75, win-back 8 % / 2 %, 800 new a month (one order each)."""
    rng = np.random.default_rng(seed)
    last = np.zeros(0, dtype=np.int64)
    ids, month_of = [], []
    for m in range(months):  # loop over months; customers are vectorised
        gap = m - last
        p = np.where(gap == 1, 0.75, np.where(gap <= 13, 0.08, 0.02))
        buys = np.nonzero(rng.random(last.size) < p)[0]
        new_ids = np.arange(last.size, last.size + 800)
        last = np.r_[last, np.full(800, m)]
        last[buys] = m
        ids.append(np.r_[buys, new_ids])
        month_of.append(np.full(buys.size + 800, m))
    return pl.DataFrame({"customer_id": np.concatenate(ids), "m": np.concatenate(month_of) + 2020 * 12}).select(
        pl.col("customer_id").cast(pl.String),
        pl.date(pl.col("m") // 12, pl.col("m") % 12 + 1, 10).alias("ordered_at"),
        pl.lit(25.0).alias("amount"),
    )


def _median_seconds(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def run(quick: bool) -> list[dict]:
    repeats = 50 if quick else 500
    orders = _orders(60)
    pools = monthly_pools(orders, window=1)
    baseline = baseline_at(pools)
    scenario = Scenario(horizon=36, crr_delta=0.05, winback_delta=0.01, aov_change=0.02, margin=0.4, cac=60.0,
                        retention_cost=1.5)
    heavy = max(3, repeats // 50)
    cases: list[tuple[str, Callable[[], object], str, int]] = [
        ("whatif.monthly_pools", lambda: monthly_pools(orders, window=1), "< 1 s (once per dataset)", heavy),
        ("whatif.baseline_at", lambda: baseline_at(pools), "< 50 ms", heavy),
        ("whatif.backtest", lambda: backtest(pools, horizon=36), "< 100 ms (every horizon change)", heavy),
        ("whatif.project", lambda: project(baseline, scenario), "well under 10 ms (every slider move)", repeats),
        ("whatif.whatif_report", lambda: whatif_report(baseline, scenario), "< 10 ms", repeats),
        ("whatif.sensitivity", lambda: sensitivity(baseline, scenario), "< 50 ms", repeats),
        ("whatif.solve_target_crr", lambda: solve_target_crr(baseline, scenario, target=1e6), "< 50 ms", repeats),
        ("whatif.solve_target_winback", lambda: solve_target_winback(baseline, scenario, target=1e6), "< 50 ms",
         repeats),
        ("whatif.acquisition_equivalent", lambda: acquisition_equivalent(baseline, scenario), "< 10 ms", repeats),
    ]
    return [
        {
            "benchmark": name,
            "size": f"36-month horizon, 60-month shop ({orders.height:,} orders)",
            "seconds": _median_seconds(fn, n),
            "peak_mb": None,
            "target": target,
            "note": f"median of {n} calls",
        }
        for name, fn, target, n in cases
    ]


if __name__ == "__main__":
    for row in run(quick=False):
        print(f"{row['benchmark']:32s} {row['seconds'] * 1e3:8.3f} ms  ({row['target']})")
