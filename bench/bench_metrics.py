"""Benchmark: period metrics and cohorts on 1M / 10M orders (quick: 100k).

Inputs are generated with a fixed seed: customers acquired uniformly over three years, ~4 orders
each on average with exponential gaps (≈10 % of customers active in a month), 3 % refunds, 1 %
zero-amount orders, a ``channel`` segment per customer. Written as CSV to ``bench/out/``.

Measured: DuckDB bare scan ``SELECT count(*) FROM read_csv(…)`` (the floor any CSV load pays),
:func:`period_metrics` and :func:`cohort_matrix` on the in-memory frame, and the Overview
recompute after a segment filter (filter + period_metrics) at 1M (quick: 100k).

Run: ``python -m bench.bench_metrics [--quick]`` (prints one JSON line per measurement).
"""

from __future__ import annotations

import json
import sys
import time

import duckdb  # noqa: F401
import polars as pl

from bench import row
from bench.datasets import OUT, generate_orders
from retention_core.ingest import connect
from retention_core.retention.cohorts import cohort_matrix
from retention_core.retention.flows import compact, period_metrics


def _timed(fn) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0



def run(quick: bool) -> list[dict]:
    """Measure the sizes of the task (quick: 100k only) and return one dict per measurement."""
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = [100_000] if quick else [1_000_000, 10_000_000]
    filter_size = sizes[0]
    results: list[dict] = []
    con = connect()
    for n in sizes:
        label = f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"
        orders = generate_orders(n)
        path = OUT / f"orders_{label}.csv"
        if not path.exists():
            orders.write_csv(path)
        scan = _timed(
            lambda p=path: con.sql("SELECT count(*) FROM read_csv($p)", params={"p": str(p)}).fetchall()
        )
        results.append(
            row("duckdb_csv_scan", label, scan, "floor", f"{path.stat().st_size / 1e6:.0f} MB CSV")
        )
        pm = _timed(lambda o=orders: period_metrics(o))
        results.append(row("period_metrics", label, pm, "with cohorts ≤ 1× floor (10M)", "month, window 1"))
        pm3 = _timed(lambda o=orders: period_metrics(o, window=3))
        results.append(row("period_metrics_window3", label, pm3, "info", "month, window 3"))
        cm = _timed(lambda o=orders: cohort_matrix(o))
        results.append(row("cohort_matrix", label, cm, "with period table ≤ 1× floor (10M)", "month, customers, on"))
        results.append(row("period_metrics + cohort_matrix", label, pm + cm, f"≤ 1× floor = {scan:.2f} s",
                            f"{(pm + cm) / scan:.1f}× floor"))
        t0 = time.perf_counter()  # as the app does it: the compact table once, shared by both
        shared = compact(orders, grain="month")
        period_metrics(orders, periods=shared)
        cohort_matrix(orders, periods=shared)
        both = time.perf_counter() - t0
        results.append(row("compact + period_metrics + cohort_matrix (shared)", label, both,
                           f"≤ 1× floor = {scan:.2f} s", f"{both / scan:.1f}× floor; as the app computes them"))
        switch = _timed(lambda o=orders, p=shared: cohort_matrix(o, value="ltv", periods=p))
        results.append(row("cohort_matrix, another view (compact table cached)", label, switch, "info",
                           "what a switch of the Cohorts view costs"))
        if n == filter_size:
            recompute = _timed(lambda o=orders: period_metrics(o.filter(pl.col("channel") == "web")))
            results.append(
                row(
                    "overview_recompute_segment",
                    label,
                    recompute,
                    "≤ 0.3 s at 1M",
                    "filter channel=web + period_metrics",
                )
            )
        del orders
    return results


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(json.dumps(row))
