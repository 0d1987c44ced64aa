"""The what-if baseline measured from orders (SPEC §6): the two pools, month by month.

With the activity window ``W`` (SPEC §4.1, in months), each purchase month ``q`` of a customer whose
next purchase month is ``q'`` (gap ``g = q' − q``, none after the last) makes them:

* active in months ``q … q + min(W, g) − 1``;
* when ``g > W`` or there is no next purchase: churned in month ``q + W`` (in S, not in E) and
  lapsed from ``q + W`` on, lapse age ``a = m − (q + W − 1)`` in month ``m``, until ``q' − 1``;
* when ``g > W``: reactivated in month ``q'`` from lapse age ``g − W`` (bucket ≤ 12 or older).

Per month: active (= E), S = active of the month before, new (first purchase ever), retained =
S − churned, reactivated by bucket, lapsed by bucket, orders, revenue. So ``active(p) = S − churned
+ reactivated + new`` (SPEC §4.1: reactivated = |E \\ S \\ N|), and the rates the model uses are
``r = Σ retained / Σ S`` and ``q_b = Σ reactivated_b(p) / Σ lapsed_b(p−1)`` pooled over the last
``months`` complete months. Counting uses difference arrays over months (no loop over customers).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from retention_core.errors import NotEnoughDataError, ParameterError
from retention_core.periods import index_start, period_index
from retention_core.retention.activity import ActivityWindow, activity_window
from retention_core.retention.flows import CustomerPeriods, as_date, periods_of, require_columns
from retention_core.runs import sort_runs
from retention_core.whatif.model import LAPSE_AGES, Baseline

_BIG = 10**6  # "no next purchase": a month index beyond any data


@dataclass(frozen=True)
class Pools:
    """Monthly two-pool counts (``table``) and the purchase rows they come from (``rows``).

    ``table`` columns: ``period`` (Int32 month index), ``period_start`` (Date), ``active``,
    ``customers_start``, ``new_customers``, ``retained``, ``churned``, ``reactivated_le12``,
    ``reactivated_gt12``, ``lapsed_le12``, ``lapsed_gt12``, ``orders`` (Int64), ``revenue`` (Float64),
    ``complete`` (Boolean: the data covers the whole month). ``rows``: one row per customer × purchase
    month with ``q`` (Int32) and ``next_q`` (Int32, :data:`_BIG` after the last).
    """

    table: pl.DataFrame
    rows: pl.DataFrame
    window: int

    @property
    def complete(self) -> pl.DataFrame:
        return self.table.filter("complete")


def monthly_pools(orders: pl.DataFrame, *, window: int, data_end: date | None = None,
                  periods: CustomerPeriods | None = None, grain: str = "month") -> Pools:
    """Monthly active/lapsed pools and flows of ``orders`` under activity window ``window`` months.

    ``periods`` is the monthly compact table when the caller has it; ``grain`` must be ``"month"``
    (the what-if model is monthly; the argument lets the app's compact-table cache call this).

    Examples
    --------
    W = 1. a buys in Jan and Mar, b in Jan only, c in Feb. Feb: S = 2 (a, b), both churn, c new;
    Mar: S = 1 (c) churns, a comes back after 1 lapsed month (bucket ≤ 12); lapsed in Feb = 2.

    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "c", "a"], "amount": [1.0, 2.0, 3.0, 4.0],
    ...     "ordered_at": [date(2024, 1, 5), date(2024, 1, 9), date(2024, 2, 2), date(2024, 3, 20)]})
    >>> t = monthly_pools(orders, window=1, data_end=date(2024, 3, 31)).table
    >>> t.select("active", "customers_start", "new_customers", "churned", "reactivated_le12", "lapsed_le12").rows()
    [(2, 0, 2, 0, 0, 0), (1, 2, 1, 2, 0, 2), (1, 1, 0, 1, 1, 2)]
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 1:
        raise ParameterError("window", window, "a whole number of months ≥ 1")
    if grain != "month":
        raise ParameterError("grain", grain, ["month"])
    require_columns(orders, ("customer_id", "ordered_at", "amount"), kind="orders")
    cp = periods_of(orders, "month", periods)
    if cp.height == 0:
        raise NotEnoughDataError("the what-if baseline needs orders; the table is empty.")
    data_end = as_date(data_end) or orders.select(pl.col("ordered_at").max().cast(pl.Date)).item()
    first = int(cp["period"].min())  # type: ignore[arg-type]
    last = max(int(cp["period"].max()), pl.select(period_index(pl.lit(data_end), "month")).item())  # type: ignore[arg-type]
    w = window
    q, nq = pl.col("q"), pl.col("next_q")
    c = pl.col("customer_id")
    buys = cp.filter(pl.col("orders") > 0).select("customer_id", pl.col("period").cast(pl.Int32).alias("q"))
    # each customer's purchase months contiguous and in order: "next" is a shift guarded by "same customer"
    rows = (sort_runs(buys, "customer_id", ["q"]).lazy()
            .with_columns(pl.when(c.shift(-1) == c).then(q.shift(-1)).fill_null(_BIG).cast(pl.Int32).alias("next_q"),
                          (c.shift(1) != c).fill_null(True).alias("is_first"))
            .collect())
    gap = nq - q
    lapses = gap > w
    ev = rows.lazy()
    events = pl.concat([
        # active spans [q, q + min(W, gap) − 1]: +1 at q, −1 after
        ev.select(q.alias("period"), pl.lit(1).alias("d_active")),
        ev.select((q + pl.min_horizontal(gap, pl.lit(w))).alias("period"), pl.lit(-1).alias("d_active")),
        # lapsed ≤ 12: [q + W, min(q + W + 11, q' − 1)]; lapsed > 12: [q + W + 12, q' − 1]
        ev.filter(lapses).select((q + w).alias("period"), pl.lit(1).alias("d_le12")),
        ev.filter(lapses).select(pl.min_horizontal(q + w + 12, nq).alias("period"), pl.lit(-1).alias("d_le12")),
        ev.filter(gap > w + 12).select((q + w + 12).alias("period"), pl.lit(1).alias("d_gt12")),
        ev.filter(gap > w + 12).select(nq.alias("period"), pl.lit(-1).alias("d_gt12")),
        ev.filter(lapses).select((q + w).alias("period"), pl.lit(1).alias("churned")),
        ev.filter(lapses & (nq < _BIG)).select(nq.alias("period"), (gap - w <= 12).alias("_le"))
          .select("period", pl.col("_le").cast(pl.Int64).alias("reactivated_le12"),
                  (~pl.col("_le")).cast(pl.Int64).alias("reactivated_gt12")),
        ev.filter("is_first").select(q.alias("period"), pl.lit(1).alias("new_customers")),
    ], how="diagonal")
    sums = ("d_active", "d_le12", "d_gt12", "churned", "reactivated_le12", "reactivated_gt12", "new_customers")
    per = events.group_by(pl.col("period").cast(pl.Int32)).agg(pl.col(c).sum().cast(pl.Int64) for c in sums)
    money = cp.lazy().group_by(pl.col("period").cast(pl.Int32)).agg(
        pl.col("orders").sum().cast(pl.Int64), pl.col("revenue").sum().cast(pl.Float64))
    grid = pl.LazyFrame({"period": pl.int_range(first, last + 1, dtype=pl.Int32, eager=True)})
    end_next = pl.lit(data_end + timedelta(days=1))
    table = (grid.join(per, on="period", how="left").join(money, on="period", how="left")
             .with_columns(pl.col(*sums, "orders").fill_null(0), pl.col("revenue").fill_null(0.0))
             .sort("period")
             .with_columns(pl.col("d_active").cum_sum().alias("active"), pl.col("d_le12").cum_sum().alias("lapsed_le12"),
                           pl.col("d_gt12").cum_sum().alias("lapsed_gt12"))
             .with_columns(pl.col("active").shift(1, fill_value=0).alias("customers_start"))
             .with_columns((pl.col("customers_start") - pl.col("churned")).alias("retained"))
             .select("period", index_start(pl.col("period"), "month").alias("period_start"), "active", "customers_start",
                     "new_customers", "retained", "churned", "reactivated_le12", "reactivated_gt12", "lapsed_le12",
                     "lapsed_gt12", "orders", "revenue",
                     (index_start(pl.col("period") + 1, "month") <= end_next).alias("complete"))
             .collect())
    return Pools(table, rows, w)


