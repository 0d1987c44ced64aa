"""One measurement of ``bench_engine`` in a fresh process: ``python -m bench.engine_child WHAT ARG``.

Prints one JSON line: ``seconds`` (the work, timed inside, after imports), ``peak_mb`` (this
process's max RSS) and the details of each WHAT. ``process`` runs a command as its own child and
reports its wall time and peak instead (the CLI and the SQL reference as whole processes).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def _peak() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _floor(csv: str) -> dict:
    import duckdb

    con = duckdb.connect()
    t = time.perf_counter()
    con.sql(f"SELECT count(*) FROM read_csv('{csv}')").fetchall()
    return {"seconds": time.perf_counter() - t}


def _sql(source: str) -> dict:
    import duckdb

    from bench import reference

    con = duckdb.connect()
    src = reference.csv_source(source) if source.endswith(".csv") else reference.parquet_source(source)
    t = time.perf_counter()
    metrics, cohorts = reference.run(con, src)
    return {"seconds": time.perf_counter() - t, "periods": metrics.height, "cells": cohorts.height,
            "customers_end_last": int(metrics["customers_end"][-1])}


def _library_csv(csv: str) -> dict:
    from retention_core.ingest import load_file
    from retention_core.retention.cohorts import cohort_matrix
    from retention_core.retention.flows import compact, period_metrics

    t0 = time.perf_counter()
    orders = load_file(csv, kind="orders").frame
    t1 = time.perf_counter()
    periods = compact(orders, grain="month")
    t2 = time.perf_counter()
    metrics = period_metrics(orders, periods=periods)
    t3 = time.perf_counter()
    cohort_matrix(orders, periods=periods)
    t4 = time.perf_counter()
    return {"seconds": t4 - t0, "load": t1 - t0, "compact": t2 - t1, "metrics": t3 - t2, "cohorts": t4 - t3,
            "compact_rows": periods.frame.height, "customers_end_last": int(metrics["customers_end"][-1])}


def _library_parquet(parquet: str, engine: str = "duckdb") -> dict:
    """The product over a saved version's Parquet, the heavy step recomputed by ``engine`` over the file."""
    t_start = time.perf_counter()
    if engine == "spark":
        from retention_core.engine import spark

        spark.session()
    started = time.perf_counter() - t_start
    from retention_core.engine import customer_periods
    from retention_core.retention.cohorts import cohort_matrix
    from retention_core.retention.flows import period_metrics

    t0 = time.perf_counter()
    periods = customer_periods(Path(parquet), grain="month", engine=engine)
    t1 = time.perf_counter()
    metrics = period_metrics(None, periods=periods)
    cohort_matrix(None, periods=periods)
    t2 = time.perf_counter()
    out = {"seconds": t2 - t0, "compact": t1 - t0, "after": t2 - t1, "compact_rows": periods.frame.height,
           "customers_end_last": int(metrics["customers_end"][-1])}
    if engine == "spark":
        out["session_start"] = started
        t3 = time.perf_counter()  # a second run in the same session: the JVM is warm
        customer_periods(Path(parquet), grain="month", engine=engine)
        out["compact_warm"] = time.perf_counter() - t3
    return out


def _overview_saved(folder: str) -> dict:
    """Opening a saved dataset: the stored compact table → the Overview's period table and KPI tiles."""
    t_import = time.perf_counter()
    from retention_core.engine import load_compact
    from retention_core.retention.flows import period_metrics
    from retention_core.retention.kpis import kpis

    imports = time.perf_counter() - t_import
    t0 = time.perf_counter()
    periods = load_compact(folder, "orders", "month")
    t1 = time.perf_counter()
    table = period_metrics(None, periods=periods)  # type: ignore[arg-type]
    kpis(table, ["crr", "retention_rate", "churn_rate", "revenue_churn_rate", "nrr", "arpu", "aov"])
    t2 = time.perf_counter()
    return {"seconds": t2 - t0, "read": t1 - t0, "metrics": t2 - t1, "imports": imports,
            "compact_rows": periods.frame.height}  # type: ignore[union-attr]


def _pandas(csv: str) -> dict:
    from bench import pandas_peer

    t = time.perf_counter()
    metrics, _ = pandas_peer.from_csv(csv)
    return {"seconds": time.perf_counter() - t, "customers_end_last": int(metrics["customers_end"].iloc[-1])}


def _save(csv: str, folder: str) -> dict:
    from retention_core.ingest import load_file
    from retention_core.workspace import Workspace

    loaded = load_file(csv, kind="orders")
    ws = Workspace(folder)
    t = time.perf_counter()
    ws.save("bench", {"orders": loaded}, slug="bench")
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "parquet": str(ws.path("bench", "orders")),
            "compact": str(ws.compact_folder("bench", "orders"))}


def _paths(folder: str) -> dict:
    from retention_core.workspace import Workspace

    ws = Workspace(folder)
    return {"seconds": 0.0, "parquet": str(ws.path("bench", "orders")), "compact": str(ws.compact_folder("bench", "orders"))}


def _process(*cmd: str) -> dict:
    t = time.perf_counter()
    out = subprocess.run(list(cmd), capture_output=True, text=True)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return {"seconds": wall, "peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            "stdout_bytes": len(out.stdout)}


WHAT = {"floor": _floor, "sql": _sql, "library_csv": _library_csv, "library_parquet": _library_parquet,
        "overview_saved": _overview_saved, "pandas": _pandas, "save": _save, "paths": _paths, "process": _process}

if __name__ == "__main__":
    result = WHAT[sys.argv[1]](*sys.argv[2:])
    result.setdefault("peak_mb", _peak())
    print(json.dumps(result))
