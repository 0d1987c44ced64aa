"""Seeded generator of the bundled sample shop (SPEC §7: the app opens it when no data is loaded).

The sample is written as plain export files with friendly headers, so loading it goes through the
same ingest as a user's upload (docs/data-model.md describes the canonical frames ingest produces):

- ``orders.csv``: ``order_id,customer_id,order_date,amount,channel,region,category``. Customers are
  acquired month by month (volume grows ~60 % over the span, seasonal). Each customer buys at a
  gamma-distributed rate λ and, after every purchase, leaves for good with a beta-distributed
  probability p (the BG/NBD story of Fader, Hardie & Lee 2005), so cohorts decay like a real shop's.
  Order timing follows calendar seasonality (December ≈ 1.6×, summer ≈ 0.8× the mean month). Amounts
  are lognormal (AOV ≈ 45) by category, channel and customer; ≈ 2 % of orders get a later refund row
  ``R<order_id>`` with a negative amount; a few orders are free (amount 0).
- ``events.csv``: ``user_id,event,timestamp,source,device``, the last ~6 months of a journey log:
  sessions of visit → product_view → add_to_cart → checkout → purchase with drop-offs (users reaching
  each step ≈ 100 / 60 / 25 / 15 / 10 %), noise events (search, wishlist, support_chat), several
  sessions per user. User ids are order customer ids (``C…``) or anonymous visitors (``V…``).
- ``subscriptions.csv``: ``customer_id,start_date,end_date,mrr,plan`` (empty end = active), monthly
  churn ≈ 4–6 % by plan, upgrades as a second row at a higher price.
- ``survey.csv``: ``customer_id,score,date,channel`` NPS answers whose scores follow the customer's
  own dropout probability, so promoters retain better than detractors.

Only numpy (``np.random.default_rng(seed)``) draws randomness, vectorised over customers; the only
Python loops run over months or plan names. Same seed ⇒ byte-identical files.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

from retention_core.errors import ParameterError

_DAY = 86_400
# Calendar-month multipliers (Jan…Dec) of order timing; normalised to mean 1 below.
_SEASON = np.array([0.95, 0.88, 0.98, 1.0, 0.97, 0.82, 0.76, 0.8, 1.0, 1.05, 1.3, 1.6])
_SEASON = _SEASON / _SEASON.mean()
# Acquisition is seasonal too, a little less so.
_ACQ_SEASON = 1 + 0.7 * (_SEASON - 1)
# Share of orders per hour of the day (quiet nights, lunch bump, evening peak).
_HOURS = np.array([1.2, 0.7, 0.4, 0.3, 0.3, 0.4, 0.8, 1.6, 2.8, 3.8, 4.6, 5.0,
                   5.6, 5.4, 5.0, 4.8, 4.8, 5.0, 5.6, 6.4, 7.0, 6.6, 4.8, 2.6])
_HOURS = _HOURS / _HOURS.sum()

_FRESH = 1.6  # rate multiplier in the acquisition month and the next one

_CHANNELS = np.array(["organic", "paid_search", "social", "email", "referral"])
_CHANNEL_SHARE = np.array([0.36, 0.26, 0.17, 0.11, 0.10])
_CHANNEL_DROPOUT = np.array([1.0, 1.12, 1.25, 0.8, 0.72])  # multiplies p
_CHANNEL_SPEND = np.array([1.0, 1.06, 0.88, 1.02, 1.08])  # multiplies amounts
_REGIONS = np.array(["Central", "North", "Northwest", "South", "Volga", "East"])
_REGION_SHARE = np.array([0.31, 0.12, 0.17, 0.15, 0.15, 0.10])
_CATEGORIES = np.array(["apparel", "beauty", "home", "electronics", "books"])
_CATEGORY_SHARE = np.array([0.31, 0.25, 0.2, 0.09, 0.15])
_CATEGORY_AOV = np.array([47.0, 29.0, 54.0, 96.0, 19.0])

_STEPS = np.array(["visit", "product_view", "add_to_cart", "checkout", "purchase"])
# P(user reaches step k+1 | reached step k): 100 → 60 → 25 → 15 → 10 %.
_STEP_RATE = np.array([0.60, 25 / 60, 15 / 25, 10 / 15])
_SOURCES = np.array(["ads", "organic", "email", "social"])
_SOURCE_SHARE = np.array([0.34, 0.36, 0.14, 0.16])
_SOURCE_CONV = np.array([0.92, 1.0, 1.22, 0.86])
_DEVICES = np.array(["mobile", "desktop", "tablet"])
_DEVICE_SHARE = np.array([0.58, 0.33, 0.09])
_DEVICE_CONV = np.array([0.9, 1.18, 1.0])

_PLANS = ("basic", "pro", "team")
_PLAN_SHARE = np.array([0.5, 0.35, 0.15])
_PLAN_CHURN = np.array([0.065, 0.045, 0.03])  # monthly hazard before heterogeneity


def generate_sample(
    out_dir: Path,
    *,
    seed: int = 42,
    customers: int = 20_000,
    years: int = 3,
    end: date = date(2025, 12, 15),
) -> dict[str, Path]:
    """Write the sample shop's four export files into ``out_dir`` and return their paths by kind.

    Orders come from a BG/NBD-style process (SPEC §4.4): customer i buys at rate λᵢ ~ Gamma and drops
    out after each purchase with probability pᵢ ~ Beta, so their purchase count is Geometric(pᵢ); the
    monthly rate is λᵢ × season(month). Acquisition spans the ``years × 12`` months ending with the
    month of ``end``, which is left incomplete (data stops at ``end``, SPEC §8 ``incomplete``).

    Parameters
    ----------
    out_dir
        Directory to write into (created if missing); existing sample files are overwritten.
    seed
        Seed of ``np.random.default_rng``; the same seed and sizes give byte-identical files.
    customers
        Number of distinct customers in ``orders.csv`` (exact). Events, subscriptions and survey
        volumes scale with it (users = customers / 7, 15 %, 15 %).
    years
        Years of history (acquisition months = 12 × years).
    end
        Last day of data; mid-month makes the last month incomplete.

    Returns
    -------
    dict[str, Path]
        ``{"orders", "events", "subscriptions", "survey"}`` → path of the written CSV (UTF-8, comma).

    Raises
    ------
    ParameterError
        If ``customers`` < 100 or ``years`` is not 1–20.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = generate_sample(Path(d), customers=200, years=1)
    ...     orders = pl.read_csv(paths["orders"], schema_overrides={"order_id": pl.String})
    ...     (sorted(paths), orders["customer_id"].n_unique(), orders.columns[:4])
    (['events', 'orders', 'subscriptions', 'survey'], 200, ['order_id', 'customer_id', 'order_date', 'amount'])
    """
    if customers < 100:
        raise ParameterError("customers", customers, "an integer ≥ 100")
    if not 1 <= years <= 20:
        raise ParameterError("years", years, "an integer from 1 to 20")
    rng = np.random.default_rng(seed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cal = _calendar(end, years)
    cust = _customers(rng, cal, customers)
    frames = {
        "orders": _orders(rng, cal, cust),
        "events": _events(rng, cal, cust["id"], users=max(customers // 7, 50)),
        "subscriptions": _subscriptions(rng, cal, cust, count=max(customers * 3 // 20, 20)),
        "survey": _survey(rng, cal, cust, count=max(customers * 3 // 20, 20)),
    }
    paths = {}
    for kind, frame in frames.items():
        paths[kind] = out_dir / f"{kind}.csv"
        frame.write_csv(paths[kind], datetime_format="%Y-%m-%d %H:%M:%S", date_format="%Y-%m-%d",
                        float_precision=2, null_value="")
    return paths


def _calendar(end: date, years: int) -> dict[str, np.ndarray]:
    """Month grid: first day (days since epoch), exclusive window end, calendar month 0–11."""
    last = np.datetime64(end, "M")
    months = np.arange(last - (12 * years - 1), last + 1)
    start = months.astype("datetime64[D]").astype(np.int64)
    stop_day = np.datetime64(end, "D").astype(np.int64) + 1  # data stops after `end`
    stop = np.minimum((months + 1).astype("datetime64[D]").astype(np.int64), stop_day)
    moy = (months.astype(np.int64) % 12).astype(np.int64)
    return {"start": start, "stop": stop, "moy": moy, "end_day": np.int64(stop_day)}


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` + 1-based number zero-padded to ``width`` digits (``C00001``…)."""
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))