def lapsed_by_age(pools: Pools, period: int) -> tuple[float, ...]:
    """Lapsed customers at month index ``period`` by lapse age 1 … 12 and 13+ (13 counts).

    A purchase row with ``g > W`` covers lapse ages ``m − (q + W − 1)`` for ``q + W ≤ m < q'``.
    """
    w = pools.window
    r = pools.rows.lazy().filter((pl.col("q") + w <= period) & (pl.col("next_q") > period))
    ages = (r.select(pl.min_horizontal(pl.lit(period) - pl.col("q") - w + 1, pl.lit(LAPSE_AGES)).alias("age"))
            .group_by("age").len().collect())
    counts = np.zeros(LAPSE_AGES)
    counts[ages["age"].to_numpy() - 1] = ages["len"].to_numpy()
    return tuple(float(x) for x in counts)


def baseline_at(pools: Pools, *, last: int | None = None, months: int = 12) -> Baseline:
    """The :class:`~retention_core.whatif.model.Baseline` at complete month index ``last`` (default: the
    last complete month), from the ``months`` complete months up to it (SPEC §6).

    ``r = Σ retained / Σ S``; ``q_b = Σ reactivated_b / Σ lapsed_b(month before)``; frequency =
    Σ orders / Σ active; AOV = Σ revenue / Σ orders; new customers and frequency (orders / active) per
    calendar month from the last 12 months when there are 12 (seasonal), else flat; active and
    lapsed-by-age at ``last``.

    Raises
    ------
    ParameterError
        ``months`` outside 2–36.
    NotEnoughDataError
        Fewer than 2 complete months up to ``last``, no customers at the start of any of them, or no orders.
    """
    if isinstance(months, bool) or not isinstance(months, int) or not 2 <= months <= 36:
        raise ParameterError("months", months, "a whole number of months from 2 to 36")
    done = pools.complete
    if last is not None:
        done = done.filter(pl.col("period") <= last)
    if done.height < 2:
        msg = (f"the what-if baseline needs at least 2 complete months of data; found {done.height} "
               "(the month the data ends inside of does not count). Load a longer period.")
        raise NotEnoughDataError(msg, complete_months=done.height)
    prev = done.select("period", pl.col("lapsed_le12").shift(1).alias("prev_le12"),
                       pl.col("lapsed_gt12").shift(1).alias("prev_gt12"))
    recent = done.join(prev, on="period").tail(months).filter(pl.col("period") > done["period"].min())
    s = recent.select(
        pl.col("retained").sum().alias("retained"), pl.col("customers_start").sum().alias("start"),
        pl.col("reactivated_le12").sum().alias("re1"), pl.col("reactivated_gt12").sum().alias("re2"),
        pl.col("prev_le12").sum().alias("l1"), pl.col("prev_gt12").sum().alias("l2"),
        pl.col("orders").sum().alias("orders"), pl.col("revenue").sum().alias("revenue"),
        pl.col("active").sum().alias("active"), pl.col("new_customers").cast(pl.Float64).mean().alias("new"),
        (pl.col("active") - pl.col("new_customers")).sum().alias("kept_or_back"),
    ).row(0, named=True)
    if not s["start"]:
        raise NotEnoughDataError("no customers at the start of the last complete months: the what-if model has no retention rate.")
    if not s["orders"]:
        raise NotEnoughDataError("no orders in the last complete months, so purchase frequency and AOV are unknown.")
    end = done.row(-1, named=True)
    seasonal = frequency = None
    if done.height >= 12:
        year = done.tail(12).select(pl.col("period_start").dt.month().alias("m"), "new_customers", "orders", "active")
        by_month = {row["m"]: row for row in year.iter_rows(named=True)}  # 12 rows
        seasonal = tuple(float(by_month[m]["new_customers"]) for m in range(1, 13))
        frequency = tuple(by_month[m]["orders"] / by_month[m]["active"] if by_month[m]["active"] else s["orders"] / s["active"]
                          for m in range(1, 13))
    return Baseline(
        last_month=end["period_start"], active_customers=float(end["active"]),
        retention_rate=s["retained"] / s["start"], new_customers=s["new"],
        purchase_frequency=s["orders"] / s["active"], aov=s["revenue"] / s["orders"],
        reactivation_rates=(s["re1"] / s["l1"] if s["l1"] else 0.0, s["re2"] / s["l2"] if s["l2"] else 0.0),
        lapsed_by_age=lapsed_by_age(pools, int(end["period"])), new_customers_seasonal=seasonal,
        frequency_seasonal=frequency,
        crr=s["kept_or_back"] / s["start"], reactivation_share=(s["re1"] + s["re2"]) / s["start"],
        months_used=recent.height, window=pools.window,
    )


