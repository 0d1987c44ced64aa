"""Comparisons (SPEC §7.1): a period against the previous one or the same period a year earlier, a date range
against another, and segment values side by side.

Works on a period table (:func:`~retention_core.retention.flows.period_metrics` columns). Over a range of
periods, flows and money add up (``new_customers``, ``churned``, ``revenue``, …), stocks average
(``customers_start``, ``customers_end``) and a ratio is pooled from its parts — CRR over Jan–Mar is
Σ(E − N) / ΣS, not the mean of three CRRs. Ratios whose parts are not in the period table (``nrr``,
``revenue_churn_rate``) have no range value (null).
"""

from __future__ import annotations

from datetime import date
from typing import Literal, get_args

import polars as pl

from retention_core.definitions import METRIC_BY_KEY
from retention_core.errors import ColumnNotFoundError, ParameterError, check_choice
from retention_core.periods import Grain, validate_grain
from retention_core.retention.flows import as_date, period_metrics, ratio
from retention_core.retention.kpis import Kpi, kpis

CompareBasis = Literal["previous", "last_year", "custom"]
"""What a tile is compared with: the previous period, the same period a year earlier, another date range."""

OTHER = "(other)"
"""The group of every segment value outside the top N (:func:`segment_period_metrics`)."""

_SUMS = ("new_customers", "retained", "reactivated", "churned", "returning_customers", "revenue", "orders",
         "churned_new", "new_mrr", "churned_mrr")
_MEANS = ("customers_start", "customers_end", "mrr_start")
_POOLED: dict[str, tuple[pl.Expr, pl.Expr]] = {
    "crr": (pl.col("customers_end") - pl.col("new_customers"), pl.col("customers_start")),
    "retention_rate": (pl.col("retained"), pl.col("customers_start")),
    "churn_rate": (pl.col("churned"), pl.col("customers_start")),
    "reactivation_share": (pl.col("reactivated"), pl.col("customers_start")),
    "total_churn_rate": (pl.col("churned") + pl.col("churned_new"), pl.col("customers_start")),
    "aov": (pl.col("revenue"), pl.col("orders")),
    "arpu": (pl.col("revenue"), pl.col("customers_end")),
    "purchase_frequency": (pl.col("orders"), pl.col("customers_end")),
    "repeat_revenue_share": (pl.col("revenue") * pl.col("repeat_revenue_share"), pl.col("revenue")),
    "mrr_churn_rate": (pl.col("churned_mrr"), pl.col("mrr_start")),
}


def _change(key: str, value: float | None, previous: float | None) -> tuple[float | None, bool]:
    points = key in METRIC_BY_KEY and METRIC_BY_KEY[key].unit == "ratio"
    if value is None or previous is None:
        return None, points
    if points:
        return value - previous, points
    return ((value - previous) / abs(previous) if previous else None), points


def _kpi(key: str, start: date | None, value: float | None, previous: float | None) -> Kpi:
    change, points = _change(key, value, previous)
    metric = METRIC_BY_KEY.get(key)
    return Kpi(key, start, value, previous, change, points, metric.higher_is_better if metric else None)


def _check(periods: pl.DataFrame, keys: list[str]) -> None:
    missing = [k for k in ("period_start", *keys) if k not in periods.columns]
    if missing:
        raise ColumnNotFoundError.from_missing(missing[0], periods.columns, role="metric")


