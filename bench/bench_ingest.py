"""Load + validate an orders export against DuckDB's bare scan of the same file (issue 3's floor).

Each load runs in its own child process, so its ``peak MB`` is that load's own max RSS (the target is
≤ 3× the CSV's size). Two paths are measured: the default (a clean UTF-8 export is read by DuckDB with
types, :mod:`retention_core.ingest.typed`) and the general text path every messy file takes
(``typed=False``: every cell read as text and parsed in polars); and the same orders as a folder of
ten Parquet files (SPEC §9), read typed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench import row
from bench.datasets import orders_csv
from retention_core.ingest import connect

ROOT = Path(__file__).resolve().parent.parent
_CHILD = """
import json, resource, sys, time
from retention_core.ingest import load_file
t = time.perf_counter()
r = load_file(sys.argv[1], typed=sys.argv[2] == "1")
s = time.perf_counter() - t
print(json.dumps({"seconds": s, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "read": r.report.rows_read, "rejected": r.report.rows_rejected}))
"""


def _floor(path: Path) -> float:
    con = connect()
    t = time.perf_counter()
    con.sql("SELECT count(*) FROM read_csv(?)", params=[str(path)]).fetchall()
    return time.perf_counter() - t


def _load(path: Path, typed: bool) -> dict:
    out = subprocess.run([sys.executable, "-c", _CHILD, str(path), "1" if typed else "0"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(quick: bool) -> list[dict]:
    rows = []
    for n in ([100_000] if quick else [1_000_000, 10_000_000]):
        path = orders_csv(n)
        mb = path.stat().st_size / 2**20  # MiB, like ru_maxrss / 1024
        size = f"{n:,} orders ({mb:.0f} MB)"
        floor = _floor(path)
        rows.append(row("bare scan: SELECT count(*) FROM read_csv", size, floor, "floor"))
        for typed, name in ((True, "load + validate (default: typed read of a clean file)"),
                            (False, "load + validate (general text path, typed=False)")):
            m = _load(path, typed)
            if m["read"] != n:
                raise RuntimeError(f"read {m['read']} rows of {n}")
            r = row(name, size, m["seconds"], f"≤ 2× floor = {2 * floor:.2f} s; peak ≤ 3× CSV = {3 * mb:.0f} MB",
                    f"{m['seconds'] / floor:.1f}× floor; peak {m['peak_mb'] / mb:.1f}× CSV; {m['rejected']} rejected")
            r["peak_mb"] = m["peak_mb"]
            rows.append(r)
        folder = _parquet_folder(path, n)
        m = _load(folder, True)
        if m["read"] != n:
            raise RuntimeError(f"read {m['read']} rows of {n} from {folder}")
        r = row("load + validate a folder of 10 Parquet files (typed)", size, m["seconds"], "SPEC §9: no target",
                f"{m['seconds'] / floor:.1f}× the CSV floor; peak {m['peak_mb'] / mb:.1f}× CSV")
        r["peak_mb"] = m["peak_mb"]
        rows.append(r)
    return rows


def _parquet_folder(csv: Path, n: int) -> Path:
    """The same orders as 10 Parquet files (typed columns), written once next to the CSV."""
    folder = csv.with_suffix("")
    if not (folder / "part-9.parquet").exists():
        folder.mkdir(exist_ok=True)
        con = connect()
        con.sql("CREATE TABLE o AS SELECT * FROM read_csv(?)", params=[str(csv)])
        for part in range(10):
            con.sql(f"COPY (SELECT * FROM o WHERE order_id % 10 = {part} ORDER BY order_id) "
                    f"TO '{folder / f'part-{part}.parquet'}' (FORMAT parquet)")
    return folder
