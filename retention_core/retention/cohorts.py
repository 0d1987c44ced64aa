"""Cohort matrices, retention curves and event retention (SPEC §4.3, §8 ``cohorts`` / ``retention``).

A cohort matrix is *long*: one row per (cohort, age) cell with the cohort's size, the cell's value
and whether the cell's period is complete. Cohort c = period of a customer's first order; age k =
period index − c. Cells run from age 0 to the last period (the later of the data's last period and
``data_end``'s), so younger cohorts have fewer cells (the usual triangle).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, get_args

import polars as pl

from retention_core.errors import ParameterError, check_choice
from retention_core.periods import Grain, index_start, period_index, validate_grain
from retention_core.retention.flows import (
    CustomerPeriods,
    as_date,
    data_end_of,
    incomplete_expr,
    periods_of,
    require_columns,
)

CohortValue = Literal["customers", "revenue", "ltv"]
CohortMode = Literal["on", "unbounded"]
CurveWeighting = Literal["size", "mean"]
EventRetentionType = Literal["first_time", "recurring"]

_MATRIX_SCHEMA = {
    "cohort": pl.Date,
    "size": pl.Int64,
    "age": pl.Int32,
    "value": pl.Float64,
    "complete": pl.Boolean,
}


def _cells(cohorts: pl.LazyFrame, *, grain: Grain, last: int, data_end: date) -> pl.LazyFrame:
    """Every (cohort, age) cell from age 0 to ``last − cohort`` with the cell's ``complete`` flag.

    ``cohorts`` has ``cohort_period`` (Int32) and ``size``.
    """
    return (
        cohorts.with_columns(
            pl.int_ranges(0, last - pl.col("cohort_period") + 1, dtype=pl.Int32).alias("age")
        )
        .explode("age")
        .with_columns(
            ~incomplete_expr(pl.col("cohort_period") + pl.col("age"), grain, data_end).alias("complete")
        )
    )


def cohort_matrix(
    orders: pl.DataFrame | None,
    *,
    grain: Grain = "month",
    value: CohortValue = "customers",
    mode: CohortMode = "on",
    data_end: date | None = None,
    periods: CustomerPeriods | None = None,
) -> pl.DataFrame:
    """Cohort × age matrix in long format (SPEC §4.3, §8 ``cohorts``).

    customers/on: |active in c+k| / size; customers/unbounded: |active in c+k or later| / size;
    revenue: Σ amount of the cohort in c+k (refunds net); ltv: Σ revenue of ages 0…k / size.
    Cohort c = period of the customer's first order; age 0 of ``customers`` is 1.0.

    Parameters
    ----------
    orders
        Canonical orders frame (``customer_id``, ``ordered_at``, ``amount``). Refunds count in
        revenue; a customer with refunds only belongs to no cohort.
    grain
        Period grain (SPEC §4).
    value
        ``customers`` (a share), ``revenue`` (money) or ``ltv`` (money per cohort customer).
    mode
        ``on`` or ``unbounded``; ``unbounded`` applies to ``value="customers"`` only.
    data_end
        Last day the data covers (default: the last ``ordered_at`` day). A cell is incomplete when
        its period ends after ``data_end`` (the data's last, partial period, or a later one).
    periods
        ``compact(orders, grain=grain)`` (:mod:`retention_core.retention.flows`) when the caller already has
        it: switching value or mode then skips the heavy step.

    Returns
    -------
    pl.DataFrame
        ``cohort`` (Date), ``size`` (Int64), ``age`` (Int32), ``value`` (Float64), ``complete``
        (Boolean), sorted by cohort and age.

    Raises
    ------
    ColumnNotFoundError
        A required column is missing.
    ParameterError
        Unknown grain, value or mode, or ``mode="unbounded"`` with a money value.

    Examples
    --------
    January cohort a, b; a comes back in March ⇒ on: 1, 0, 0.5; unbounded: 1, 0.5, 0.5.

    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "a"], "amount": [10.0, 20.0, 5.0],
    ...     "ordered_at": [date(2024, 1, 5), date(2024, 1, 9), date(2024, 3, 31)]})
    >>> cohort_matrix(orders)["value"].to_list()
    [1.0, 0.0, 0.5]
    >>> cohort_matrix(orders, mode="unbounded")["value"].to_list()
    [1.0, 0.5, 0.5]
    >>> cohort_matrix(orders, value="ltv")["value"].to_list()  # (10+20)/2, same, (30+5)/2
    [15.0, 15.0, 17.5]
    """
    validate_grain(grain)
    check_choice("value", value, get_args(CohortValue))
    check_choice("mode", mode, get_args(CohortMode))
    if mode == "unbounded" and value != "customers":
        raise ParameterError("mode", mode, 'on (mode="unbounded" applies to value="customers" only)')
    cp = periods_of(orders, grain, periods).filter(pl.col("first_period").is_not_null())
    if cp.height == 0:
        return pl.DataFrame(schema=_MATRIX_SCHEMA)
    data_end = as_date(data_end) or data_end_of(orders, periods)
    last = max(int(cp["period"].max()), pl.select(period_index(pl.lit(data_end), grain)).item())  # type: ignore[arg-type]
    cp = (
        cp.lazy()
        .filter(pl.col("period") >= pl.col("first_period"))
        .with_columns(
            pl.col("first_period").alias("cohort_period"),
            (pl.col("period") - pl.col("first_period")).alias("age"),
        )
    )
    sizes = cp.filter(pl.col("age") == 0).group_by("cohort_period").agg(pl.len().cast(pl.Int64).alias("size"))
    cell = ["cohort_period", "age"]
    if value == "customers" and mode == "on":
        amounts = cp.filter(pl.col("orders") > 0).group_by(cell).agg(pl.len().alias("amount"))
    elif value == "customers":
        # active in c+k or later ⇔ the customer's last active age ≥ k: count last ages, sum from the right
        amounts = (
            cp.filter(pl.col("orders") > 0)
            .group_by("customer_id", "cohort_period")
            .agg(pl.col("age").max())
            .group_by(cell)
            .agg(pl.len().alias("amount"))
        )
    else:
        amounts = cp.group_by(cell).agg(pl.col("revenue").sum().alias("amount"))
    table = (
        _cells(sizes, grain=grain, last=last, data_end=data_end)
        .join(amounts, on=cell, how="left")
        .with_columns(pl.col("amount").cast(pl.Float64).fill_null(0.0))
        .sort(cell)
    )
    if value == "customers" and mode == "unbounded":
        table = table.with_columns(pl.col("amount").cum_sum(reverse=True).over("cohort_period"))
    if value == "ltv":
        table = table.with_columns(pl.col("amount").cum_sum().over("cohort_period"))
    scale = pl.col("size") if value in ("customers", "ltv") else pl.lit(1.0)
    return table.select(
        index_start(pl.col("cohort_period"), grain).alias("cohort"),
        "size",
        "age",
        (pl.col("amount") / scale).cast(pl.Float64).alias("value"),
        "complete",
    ).collect()


def retention_curve(matrix: pl.DataFrame, *, weighting: CurveWeighting = "size") -> pl.DataFrame:
    """Average value by age over the cohorts old enough to have a complete cell (SPEC §4.3).

    size: Σ value·size / Σ size over complete cells at age k (the pooled share: for customers,
    active at age k over everyone who could have been); mean: the plain mean of the cohorts' values.
    Reads ``share`` instead of ``value`` when the matrix has one (event retention).

    Returns
    -------
    pl.DataFrame
        ``age`` (Int32), ``value`` (Float64), ``cohorts`` (Int64: cohorts averaged), sorted by age;
        ages without any complete cell are left out.

    Raises
    ------
    ParameterError
        Unknown weighting.

    Examples
    --------
    Cohort 1 (size 10): 1.0, 0.5; cohort 2 (size 30): 1.0, 0.1 ⇒ age 1: (5 + 3) / 40 or (0.5 + 0.1) / 2.

    >>> m = pl.DataFrame({"cohort": [date(2024, 1, 1)] * 2 + [date(2024, 2, 1)] * 2, "size": [10, 10, 30, 30],
    ...     "age": [0, 1, 0, 1], "value": [1.0, 0.5, 1.0, 0.1], "complete": [True] * 4})
    >>> retention_curve(m)["value"].to_list()
    [1.0, 0.2]
    >>> retention_curve(m, weighting="mean")["value"].round(6).to_list()
    [1.0, 0.3]
    """
    check_choice("weighting", weighting, get_args(CurveWeighting))
    v = pl.col("share" if "share" in matrix.columns else "value")
    size = pl.col("size").cast(pl.Float64)
    agg = (v * size).sum() / size.sum() if weighting == "size" else v.mean()
    return (
        matrix.filter(pl.col("complete"))
        .group_by("age")
        .agg(agg.cast(pl.Float64).alias("value"), pl.len().cast(pl.Int64).alias("cohorts"))
        .with_columns(pl.col("age").cast(pl.Int32))
        .sort("age")
    )


def age_k_trend(matrix: pl.DataFrame, k: int) -> pl.DataFrame:
    """The value at age ``k`` of each cohort, as a series over cohorts (e.g. month-1 retention trend).

    Returns
    -------
    pl.DataFrame
        The matrix rows with ``age == k`` (``cohort``, ``size``, ``value`` [, ``share``], ``complete``),
        sorted by cohort; cohorts younger than ``k`` have no row.

    Raises
    ------
    ParameterError
        ``k`` is not a whole number ≥ 0.

    Examples
    --------
    >>> m = pl.DataFrame({"cohort": [date(2024, 1, 1)] * 2 + [date(2024, 2, 1)], "size": [10, 10, 30],
    ...     "age": [0, 1, 0], "value": [1.0, 0.5, 1.0], "complete": [True, True, False]})
    >>> age_k_trend(m, 1).rows()
    [(datetime.date(2024, 1, 1), 10, 0.5, True)]
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ParameterError("k", k, "a whole number of periods ≥ 0")
    return matrix.filter(pl.col("age") == k).drop("age").sort("cohort")


