"""The what-if honesty check (SPEC §6 "Backtest"): the model against what really happened.

The same model, measured only on the months up to ``H`` months before the last complete month
(``H`` = the horizon, or half the complete history if that is shorter), projects ``H`` months with
no levers; the projection is compared with the months that followed: active customers and revenue
per month, their absolute percentage errors by month ahead and the mean of each (MAPE). The band
drawn around a projection is that error at each month ahead (beyond ``H`` months ahead, the largest
error the backtest saw), not a guess.

The activity window ``W`` is the one in force for the dataset (measured on all of it, SPEC §4.1):
the backtest checks the model, not the choice of ``W``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from retention_core.whatif.measure import Pools, baseline_at
from retention_core.whatif.model import Scenario, project

MIN_MONTHS_AHEAD = 3
"""A backtest shorter than this many months says too little: it is skipped with a reason."""


@dataclass(frozen=True)
class Backtest:
    """Backtest of the model (SPEC §6). ``from_month``: the last month the model saw; ``months``: the
    months it projected. ``ape_*``: |projected − actual| / actual per month ahead (null when actual is 0)."""

    from_month: date
    months: tuple[date, ...]
    actual_active: tuple[float, ...]
    actual_revenue: tuple[float, ...]
    projected_active: tuple[float, ...]
    projected_revenue: tuple[float, ...]
    ape_active: tuple[float | None, ...]
    ape_revenue: tuple[float | None, ...]
    mape_active: float | None
    mape_revenue: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "from_month": self.from_month.isoformat(),
            "months": [m.isoformat() for m in self.months],
            "actual": {"active_customers": list(self.actual_active), "revenue": list(self.actual_revenue)},
            "projected": {"active_customers": list(self.projected_active), "revenue": list(self.projected_revenue)},
            "mape_active": self.mape_active,
            "mape_revenue": self.mape_revenue,
            "error_by_month_ahead": {"active_customers": list(self.ape_active), "revenue": list(self.ape_revenue)},
        }


@dataclass(frozen=True)
class NoBacktest:
    """Why there is no backtest (SPEC §6: null with the reason)."""

    reason: str
    complete_months: int


def _ape(projected: np.ndarray, actual: np.ndarray) -> list[float | None]:
    return [None if a == 0 else float(abs(p - a) / abs(a)) for p, a in zip(projected, actual, strict=True)]


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


def backtest(pools: Pools, *, horizon: int, months: int = 12) -> Backtest | NoBacktest:
    """Project ``H`` months from ``H`` months before the last complete month with no levers; compare.

    ``H = min(horizon, complete months // 2)``; :class:`NoBacktest` when ``H`` < 3 (the reason says
    how many complete months there are and how many are needed).

    Examples
    --------
    A shop where the same 10 customers buy every month for a year: the model (r = 1, no new) is exact.

    >>> from retention_core.whatif.measure import monthly_pools
    >>> orders = pl.DataFrame({"customer_id": [f"c{i}" for i in range(10)] * 12, "amount": [5.0] * 120,
    ...     "ordered_at": [date(2024, m, 3) for m in range(1, 13) for _ in range(10)]})
    >>> bt = backtest(monthly_pools(orders, window=1, data_end=date(2024, 12, 31)), horizon=12)
    >>> bt.from_month, len(bt.months), bt.mape_active, bt.mape_revenue
    (datetime.date(2024, 6, 1), 6, 0.0, 0.0)
    """
    done = pools.complete
    n = done.height
    h = min(int(horizon), n // 2)
    if h < MIN_MONTHS_AHEAD:
        reason = (f"the backtest needs at least {2 * MIN_MONTHS_AHEAD} complete months of history "
                  f"(it projects half of them from the other half); found {n}.")
        return NoBacktest(reason, n)
    origin = int(done["period"][n - 1 - h])
    base = baseline_at(pools, last=origin, months=months)
    p = project(base, Scenario(name="backtest", horizon=max(h, 3)))
    after = done.filter(pl.col("period") > origin).head(h)
    actual_a = after["active"].cast(pl.Float64).to_numpy()
    actual_r = after["revenue"].to_numpy()
    proj_a = p["baseline_active_customers"].to_numpy()[:h]
    proj_r = p["baseline_revenue"].to_numpy()[:h]
    ape_a, ape_r = _ape(proj_a, actual_a), _ape(proj_r, actual_r)
    return Backtest(
        from_month=base.last_month, months=tuple(after["period_start"].to_list()),
        actual_active=tuple(actual_a.tolist()), actual_revenue=tuple(actual_r.tolist()),
        projected_active=tuple(proj_a.tolist()), projected_revenue=tuple(proj_r.tolist()),
        ape_active=tuple(ape_a), ape_revenue=tuple(ape_r),
        mape_active=_mean(ape_a), mape_revenue=_mean(ape_r),
    )


def _errors(values: tuple[float | None, ...], horizon: int) -> np.ndarray:
    """Error at months ahead 1 … horizon: the backtest's, then its largest beyond its own length."""
    seen = [0.0 if v is None else v for v in values]
    worst = max(seen) if seen else 0.0
    return np.array([seen[k] if k < len(seen) else worst for k in range(horizon)])


def error_band(projection: pl.DataFrame, bt: Backtest) -> pl.DataFrame:
    """The band around a projection: each value × (1 ± the backtest's error that many months ahead).

    Customers take the error of active customers; revenue and cumulative gross profit that of revenue.

    Returns
    -------
    pl.DataFrame
        ``month``, ``period_start`` and ``{baseline,scenario}_{active_customers,revenue,
        cumulative_gross_profit}_{low,high}`` (Float64), the shape the projection chart draws.
    """
    h = projection.height
    err = {"active_customers": _errors(bt.ape_active, h), "revenue": _errors(bt.ape_revenue, h)}
    err["cumulative_gross_profit"] = err["revenue"]
    cols: dict[str, Any] = {}
    for w in ("baseline", "scenario"):
        for m, e in err.items():
            v = projection[f"{w}_{m}"].to_numpy()
            lo, hi = v * (1 - e), v * (1 + e)
            cols[f"{w}_{m}_low"], cols[f"{w}_{m}_high"] = np.minimum(lo, hi), np.maximum(lo, hi)
    return projection.select("month", "period_start").with_columns(
        **{k: pl.Series(v, dtype=pl.Float64) for k, v in cols.items()})


__all__ = ["MIN_MONTHS_AHEAD", "Backtest", "NoBacktest", "backtest", "error_band"]
