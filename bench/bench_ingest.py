"""Load + validate an orders export against DuckDB's bare scan of the same file (issue 3's floor)."""

from __future__ import annotations

import time

import duckdb  # noqa: F401

from bench.datasets import orders_csv
from retention_core.ingest import connect, load_file


def _floor(path) -> float:
    con = connect()
    t = time.perf_counter()
    con.sql("SELECT count(*) FROM read_csv(?)", params=[str(path)]).fetchall()
    return time.perf_counter() - t


def run(quick: bool) -> list[dict]:
    rows = []
    for n in ([100_000] if quick else [1_000_000, 10_000_000]):
        path = orders_csv(n)
        mb = path.stat().st_size / 1e6
        floor = _floor(path)
        t = time.perf_counter()
        result = load_file(path, kind="orders")
        load = time.perf_counter() - t
        if result.report.rows_read != n:
            raise RuntimeError(f"read {result.report.rows_read} rows of {n}")
        rows.append({"benchmark": "bare scan: SELECT count(*) FROM read_csv", "size": f"{n:,} orders ({mb:.0f} MB)",
                     "seconds": floor, "peak_mb": None, "target": "floor", "note": ""})
        rows.append({"benchmark": "load + validate (ingest.load_file)", "size": f"{n:,} orders ({mb:.0f} MB)",
                     "seconds": load, "peak_mb": None, "target": f"≤ 2× floor = {2 * floor:.2f} s; peak ≤ 3× CSV",
                     "note": f"{load / floor:.1f}× floor; {result.report.rows_rejected} rejected"})
    return rows