def range_values(periods: pl.DataFrame, keys: list[str], *, start: date, end: date) -> dict[str, float | None]:
    """Each metric over the periods whose start lies in [start, end]: sums, means of stocks, pooled ratios.

    Examples
    --------
    Two months: S 10 and 30, E − N 8 and 21 ⇒ pooled CRR 29 / 40 (the mean of 0.8 and 0.7 would be 0.75).

    >>> t = pl.DataFrame({"period_start": [date(2024, 1, 1), date(2024, 2, 1)], "customers_start": [10, 30],
    ...     "customers_end": [12, 26], "new_customers": [4, 5], "revenue": [100.0, 50.0]})
    >>> range_values(t, ["crr", "revenue", "customers_end"], start=date(2024, 1, 1), end=date(2024, 2, 29))
    {'crr': 0.725, 'revenue': 150.0, 'customers_end': 19.0}
    """
    _check(periods, [k for k in keys if k in _SUMS or k in _MEANS])
    rows = periods.filter(pl.col("period_start").is_between(as_date(start), as_date(end)))
    exprs = []
    for key in keys:
        if key in _POOLED and all(c in periods.columns for c in _POOLED[key][0].meta.root_names()
                                  + _POOLED[key][1].meta.root_names()):
            num, den = _POOLED[key]
            exprs.append(ratio(num.sum(), den.sum()).alias(key))
        elif key in _SUMS:
            exprs.append(pl.col(key).sum().cast(pl.Float64).alias(key))
        elif key in _MEANS:
            exprs.append(pl.col(key).mean().cast(pl.Float64).alias(key))
        else:
            exprs.append(pl.lit(None, pl.Float64).alias(key))
    if rows.height == 0:
        return dict.fromkeys(keys)
    return rows.select(exprs).row(0, named=True)


def compared_kpis(
    periods: pl.DataFrame,
    keys: list[str],
    *,
    basis: CompareBasis = "previous",
    include_incomplete: bool = False,
    current: tuple[date, date] | None = None,
    baseline: tuple[date, date] | None = None,
) -> list[Kpi]:
    """KPI tiles compared per ``basis`` (SPEC §7.1).

    previous: the latest period vs the one before (:func:`~retention_core.retention.kpis.kpis`); last_year:
    the latest period vs the period starting one year earlier (null when the data has none); custom: the
    metrics over ``current`` vs over ``baseline`` (each a (first day, last day) range; see :func:`range_values`),
    ``period_start`` = the current range's first day.

    Raises
    ------
    ParameterError
        Unknown basis; ``custom`` without both ranges.
    ColumnNotFoundError
        A metric is not in the period table.

    Examples
    --------
    >>> t = pl.DataFrame({"period_start": [date(2023, 3, 1), date(2024, 2, 1), date(2024, 3, 1)],
    ...     "crr": [0.5, 0.6, 0.7], "revenue": [100.0, 90.0, 120.0], "incomplete": [False, False, False]})
    >>> crr, revenue = compared_kpis(t, ["crr", "revenue"], basis="last_year")
    >>> crr.previous, round(crr.change, 3), revenue.previous, round(revenue.change, 3)
    (0.5, 0.2, 100.0, 0.2)
    """
    check_choice("basis", basis, get_args(CompareBasis))
    if basis != "custom":
        _check(periods, keys)
    if basis == "previous":
        return kpis(periods, keys, include_incomplete=include_incomplete)
    if basis == "custom":
        if current is None or baseline is None:
            raise ParameterError("baseline", baseline, "two date ranges (first day, last day) for a custom comparison")
        now = range_values(periods, keys, start=current[0], end=current[1])
        then = range_values(periods, keys, start=baseline[0], end=baseline[1])
        return [_kpi(k, as_date(current[0]), now[k], then[k]) for k in keys]
    rows = periods if include_incomplete or "incomplete" not in periods.columns else periods.filter(~pl.col("incomplete"))
    if rows.height == 0:
        return [_kpi(k, None, None, None) for k in keys]
    latest = rows.sort("period_start").row(-1, named=True)
    start: date = latest["period_start"]
    try:
        year_ago = start.replace(year=start.year - 1)
    except ValueError:  # 29 February
        year_ago = start.replace(year=start.year - 1, day=28)
    # the period of the previous year that holds the same day (the table lists every period, so the last one
    # starting on or before that day holds it; none when the data starts later)
    earlier = periods.filter(pl.col("period_start") <= year_ago).sort("period_start").tail(1)
    old = earlier.row(0, named=True) if earlier.height else {}
    return [_kpi(k, start, latest[k], old.get(k)) for k in keys]