def measure_baseline(orders: pl.DataFrame, *, window: int | ActivityWindow | None = None, months: int = 12,
                     data_end: date | None = None, periods: CustomerPeriods | None = None) -> Baseline:
    """The what-if baseline of ``orders`` (SPEC §6) at their last complete month.

    ``window`` is the activity window in months (default: :func:`activity_window` of these orders; pass
    the one measured on the unfiltered dataset, SPEC §4.1, when ``orders`` are a segment).

    Examples
    --------
    Ten customers buy every month Jan–Jun (W = 1): nobody leaves, r = 1, frequency 1, AOV 5.

    >>> orders = pl.DataFrame({"customer_id": [f"c{i}" for i in range(10)] * 6, "amount": [5.0] * 60,
    ...     "ordered_at": [date(2024, m, 3) for m in range(1, 7) for _ in range(10)]})
    >>> b = measure_baseline(orders, window=1, data_end=date(2024, 6, 30))
    >>> b.last_month, b.active_customers, b.retention_rate, b.purchase_frequency, b.aov, b.months_used
    (datetime.date(2024, 6, 1), 10.0, 1.0, 1.0, 5.0, 5)
    """
    if window is None:
        window = activity_window(orders, grain="month").periods
    elif isinstance(window, ActivityWindow):
        if window.grain != "month":
            raise ParameterError("window", window.grain, "an activity window in months")
        window = window.periods
    return baseline_at(monthly_pools(orders, window=window, data_end=data_end, periods=periods), months=months)


def month_index(day: date) -> int:
    """Month index of ``day`` (the :func:`~retention_core.periods.period_index` of months)."""
    return (day.year - 1970) * 12 + day.month - 1


__all__ = ["Pools", "baseline_at", "lapsed_by_age", "measure_baseline", "month_index", "monthly_pools"]