def matrix_payload(matrix: pl.DataFrame, *, period: str, value: str, mode: str) -> dict[str, Any]:
    """The SPEC §8 ``cohorts`` / ``retention`` JSON shape of a long matrix.

    ``{"period", "value", "mode", "cohorts": [{"cohort": "YYYY-MM-DD", "size", "values": [v0, v1, …]}]}``;
    values run over every cell of the cohort (incomplete ones included), in age order.

    Examples
    --------
    >>> m = pl.DataFrame({"cohort": [date(2024, 1, 1)] * 2, "size": [2, 2], "age": [0, 1],
    ...     "value": [1.0, 0.5], "complete": [True, False]})
    >>> matrix_payload(m, period="month", value="customers", mode="on")
    {'period': 'month', 'value': 'customers', 'mode': 'on', 'cohorts': [{'cohort': '2024-01-01', 'size': 2, 'values': [1.0, 0.5]}]}
    """
    cohorts = (
        matrix.sort("cohort", "age")
        .group_by("cohort", maintain_order=True)
        .agg(pl.col("size").first(), pl.col("value").alias("values"))
        .with_columns(pl.col("cohort").dt.strftime("%Y-%m-%d"))
    )
    return {"period": period, "value": value, "mode": mode, "cohorts": cohorts.to_dicts()}