def top_values(table: pl.DataFrame, segment: str, *, top: int, by: str = "customer_id") -> list[str]:
    """The ``top`` segment values with the most distinct ``by`` (ties: by value), as text; null is left out.

    Raises
    ------
    ColumnNotFoundError
        ``segment`` is not a column.
    ParameterError
        ``top`` is not a whole number ≥ 1.

    Examples
    --------
    >>> t = pl.DataFrame({"customer_id": list("abcde"), "ch": ["x", "y", "y", "z", "z"]})
    >>> top_values(t, "ch", top=2)
    ['y', 'z']
    """
    if segment not in table.columns:
        raise ColumnNotFoundError.from_missing(segment, table.columns, role="segment")
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ParameterError("top", top, "a whole number ≥ 1")
    return (
        table.filter(pl.col(segment).is_not_null())
        .group_by(pl.col(segment).cast(pl.String))
        .agg(pl.col(by).n_unique().alias("n"))
        .sort(["n", segment], descending=[True, False])
        .head(top)[segment]
        .to_list()
    )


def _grouped(orders: pl.DataFrame, segment: str, top: int) -> tuple[list[str], pl.DataFrame]:
    keep = top_values(orders, segment, top=top)
    value = pl.col(segment).cast(pl.String)
    group = pl.when(value.is_in(keep)).then(value).otherwise(pl.lit(OTHER)).alias("segment_value")
    framed = orders.with_columns(group)
    labels = keep + ([OTHER] if framed.filter(pl.col("segment_value") == OTHER).height else [])
    return labels, framed


def segment_period_metrics(
    orders: pl.DataFrame, *, segment: str, top: int = 5, grain: Grain = "month", window: int = 1,
    data_end: date | None = None,
) -> pl.DataFrame:
    """Period metrics per segment value, the ``top`` values by customers and the rest as :data:`OTHER` (SPEC §7.1).

    Each group is its own customer base (a customer in two values counts in both, by the orders in each);
    a group's rows run from its own first period to the whole table's ``data_end``.

    Returns
    -------
    pl.DataFrame
        ``segment_value`` (String, top values first in rank order, then :data:`OTHER`) and the
        :func:`~retention_core.retention.flows.period_metrics` columns.

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "a", "c"], "amount": [10.0, 20.0, 15.0, 5.0],
    ...     "ordered_at": [date(2024, 1, 5), date(2024, 1, 9), date(2024, 2, 2), date(2024, 2, 20)],
    ...     "channel": ["web", "shop", "web", "shop"]})
    >>> segment_period_metrics(orders, segment="channel", top=1).select("segment_value", "customers_end").rows()
    [('shop', 1), ('shop', 1), ('(other)', 1), ('(other)', 1)]
    """
    validate_grain(grain)
    labels, framed = _grouped(orders, segment, top)
    end = as_date(data_end) or orders.select(pl.col("ordered_at").max().cast(pl.Date)).item()
    parts = [
        period_metrics(framed.filter(pl.col("segment_value") == label), grain=grain, window=window, data_end=end)
        .with_columns(pl.lit(label).alias("segment_value"))
        for label in labels  # one group per value: at most top + 1 runs, each columnar
    ]
    if not parts:
        return period_metrics(orders.clear(), grain=grain).with_columns(pl.lit(None, pl.String).alias("segment_value"))
    return pl.concat(parts).select("segment_value", pl.exclude("segment_value"))


