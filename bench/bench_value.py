"""Issue 15: Customer value page interactions at 1M orders, driven through Streamlit's AppTest.

The dataset is ``bench_engine``'s (:func:`bench.datasets.generate_orders`, 1M orders / 100k customers,
saved as a workspace dataset with its compact tables). One process: the DuckDB floor (``count(*)``
over the same CSV), then the app opened on the Customer value page (cold: every fit and table made),
then each interaction ``REPEATS`` times with a value not used before (so nothing is served whole from
the cache: e.g. margins 41 %, 42 %, …) and the median reported; a plain rerun with nothing changed is
the cost of drawing the page. What an interaction may reuse (issue 15): the fitted model, its purchase
curve, the per-customer table and the month table; what it may not (a new time unit or calibration
end refits) is reported as info.

Also function level, without Streamlit: ``value_overview`` from the orders (every part made) against
``value_overview`` given the kept parts, for a new margin.

``python -m bench --only value`` (``$BENCH_VALUE_ORDERS``, default 1000000; ``--quick``: 100000).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from bench import row
from bench.datasets import ORDERS_PER_CUSTOMER, OUT, orders_csv

ROOT = Path(__file__).resolve().parent.parent
REPEATS = 5


def _workspace(n: int) -> Path:
    ws = OUT / f"ws_{n}_c{n // ORDERS_PER_CUSTOMER}"
    if not (ws / "workspace.sqlite3").exists():
        from bench.bench_engine import _child

        _child("save", str(orders_csv(n)), str(ws))
    return ws


def _floor(csv: Path) -> float:
    import duckdb

    con = duckdb.connect()
    t = time.perf_counter()
    con.sql(f"SELECT count(*) FROM read_csv('{csv}')").fetchall()
    return time.perf_counter() - t


def _app():
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    original = PagesManager.__init__

    def served_mode(self, *args, **kwargs):  # as tests/pages/conftest.py: app.py's navigation on every rerun
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = served_mode
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    at.query_params.update({"ds": "bench"})
    return at


def _timed(step) -> float:
    t = time.perf_counter()
    at = step()
    if at.exception:
        raise RuntimeError(f"the page raised: {at.exception}")
    return time.perf_counter() - t


def run(quick: bool) -> list[dict]:
    n = 100_000 if quick else int(os.environ.get("BENCH_VALUE_ORDERS", "1000000"))
    csv = orders_csv(n)
    ws = _workspace(n)
    os.environ["RETENTION_WORKSPACE"] = str(ws)
    size = f"{n:,} orders / {n // ORDERS_PER_CUSTOMER:,} customers"
    load = os.getloadavg()[0]
    floor = _floor(csv)
    rows = [row("floor: DuckDB count(*) over the CSV", size, floor, "floor", f"load average {load:.1f}")]

    at = _app()
    at.run()  # the Overview (the app's first page), as a user arrives
    first = _timed(lambda: at.switch_page("pages/value.py").run())
    rows.append(row("Customer value page, first open (fits, curve, tables)", size, first, "info",
                    f"{first / floor:.1f}× floor"))

    def interaction(name: str, key: str, values, widget: str = "number_input", target: str = "≤ 0.3 s") -> None:
        times = [_timed(lambda v=v: getattr(at, widget)(key=key).set_value(v).run()) for v in values]
        median = statistics.median(times)
        rows.append(row(name, size, median, target,
                        f"median of {len(times)} (max {max(times):.3f} s); {median / floor:.2f}× floor"))

    interaction("plain rerun, nothing changed (drawing the page)", "h", [12] * REPEATS, target="info")
    interaction("margin 41 … 45 %", "margin", range(41, 41 + REPEATS))
    interaction("discount rate 11 … 15 %", "disc", [float(d) for d in range(11, 11 + REPEATS)])
    at.number_input(key="h").set_value(13).run()  # the purchase curve is made for 24 months once (see below)
    interaction("horizon 14 … 18 months", "h", range(14, 14 + REPEATS))
    interaction("at-risk days 101 … 105", "risk_days", range(101, 101 + REPEATS))
    interaction("win-back top 21 … 25 %", "top", range(21, 21 + REPEATS))
    interaction("RFM treemap measure (revenue ↔ customers)", "rfm",
                ["revenue", "customers", "revenue", "customers", "revenue"], widget="segmented_control")
    interaction("holdout chart measure (total ↔ mean)", "hm",
                ["total", "mean", "total", "mean", "total"], widget="segmented_control")
    interaction("horizon past the kept curve (25 … 29: curve made for 36 months once)", "h", range(25, 25 + REPEATS),
                target="info")
    interaction("time unit day ↔ week (refits the model)", "tu", ["day", "week"], widget="segmented_control",
                target="info")

    rows += _function_level(ws, size, floor)
    return rows


def _function_level(ws: Path, size: str, floor: float) -> list[dict]:
    """value_overview from the orders vs from the kept parts (what the page's cache holds), margin changed."""
    from retention_core.ingest import Filters, connect, query
    from retention_core.retention.flows import period_metrics
    from retention_core.value.clv import purchase_curve
    from retention_core.value.overview import fit_value_model, value_overview
    from retention_core.value.segments import customer_table

    parquet = next(ws.glob("bench/v-*/orders.parquet"))
    orders = query(connect(), parquet, "orders", Filters())
    t = time.perf_counter()
    scratch = value_overview(orders, margin=0.5, window=4)
    full = time.perf_counter() - t
    fitted = fit_value_model(orders)
    check = fit_value_model(orders, end=scratch.calibration_end)
    customers = customer_table(orders)
    month = period_metrics(orders, grain="month", window=4)
    curve = purchase_curve(fitted.model.summary, fitted.model.bgnbd, months=24)
    times = []
    for margin in (0.41, 0.42, 0.43):
        t = time.perf_counter()
        kept = value_overview(orders, margin=margin, window=4, fitted=fitted, check=check, customers=customers.frame,
                              month_metrics=month, curve=curve)
        times.append(time.perf_counter() - t)
    again = value_overview(orders, margin=0.43, window=4)
    # equal to the last digits polars' multithreaded float sums leave (two runs from the orders differ by ~1e-12 too)
    for got, want in ((kept.predictive_ltv, again.predictive_ltv), (kept.formula.ltv, again.formula.ltv),
                      (kept.historical_ltv, again.historical_ltv)):
        if abs(got - want) > 1e-9 * abs(want):
            raise RuntimeError(f"the kept parts gave other numbers than the orders: {got} vs {want}")
    reuse = statistics.median(times)
    return [
        row("value_overview from the orders (every part made)", size, full, "info", f"{full / floor:.1f}× floor"),
        row("value_overview from the kept parts (new margin)", size, reuse, "info",
            f"{reuse / floor:.2f}× floor; {full / reuse:.0f}× faster; same numbers"),
    ]


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        print(r)
