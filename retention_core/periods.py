"""Period grains (SPEC §4): day, ISO week (Monday), month, quarter, half-year, year.

A period's label is its first day. Periods are also numbered by a dense integer *index* per grain
(months since 1970-01, weeks since the Monday 1969-12-29, …) so that "the previous period", "the W
periods ending at p" and "age k" are integer arithmetic in polars expressions.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal, get_args

import polars as pl

from retention_core.errors import ColumnNotFoundError, ParameterError, check_choice

Grain = Literal["day", "week", "month", "quarter", "half-year", "year"]
GRAINS: tuple[str, ...] = get_args(Grain)

# Months per period for the month-based grains.
_MONTHS = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}
# 1969-12-29 is a Monday: day offset that makes week index 0 start on a Monday.
_WEEK_EPOCH_SHIFT = 3  # 1970-01-01 (day 0) is a Thursday: Monday 1969-12-29 is day -3


def validate_grain(grain: str) -> Grain:
    """Return ``grain`` if it is a known grain, else raise :class:`ParameterError` listing them."""
    check_choice("grain", grain, GRAINS)
    return grain  # type: ignore[return-value]


def period_index(expr: pl.Expr, grain: Grain) -> pl.Expr:
    """Dense integer index of the period containing a date/datetime expression.

    Consecutive periods have consecutive indexes, so ``index − 1`` is the previous period.

    Examples
    --------
    >>> df = pl.DataFrame({"d": [date(1970, 1, 1), date(1970, 2, 28), date(1971, 1, 1)]})
    >>> df.select(period_index(pl.col("d"), "month")).to_series().to_list()
    [0, 1, 12]
    >>> df.select(period_index(pl.col("d"), "week")).to_series().to_list()
    [0, 8, 52]
    """
    validate_grain(grain)
    d = expr.cast(pl.Date)
    if grain == "day":
        return d.cast(pl.Int32)
    if grain == "week":
        return ((d.cast(pl.Int32) + _WEEK_EPOCH_SHIFT) // 7).cast(pl.Int32)
    months = (d.dt.year().cast(pl.Int32) - 1970) * 12 + d.dt.month().cast(pl.Int32) - 1
    return (months // _MONTHS[grain]).cast(pl.Int32)


def index_start(expr: pl.Expr, grain: Grain) -> pl.Expr:
    """First day (``pl.Date``) of the period with the given index (inverse of :func:`period_index`).

    Examples
    --------
    >>> df = pl.DataFrame({"i": [0, 1, 12]})
    >>> df.select(index_start(pl.col("i"), "quarter")).to_series().to_list()
    [datetime.date(1970, 1, 1), datetime.date(1970, 4, 1), datetime.date(1973, 1, 1)]
    """
    validate_grain(grain)
    i = expr.cast(pl.Int32)
    if grain == "day":
        return i.cast(pl.Date)
    if grain == "week":
        return (i * 7 - _WEEK_EPOCH_SHIFT).cast(pl.Date)
    months = i * _MONTHS[grain]
    return pl.date(1970 + months // 12, months % 12 + 1, 1)


def period_start(expr: pl.Expr, grain: Grain) -> pl.Expr:
    """First day of the period containing each date (the period's label).

    Examples
    --------
    >>> df = pl.DataFrame({"d": [date(2024, 5, 17), date(2024, 12, 31)]})
    >>> df.select(period_start(pl.col("d"), "week")).to_series().to_list()
    [datetime.date(2024, 5, 13), datetime.date(2024, 12, 30)]
    >>> df.select(period_start(pl.col("d"), "half-year")).to_series().to_list()
    [datetime.date(2024, 1, 1), datetime.date(2024, 7, 1)]
    """
    return index_start(period_index(expr, grain), grain)


def start_of(day: date, grain: Grain) -> date:
    """Python-side :func:`period_start` for one date.

    Examples
    --------
    >>> start_of(date(2024, 2, 29), "quarter")
    datetime.date(2024, 1, 1)
    """
    return pl.select(period_start(pl.lit(day), grain)).item()


def next_start(day: date, grain: Grain) -> date:
    """First day of the period after the one containing ``day``.

    Examples
    --------
    >>> next_start(date(2024, 12, 15), "month")
    datetime.date(2025, 1, 1)
    >>> next_start(date(2024, 5, 17), "week")
    datetime.date(2024, 5, 20)
    """
    idx = pl.select(period_index(pl.lit(day), grain)).item()
    return pl.select(index_start(pl.lit(idx + 1), grain)).item()


def within(
    table: pl.DataFrame,
    date_from: date | None,
    date_to: date | None,
    *,
    grain: Grain,
    column: str = "period_start",
) -> pl.DataFrame:
    """The rows of a period table whose period overlaps the days ``date_from … date_to`` (SPEC §4, §7).

    A period [start, next start) overlaps the range when start ≥ start_of(date_from) and
    start ≤ date_to; a ``None`` end leaves that side open. Pages compute periods on full history
    (who is new needs every earlier order) and show the sidebar's date range with this.

    Parameters
    ----------
    table
        A frame with a Date column of period starts (``period_start``; ``cohort`` for cohorts).
    date_from, date_to
        First and last day of the range (inclusive); either may be ``None``.
    grain
        The grain of the periods in ``column``.
    column
        The period-start column.

    Returns
    -------
    pl.DataFrame
        The overlapping rows, in their order, all columns kept.

    Raises
    ------
    ColumnNotFoundError
        ``column`` is missing.
    ParameterError
        Unknown grain.

    Examples
    --------
    15 Jan … 10 Mar touches January, February and March, not April.

    >>> t = pl.DataFrame({"period_start": [date(2024, m, 1) for m in (1, 2, 3, 4)], "v": [1, 2, 3, 4]})
    >>> within(t, date(2024, 1, 15), date(2024, 3, 10), grain="month")["v"].to_list()
    [1, 2, 3]
    >>> within(t, None, date(2024, 1, 31), grain="month")["v"].to_list()
    [1]
    >>> within(t, None, None, grain="month", column="cohort")
    Traceback (most recent call last):
    ...
    retention_core.errors.ColumnNotFoundError: period column "cohort" not found; available: period_start, v
    """
    validate_grain(grain)
    if column not in table.columns:
        raise ColumnNotFoundError.from_missing(column, table.columns, role="period")
    keep = pl.lit(True)
    if date_from is not None:
        keep = keep & (pl.col(column) >= pl.lit(start_of(date_from, grain)))
    if date_to is not None:
        keep = keep & (pl.col(column) <= pl.lit(date_to))
    return table.filter(keep)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> timedelta:
    """Parse ``45s``, ``10m``, ``2h``, ``14d``, ``2w`` into a timedelta (SPEC §8 ``--window``).

    Examples
    --------
    >>> parse_duration("7d")
    datetime.timedelta(days=7)
    >>> parse_duration("90m").total_seconds()
    5400.0
    >>> parse_duration("soon")
    Traceback (most recent call last):
    ...
    retention_core.errors.ParameterError: window='soon' is not allowed; expected a number and a unit: 45s, 10m, 2h, 14d, 2w
    """
    m = _DURATION.match(str(text))
    if not m:
        raise ParameterError("window", text, "a number and a unit: 45s, 10m, 2h, 14d, 2w")
    return timedelta(seconds=float(m.group(1)) * _UNIT_SECONDS[m.group(2)])
