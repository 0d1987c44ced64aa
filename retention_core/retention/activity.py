"""The activity window ``W`` (SPEC §4.1): how long a customer counts as active after a purchase.

"Bought in this calendar month" is no definition of a customer for a shop whose customers buy every
three months, so the default ``W`` is the shop's purchase cycle, measured from the data:

* repeat gaps = days between consecutive distinct purchase days of the same customer (orders with
  amount ≥ 0; refunds are not purchases), over the whole dataset — callers pass the orders *before*
  segment and date filters, so a filter never changes the definition;
* purchase cycle = the 80th percentile of those gaps, by nearest rank: the smallest gap ``g`` such
  that at least 80 % of the gaps are ≤ ``g`` (so "80 % of repeat purchases come within g days" is
  literally true);
* ``W`` = cycle / days per period, rounded up, clamped to 1 … one year of periods;
* fewer than :data:`MIN_REPEAT_GAPS` gaps: ``W = 1`` and ``source = "too_few_repeats"``.

A user override wins (``source = "user"``); the measured cycle is still reported beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, TypedDict, get_args

import polars as pl

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.periods import Grain, validate_grain

WindowSource = Literal["purchase_cycle", "user", "too_few_repeats"]
WINDOW_SOURCES: tuple[str, ...] = get_args(WindowSource)

MIN_REPEAT_GAPS = 30
"""Below this many repeat gaps the cycle is not measured: ``W = 1``."""

CYCLE_QUANTILE = 0.8
"""The share of repeat purchases that must fall within the cycle."""

DAYS_PER_PERIOD: dict[str, float] = {
    "day": 1.0, "week": 7.0, "month": 365.25 / 12, "quarter": 365.25 / 4, "half-year": 365.25 / 2, "year": 365.25,
}
"""Days in one period of each grain (a month is 365.25 / 12 days)."""

MAX_PERIODS: dict[str, int] = {"day": 365, "week": 52, "month": 12, "quarter": 4, "half-year": 2, "year": 1}
"""One year of periods: the longest window the rule chooses."""


class ActivityWindowJSON(TypedDict):
    periods: int
    grain: str
    source: str
    cycle_days: int | None
    repeat_gaps: int


@dataclass(frozen=True)
class ActivityWindow:
    """The activity window in force and where it came from (SPEC §4.1 ``activity_window``).

    ``periods`` is ``W`` in ``grain``; ``cycle_days`` the measured purchase cycle (None when there were
    too few repeat gaps to measure one); ``repeat_gaps`` how many gaps it was measured on.
    """

    periods: int
    grain: Grain
    source: WindowSource
    cycle_days: int | None
    repeat_gaps: int

    def __post_init__(self) -> None:
        validate_grain(self.grain)
        if self.source not in WINDOW_SOURCES:
            raise ParameterError("source", self.source, WINDOW_SOURCES)
        check_window(self.periods)

    def to_json(self) -> ActivityWindowJSON:
        return {"periods": self.periods, "grain": self.grain, "source": self.source,
                "cycle_days": self.cycle_days, "repeat_gaps": self.repeat_gaps}


def check_window(periods: int) -> int:
    """``periods`` if it is a whole number ≥ 1, else :class:`ParameterError`."""
    if isinstance(periods, bool) or not isinstance(periods, int) or periods < 1:
        raise ParameterError("window", periods, "a whole number of periods ≥ 1")
    return periods


def repeat_gaps(orders: pl.DataFrame) -> pl.Series:
    """Days between consecutive distinct purchase days of each customer (``Int64``, one value per gap).

    Purchases are orders with ``amount ≥ 0`` (SPEC §4.1: refunds are not orders); several orders on one
    day are one purchase day.

    Examples
    --------
    a buys on Jan 1, Jan 1, Jan 11 and Feb 10 (gaps 10, 30); b once; a refund is not a purchase.

    >>> orders = pl.DataFrame({"customer_id": ["a", "a", "a", "a", "b", "b"],
    ...     "ordered_at": [date(2024, 1, 1), date(2024, 1, 1), date(2024, 1, 11), date(2024, 2, 10),
    ...                    date(2024, 1, 5), date(2024, 3, 5)],
    ...     "amount": [5.0, 1.0, 2.0, 3.0, 4.0, -4.0]})
    >>> sorted(repeat_gaps(orders).to_list())
    [10, 30]
    """
    for column in ("customer_id", "ordered_at", "amount"):
        if column not in orders.columns:
            raise ColumnNotFoundError.from_missing(column, orders.columns)
    days = (orders.lazy()
            .filter(pl.col("amount") >= 0)
            .select("customer_id", pl.col("ordered_at").cast(pl.Date).alias("day"))
            .unique()
            .sort("customer_id", "day")
            .select((pl.col("day") - pl.col("day").shift(1).over("customer_id")).dt.total_days().alias("gap_days"))
            .drop_nulls()
            .collect())
    return days.get_column("gap_days").cast(pl.Int64)


def cycle_days(gaps: pl.Series) -> int | None:
    """The 80th percentile of the gaps by nearest rank (None for no gaps).

    Examples
    --------
    Ten gaps 1…10: 80 % of them are ≤ 8, and 8 is the smallest such gap.

    >>> cycle_days(pl.Series(range(1, 11)))
    8
    >>> cycle_days(pl.Series([], dtype=pl.Int64)) is None
    True
    """
    n = gaps.len()
    if n == 0:
        return None
    rank = math.ceil(CYCLE_QUANTILE * n)  # 1-based nearest rank
    return int(gaps.sort()[rank - 1])


def periods_for(days: float, grain: Grain) -> int:
    """``days`` expressed in ``grain``, rounded up, clamped to 1 … one year of periods.

    Examples
    --------
    >>> periods_for(119, "month"), periods_for(119, "week"), periods_for(119, "quarter")
    (4, 17, 2)
    >>> periods_for(30, "month"), periods_for(31, "month"), periods_for(900, "month")
    (1, 2, 12)
    """
    validate_grain(grain)
    # a hair below the exact quotient so that 365.25/12 days in months is exactly 1, not 1.0000000001
    whole = math.ceil(days / DAYS_PER_PERIOD[grain] - 1e-9)
    return max(1, min(MAX_PERIODS[grain], whole))


def activity_window(orders: pl.DataFrame, *, grain: Grain = "month", override: int | None = None) -> ActivityWindow:
    """The activity window for ``orders`` in ``grain`` (SPEC §4.1): purchase cycle, or the user's ``override``.

    Pass the dataset's orders before segment and date filters.

    Examples
    --------
    40 customers, each buying twice 45 days apart (40 gaps of 45 days) ⇒ cycle 45 days ⇒ 2 months, 7 weeks.

    >>> from datetime import timedelta
    >>> ids = [f"c{i}" for i in range(40)]
    >>> orders = pl.DataFrame({"customer_id": ids * 2, "amount": [1.0] * 80,
    ...     "ordered_at": [date(2024, 1, 1)] * 40 + [date(2024, 1, 1) + timedelta(days=45)] * 40})
    >>> activity_window(orders, grain="month")
    ActivityWindow(periods=2, grain='month', source='purchase_cycle', cycle_days=45, repeat_gaps=40)
    >>> activity_window(orders, grain="week").periods
    7
    >>> activity_window(orders.head(50), grain="month").source   # 10 gaps: too few to measure
    'too_few_repeats'
    >>> activity_window(orders, grain="month", override=3).source
    'user'
    """
    validate_grain(grain)
    gaps = repeat_gaps(orders)
    n = gaps.len()
    cycle = cycle_days(gaps) if n >= MIN_REPEAT_GAPS else None
    if override is not None:
        return ActivityWindow(check_window(override), grain, "user", cycle, n)
    if cycle is None:
        return ActivityWindow(1, grain, "too_few_repeats", None, n)
    return ActivityWindow(periods_for(cycle, grain), grain, "purchase_cycle", cycle, n)


DEFAULT_AT_RISK_DAYS = 90
"""At-risk threshold when the purchase cycle cannot be measured (too few repeats)."""


def window_days(window: ActivityWindow) -> int:
    """The activity window in days: ``W`` × days per period, rounded (3 months → 91, 13 weeks → 91).

    Examples
    --------
    >>> window_days(ActivityWindow(3, "month", "purchase_cycle", 85, 100)), window_days(ActivityWindow(13, "week", "user", None, 0))
    (91, 91)
    """
    return round(window.periods * DAYS_PER_PERIOD[window.grain])


def at_risk_days(window: ActivityWindow) -> int:
    """The default "days without an order" of the at-risk rule (SPEC §4.5), from the activity rule in force.

    The measured purchase cycle (80 % of repeat purchases come within it) when the rule is the cycle; the
    user's window in days when they overrode it; :data:`DEFAULT_AT_RISK_DAYS` when there were too few
    repeats to measure one. Every page's at-risk list starts from this one number.

    Examples
    --------
    >>> at_risk_days(ActivityWindow(3, "month", "purchase_cycle", 85, 100))
    85
    >>> at_risk_days(ActivityWindow(2, "month", "user", 85, 100)), at_risk_days(ActivityWindow(1, "month", "too_few_repeats", None, 3))
    (61, 90)
    """
    if window.source == "purchase_cycle" and window.cycle_days is not None:
        return window.cycle_days
    if window.source == "user":
        return window_days(window)
    return DEFAULT_AT_RISK_DAYS


def override_for(days: float | None, grain: Grain) -> int | None:
    """A window override given in days (dataset settings, or a window chosen in another grain), in ``grain``.

    Examples
    --------
    >>> override_for(90, "month"), override_for(90, "week"), override_for(None, "month")
    (3, 13, None)
    """
    return None if days is None else periods_for(days, grain)


__all__ = [
    "DEFAULT_AT_RISK_DAYS", "at_risk_days", "override_for", "window_days",
    "CYCLE_QUANTILE", "DAYS_PER_PERIOD", "MAX_PERIODS", "MIN_REPEAT_GAPS", "ActivityWindow", "ActivityWindowJSON",
    "activity_window", "check_window", "cycle_days", "periods_for", "repeat_gaps",
]
