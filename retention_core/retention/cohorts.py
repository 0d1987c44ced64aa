"""Cohort matrices, retention curves and event retention (SPEC §4.3, §8 ``cohorts`` / ``retention``).

A cohort matrix is *long*: one row per (cohort, age) cell with the cohort's size, the cell's value
and whether the cell's period is complete. Cohort c = period of a customer's first order; age k =
period index − c. Cells run from age 0 to the last period (the later of the data's last period and
``data_end``'s), so younger cohorts have fewer cells (the usual triangle).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
        .with_columns(pl.col("cohort").dt.strftime("%Y-%m-%d %H:%M" if matrix.schema["cohort"] == pl.Datetime else "%Y-%m-%d"))
    )
    return {"period": period, "value": value, "mode": mode, "cohorts": cohorts.to_dicts()}


ANY_EVENT = "*"  # as start or return event: any event of the log
EventGrain = Literal["hour", "day", "week", "month", "quarter", "half-year", "year"]
EVENT_GRAINS: tuple[str, ...] = get_args(EventGrain)
WEEK_STARTS: tuple[str, ...] = ("monday", "sunday")
BreakdownType = Literal["event", "user"]
_HOUR_US = 3_600_000_000
_DAY_US = 24 * _HOUR_US


def check_time_zone(time_zone: str) -> str:
    """An IANA time zone name (``UTC``, ``Europe/Moscow``, ``America/New_York``), checked.

    Examples
    --------
    >>> check_time_zone("Europe/Moscow")
    'Europe/Moscow'
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(time_zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ParameterError("time_zone", time_zone, "an IANA time zone name such as UTC, Europe/Moscow, America/New_York") from None
    return str(time_zone)


def _local(column: str, time_zone: str, dtype: pl.DataType) -> pl.Expr:
    """Wall-clock time in ``time_zone`` (naive): naive timestamps are read as UTC."""
    t = pl.col(column).cast(pl.Datetime("us", getattr(dtype, "time_zone", None)))
    if getattr(dtype, "time_zone", None) is None:
        if time_zone == "UTC":
            return t
        t = t.dt.replace_time_zone("UTC")
    return t.dt.convert_time_zone(time_zone).dt.replace_time_zone(None)


def _event_period(local: pl.Expr, grain: str, week_start: str) -> pl.Expr:
    """Period index of a local time: hours since 1970 for ``hour``; weeks start on ``week_start``."""
    if grain == "hour":
        return (local.cast(pl.Int64) // _HOUR_US).cast(pl.Int64)
    if grain == "week" and week_start == "sunday":  # a Sunday belongs with the Monday after it
        return period_index(local.cast(pl.Date) + pl.duration(days=1), "week").cast(pl.Int64)
    return period_index(local, grain).cast(pl.Int64)  # type: ignore[arg-type]


def _event_period_start(index: pl.Expr, grain: str, week_start: str) -> pl.Expr:
    """First moment of a period (Datetime for ``hour``, else Date)."""
    if grain == "hour":
        return (index.cast(pl.Int64) * _HOUR_US).cast(pl.Datetime("us"))
    start = index_start(index, grain)  # type: ignore[arg-type]
    return start - pl.duration(days=1) if grain == "week" and week_start == "sunday" else start


def event_retention(
    events: pl.DataFrame,
    *,
    start_event: str,
    return_event: str,
    grain: EventGrain = "week",
    type: EventRetentionType = "first_time",  # noqa: A002 — the SPEC §8 option name
    date_from: date | None = None,
    date_to: date | None = None,
    cumulative: bool = False,
    min_occurrences: int = 1,
    week_start: str = "monday",
    time_zone: str = "UTC",
    breakdown: str | None = None,
    breakdown_type: BreakdownType = "event",
    start_where: Any = (),
    return_where: Any = (),
) -> pl.DataFrame:
    """Users doing ``return_event`` B k periods after ``start_event`` A, by cohort (SPEC §4.3, §8 ``retention``).

    first_time: cohort c = period of the user's first A over the whole history (``date_from``
    only chooses which cohorts are shown, as ``cohorts`` does); recurring: a user belongs to the
    cohort of every period in which they did A. Age 0 = the cohort size (every member did A in c).
    Age k ≥ 1 = members who did B at least ``min_occurrences`` times in period c+k (a B in c itself,
    or before c, does not count); ``cumulative``: members who did so in c+k *or any later period*
    ("on or after"). share = value / size.

    Parameters
    ----------
    events
        Canonical events frame (``user_id``, ``event``, ``occurred_at`` — naive times are UTC — and
        any property columns).
    start_event, return_event
        Event names A and B (may be equal); :data:`ANY_EVENT` (``"*"``) = any event.
    grain
        ``hour`` or a period grain of SPEC §4.
    type
        ``first_time`` or ``recurring``.
    date_from, date_to
        Local days (or date-times). ``date_from``: the first cohort shown (the one containing it).
        ``date_to``: the data end — the end of that day, or that instant for a date-time: later
        events are not read and a cell whose period ends after it is incomplete; default the last
        event's day (its hour for ``hour``).
    cumulative
        Count a member at age k when they returned at age k or later.
    min_occurrences
        Occurrences of B a period needs to count as a return (≥ 1).
    week_start
        ``monday`` (ISO, default) or ``sunday``: the first day of a ``week`` period.
    time_zone
        IANA name (default ``UTC``): periods are the local days/hours/weeks of this zone.
    breakdown, breakdown_type
        A property column. ``event``: the value on the start event that puts the user in the cohort
        (first_time: their first A; recurring: each A's value is a cohort membership of its own), and
        a return counts only when B carries the same value. ``user``: the user's latest non-empty
        value over their events (up to ``date_to``), the same for every event.
    start_where, return_where
        Property filters (:mod:`retention_core.properties`) on A and on B: ``"plan=pro"``,
        ``["amount>100"]``.

    Returns
    -------
    pl.DataFrame
        [``breakdown`` (String) when asked], ``cohort`` (Date; Datetime for ``hour``), ``size``
        (Int64), ``age`` (Int32), ``value`` (Int64, users), ``share`` (Float64), ``complete``
        (Boolean), sorted by breakdown, cohort and age.

    Raises
    ------
    ColumnNotFoundError
        A required, breakdown or filter column is missing.
    ParameterError
        Unknown grain, type, week start or time zone; an event name that never occurs (the message
        lists the known ones); ``min_occurrences`` < 1.

    Examples
    --------
    u1, u2 sign up in week 1; u1 buys in week 2, u2 in week 3 ⇒ 2, 1, 1 (cumulative: 2, 2, 1).

    >>> ev = pl.DataFrame({"user_id": ["u1", "u2", "u1", "u2"], "event": ["signup", "signup", "buy", "buy"],
    ...     "occurred_at": [datetime(2024, 1, 1), datetime(2024, 1, 2), datetime(2024, 1, 9), datetime(2024, 1, 16)]})
    >>> event_retention(ev, start_event="signup", return_event="buy").select("age", "value", "share").rows()
    [(0, 2, 1.0), (1, 1, 0.5), (2, 1, 0.5)]
    >>> event_retention(ev, start_event="signup", return_event="buy", cumulative=True)["value"].to_list()
    [2, 2, 1]
    """
    from retention_core.properties import all_of, as_filters, check_columns, has_value

    check_choice("grain", grain, EVENT_GRAINS)
    check_choice("type", type, get_args(EventRetentionType))
    check_choice("week_start", week_start, WEEK_STARTS)
    check_choice("breakdown_type", breakdown_type, get_args(BreakdownType))
    time_zone = check_time_zone(time_zone)
    if isinstance(min_occurrences, bool) or not isinstance(min_occurrences, int) or min_occurrences < 1:
        raise ParameterError("min_occurrences", min_occurrences, "a whole number ≥ 1")
    require_columns(events, ("user_id", "event", "occurred_at"), kind="events")
    starts_f, returns_f = as_filters(start_where), as_filters(return_where)
    check_columns(events.columns, (*starts_f, *returns_f))
    if breakdown is not None and breakdown not in events.columns:
        from retention_core.errors import ColumnNotFoundError

        raise ColumnNotFoundError.from_missing(breakdown, events.columns, role="breakdown")
    _check_event_names(events["event"], start_event, return_event)

    group = ["breakdown"] if breakdown else []
    schema = {**({"breakdown": pl.String} if breakdown else {}), **_MATRIX_SCHEMA, "value": pl.Int64, "share": pl.Float64}
    if grain == "hour":
        schema["cohort"] = pl.Datetime("us")
    local = _local("occurred_at", time_zone, events.schema["occurred_at"])
    seq = pl.col("seq") if "seq" in events.columns else pl.int_range(pl.len(), dtype=pl.UInt32)
    is_a = (pl.col("event") == start_event) if start_event != ANY_EVENT else pl.lit(True)
    is_b = (pl.col("event") == return_event) if return_event != ANY_EVENT else pl.lit(True)
    is_a, is_b = (is_a & all_of(starts_f)).fill_null(False), (is_b & all_of(returns_f)).fill_null(False)
    kept = events.lazy().select(
        "user_id", local.alias("t"), is_a.alias("_a"), is_b.alias("_b"),
        *([seq.alias("_seq"), pl.col(breakdown).cast(pl.String).str.strip_chars().alias("_v"),
           has_value(breakdown).alias("_has")] if breakdown else []),
    ).filter(pl.col("user_id").is_not_null() & pl.col("t").is_not_null())
    if breakdown_type != "user" or not breakdown:  # only start and return events matter
        kept = kept.filter(pl.col("_a") | pl.col("_b"))
    if date_to is not None:  # a date: the end of that day; a date-time (CLI, SPEC §8): that instant, inclusive
        data_end_at = (date_to + timedelta(microseconds=1) if isinstance(date_to, datetime)
                       else datetime.combine(date_to, datetime.min.time()) + timedelta(days=1))
        kept = kept.filter(pl.col("t") < pl.lit(data_end_at, pl.Datetime("us")))
    kept = kept.collect().lazy()  # read once; the start and return branches share it
    if date_to is None:
        last = events.select(local.max()).item()  # the data's end is the whole log's, not only A and B
        if last is None:
            return pl.DataFrame(schema=schema)
        data_end_at = (last.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1) if grain == "hour"
                       else datetime.combine(last.date(), datetime.min.time()) + timedelta(days=1))
    kept = kept.with_columns(period=_event_period(pl.col("t"), grain, week_start))
    starts = kept.filter(pl.col("_a"))
    if type == "first_time":
        first = [pl.col("_v").sort_by("t", "_seq").first()] if breakdown else []  # the first start's value
        members = starts.group_by("user_id").agg(pl.col("period").min().alias("cohort_period"), *first)
    else:
        members = starts.select("user_id", pl.col("period").alias("cohort_period"), *(["_v"] if breakdown else [])).unique()
    if breakdown and breakdown_type == "user":
        latest = kept.filter(pl.col("_has")).group_by("user_id").agg(pl.col("_v").sort_by("t", "_seq").last())
        members = members.drop("_v", strict=False).unique().join(latest, on="user_id", how="left")
    if breakdown:
        members = members.with_columns(
            breakdown=pl.when(pl.col("_v").is_in(["", "(none)"])).then(None).otherwise(pl.col("_v"))
        ).drop("_v").unique()
    key = ["user_id", *(group if breakdown and breakdown_type == "event" else [])]
    returns = kept.filter(pl.col("_b"))
    if breakdown and breakdown_type == "event":  # a start and a return without a value match each other
        returns = returns.with_columns(breakdown=pl.when(pl.col("_has")).then(pl.col("_v")))
    if min_occurrences == 1:
        returns = returns.select(*key, "period").unique()
    else:
        returns = (
            returns.group_by(*key, "period").agg(pl.len().alias("_n"))
            .filter(pl.col("_n") >= min_occurrences).select(*key, "period")
        )
    return _retention_cells(members, returns, key=key, group=group, cumulative=cumulative, data_end_at=data_end_at,
                            grain=grain, week_start=week_start, date_from=date_from, schema=schema)


def _check_event_names(names: pl.Series, start_event: str, return_event: str) -> None:
    known = names.unique().drop_nulls().sort()
    for param, name in (("start_event", start_event), ("return_event", return_event)):
        if name != ANY_EVENT and not (known == name).any():
            shown = ", ".join(known.head(20).to_list()) + (", …" if known.len() > 20 else "")
            raise ParameterError(param, name, f"an event name in the data (or {ANY_EVENT} for any event): {shown or '(none)'}")


#: Grains :func:`event_retention_from_counts` takes: the ones a saved version stores event counts for.
COUNTED_GRAINS: tuple[str, ...] = ("week", "month")


def event_retention_from_counts(
    counts: pl.DataFrame,
    *,
    data_end: date,
    start_event: str,
    return_event: str,
    grain: str = "week",
    type: EventRetentionType = "first_time",  # noqa: A002 — the SPEC §8 option name
    date_from: date | None = None,
    cumulative: bool = False,
    min_occurrences: int = 1,
) -> pl.DataFrame:
    """:func:`event_retention` from the engine's user × period × event counts instead of the events.

    ``counts`` is :func:`retention_core.engine.event_counts` of the whole event log at ``grain`` (one
    row per ``user_id``, ``period`` index, ``event`` with the number of ``events``; a saved version
    stores it for weeks and months) and ``data_end`` the log's last day (UTC). The result is
    :func:`event_retention`'s for the same options with UTC periods, Monday weeks, no breakdown, no
    property filter and no ``date_to`` — everything the counts can answer: a cohort is a period
    with a start event, a return a later period with at least ``min_occurrences`` return events, and
    the data ends after ``data_end``. Anything else (another zone or week start, hours or days, a
    breakdown, a filter, an earlier data end) needs each event's own time and is
    :func:`event_retention`'s.

    Raises
    ------
    ColumnNotFoundError
        A counts column is missing.
    ParameterError
        A grain without stored counts, an unknown type, an event name that never occurs,
        ``min_occurrences`` < 1.

    Examples
    --------
    The docstring example of :func:`event_retention`, from its weekly counts:

    >>> from retention_core.engine import event_counts
    >>> ev = pl.DataFrame({"user_id": ["u1", "u2", "u1", "u2"], "event": ["signup", "signup", "buy", "buy"],
    ...     "occurred_at": [datetime(2024, 1, 1), datetime(2024, 1, 2), datetime(2024, 1, 9), datetime(2024, 1, 16)]})
    >>> m = event_retention_from_counts(event_counts(ev, grain="week"), data_end=date(2024, 1, 16),
    ...     start_event="signup", return_event="buy")
    >>> m.select("age", "value", "share").rows()
    [(0, 2, 1.0), (1, 1, 0.5), (2, 1, 0.5)]
    """
    check_choice("grain", grain, COUNTED_GRAINS)
    check_choice("type", type, get_args(EventRetentionType))
    if isinstance(min_occurrences, bool) or not isinstance(min_occurrences, int) or min_occurrences < 1:
        raise ParameterError("min_occurrences", min_occurrences, "a whole number ≥ 1")
    require_columns(counts, ("user_id", "period", "event", "events"), kind="event counts")
    _check_event_names(counts["event"], start_event, return_event)
    schema = {**_MATRIX_SCHEMA, "value": pl.Int64, "share": pl.Float64}
    rows = counts.lazy().filter(pl.col("user_id").is_not_null() & pl.col("period").is_not_null())
    starts = rows.filter(pl.col("event") == start_event) if start_event != ANY_EVENT else rows
    starts = starts.select("user_id", pl.col("period").cast(pl.Int64))
    if type == "first_time":
        members = starts.group_by("user_id").agg(pl.col("period").min().alias("cohort_period"))
    else:
        members = starts.unique().rename({"period": "cohort_period"})
    back = rows.filter(pl.col("event") == return_event) if return_event != ANY_EVENT else rows
    returns = (
        back.group_by("user_id", pl.col("period").cast(pl.Int64)).agg(pl.col("events").sum().alias("_n"))
        .filter(pl.col("_n") >= min_occurrences).select("user_id", "period")
    )
    data_end_at = datetime.combine(data_end, datetime.min.time()) + timedelta(days=1)
    return _retention_cells(members, returns, key=["user_id"], group=[], cumulative=cumulative,
                            data_end_at=data_end_at, grain=grain, week_start="monday", date_from=date_from,
                            schema=schema)


def _retention_cells(members: pl.LazyFrame, returns: pl.LazyFrame, *, key: list[str], group: list[str],
                     cumulative: bool, data_end_at: datetime, grain: str, week_start: str, date_from: date | None,
                     schema: dict) -> pl.DataFrame:
    """The matrix from cohort memberships (user_id, cohort_period[, breakdown]) and returns (``key``, period)."""
    member = ["user_id", "cohort_period", *group]
    hits = (
        members.join(returns, on=key, how="inner", nulls_equal=True)
        .filter(pl.col("period") > pl.col("cohort_period"))
        .with_columns(age=(pl.col("period") - pl.col("cohort_period")).cast(pl.Int32))
    )
    if cumulative:  # returned at age ≥ k ⇔ the member's last return age ≥ k: count last ages, sum from the right
        hits = hits.group_by(member).agg(pl.col("age").max())
    counts = hits.group_by("cohort_period", *group, "age").agg(pl.len().cast(pl.Int64).alias("returned"))
    sizes = members.group_by("cohort_period", *group).agg(pl.len().cast(pl.Int64).alias("size"))
    last_period = pl.select(_event_period(pl.lit(data_end_at - timedelta(microseconds=1)), grain, week_start)).item()
    first_shown = None
    if date_from is not None:
        start = date_from if isinstance(date_from, datetime) else datetime.combine(date_from, datetime.min.time())
        first_shown = pl.select(_event_period(pl.lit(start, pl.Datetime("us")), grain, week_start)).item()
        sizes = sizes.filter(pl.col("cohort_period") >= first_shown)
    end_lit = pl.lit(data_end_at, pl.Datetime("us"))
    cells = (
        sizes.with_columns(age=pl.int_ranges(0, last_period - pl.col("cohort_period") + 1, dtype=pl.Int32))
        .explode("age")
        .filter(pl.col("age").is_not_null())
        .join(counts, on=["cohort_period", *group, "age"], how="left", nulls_equal=True)
        .with_columns(pl.col("returned").fill_null(0))
        .sort(*group, "cohort_period", "age", nulls_last=True)
    )
    if cumulative:
        cells = cells.with_columns(pl.col("returned").cum_sum(reverse=True).over("cohort_period", *group))
    nxt = _event_period_start(pl.col("cohort_period") + pl.col("age") + 1, grain, week_start).cast(pl.Datetime("us"))
    out = cells.select(
        *group,
        _event_period_start(pl.col("cohort_period"), grain, week_start).alias("cohort"),
        "size",
        "age",
        pl.when(pl.col("age") == 0).then(pl.col("size")).otherwise(pl.col("returned")).cast(pl.Int64).alias("value"),
        (pl.when(pl.col("age") == 0).then(pl.col("size")).otherwise(pl.col("returned")) / pl.col("size")).alias("share"),
        (nxt <= end_lit).alias("complete"),
    ).collect()
    return out.cast(schema) if out.height else pl.DataFrame(schema=schema)


def event_retention_payload(matrix: pl.DataFrame, *, period: str, mode: str) -> dict[str, Any]:
    """The SPEC §8 ``retention`` JSON: :func:`matrix_payload` (``value="users"``), and with a breakdown
    ``"breakdown": [{"value", "cohorts": […]}]`` (the top-level ``cohorts`` then empty)."""
    if "breakdown" not in matrix.columns:
        return matrix_payload(matrix, period=period, value="users", mode=mode)
    groups = []
    for (value,), part in matrix.sort("breakdown", nulls_last=True).group_by("breakdown", maintain_order=True):
        groups.append({"value": value, "cohorts": matrix_payload(part.drop("breakdown"), period=period, value="users", mode=mode)["cohorts"]})
    return {"period": period, "value": "users", "mode": mode, "cohorts": [], "breakdown": groups}


__all__ = [
    "CohortMode",
    "CohortValue",
    "CurveWeighting",
    "ANY_EVENT",
    "EVENT_GRAINS",
    "EventRetentionType",
    "WEEK_STARTS",
    "check_time_zone",
    "event_retention_payload",
    "age_k_trend",
    "cohort_matrix",
    "event_retention",
    "event_retention_from_counts",
    "matrix_payload",
    "retention_curve",
]