def event_retention(
    events: pl.DataFrame,
    *,
    start_event: str,
    return_event: str,
    grain: Grain = "week",
    type: EventRetentionType = "first_time",  # noqa: A002 — the SPEC §8 option name
    date_from: date | None = None,
    date_to: date | None = None,
) -> pl.DataFrame:
    """Users doing ``return_event`` B k periods after ``start_event`` A, by cohort (SPEC §4.3, §8 ``retention``).

    first_time: cohort c = period of the user's first A (in the date range); recurring: a user
    belongs to the cohort of every period in which they did A. Age 0 = the cohort size (every
    member did A in c). Age k ≥ 1 = members who did B at least once in period c+k (a B in c itself,
    or before c, does not count). share = value / size.

    Parameters
    ----------
    events
        Canonical events frame (``user_id``, ``event``, ``occurred_at``).
    start_event, return_event
        Event names A and B (may be equal).
    grain
        Period grain (SPEC §4).
    type
        ``first_time`` or ``recurring``.
    date_from, date_to
        Keep events whose day is within [date_from, date_to] (inclusive). ``date_to`` (default the
        last event's day) is also the data end: a cell whose period ends after it is incomplete.

    Returns
    -------
    pl.DataFrame
        ``cohort`` (Date), ``size`` (Int64), ``age`` (Int32), ``value`` (Int64, users), ``share``
        (Float64), ``complete`` (Boolean), sorted by cohort and age.

    Raises
    ------
    ColumnNotFoundError
        A required column is missing.
    ParameterError
        Unknown grain or type; an event name that never occurs (the message lists the known ones).

    Examples
    --------
    u1, u2 sign up in week 1; u1 buys in week 2, u2 in week 3 ⇒ 2, 1, 1.

    >>> ev = pl.DataFrame({"user_id": ["u1", "u2", "u1", "u2"], "event": ["signup", "signup", "buy", "buy"],
    ...     "occurred_at": [datetime(2024, 1, 1), datetime(2024, 1, 2), datetime(2024, 1, 9), datetime(2024, 1, 16)]})
    >>> event_retention(ev, start_event="signup", return_event="buy").select("age", "value", "share").rows()
    [(0, 2, 1.0), (1, 1, 0.5), (2, 1, 0.5)]
    """
    validate_grain(grain)
    check_choice("type", type, get_args(EventRetentionType))
    require_columns(events, ("user_id", "event", "occurred_at"), kind="events")
    known = events["event"].unique().sort()
    for param, name in (("start_event", start_event), ("return_event", return_event)):
        if not (known == name).any():
            shown = ", ".join(known.head(20).to_list()) + (", …" if known.len() > 20 else "")
            raise ParameterError(param, name, f"an event name in the data: {shown or '(none)'}")
    day = pl.col("occurred_at").cast(pl.Date)
    kept = events.lazy()
    if date_from is not None:
        kept = kept.filter(day >= as_date(date_from))
    if date_to is not None:
        kept = kept.filter(day <= as_date(date_to))
    kept = kept.select(
        "user_id", "event", period_index(pl.col("occurred_at"), grain).alias("period"), day.alias("day")
    )
    data_end = as_date(date_to) if date_to is not None else kept.select(pl.col("day").max()).collect().item()
    schema = {**_MATRIX_SCHEMA, "value": pl.Int64, "share": pl.Float64}
    if data_end is None:
        return pl.DataFrame(schema=schema).select(list(schema))
    starts = kept.filter(pl.col("event") == start_event)
    if type == "first_time":
        members = starts.group_by("user_id").agg(pl.col("period").min().alias("cohort_period"))
    else:
        members = starts.select("user_id", pl.col("period").alias("cohort_period")).unique()
    returns = kept.filter(pl.col("event") == return_event).select("user_id", "period").unique()
    counts = (
        members.join(returns, on="user_id", how="inner")
        .filter(pl.col("period") > pl.col("cohort_period"))
        .group_by("cohort_period", (pl.col("period") - pl.col("cohort_period")).alias("age"))
        .agg(pl.len().cast(pl.Int64).alias("returned"))
    )
    sizes = members.group_by("cohort_period").agg(pl.len().cast(pl.Int64).alias("size"))
    last = pl.select(period_index(pl.lit(data_end), grain)).item()
    return (
        _cells(sizes, grain=grain, last=last, data_end=data_end)
        .join(counts, on=["cohort_period", "age"], how="left")
        .with_columns(
            pl.when(pl.col("age") == 0)
            .then(pl.col("size"))
            .otherwise(pl.col("returned").fill_null(0))
            .alias("value")
        )
        .sort("cohort_period", "age")
        .select(
            index_start(pl.col("cohort_period"), grain).alias("cohort"),
            "size",
            "age",
            "value",
            (pl.col("value") / pl.col("size")).alias("share"),
            "complete",
        )
        .collect()
    )


__all__ = [
    "CohortMode",
    "CohortValue",
    "CurveWeighting",
    "EventRetentionType",
    "age_k_trend",
    "cohort_matrix",
    "event_retention",
    "matrix_payload",
    "retention_curve",
]
