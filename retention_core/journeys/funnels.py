"""Customer-journey funnels (SPEC §5, §8 ``funnel``).

``funnel(events, spec)`` counts each user once, at the furthest step over all their attempts, and
keeps that counted attempt per user (``FunnelResult.users``). Every other table — steps, users who
dropped at a step, breakdown by a property, conversion trend by entry period, the §8 JSON — is
computed from that one user table, so the numbers always agree with each other.

Definitions beyond SPEC §5's text (each has a test in ``tests/core/test_funnels.py``):

* Equal timestamps: a user's events are ordered by ``(occurred_at, step rank, seq)``, where the rank
  is the first step the event matches. Different steps at one timestamp are in order whatever their
  file order; occurrences of one step event keep file order (``seq``), so a repeated step needs a
  strictly later occurrence and one event never satisfies two steps.
* Window: ``t_j − t_1 ≤ window`` (end inclusive), measured from the attempt's first step.
* Per-step window (``FunnelStep.window``): step j must come within it of the moment step j−1 was
  matched; steps are matched by their earliest occurrence (exact for the funnel window, see
  :func:`retention_core.journeys.attempts.ordered_attempts`).
* Exclusions: an attempt is void — it counts at no step — when an exclusion event lies strictly
  (by time) after its first and before its last reached step. A void attempt cannot be counted,
  but the user's other attempts can. Widening the window can therefore lower a count when
  exclusions are set (the longer attempt now encloses the exclusion event).
* Optional steps (``ordered`` only): never change which required steps are reached. The optional
  step's row counts the users whose counted attempt did it between the previous matched step and
  the next required step; its conversion is from the previous required step, and a required step's
  conversion and time are from the previous required step too.
* ``any``: funnel row j counts users who completed ≥ j distinct steps within one window starting at
  any step occurrence; its time is from the (j−1)-th to the j-th completed step.
* Date range: attempts whose first step falls on ``date_from..date_to`` (inclusive); later steps may
  fall after ``date_to``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import TypedDict

import polars as pl

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.journeys.attempts import (
    any_attempts,
    best_attempts,
    ordered_attempts,
    sorted_rows,
    strict_attempts,
)
from retention_core.journeys.spec import FUNNEL_ORDERS, FunnelOrder, FunnelSpec, FunnelStep, as_steps
from retention_core.periods import Grain, index_start, period_index, validate_grain

__all__ = [
    "FUNNEL_ORDERS",
    "FunnelJSON",
    "FunnelOrder",
    "FunnelResult",
    "FunnelSpec",
    "FunnelStep",
    "FunnelSummary",
    "as_steps",
    "dropped_users",
    "funnel",
    "funnel_breakdown",
    "funnel_json",
    "funnel_steps",
    "funnel_summary",
    "funnel_trend",
]

_ENGINES = {"ordered": ordered_attempts, "strict": strict_attempts, "any": any_attempts}
_REQUIRED_COLUMNS = ("user_id", "event", "occurred_at")


@dataclass(frozen=True)
class FunnelResult:
    """A computed funnel: its spec, the steps table, the per-user table (see :func:`funnel`)."""

    spec: FunnelSpec
    steps: pl.DataFrame
    users: pl.DataFrame
    breakdown: str | None
    data_end: datetime | None


def funnel(events: pl.DataFrame, spec: FunnelSpec, *, breakdown: str | None = None) -> FunnelResult:
    """Users per step of a funnel over an event log (SPEC §5): ordered, strict or any order.

    users_j = |{users whose counted attempt reached step j}|; conversion_from_start = users_j /
    users_1; conversion_from_previous = users_j / users_(j−1) (0/0 is null); times between steps from
    each user's counted attempt (the furthest, the first such on ties). Module docs define ties,
    windows, exclusions, optional steps and the any mode precisely.

    Parameters
    ----------
    events
        Canonical events frame: ``user_id``, ``event``, ``occurred_at`` and ``seq`` (file order; when
        missing, row order is file order), plus any property columns.
    spec
        The funnel (:class:`FunnelSpec`).
    breakdown
        A property column; each user is labelled with its value on the first step of the counted
        attempt (``users`` gets that column; see :func:`funnel_breakdown`).

    Returns
    -------
    FunnelResult
        ``steps``: see :func:`funnel_steps`. ``users`` (one row per user who started a non-void
        attempt, by ``entered_at`` then ``user_id``): ``user_id``, ``furthest_step`` (Int32, 1-based
        index of the furthest step reached; ``any``: steps completed), ``entered_at`` (Datetime),
        ``step_j_at`` (Datetime, null if not reached) and ``seconds_to_step_j`` (Float64) for j ≥ 2,
        and the breakdown column if asked.

    Raises
    ------
    ColumnNotFoundError
        A required column, a step filter's column or the breakdown column is missing.

    Examples
    --------
    a: visit → cart → buy within 1 h; b: visit → cart only; c: cart without a visit (not counted).

    >>> ev = pl.DataFrame({"user_id": ["a", "a", "a", "b", "b", "c"],
    ...     "event": ["visit", "cart", "buy", "visit", "cart", "cart"],
    ...     "occurred_at": [datetime(2024, 1, 1, 10, m) for m in (0, 5, 20, 0, 30, 0)]})
    >>> r = funnel(ev, FunnelSpec(("visit", "cart", "buy"), window="1h"))
    >>> r.steps.select("event", "users", "conversion_from_previous", "median_seconds_from_previous").rows()
    [('visit', 2, None, None), ('cart', 2, 1.0, 1050.0), ('buy', 1, 0.5, 900.0)]
    """
    _check_columns(events, spec, breakdown)
    rows = sorted_rows(events, spec, keep_all=spec.order == "strict")
    best = best_attempts(_ENGINES[spec.order](rows, spec))
    users = _user_table(events, best, spec, breakdown)
    data_end = events.select(pl.col("occurred_at").cast(pl.Datetime("us")).max()).item() if events.height else None
    return FunnelResult(spec, funnel_steps(users, spec), users, breakdown, data_end)


def _check_columns(events: pl.DataFrame, spec: FunnelSpec, breakdown: str | None) -> None:
    wanted = [*_REQUIRED_COLUMNS, *spec.property_columns, *([breakdown] if breakdown else [])]
    for column in wanted:
        if column not in events.columns:
            role = "events" if column in _REQUIRED_COLUMNS else ("breakdown" if column == breakdown else "step filter")
            raise ColumnNotFoundError.from_missing(column, events.columns, role=role)


def _prev_required(spec: FunnelSpec, j: int) -> int:
    """0-based index of the step a row j converts from (ordered/strict: previous required step)."""
    if spec.order == "any":
        return j - 1
    return max(i for i in range(j) if not spec.steps[i].optional)


def _user_table(events: pl.DataFrame, best: pl.DataFrame, spec: FunnelSpec, breakdown: str | None) -> pl.DataFrame:
    k = len(spec.steps)
    at = [pl.col(f"at_{j + 1}") for j in range(k)]
    seconds = []
    for j in range(1, k):
        if spec.order != "any" and spec.steps[j].optional:  # from the nearest matched step before it
            back = [j - 1]
            while spec.steps[back[-1]].optional:
                back.append(back[-1] - 1)
            prev = pl.coalesce([at[b] for b in back])
        else:
            prev = at[_prev_required(spec, j)]
        seconds.append(((at[j] - prev) / 1e6).cast(pl.Float64).alias(f"seconds_to_step_{j + 1}"))
    extra = [events[breakdown].gather(best["idx"]).cast(pl.String).alias(breakdown)] if breakdown else []
    users = best.select(
        user_id=events["user_id"].gather(best["idx"]),
        furthest_step=pl.col("furthest").cast(pl.Int32),
        entered_at=at[0].cast(pl.Datetime("us")),
        **{f"step_{j + 1}_at": at[j].cast(pl.Datetime("us")) for j in range(1, k)},
        **{s.meta.output_name(): s for s in seconds},
    )
    if extra:
        users = users.with_columns(extra)
    return users.sort("entered_at", "user_id")


def _step_aggs(spec: FunnelSpec) -> list[pl.Expr]:
    k = len(spec.steps)
    aggs = [pl.len().cast(pl.Int64).alias("users_1")]
    for j in range(2, k + 1):
        sec = pl.col(f"seconds_to_step_{j}")
        aggs += [
            pl.col(f"step_{j}_at").is_not_null().sum().cast(pl.Int64).alias(f"users_{j}"),
            sec.median().alias(f"median_{j}"),
            sec.quantile(0.25, "linear").alias(f"p25_{j}"),
            sec.quantile(0.75, "linear").alias(f"p75_{j}"),
        ]
    return aggs


def _long_steps(wide: pl.DataFrame, spec: FunnelSpec, group: list[str]) -> pl.DataFrame:
    """One row per (group, step) from the wide aggregate of :func:`_step_aggs`."""
    parts = []
    none = pl.lit(None, pl.Float64)
    for j, step in enumerate(spec.steps, start=1):
        prev = _prev_required(spec, j - 1) + 1 if j > 1 else 1
        users, first = pl.col(f"users_{j}"), pl.col("users_1")
        parts.append(
            wide.select(
                *group,
                step=pl.lit(j, pl.Int32),
                event=pl.lit(step.event),
                optional=pl.lit(step.optional),
                users=users,
                conversion_from_start=pl.when(first > 0).then(users / first),
                conversion_from_previous=none if j == 1 else pl.when(pl.col(f"users_{prev}") > 0).then(users / pl.col(f"users_{prev}")),
                median_seconds_from_previous=none if j == 1 else pl.col(f"median_{j}"),
                p25_seconds=none if j == 1 else pl.col(f"p25_{j}"),
                p75_seconds=none if j == 1 else pl.col(f"p75_{j}"),
            )
        )
    return pl.concat(parts).sort([*group, "step"], nulls_last=True)


def funnel_steps(users: pl.DataFrame, spec: FunnelSpec) -> pl.DataFrame:
    """The steps table from a per-user funnel table (SPEC §5 outputs, §8 ``steps``).

    conversion_from_start_j = users_j / users_1, conversion_from_previous_j = users_j / users_prev
    (prev: the previous required step; null for step 1 and when the denominator is 0); median, p25
    and p75 of ``seconds_to_step_j`` over the users who reached step j.

    Returns
    -------
    pl.DataFrame
        ``step`` (Int32, 1-based), ``event``, ``optional``, ``users`` (Int64),
        ``conversion_from_start``, ``conversion_from_previous``, ``median_seconds_from_previous``,
        ``p25_seconds``, ``p75_seconds`` (Float64).
    """
    return _long_steps(users.select(_step_aggs(spec)), spec, [])


def funnel_breakdown(result: FunnelResult) -> pl.DataFrame:
    """The steps table per breakdown value (SPEC §5: a user's value at their first step).

    Same columns as :func:`funnel_steps` after a first ``value`` column (String, null for users
    without a value); values by users at step 1, descending, then value.

    Raises
    ------
    ParameterError
        The funnel was computed without ``breakdown``.
    """
    if result.breakdown is None:
        raise ParameterError("breakdown", None, "a property column passed to funnel(..., breakdown=COLUMN)")
    wide = result.users.group_by(pl.col(result.breakdown).alias("value")).agg(_step_aggs(result.spec))
    order = wide.sort(["users_1", "value"], descending=[True, False], nulls_last=True).with_row_index("_order")
    long = _long_steps(order, result.spec, ["_order", "value"])
    return long.drop("_order")


def funnel_trend(result: FunnelResult, *, grain: Grain = "week") -> pl.DataFrame:
    """Conversion by entry period (SPEC §5): the steps table for the users who entered in each period.

    A user's entry period is the period of ``entered_at``. ``incomplete`` is true when the period's
    end plus the window passes the last event in the data: its late entrants had less than the
    full window to convert, so its conversion is understated.

    Returns
    -------
    pl.DataFrame
        ``period_start`` (Date), ``incomplete`` (Boolean), then the :func:`funnel_steps` columns.
    """
    validate_grain(grain)
    idx = period_index(pl.col("entered_at"), grain)
    wide = result.users.group_by(idx.alias("_p")).agg(_step_aggs(result.spec))
    end = pl.lit(result.data_end, pl.Datetime("us")) if result.data_end else pl.lit(None, pl.Datetime("us"))
    wide = wide.with_columns(
        period_start=index_start(pl.col("_p"), grain),
        incomplete=(index_start(pl.col("_p") + 1, grain).cast(pl.Datetime("us")) + result.spec.window > end).fill_null(True),
    )
    return _long_steps(wide.sort("_p"), result.spec, ["period_start", "incomplete"])


def dropped_users(result: FunnelResult, step: int) -> pl.DataFrame:
    """Users who reached the step before ``step`` (previous required step) but not ``step`` itself.

    Rows of ``result.users`` (downloadable list, SPEC §5), in the same order.

    Raises
    ------
    ParameterError
        ``step`` is not between 2 and the number of steps.
    """
    k = len(result.spec.steps)
    if not 2 <= step <= k:
        raise ParameterError("step", step, f"a step number from 2 to {k}")
    prev = _prev_required(result.spec, step - 1) + 1
    reached_prev = pl.lit(True) if prev == 1 else pl.col(f"step_{prev}_at").is_not_null()
    return result.users.filter(reached_prev & pl.col(f"step_{step}_at").is_null())


@dataclass(frozen=True)
class FunnelSummary:
    """Headline numbers of a funnel (see :func:`funnel_summary`)."""

    entered: int
    converted: int
    conversion: float | None
    median_seconds_to_convert: float | None
    max_seconds_to_convert: float | None
    last_step: int


def funnel_summary(result: FunnelResult) -> FunnelSummary:
    """Entered, converted, overall conversion and median time to convert (SPEC §5 headline).

    L = the last required step (``any``: the last step); entered = users_1; converted = users_L;
    conversion = converted / entered (null when nobody entered); time to convert = step_L_at −
    entered_at of each converted user's counted attempt, median and maximum in seconds (null when L = 1
    or nobody converted).

    Examples
    --------
    a: visit → cart → buy in 20 min; b: visit → cart; c: visit only.

    >>> ev = pl.DataFrame({"user_id": ["a", "a", "a", "b", "b", "c"],
    ...     "event": ["visit", "cart", "buy", "visit", "cart", "visit"],
    ...     "occurred_at": [datetime(2024, 1, 1, 10, m) for m in (0, 5, 20, 0, 30, 0)]})
    >>> funnel_summary(funnel(ev, FunnelSpec(("visit", "cart", "buy"), window="1h")))
    FunnelSummary(entered=3, converted=1, conversion=0.3333333333333333, median_seconds_to_convert=1200.0, max_seconds_to_convert=1200.0, last_step=3)
    """
    spec = result.spec
    k = len(spec.steps)
    last = k if spec.order == "any" else max(j + 1 for j, s in enumerate(spec.steps) if not s.optional)
    users = result.steps["users"].to_list()
    entered, converted = int(users[0]), int(users[last - 1])
    median = longest = None
    if last > 1:
        seconds = (pl.col(f"step_{last}_at") - pl.col("entered_at")).dt.total_microseconds() / 1e6
        median, longest = result.users.select(seconds.median().alias("median"), seconds.max().alias("max")).row(0)
    return FunnelSummary(entered, converted, converted / entered if entered else None, median, longest, last)


class FunnelStepJSON(TypedDict):
    event: str
    users: int
    conversion_from_start: float | None
    conversion_from_previous: float | None
    median_seconds_from_previous: float | None


class FunnelBreakdownJSON(TypedDict):
    value: str | None
    steps: list[FunnelStepJSON]


class FunnelJSON(TypedDict):
    order: str
    window_seconds: float | int
    steps: list[FunnelStepJSON]
    breakdown: list[FunnelBreakdownJSON] | None


_JSON_KEYS = ("event", "users", "conversion_from_start", "conversion_from_previous", "median_seconds_from_previous")


def funnel_json(result: FunnelResult) -> FunnelJSON:
    """The SPEC §8 ``funnel`` output: ``{"order", "window_seconds", "steps", "breakdown"}``.

    Examples
    --------
    >>> ev = pl.DataFrame({"user_id": ["a", "a"], "event": ["visit", "buy"],
    ...     "occurred_at": [datetime(2024, 1, 1, 10), datetime(2024, 1, 1, 11)]})
    >>> out = funnel_json(funnel(ev, FunnelSpec(("visit", "buy"), window="2h")))
    >>> out["window_seconds"], out["steps"][1], out["breakdown"]
    (7200, {'event': 'buy', 'users': 1, 'conversion_from_start': 1.0, 'conversion_from_previous': 1.0, 'median_seconds_from_previous': 3600.0}, None)
    """
    seconds = result.spec.window_seconds
    breakdown = None
    if result.breakdown is not None:
        rows = funnel_breakdown(result).select("value", *_JSON_KEYS).to_dicts()  # contiguous per value
        breakdown = [
            {"value": value, "steps": [{key: r[key] for key in _JSON_KEYS} for r in group]}
            for value, group in groupby(rows, key=itemgetter("value"))
        ]
    return {
        "order": result.spec.order,
        "window_seconds": int(seconds) if seconds == int(seconds) else seconds,
        "steps": result.steps.select(_JSON_KEYS).to_dicts(),  # type: ignore[typeddict-item]
        "breakdown": breakdown,  # type: ignore[typeddict-item]
    }
