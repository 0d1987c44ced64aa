"""Benchmark: customer summary, BG/NBD fit and Gamma-Gamma fit (SPEC §4.4) on simulated orders.

Orders are simulated with numpy (fixed seed) from known BG/NBD and Gamma-Gamma parameters, so the
benchmark also reports how close the fitted parameters are to the truth. Sizes: 100k and 1M customers
(about 10 orders each, so 1M customers ≈ 10M order rows); quick mode: 20k customers. Target: summary +
both fits ≤ 3.5 s at 1M customers (the ``lifetimes`` library takes ≈ 35 s for the same work).

Run ``python -m bench.bench_clv [--quick]`` from the repository root.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from bench import row
from retention_core.value.clv import customer_summary, customer_value, fit_bgnbd, fit_gamma_gamma

OUT = Path(__file__).resolve().parent / "out"
CALIBRATION_END = date(2024, 12, 31)
HISTORY_DAYS = 2 * 365  # first purchases spread over the two years before the calibration end
# True parameters (weeks). Chosen so that a customer places ≈ 10 orders on average.
TRUE_BGNBD = {"r": 2.0, "alpha": 7.0, "a": 1.2, "b": 12.0}
TRUE_GG = {"p": 6.0, "q": 4.0, "gamma": 15.0}
SPLIT_SHARE = 0.05  # share of purchase days paid as two orders on the same day
REFUND_SHARE = 0.01  # share of purchase days refunded in part a few days later


def simulate_orders(n_customers: int, *, seed: int = 0) -> pl.DataFrame:
    """Orders of ``n_customers`` drawn from the BG/NBD + Gamma-Gamma generative model.

    λ ~ Gamma(r, α), p ~ Beta(a, b); repeat purchases follow a Poisson(λ) process in weeks and the
    customer drops out after each repeat purchase with probability p. A purchase day's spend is
    Gamma(p_gg, ν) with ν ~ Gamma(q, γ) per customer. Times are rounded down to whole days. 5 % of
    purchase days are split into two same-day orders; 1 % get a partial refund row 3 days later.
    """
    rng = np.random.default_rng(seed)
    g, s = TRUE_BGNBD, TRUE_GG
    n = n_customers
    cal_day = (CALIBRATION_END - date(1970, 1, 1)).days
    first_day = cal_day - rng.integers(0, HISTORY_DAYS, n)
    t_weeks = (cal_day - first_day) / 7.0
    lam = rng.gamma(g["r"], 1.0 / g["alpha"], n)
    drop = rng.beta(g["a"], g["b"], n)
    max_repeats = rng.geometric(drop)  # dies right after this repeat purchase
    # Repeat purchase times: given N ~ Poisson(λT) arrivals on (0, T], their times are uniform order
    # statistics; the customer is seen making the earliest min(N, D) of them.
    n_all = rng.poisson(lam * t_weeks)
    n_keep = np.minimum(n_all, max_repeats)
    owner = np.repeat(np.arange(n), n_all)
    u = rng.random(owner.size)
    order = np.lexsort((u, owner))
    owner, u = owner[order], u[order]
    starts = np.repeat(np.cumsum(n_all) - n_all, n_all)
    rank = np.arange(owner.size) - starts
    keep = rank < n_keep[owner]
    owner, u = owner[keep], u[keep]
    rep_day = first_day[owner] + np.floor(u * t_weeks[owner] * 7.0).astype(np.int64)
    cust = np.concatenate([np.arange(n), owner])
    day = np.concatenate([first_day, rep_day])
    nu = rng.gamma(s["q"], 1.0 / s["gamma"], n)
    spend = rng.gamma(s["p"], 1.0, cust.size) / nu[cust]
    spend = np.round(spend, 2)
    # Split some purchase days into two orders on the same day.
    split = rng.random(cust.size) < SPLIT_SHARE
    frac = rng.uniform(0.2, 0.8, int(split.sum()))
    extra_amt = np.round(spend[split] * frac, 2)
    spend[split] -= extra_amt
    # Partial refunds three days later (not purchases; they net revenue only).
    refund = rng.random(cust.size) < REFUND_SHARE
    cust_all = np.concatenate([cust, cust[split], cust[refund]])
    day_all = np.concatenate([day, day[split], day[refund] + 3])
    amt_all = np.concatenate([spend, extra_amt, -np.round(spend[refund] * 0.5, 2)])
    seconds = rng.integers(8 * 3600, 22 * 3600, cust_all.size)
    micros = (day_all * 86_400 + seconds) * 1_000_000
    order_idx = np.argsort(micros, kind="stable")
    return pl.DataFrame(
        {
            "customer_id": pl.Series(cust_all[order_idx]).cast(pl.String).str.zfill(8),
            "ordered_at": pl.Series(micros[order_idx]).cast(pl.Datetime("us")),
            "amount": amt_all[order_idx],
        }
    ).with_columns(("C" + pl.col("customer_id")).alias("customer_id"))


def _orders(n_customers: int) -> pl.DataFrame:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"clv_orders_{n_customers}.parquet"
    if path.exists():
        return pl.read_parquet(path)
    orders = simulate_orders(n_customers, seed=20240101 + n_customers)
    orders.write_parquet(path)
    return orders



def run(quick: bool) -> list[dict]:
    """Time customer_summary, fit_bgnbd and fit_gamma_gamma; one row per step and size plus a total."""
    sizes = [20_000] if quick else [100_000, 1_000_000]
    rows: list[dict] = []
    for n in sizes:
        orders = _orders(n)
        size = f"{n:,} customers / {orders.height:,} orders"
        t0 = time.perf_counter()
        summary = customer_summary(orders, calibration_end=CALIBRATION_END, time_unit="week")
        t1 = time.perf_counter()
        bg = fit_bgnbd(summary, time_unit="week")
        t2 = time.perf_counter()
        gg = fit_gamma_gamma(summary)
        t3 = time.perf_counter()
        customer_value(summary, bg, gg, horizon=12, discount_rate=0.01)
        t4 = time.perf_counter()
        target = "≤ 3.5 s total at 1M customers" if n == 1_000_000 else ""
        truth_bg = ", ".join(f"{k}={v:g}" for k, v in TRUE_BGNBD.items())
        fit_bg = f"r={bg.r:.3f}, alpha={bg.alpha:.3f}, a={bg.a:.3f}, b={bg.b:.3f}"
        truth_gg = ", ".join(f"{k}={v:g}" for k, v in TRUE_GG.items())
        fit_gg = f"p={gg.p:.3f}, q={gg.q:.3f}, gamma={gg.gamma:.3f}"
        rows += [
            row("clv.customer_summary", size, t1 - t0, "", f"{summary.height:,} customers, weeks"),
            row("clv.fit_bgnbd", size, t2 - t1, "", f"fitted {fit_bg} (true {truth_bg}; days rounded)"),
            row(
                "clv.fit_gamma_gamma",
                size,
                t3 - t2,
                "",
                f"fitted {fit_gg} (true {truth_gg}); excluded {gg.n_excluded}",
            ),
            row("clv.summary+fits", size, t3 - t0, target, "lifetimes reference ≈ 35 s at 1M customers"),
            row(
                "clv.customer_value",
                size,
                t4 - t3,
                "",
                "12 monthly steps, P(alive), spend, CLV (not in the total)",
            ),
        ]
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
