"""What-if simulator speed (SPEC §6): every slider move re-runs a projection; target well under 10 ms.

``run(quick)`` returns one row per call: the median wall time of repeated calls on a 36-month
horizon (quick: fewer repeats). Inputs are a synthetic 60-month period table from a fixed seed.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date

import numpy as np
import polars as pl

from retention_core.whatif.model import Scenario, measure_baseline, project
from retention_core.whatif.solve import (
    acquisition_equivalent,
    crr_range_projection,
    sensitivity,
    solve_target_crr,
    whatif_report,
)


def _period_table(months: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    end = 1000 + rng.integers(-50, 50, months).cumsum()
    orders = (end * rng.uniform(1.2, 1.8, months)).astype(int)
    return pl.DataFrame(
        {
            "period_start": pl.date_range(date(2020, 1, 1), date(2024, 12, 1), "1mo", eager=True)[:months],
            "customers_end": end,
            "new_customers": rng.integers(80, 160, months),
            "crr": np.r_[np.nan, rng.uniform(0.75, 0.9, months - 1)],
            "retention_rate": np.r_[np.nan, rng.uniform(0.6, 0.8, months - 1)],
            "revenue": orders * rng.uniform(40, 60, months),
            "orders": orders,
            "incomplete": [False] * (months - 1) + [True],
        }
    ).with_columns(pl.col("crr", "retention_rate").fill_nan(None))


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
    table = _period_table(60)
    baseline = measure_baseline(table, months=6, seasonal_new=True)
    scenario = Scenario(horizon=36, crr_delta=0.05, aov_change=0.02, margin=0.4, cac=60.0, retention_cost=1.5)
    cases: list[tuple[str, Callable[[], object], str]] = [
        ("whatif.measure_baseline", lambda: measure_baseline(table, seasonal_new=True), "< 10 ms"),
        ("whatif.project", lambda: project(baseline, scenario), "well under 10 ms (every slider move)"),
        ("whatif.whatif_report", lambda: whatif_report(baseline, scenario), "< 10 ms"),
        ("whatif.crr_range_projection", lambda: crr_range_projection(baseline, scenario), "< 10 ms"),
        ("whatif.sensitivity", lambda: sensitivity(baseline, scenario), "< 50 ms"),
        ("whatif.solve_target_crr", lambda: solve_target_crr(baseline, scenario, target=1e5), "< 50 ms"),
        ("whatif.acquisition_equivalent", lambda: acquisition_equivalent(baseline, scenario), "< 10 ms"),
    ]
    return [
        {
            "benchmark": name,
            "size": "36-month horizon, 60-month table",
            "seconds": _median_seconds(fn, repeats),
            "peak_mb": None,
            "target": target,
            "note": f"median of {repeats} calls",
        }
        for name, fn, target in cases
    ]


if __name__ == "__main__":
    for row in run(quick=False):
        print(f"{row['benchmark']:32s} {row['seconds'] * 1e3:8.3f} ms  ({row['target']})")
