"""20 signed-in viewers read a dataset while an editor saves a new version of it (SPEC §7.1 load).

Each viewer is a thread of this (server) process that signs in with its own account (argon2 verify),
then reads the dataset's current version over and over the way a page does: the workspace names the
version, DuckDB reads its Parquet file (``ingest.query``). The editor is another process running
``python -m retention_core save`` with a different export. Every read is checked whole: its row count
and amount total must equal the old version's or the new one's exactly (a torn or half-written read
would match neither). ``run(quick)`` returns the read latencies and the counts.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import polars as pl

from retention_core.ingest import connect, load_file, query
from retention_core.workspace import Actor, Workspace

ROOT = Path(__file__).resolve().parent.parent
VIEWERS = 20


def _orders(rows: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    days = pl.date_range(pl.date(2023, 1, 1), pl.date(2024, 12, 31), eager=True)
    return pl.DataFrame({"customer_id": [f"c{i}" for i in rng.integers(0, rows // 5, rows)],
                         "order_date": days.sample(rows, with_replacement=True, seed=seed),
                         "amount": rng.integers(100, 10_000, rows) / 100})


def run(quick: bool) -> list[dict]:
    rows_old, rows_new = (20_000, 25_000) if quick else (200_000, 250_000)
    with tempfile.TemporaryDirectory() as tmp:
        root, tmpdir = Path(tmp) / "ws", Path(tmp)
        _orders(rows_old, 1).write_csv(tmpdir / "old.csv")
        _orders(rows_new, 2).write_csv(tmpdir / "new.csv")
        ws = Workspace(root)
        ws.save("Shop", {"orders": load_file(tmpdir / "old.csv", kind="orders")})
        ws.add_user("admin", "admin", "admin-password")
        admin = ws.as_user(Actor("admin", "admin"))
        admin.add_user("editor", "editor", "editor-password")
        for i in range(VIEWERS):
            admin.add_user(f"viewer{i}", "viewer", f"viewer-password-{i}")
        expected = {}
        for name, path in (("old", "old.csv"), ("new", "new.csv")):
            frame = load_file(tmpdir / path, kind="orders").frame
            expected[(frame.height, round(float(frame["amount"].sum()), 2))] = name

        stop = threading.Event()
        latencies: list[float] = []
        seen: dict[str, int] = {"old": 0, "new": 0}
        errors: list[str] = []
        torn = 0
        lock = threading.Lock()
        signed_in = []

        def viewer(i: int) -> None:
            nonlocal torn
            try:
                start = time.perf_counter()
                actor = Workspace(root).authenticate(f"viewer{i}", f"viewer-password-{i}")
                assert actor is not None and actor.role == "viewer"
                me = Workspace(root).as_user(actor)
                con = connect()
                with lock:
                    signed_in.append(time.perf_counter() - start)
                while not stop.is_set():
                    t0 = time.perf_counter()
                    info = me.get("shop")
                    frame = query(con, me.path("shop", "orders", info.version), "orders")
                    key = (frame.height, round(float(frame["amount"].sum()), 2))
                    took = time.perf_counter() - t0
                    with lock:
                        latencies.append(took)
                        if key in expected:
                            seen[expected[key]] += 1
                        else:
                            torn += 1
            except Exception as exc:  # noqa: BLE001 - a bench counts every failure
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")

        threads = [threading.Thread(target=viewer, args=(i,)) for i in range(VIEWERS)]
        for th in threads:
            th.start()
        time.sleep(1.0 if quick else 3.0)  # everyone reading the old version
        env = {**os.environ, "PYTHONPATH": str(ROOT), "RETENTION_PASSWORD": "editor-password"}
        t_save = time.perf_counter()
        save = subprocess.run([sys.executable, "-m", "retention_core", "save", str(tmpdir / "new.csv"), "--dataset", "Shop",
                               "--workspace", str(root), "--user", "editor"], capture_output=True, text=True, env=env)
        save_seconds = time.perf_counter() - t_save
        time.sleep(1.0 if quick else 3.0)  # and the new one
        stop.set()
        for th in threads:
            th.join()
        if save.returncode != 0:
            errors.append(f"save: {save.stderr.strip()}")
        q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
        note = (f"{len(latencies)} reads by {VIEWERS} signed-in viewers: {errors.__len__()} errors, {torn} torn; "
                f"saw old {seen['old']}, new {seen['new']}; read p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, "
                f"max {max(latencies) * 1000:.0f} ms; sign-in p50 {statistics.median(signed_in) * 1000:.0f} ms"
                + (f"; first error: {errors[0][:120]}" if errors else ""))
        return [
            {"benchmark": "editor save (CLI) under 20 readers", "size": f"{rows_old:,} → {rows_new:,} orders",
             "seconds": save_seconds, "peak_mb": None, "target": "0 errors, 0 torn", "note": note},
            {"benchmark": "viewer read of the current version (p95)", "size": f"{rows_old:,}/{rows_new:,} orders",
             "seconds": q[94], "peak_mb": None, "target": "old or new, whole", "note": f"median {q[49]:.3f} s"},
        ]


if __name__ == "__main__":
    for row in run("--quick" in sys.argv):
        print(row)