def segment_retention_curves(
    orders: pl.DataFrame, *, segment: str, top: int = 5, grain: Grain = "month", value: str = "customers",
    mode: str = "on", weighting: str = "size",
) -> pl.DataFrame:
    """The average cohort curve (:func:`~retention_core.retention.cohorts.retention_curve`) per segment value:
    the ``top`` values by customers, the rest as :data:`OTHER` (SPEC §7.1 "cohort curves per segment").

    A customer's cohort is their first order within the value's orders.

    Returns
    -------
    pl.DataFrame
        ``segment_value`` (String), ``age`` (Int32), ``value`` (Float64), ``cohorts`` (Int64).

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "a"], "amount": [10.0, 20.0, 5.0],
    ...     "ordered_at": [date(2024, 1, 5), date(2024, 1, 9), date(2024, 2, 10)], "ch": ["x", "y", "x"]})
    >>> segment_retention_curves(orders, segment="ch", top=2).rows()
    [('x', 0, 1.0, 1), ('y', 0, 1.0, 1)]
    """
    from retention_core.retention.cohorts import cohort_matrix, retention_curve

    labels, framed = _grouped(orders, segment, top)
    end = orders.select(pl.col("ordered_at").max().cast(pl.Date)).item()
    parts = [
        retention_curve(
            cohort_matrix(framed.filter(pl.col("segment_value") == label), grain=grain, value=value, mode=mode,  # type: ignore[arg-type]
                          data_end=end),
            weighting=weighting,  # type: ignore[arg-type]
        ).with_columns(pl.lit(label).alias("segment_value"))
        for label in labels
    ]
    schema = {"segment_value": pl.String, "age": pl.Int32, "value": pl.Float64, "cohorts": pl.Int64}
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts).select(list(schema))


def compared_trend(
    periods: pl.DataFrame,
    key: str,
    *,
    basis: CompareBasis = "last_year",
    current: tuple[date, date] | None = None,
    baseline: tuple[date, date] | None = None,
) -> pl.DataFrame:
    """A metric's trend next to what it is compared with, aligned period by period (SPEC §7.1).

    last_year: each period with the value of the period a year earlier that holds the same day (null when the
    data has none); previous: with the period before; custom: the n-th period of ``current`` with the n-th of
    ``baseline``.

    Returns
    -------
    pl.DataFrame
        ``period_start`` (Date), ``value``, ``compared_start`` (Date), ``compared_value`` (Float64), sorted by period.

    Examples
    --------
    >>> t = pl.DataFrame({"period_start": [date(2023, 1, 1), date(2023, 2, 1), date(2024, 1, 1), date(2024, 2, 1)],
    ...     "crr": [0.5, 0.6, 0.7, 0.8]})
    >>> compared_trend(t, "crr").filter(pl.col("period_start").dt.year() == 2024)["compared_value"].to_list()
    [0.5, 0.6]
    >>> compared_trend(t, "crr", basis="custom", current=(date(2024, 1, 1), date(2024, 2, 29)),
    ...     baseline=(date(2023, 1, 1), date(2023, 2, 28)))["compared_value"].to_list()
    [0.5, 0.6]
    """
    check_choice("basis", basis, get_args(CompareBasis))
    _check(periods, [key])
    rows = periods.select("period_start", pl.col(key).cast(pl.Float64).alias("value")).sort("period_start")
    if basis == "custom":
        if current is None or baseline is None:
            raise ParameterError("baseline", baseline, "two date ranges (first day, last day) for a custom comparison")
        def part(a: date, b: date, name: str) -> pl.DataFrame:
            return (rows.filter(pl.col("period_start").is_between(as_date(a), as_date(b)))
                    .with_row_index("n").rename({"period_start": f"{name}_start", "value": f"{name}_value"}))
        now, then = part(*current, "period"), part(*baseline, "compared")
        return (now.join(then, on="n", how="left").select(
            "period_start", pl.col("period_value").alias("value"), "compared_start", "compared_value"))
    if basis == "previous":
        return rows.with_columns(pl.col("period_start").shift(1).alias("compared_start"),
                                 pl.col("value").shift(1).alias("compared_value"))
    year_ago = pl.col("period_start").dt.offset_by("-1y").alias("_year_ago")
    earlier = rows.select(pl.col("period_start").alias("compared_start"), pl.col("value").alias("compared_value"))
    return (
        rows.with_columns(year_ago)
        .join_asof(earlier, left_on="_year_ago", right_on="compared_start", strategy="backward")
        .select("period_start", "value", "compared_start", "compared_value")
    )


__all__ = [
    "OTHER", "CompareBasis", "compared_kpis", "compared_trend", "range_values", "segment_period_metrics", "segment_retention_curves",
    "top_values",
]