def _clock(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after midnight with the shop's hour-of-day profile."""
    return rng.choice(24, size=n, p=_HOURS) * 3600 + rng.integers(0, 3600, size=n)


def _customers(rng: np.random.Generator, cal: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Acquisition time and the per-customer parameters (λ per day, p, segments, spend level)."""
    span = len(cal["start"])
    days = cal["stop"] - cal["start"]
    weight = (1 + 0.6 * np.arange(span) / max(span - 1, 1)) * _ACQ_SEASON[cal["moy"]] * days
    month = np.repeat(np.arange(span), rng.multinomial(n, weight / weight.sum()))
    day = cal["start"][month] + np.floor(rng.random(n) * days[month]).astype(np.int64)
    second = _clock(rng, n)
    order = np.lexsort((second, day))  # ids follow acquisition order, like an auto-increment
    month, day, second = month[order], day[order], second[order]
    channel = rng.choice(len(_CHANNELS), size=n, p=_CHANNEL_SHARE)
    p = np.minimum(rng.beta(0.8, 1.6, size=n) * _CHANNEL_DROPOUT[channel], 0.97)
    width = max(5, len(str(n)))
    return {
        "id": _ids("C", n, width),
        "month": month,
        "day": day,
        "second": second,
        "channel": channel,
        "region": rng.choice(len(_REGIONS), size=n, p=_REGION_SHARE),
        "category": rng.choice(len(_CATEGORIES), size=n, p=_CATEGORY_SHARE),
        "rate": rng.gamma(1.2, 0.5 / 1.2, size=n) / 30.4,  # orders per day while alive
        "dropout": p,
        "purchases": rng.geometric(p),  # total purchases incl. the first (BG: drop after each)
        "spend": rng.normal(0.0, 0.3, size=n),
    }


def _orders(rng: np.random.Generator, cal: dict[str, np.ndarray], cust: dict[str, np.ndarray]) -> pl.DataFrame:
    """First orders at acquisition, repeat orders month by month, then refunds and free orders."""
    n = len(cust["id"])
    left = cust["purchases"] - 1
    counts = np.zeros((len(cal["start"]), n), dtype=np.int64)
    for m in range(len(cal["start"])):  # loop over months, vectorised over customers
        lo = np.maximum(cal["start"][m], cust["day"] + 1)
        exposure = np.clip(cal["stop"][m] - lo, 0, None) * (cust["month"] <= m)
        fresh = np.where(m - cust["month"] <= 1, _FRESH, 1.0)  # new customers come back sooner
        k = np.minimum(rng.poisson(cust["rate"] * fresh * _SEASON[cal["moy"][m]] * exposure), left)
        counts[m] = k
        left -= k
    m_idx, c_idx = np.nonzero(counts)
    rep = counts[m_idx, c_idx]
    m_idx, c_idx = np.repeat(m_idx, rep), np.repeat(c_idx, rep)
    lo = np.maximum(cal["start"][m_idx], cust["day"][c_idx] + 1)
    day = lo + np.floor(rng.random(len(lo)) * (cal["stop"][m_idx] - lo)).astype(np.int64)
    who = np.concatenate([np.arange(n), c_idx])
    at = np.concatenate([cust["day"] * _DAY + cust["second"], day * _DAY + _clock(rng, len(day))])
    order = np.lexsort((who, at))
    who, at = who[order], at[order]
    k = len(who)
    cat = np.where(rng.random(k) < 0.6, cust["category"][who], rng.choice(len(_CATEGORIES), size=k, p=_CATEGORY_SHARE))
    log_amount = (np.log(_CATEGORY_AOV[cat] * _CHANNEL_SPEND[cust["channel"][who]]) + cust["spend"][who]
                  + rng.normal(-(0.5**2 + 0.3**2) / 2, 0.5, size=k))  # E[amount] = category AOV × channel
    cents = np.maximum(np.round(np.exp(log_amount) * 100), 99).astype(np.int64)
    cents[rng.random(k) < 0.003] = 0  # free orders (gift cards, promos)
    ids = np.arange(100_001, 100_001 + k)
    # ≈2 % refunds, 1–30 days later; partial (30–80 %) for a fifth of them; dropped past the end.
    ref = np.nonzero((rng.random(k) < 0.021) & (cents > 0))[0]
    ref_at = at[ref] + rng.integers(1, 31, size=len(ref)) * _DAY + rng.integers(-4 * 3600, 4 * 3600, size=len(ref))
    share = np.where(rng.random(len(ref)) < 0.2, rng.uniform(0.3, 0.8, size=len(ref)), 1.0)
    ref_cents = -np.round(cents[ref] * share).astype(np.int64)
    keep = ref_at < cal["end_day"] * _DAY
    ref, ref_at, ref_cents = ref[keep], ref_at[keep], ref_cents[keep]
    rows = pl.DataFrame({
        "order_id": np.concatenate([ids.astype(str), np.char.add("R", ids[ref].astype(str))]),
        "who": np.concatenate([who, who[ref]]),
        "at": np.concatenate([at, ref_at]),
        "cents": np.concatenate([cents, ref_cents]),
        "cat": np.concatenate([cat, cat[ref]]),
    })
    return rows.sort("at", "order_id").select(
        "order_id",
        pl.lit(pl.Series(cust["id"])).gather(pl.col("who")).alias("customer_id"),
        pl.from_epoch("at", time_unit="s").alias("order_date"),
        (pl.col("cents") / 100).alias("amount"),
        pl.lit(pl.Series(_CHANNELS[cust["channel"]])).gather(pl.col("who")).alias("channel"),
        pl.lit(pl.Series(_REGIONS[cust["region"]])).gather(pl.col("who")).alias("region"),
        pl.lit(pl.Series(_CATEGORIES)).gather(pl.col("cat")).alias("category"),
    )


def _grouped_cumsum(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Cumulative sum restarting at each group of consecutive rows (group lengths ``sizes``)."""
    total, first = np.cumsum(values), np.cumsum(sizes) - sizes
    return total - np.repeat(total[first] - values[first], sizes)


def _events(rng: np.random.Generator, cal: dict[str, np.ndarray], customer_ids: np.ndarray, *,
            users: int) -> pl.DataFrame:
    """Sessions of the last ~6 months; each user's furthest funnel step is drawn first (by source and
    device), one of their sessions reaches it, the others stop at or before it."""
    lo = cal["start"][max(len(cal["start"]) - 6, 0)] * _DAY
    hi = cal["end_day"] * _DAY
    known = np.sort(rng.choice(len(customer_ids), size=min(users * 3 // 5, len(customer_ids)), replace=False))
    uid = np.concatenate([customer_ids[known], _ids("V", users - len(known), 5)])
    source = rng.choice(len(_SOURCES), size=users, p=_SOURCE_SHARE)
    device = rng.choice(len(_DEVICES), size=users, p=_DEVICE_SHARE)
    conv = (_SOURCE_CONV[source] * _DEVICE_CONV[device])[:, None]
    depth = np.cumprod(rng.random((users, 4)) < np.minimum(_STEP_RATE * conv, 0.95), axis=1).sum(axis=1)
    # Sessions: the first on any day of the window, then gaps of ~5 days; those past the end are cut.
    sessions = 1 + rng.poisson(1.0 + 0.6 * depth)
    user = np.repeat(np.arange(users), sessions)
    gap = rng.exponential(5 * _DAY, size=len(user)).astype(np.int64)
    gap[np.cumsum(sessions) - sessions] = lo + (rng.random(users) * (hi - lo - 3600)).astype(np.int64)
    day = _grouped_cumsum(gap, sessions) // _DAY
    start = day * _DAY + _clock(rng, len(day))  # visits follow the hour-of-day profile
    start = start[np.lexsort((start, user))]  # re-clocking may swap two sessions of one day
    kept = start < hi - 600
    user, start = user[kept], start[kept]
    sessions = np.bincount(user, minlength=users)
    first = np.cumsum(sessions) - sessions
    rank = np.arange(len(user)) - np.repeat(first, sessions)
    s_depth = np.cumprod(rng.random((len(user), 4)) < np.minimum(_STEP_RATE * conv[user] * 0.8, 0.95), axis=1).sum(axis=1)
    s_depth = np.minimum(s_depth, depth[user])
    best = np.floor(rng.random(users) * sessions).astype(np.int64)
    s_depth = np.where(rank == best[user], depth[user], s_depth)
    n = len(user)
    # (event code, rows per session, position in session: base + spread × U(0, 1)).
    # Codes 0–4 are _STEPS; 5 search, 6 wishlist, 7 support_chat.
    kinds = [
        (0, np.ones(n, dtype=np.int64), 0.0, 0.0),
        (5, (rng.random(n) < 0.35) * (1 + rng.poisson(0.4, size=n)), 1.0, 2.0),
        (1, (s_depth >= 1) * rng.geometric(0.45, size=n), 1.0, 2.0),
        (6, (s_depth >= 1) & (rng.random(n) < 0.1), 2.0, 1.0),
        (2, (s_depth >= 2) * (1 + (rng.random(n) < 0.15)), 3.5, 0.5),
        (7, rng.random(n) < 0.04, 1.0, 5.0),
        (3, s_depth >= 3, 6.0, 0.0),
        (4, s_depth >= 4, 7.0, 0.0),
    ]
    code, sess, pos = [], [], []
    for k, count, base, spread in kinds:  # loop over the 8 event kinds
        s = np.repeat(np.arange(n), np.asarray(count, dtype=np.int64))
        code.append(np.full(len(s), k))
        sess.append(s)
        pos.append(base + spread * rng.random(len(s)))
    code, sess, pos = np.concatenate(code), np.concatenate(sess), np.concatenate(pos)
    order = np.lexsort((pos, sess))
    code, sess = code[order], sess[order]
    step = np.ceil(np.where(code == 4, rng.lognormal(np.log(80), 0.6, len(code)),
                            rng.lognormal(np.log(30), 1.0, len(code)))).astype(np.int64)
    step[code == 0] = 0  # each session opens with its visit
    at = start[sess] + _grouped_cumsum(step, np.bincount(sess, minlength=n))
    keep = at < hi
    names = np.concatenate([_STEPS, ["search", "wishlist", "support_chat"]])
    rows = pl.DataFrame({"u": user[sess][keep], "code": code[keep], "at": at[keep], "row": np.arange(keep.sum())})
    return rows.sort("at", "u", "row").select(
        pl.lit(pl.Series(uid)).gather(pl.col("u")).alias("user_id"),
        pl.lit(pl.Series(names)).gather(pl.col("code")).alias("event"),
        pl.from_epoch("at", time_unit="s").alias("timestamp"),
        pl.lit(pl.Series(_SOURCES[source])).gather(pl.col("u")).alias("source"),
        pl.lit(pl.Series(_DEVICES[device])).gather(pl.col("u")).alias("device"),
    )


def _subscriptions(rng: np.random.Generator, cal: dict[str, np.ndarray], cust: dict[str, np.ndarray], *,
                   count: int) -> pl.DataFrame:
    """Subscriptions of existing customers: plan, monthly hazard ~ plan × Gamma, upgrades as 2nd rows."""
    pick = np.sort(rng.choice(len(cust["id"]), size=count, replace=False))
    start = np.minimum(cust["day"][pick] + np.floor(rng.exponential(25, size=count)).astype(np.int64),
                       cal["end_day"] - 1)
    plan = rng.choice(len(_PLANS), size=count, p=_PLAN_SHARE)
    months = rng.geometric(np.minimum(_PLAN_CHURN[plan] * rng.gamma(3.0, 1 / 3, size=count), 0.6))
    seats = rng.integers(4, 13, size=count)
    annual = np.where(rng.random(count) < 0.15, 0.8, 1.0)  # annual billing: 20 % off

    def price(p: np.ndarray) -> np.ndarray:
        return np.round(np.select([p == 0, p == 1], [19.0, 49.0], 15.0 * seats) * annual, 2)

    up = (plan < 2) & (months >= 3) & (rng.random(count) < 0.12)
    after = 1 + np.floor(rng.random(count) * (months - 1)).astype(np.int64)
    cut = np.where(up, after, months)
    rows = pl.DataFrame({
        "who": np.concatenate([pick, pick[up]]),
        "base": np.concatenate([start, start[up]]),
        "from_mo": np.concatenate([np.zeros(count, dtype=np.int64), after[up]]),
        "to_mo": np.concatenate([cut, months[up]]),
        "mrr": np.concatenate([price(plan), price(np.minimum(plan + 1, 2))[up]]),
        "plan": np.concatenate([plan, plan[up] + 1]),
    })
    last = pl.lit(cal["end_day"] - 1).cast(pl.Date)
    base = pl.col("base").cast(pl.Date)
    rows = rows.with_columns(
        base.dt.offset_by(pl.format("{}mo", pl.col("from_mo"))).alias("start_date"),
        base.dt.offset_by(pl.format("{}mo", pl.col("to_mo"))).alias("end_date"),
    ).filter(pl.col("start_date") <= last)
    return rows.sort("start_date", "who", "from_mo").select(
        pl.lit(pl.Series(cust["id"])).gather(pl.col("who")).alias("customer_id"),
        "start_date",
        pl.when(pl.col("end_date") <= last).then(pl.col("end_date")).alias("end_date"),
        "mrr",
        pl.lit(pl.Series(_PLANS)).gather(pl.col("plan")).alias("plan"),
    )


def _survey(rng: np.random.Generator, cal: dict[str, np.ndarray], cust: dict[str, np.ndarray], *,
            count: int) -> pl.DataFrame:
    """NPS answers 5–30 days after the first order; loyal customers (low dropout p) score higher."""
    eligible = np.nonzero(cust["day"] <= cal["end_day"] - 31)[0]
    pick = np.sort(rng.choice(eligible, size=min(count, len(eligible)), replace=False))
    logit = np.log(cust["dropout"] / (1 - cust["dropout"]))
    loyalty = -(logit[pick] - logit.mean()) / logit.std()
    score = np.clip(np.round(7.9 + 1.6 * loyalty + rng.normal(0, 1.5, size=len(pick))), 0, 10)
    rows = pl.DataFrame({
        "who": pick,
        "day": cust["day"][pick] + rng.integers(5, 31, size=len(pick)),
        "score": score.astype(np.int64),
    })
    return rows.sort("day", "who").select(
        pl.lit(pl.Series(cust["id"])).gather(pl.col("who")).alias("customer_id"),
        "score",
        pl.col("day").cast(pl.Date).alias("date"),
        pl.lit(pl.Series(_CHANNELS[cust["channel"]])).gather(pl.col("who")).alias("channel"),
    )


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m retention_core.sample", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--end", type=date.fromisoformat, default=date(2025, 12, 15))
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    try:
        paths = generate_sample(args.out_dir, seed=args.seed, customers=args.customers, years=args.years,
                                end=args.end)
    except ParameterError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - t0
    for kind, path in paths.items():
        print(f"{kind:14s} {path}  {path.stat().st_size / 1e6:6.2f} MB")
    print(f"generated in {seconds:.2f} s (seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
