"""Weekly review (SPEC §1 job 2, §7): what changed since last period, overall and by segment.

Both functions compare the last two *complete* periods of the chosen grain (default: ISO weeks), so
a review run on a Wednesday compares last week with the week before, never a half week.
"""

from __future__ import annotations

from datetime import date  # noqa: F401 - doctests

import polars as pl

from retention_core.errors import ColumnNotFoundError, NotEnoughDataError
from retention_core.periods import Grain
from retention_core.retention.flows import period_metrics
from retention_core.retention.kpis import Kpi, kpis

REVIEW_METRICS = ("customers_end", "new_customers", "churned", "reactivated", "crr", "retention_rate",
                  "reactivation_share", "churn_rate", "revenue", "orders", "aov", "arpu")
"""CRR always with its parts (SPEC §4.1): retention_rate + reactivation_share."""
SEGMENT_METRICS = ("customers_end", "revenue", "crr", "retention_rate", "reactivation_share", "churn_rate")


def what_changed(orders: pl.DataFrame, *, grain: Grain = "week", window: int = 1) -> list[Kpi]:
    """The review metrics (:data:`REVIEW_METRICS`) of the last complete period next to the one before.

    ``window`` is the activity window W in periods of ``grain`` (SPEC §4.1; the app passes the dataset's
    purchase-cycle rule in weeks for a weekly review).

    Raises
    ------
    NotEnoughDataError
        Fewer than two complete periods.

    Examples
    --------
    Week 1: a, b buy; week 2: a and new c buy; week 3 is incomplete (data ends on its Monday).

    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "a", "c", "a"],
    ...     "amount": [10.0, 20.0, 15.0, 5.0, 1.0],
    ...     "ordered_at": [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 8), date(2024, 1, 9),
    ...                    date(2024, 1, 15)]})
    >>> revenue = next(k for k in what_changed(orders) if k.key == "revenue")
    >>> revenue.period_start, revenue.value, revenue.previous, revenue.change
    (datetime.date(2024, 1, 8), 20.0, 30.0, -0.3333333333333333)
    """
    periods = period_metrics(orders, grain=grain, window=window)
    if periods.filter(~pl.col("incomplete")).height < 2:
        msg = f"a review needs two complete {grain}s of orders; the data has fewer"
        raise NotEnoughDataError(msg, grain=grain)
    return kpis(periods, list(REVIEW_METRICS))


def changes_table(rows: list[Kpi]) -> pl.DataFrame:
    """KPI comparisons as a table (for downloads): ``metric``, ``period_start``, ``current``,
    ``previous``, ``change`` (points for ratios, relative for the rest), ``change_is_points``,
    ``higher_is_better``.

    Examples
    --------
    >>> changes_table([Kpi("crr", date(2024, 1, 8), 0.5, 0.4, 0.1, True, True)]).row(0)
    ('crr', datetime.date(2024, 1, 8), 0.5, 0.4, 0.1, True, True)
    """
    return pl.DataFrame(
        {
            "metric": [k.key for k in rows],
            "period_start": [k.period_start for k in rows],
            "current": [None if k.value is None else float(k.value) for k in rows],
            "previous": [None if k.previous is None else float(k.previous) for k in rows],
            "change": [k.change for k in rows],
            "change_is_points": [k.change_is_points for k in rows],
            "higher_is_better": [k.higher_is_better for k in rows],
        },
        schema={"metric": pl.String, "period_start": pl.Date, "current": pl.Float64, "previous": pl.Float64,
                "change": pl.Float64, "change_is_points": pl.Boolean, "higher_is_better": pl.Boolean},
    )


def segment_movers(orders: pl.DataFrame, *, segment: str, grain: Grain = "week", top: int = 10,
                   window: int = 1) -> pl.DataFrame:
    """Per value of a segment column: active customers, revenue, CRR with its parts and churn now vs the
    period before, sorted by the size of the revenue change (largest first). ``window`` as in
    :func:`what_changed` (the same W for every segment value: measured before the segment filter).

    Columns: ``segment`` (String), then ``<metric>``, ``<metric>_previous`` and ``<metric>_change``
    for each of :data:`SEGMENT_METRICS`: customers_end, revenue (relative change) and crr,
    retention_rate, reactivation_share, churn_rate (change in points).

    Raises
    ------
    ColumnNotFoundError
        ``segment`` is not a column of ``orders``.

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "a", "c", "a"],
    ...     "amount": [10.0, 20.0, 15.0, 5.0, 1.0], "channel": ["web", "shop", "web", "shop", "web"],
    ...     "ordered_at": [date(2024, 1, 1), date(2024, 1, 2), date(2024, 1, 8), date(2024, 1, 9),
    ...                    date(2024, 1, 15)]})
    >>> m = segment_movers(orders, segment="channel")
    >>> m.select("segment", "revenue", "revenue_previous", "revenue_change").rows()
    [('shop', 5.0, 20.0, -0.75), ('web', 15.0, 10.0, 0.5)]
    """
    if segment not in orders.columns:
        raise ColumnNotFoundError.from_missing(segment, orders.columns, role="segment")
    data_end = orders["ordered_at"].max()
    data_end = data_end.date() if hasattr(data_end, "date") else data_end
    rows = []
    for (value,), part in orders.group_by(segment, maintain_order=True):  # one pass per segment value (few)
        periods = period_metrics(part, grain=grain, data_end=data_end, window=window)
        items = {k.key: k for k in kpis(periods, list(SEGMENT_METRICS))}
        row = {"segment": str(value)}
        for key in SEGMENT_METRICS:
            row[key], row[f"{key}_previous"], row[f"{key}_change"] = items[key].value, items[key].previous, items[key].change
        rows.append(row)
    schema = {"segment": pl.String} | {
        f"{k}{suffix}": pl.Float64 for k in SEGMENT_METRICS for suffix in ("", "_previous", "_change")}
    out = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    delta = (pl.col("revenue") - pl.col("revenue_previous")).abs()
    return out.sort(delta, descending=True, nulls_last=True).head(top)
