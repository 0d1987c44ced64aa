"""KPI tiles: each metric's latest value and its change vs the previous period (SPEC §7 Overview).

Works on a period table (SPEC §8 ``metrics`` columns). By default the comparison uses the last two
*complete* periods, so an export taken mid-month never shows up as a churn spike; with
``include_incomplete=True`` the incomplete last period is compared as it stands.
Ratios change in points (0.012 = +1.2 pp); counts and money change relatively (0.05 = +5 %).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from retention_core.definitions import METRIC_BY_KEY
from retention_core.errors import ColumnNotFoundError


@dataclass(frozen=True)
class Kpi:
    """One tile: the metric, the period shown, its value, the previous value and the change."""

    key: str
    period_start: date | None
    value: float | None
    previous: float | None
    change: float | None  # points for ratios, relative change for the rest
    change_is_points: bool
    higher_is_better: bool | None


def kpis(periods: pl.DataFrame, keys: list[str], *, include_incomplete: bool = False) -> list[Kpi]:
    """Latest value and change vs the previous period for each metric in ``keys``.

    Examples
    --------
    Three months, the last incomplete: the tile shows February vs January.

    >>> t = pl.DataFrame({"period_start": [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)],
    ...     "crr": [0.5, 0.6, 0.1], "revenue": [100.0, 120.0, 10.0], "incomplete": [False, False, True]})
    >>> crr, revenue = kpis(t, ["crr", "revenue"])
    >>> crr.period_start, crr.value, round(crr.change, 3), crr.change_is_points
    (datetime.date(2024, 2, 1), 0.6, 0.1, True)
    >>> round(revenue.change, 3)
    0.2
    """
    missing = [k for k in keys if k not in periods.columns]
    if missing:
        raise ColumnNotFoundError.from_missing(missing[0], periods.columns, role="metric")
    rows = periods if include_incomplete or "incomplete" not in periods.columns else periods.filter(~pl.col("incomplete"))
    rows = rows.sort("period_start").tail(2)
    out = []
    for key in keys:
        metric = METRIC_BY_KEY.get(key)
        points = metric is not None and metric.unit == "ratio"
        values = rows[key].to_list() if rows.height else []
        value = values[-1] if values else None
        previous = values[-2] if len(values) == 2 else None
        if value is None or previous is None:
            change = None
        elif points:
            change = value - previous
        else:
            change = (value - previous) / abs(previous) if previous else None
        out.append(Kpi(key, rows["period_start"][-1] if rows.height else None, value, previous, change, points,
                       metric.higher_is_better if metric else None))
    return out


def with_returning(periods: pl.DataFrame) -> pl.DataFrame:
    """The period table with ``returning_customers`` = E − N = retained + reactivated (SPEC §4.1).

    Customers active in p who are not new in p: the "returning" side of new vs returning.

    Raises
    ------
    ColumnNotFoundError
        ``customers_end`` or ``new_customers`` is missing.

    Examples
    --------
    >>> t = pl.DataFrame({"customers_end": [8, 10], "new_customers": [8, 3]})
    >>> with_returning(t)["returning_customers"].to_list()
    [0, 7]
    """
    for column in ("customers_end", "new_customers"):
        if column not in periods.columns:
            raise ColumnNotFoundError.from_missing(column, periods.columns, role="metric")
    return periods.with_columns((pl.col("customers_end") - pl.col("new_customers")).alias("returning_customers"))


def incomplete_start(periods: pl.DataFrame) -> date | None:
    """The start of the incomplete period (the data ends inside it) in a period table, or None.

    Examples
    --------
    >>> t = pl.DataFrame({"period_start": [date(2024, 1, 1), date(2024, 2, 1)], "incomplete": [False, True]})
    >>> incomplete_start(t), incomplete_start(t.head(1))
    (datetime.date(2024, 2, 1), None)
    """
    if "incomplete" not in periods.columns:
        return None
    return periods.filter(pl.col("incomplete"))["period_start"].min()
