"""Funnel benchmark (SPEC §5): a 4-step ordered funnel over 10M events vs DuckDB's bare CSV scan.

Input: a seeded synthetic event log (~1M users; visit / view / cart / checkout / purchase plus noise
events, 90 days, chronological file order like a real export) written once to ``bench/out/`` as
CSV. Floor: ``SELECT count(*) FROM read_csv(...)`` on a fresh DuckDB connection. Measured: the
funnel on the in-memory canonical frame (``user_id, event, occurred_at, seq, device``); target
≤ 3× the floor. Each timing is the best of three runs (the machine may be shared). Strict and
any-order funnels are reported for information, and so is the same ordered funnel with an exclusion
event (``support`` between any two steps voids the attempt) and a breakdown by ``device`` (issue 14),
beside it with PostHog's exclusion rule and first-touch attribution. ``quick=True``: 200k events, 20k
users; ``python -m bench.bench_funnels --events N`` any size (users = N / 10).
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from retention_core.journeys.funnels import FunnelSpec, funnel

OUT = Path(__file__).resolve().parent / "out"
EVENTS = np.array(["visit", "view", "cart", "checkout", "purchase", "search", "login", "scroll", "support"])
WEIGHTS = np.array([0.25, 0.25, 0.12, 0.06, 0.04, 0.10, 0.08, 0.07, 0.03])
STEPS = ("visit", "view", "cart", "purchase")


def make_events(n_events: int, n_users: int, *, seed: int = 20240301) -> pl.DataFrame:
    """Seeded event log: each user active over 30 days starting somewhere in a 60-day span."""
    rng = np.random.default_rng(seed)
    user = rng.integers(0, n_users, n_events)
    event = rng.choice(len(EVENTS), n_events, p=WEIGHTS / WEIGHTS.sum())
    start = rng.integers(0, 60 * 86400, n_users)
    seconds = start[user] + rng.integers(0, 30 * 86400, n_events)
    base = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    frame = pl.DataFrame(
        {
            "user": user,
            "event": EVENTS[event],
            "occurred_at": pl.Series((base + seconds) * 1_000_000).cast(pl.Datetime("us")),
            "device": np.array(["mobile", "desktop", "tablet"])[rng.integers(0, 3, n_events)],
        }
    )
    return frame.sort("occurred_at").select(
        user_id=pl.concat_str([pl.lit("u"), pl.col("user").cast(pl.String).str.zfill(7)]),
        event="event",
        occurred_at="occurred_at",
        device="device",
    )


def _csv(n_events: int, n_users: int) -> Path:
    path = OUT / f"events_{n_events}_{n_users}.csv"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        make_events(n_events, n_users).write_csv(tmp)
        tmp.rename(path)
    return path


def _best(fn, repeats: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _floor(path: Path) -> float:
    con = duckdb.connect()
    try:
        seconds, _ = _best(lambda: con.sql("SELECT count(*) FROM read_csv($p)", params={"p": str(path)}).fetchall(), 3)
    finally:
        con.close()
    return seconds


def _cli(path: Path, floor: float, size: str) -> list[dict]:
    """Issue 15: the ``funnel`` command as a whole process over the CSV as exported (ISO ``T`` timestamps with
    microseconds), beside the same process doing nothing (imports) and ``load_file`` alone in this process."""
    import sys

    from bench.bench_engine import _child
    from retention_core.ingest import load_file

    cli = _child("process", sys.executable, "-m", "retention_core", "funnel", str(path), "--steps", ",".join(STEPS),
                 "--window", "7d")
    idle = _child("process", sys.executable, "-m", "retention_core", "--help")
    load, loaded = _best(lambda: load_file(path, kind="events"), 1)
    typed = loaded.report.rows_read == loaded.report.rows_accepted  # type: ignore[union-attr]
    return [
        {"benchmark": "funnel CLI process (ISO-T CSV)", "size": size, "seconds": round(cli["seconds"], 3),
         "peak_mb": cli["peak_mb"], "target": f"<= 4x floor ({4 * floor:.2f} s)",
         "note": f"{cli['seconds'] / floor:.2f}x floor; imports {idle['seconds']:.2f} s + load_file {load:.2f} s "
                 f"({load / floor:.1f}x floor{', typed path' if typed else ''}) + funnel and JSON"},
    ]


def run(quick: bool, n_events: int | None = None) -> list[dict]:
    n_events, n_users = (n_events, n_events // 10) if n_events else (200_000, 20_000) if quick else (10_000_000, 1_000_000)
    size = f"{n_events:,} events / {n_users:,} users"
    path = _csv(n_events, n_users)
    floor = _floor(path)
    results_cli = _cli(path, floor, size)
    events = pl.read_csv(path, schema_overrides={"occurred_at": pl.Datetime("us")}).with_row_index("seq")
    events = events.select("user_id", "event", "occurred_at", pl.col("seq").cast(pl.UInt32), "device")
    results = [
        {"benchmark": "events_csv_scan_floor", "size": size, "seconds": round(floor, 3), "peak_mb": None,
         "target": "reference", "note": "DuckDB SELECT count(*) FROM read_csv(...)"}
    ]
    for order, repeats in (("ordered", 3), ("strict", 1), ("any", 1)):
        spec = FunnelSpec(STEPS, window="7d", order=order)
        seconds, result = _best(lambda spec=spec: funnel(events, spec), repeats)
        users = result.steps["users"].to_list()  # type: ignore[union-attr]
        target = f"<= 3x floor ({3 * floor:.2f} s)" if order == "ordered" else "information"
        results.append(
            {"benchmark": f"funnel_{order}_4_steps", "size": size, "seconds": round(seconds, 3), "peak_mb": None,
             "target": target, "note": f"{seconds / floor:.2f}x floor; users per step {users}"}
        )
    results += results_cli
    plain = results[1]["seconds"]
    for name, options, rule in (("exclusion_breakdown", {"attribution": "step:1"}, "between"),
                                ("exclusion_breakdown_posthog_first_touch", {"attribution": "first_touch"}, "posthog")):
        spec = FunnelSpec(STEPS, window="7d", exclusions=("support",), exclusion_rule=rule)
        seconds, result = _best(lambda spec=spec, options=options: funnel(events, spec, breakdown="device", **options), 3)
        users = result.steps["users"].to_list()  # type: ignore[union-attr]
        results.append(
            {"benchmark": f"funnel_ordered_4_steps_{name}", "size": size, "seconds": round(seconds, 3), "peak_mb": None,
             "target": "information", "note": f"{seconds / floor:.2f}x floor, {seconds / plain:.2f}x the plain funnel; "
                                              f"users per step {users}"}
        )
    return results


if __name__ == "__main__":
    import sys

    size = int(sys.argv[sys.argv.index("--events") + 1]) if "--events" in sys.argv else None
    for row in run(quick="--full" not in sys.argv, n_events=size):
        print(row)
