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
* Exclusions (``Exclusion``: an event and the steps FROM..TO it applies between, default the whole
  funnel): with the default rule ``between`` an attempt is void — it counts at no step — when an
  exclusion event lies strictly (by time) after its step FROM and before the last step it reached
  within FROM..TO. A void attempt cannot be counted, but the user's other attempts can. Widening the
  window can therefore lower a count when exclusions are set (the longer attempt now encloses the
  exclusion event). ``exclusion_rule="posthog"``: void when the exclusion lies after step FROM and
  before step TO or, when TO is not reached, up to t(FROM) + window; the user's furthest step is
  taken over all attempts, and a user whose furthest step was reached only by void attempts is not
  counted (no falling back to a shorter clean attempt). docs/journeys.md compares the two.
* Property filters (step ``where`` and the funnel's global ``where``):
  :mod:`retention_core.properties`; the global filters apply to every step and exclusion event.
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

import math
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
from retention_core.journeys.spec import (
    FUNNEL_ORDERS,
    Exclusion,
    FunnelOrder,
    FunnelSpec,
    FunnelStep,
    as_steps,
)
from retention_core.periods import Grain, index_start, period_index, validate_grain
from retention_core.properties import has_value

__all__ = [
    "FUNNEL_ORDERS",
    "FunnelJSON",
    "FunnelOrder",
    "FunnelResult",
    "FunnelSpec",
    "FunnelStep",
    "FunnelSummary",
    "ATTRIBUTIONS",
    "Exclusion",
    "OTHER",
    "as_steps",
    "check_attribution",
    "histogram_bins",
    "time_to_convert",
    "trend_json",
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
ATTRIBUTIONS: tuple[str, ...] = ("first_touch", "last_touch", "step", "all_events")
OTHER = "Other"  # the breakdown group of the values past the limit
_SEP = "\x1f"  # joins a user id and a breakdown value (all-events attribution)


@dataclass(frozen=True)
class FunnelResult:
    """A computed funnel: its spec, the steps table, the per-user table (see :func:`funnel`).

    ``breakdown_users``: the table the breakdown groups count (``users`` itself, except with the
    all-events attribution: one row per user and value). ``all_users``: distinct users of the whole
    log when asked for (``conversion_from_all_users``), else None.
    """

    spec: FunnelSpec
    steps: pl.DataFrame
    users: pl.DataFrame
    breakdown: str | None
    data_end: datetime | None
    attribution: str = "step:1"
    breakdown_users: pl.DataFrame | None = None
    all_users: int | None = None


def check_attribution(attribution: str, k: int) -> str:
    """``first_touch``, ``last_touch``, ``all_events`` or ``step:N`` (1 ≤ N ≤ k); ``step`` alone is step 1.

    Examples
    --------
    >>> check_attribution("step", 3), check_attribution("step:2", 3)
    ('step:1', 'step:2')
    """
    text = str(attribution).strip()
    if text == "step":
        return "step:1"
    if text in ("first_touch", "last_touch", "all_events"):
        return text
    head, _, n = text.partition(":")
    if head == "step" and n.isdigit() and 1 <= int(n) <= k:
        return f"step:{int(n)}"
    raise ParameterError("attribution", attribution, f"first_touch, last_touch, all_events or step:N with N from 1 to {k}")


def funnel(events: pl.DataFrame, spec: FunnelSpec, *, breakdown: str | None = None, attribution: str = "step:1",
           all_users: bool = False) -> FunnelResult:
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
        A property column; each user is labelled with one of its values (``users`` gets that
        column; see :func:`funnel_breakdown`), chosen by ``attribution``.
    attribution
        ``step:N`` (default ``step:1``, SPEC §5: the value on step N's event of the counted
        attempt), ``first_touch`` / ``last_touch`` (the first / last non-empty value among the
        counted attempt's step events, in time order), ``all_events`` (one funnel per value, in
        which only events carrying that value count — exclusion events count for every value of
        their user; a user may belong to several groups).
    all_users
        Also count the distinct users of the whole log: ``conversion_from_all_users`` = users_j /
        all users (the funnel as a share of everyone, not only of those who entered).

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
    attribution = check_attribution(attribution, len(spec.steps))
    if "seq" not in events.columns:
        events = events.with_columns(seq=pl.int_range(pl.len(), dtype=pl.UInt32))
    rows = sorted_rows(events, spec, keep_all=spec.order == "strict")
    best = best_attempts(_ENGINES[spec.order](rows, spec), spec.exclusion_rule)
    users = _user_table(events, rows, best, spec, breakdown if attribution != "all_events" else None, attribution)
    by_value = users
    if breakdown and attribution == "all_events":
        by_value = _all_events_users(events, spec, breakdown)
    everyone = int(events["user_id"].drop_nulls().n_unique()) if all_users else None
    data_end = events.select(pl.col("occurred_at").cast(pl.Datetime("us")).max()).item() if events.height else None
    return FunnelResult(spec, funnel_steps(users, spec, all_users=everyone), users, breakdown, data_end,
                        attribution, by_value if breakdown else None, everyone)


def _all_events_users(events: pl.DataFrame, spec: FunnelSpec, column: str) -> pl.DataFrame:
    """The user table of the all-events attribution: the funnel run per (user, value) pair.

    Step events count for the value they carry; an exclusion event counts for every value its user
    has (it voids the attempts of each of the user's groups, as it would the user's own funnel).
    """
    value = pl.col(column).cast(pl.String).str.strip_chars()
    is_x = pl.col("event").is_in(list(spec.exclusion_events)) if spec.exclusions else pl.lit(False)
    with_value = events.filter(has_value(column) & ~is_x).with_columns(_v=value)
    parts = [with_value]
    if spec.exclusions:
        values = with_value.select("user_id", "_v").unique()
        parts.append(events.filter(is_x).join(values, on="user_id", how="inner").select(with_value.columns))
    keyed = pl.concat(parts).with_columns(user_id=pl.col("user_id").cast(pl.String) + _SEP + pl.col("_v")).sort("seq")
    keyed = keyed.drop("_v")
    rows = sorted_rows(keyed, spec, keep_all=spec.order == "strict")
    best = best_attempts(_ENGINES[spec.order](rows, spec), spec.exclusion_rule)
    table = _user_table(keyed, rows, best, spec, None, "step:1")
    parts_ = pl.col("user_id").str.split_exact(_SEP, 1)
    return table.with_columns(parts_.struct.field("field_1").alias(column), user_id=parts_.struct.field("field_0"))


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


def _attributed(events: pl.DataFrame, rows: pl.DataFrame, best: pl.DataFrame, spec: FunnelSpec, column: str,
                attribution: str) -> pl.Series:
    """Each counted attempt's breakdown value (see :func:`funnel`'s ``attribution``)."""
    k = len(spec.steps)
    if attribution.startswith("step:"):
        p = best[f"p_{int(attribution[5:])}"]
        values = events[column].gather(rows["idx"].gather(p.fill_null(0).cast(pl.UInt32))).cast(pl.String)
        return pl.select(pl.when(p.is_not_null()).then(values)).to_series().alias(column)
    long = pl.concat([best.select(r=pl.int_range(pl.len(), dtype=pl.UInt32), p=pl.col(f"p_{j}")) for j in range(1, k + 1)])
    long = long.filter(pl.col("p").is_not_null())
    long = long.with_columns(v=events[column].gather(rows["idx"].gather(long["p"].cast(pl.UInt32))).cast(pl.String))
    pick = pl.col("v").sort_by("p").first() if attribution == "first_touch" else pl.col("v").sort_by("p").last()
    chosen = long.filter(has_value("v")).group_by("r").agg(pick)
    out = pl.DataFrame({"r": pl.int_range(best.height, dtype=pl.UInt32, eager=True)}).join(chosen, on="r", how="left")
    return out.sort("r")["v"].alias(column)


def _user_table(events: pl.DataFrame, rows: pl.DataFrame, best: pl.DataFrame, spec: FunnelSpec, breakdown: str | None,
                attribution: str = "step:1") -> pl.DataFrame:
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
    extra = [_attributed(events, rows, best, spec, breakdown, attribution)] if breakdown else []
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
            sec.mean().alias(f"mean_{j}"),
            sec.quantile(0.25, "linear").alias(f"p25_{j}"),
            sec.quantile(0.75, "linear").alias(f"p75_{j}"),
        ]
    return aggs


def _long_steps(wide: pl.DataFrame, spec: FunnelSpec, group: list[str], all_users: int | None = None) -> pl.DataFrame:
    """One row per (group, step) from the wide aggregate of :func:`_step_aggs`."""
    parts = []
    none = pl.lit(None, pl.Float64)
    everyone = pl.lit(all_users if all_users else None, pl.Float64)
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
                average_seconds_from_previous=none if j == 1 else pl.col(f"mean_{j}"),
                conversion_from_all_users=users / everyone,
                p25_seconds=none if j == 1 else pl.col(f"p25_{j}"),
                p75_seconds=none if j == 1 else pl.col(f"p75_{j}"),
            )
        )
    return pl.concat(parts).sort([*group, "step"], nulls_last=True)


def funnel_steps(users: pl.DataFrame, spec: FunnelSpec, *, all_users: int | None = None) -> pl.DataFrame:
    """The steps table from a per-user funnel table (SPEC §5 outputs, §8 ``steps``).

    conversion_from_start_j = users_j / users_1, conversion_from_previous_j = users_j / users_prev
    (prev: the previous required step; null for step 1 and when the denominator is 0); median,
    average (mean), p25 and p75 of ``seconds_to_step_j`` over the users who reached step j;
    conversion_from_all_users_j = users_j / ``all_users`` (null when not given).

    Returns
    -------
    pl.DataFrame
        ``step`` (Int32, 1-based), ``event``, ``optional``, ``users`` (Int64),
        ``conversion_from_start``, ``conversion_from_previous``, ``median_seconds_from_previous``,
        ``average_seconds_from_previous``, ``conversion_from_all_users``, ``p25_seconds``,
        ``p75_seconds`` (Float64).
    """
    return _long_steps(users.select(_step_aggs(spec)), spec, [], all_users)


def funnel_breakdown(result: FunnelResult, *, limit: int | None = None) -> pl.DataFrame:
    """The steps table per breakdown value (SPEC §5; the value chosen by the funnel's attribution).

    Same columns as :func:`funnel_steps` after a first ``value`` column (String, null for users
    without a value); values by users at step 1, descending, then value. ``limit``: the first
    ``limit`` values are kept and every other value is counted in one group ``"Other"``
    (:data:`OTHER`, last).

    Raises
    ------
    ParameterError
        The funnel was computed without ``breakdown``, or ``limit`` < 1.
    """
    if result.breakdown is None:
        raise ParameterError("breakdown", None, "a property column passed to funnel(..., breakdown=COLUMN)")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ParameterError("breakdown limit", limit, "a whole number ≥ 1")
    users = result.breakdown_users if result.breakdown_users is not None else result.users
    value = pl.col(result.breakdown).alias("value")
    if limit is not None:
        sizes = users.group_by(value).len().sort(["len", "value"], descending=[True, False], nulls_last=True)
        if sizes.height > limit:
            keep = sizes.head(limit)["value"]
            inside = value.is_in(keep.drop_nulls().implode()) | (value.is_null() & keep.is_null().any())
            value = pl.when(inside).then(value).otherwise(pl.lit(OTHER)).alias("value")
            users = users.with_columns(_other=~inside)
    rank = [pl.col("_other").any().alias("_other")] if "_other" in users.columns else [pl.lit(False).alias("_other")]
    wide = users.group_by(value).agg(*_step_aggs(result.spec), *rank)
    order = wide.sort(["_other", "users_1", "value"], descending=[False, True, False], nulls_last=True).with_row_index("_order")
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
    average_seconds_to_convert: float | None = None


def _last_step(spec: FunnelSpec) -> int:
    """L: the last required step (``any``: the last step)."""
    return len(spec.steps) if spec.order == "any" else max(j + 1 for j, s in enumerate(spec.steps) if not s.optional)


def funnel_summary(result: FunnelResult) -> FunnelSummary:
    """Entered, converted, overall conversion and median / average time to convert (SPEC §5 headline).

    L = the last required step (``any``: the last step); entered = users_1; converted = users_L;
    conversion = converted / entered (null when nobody entered); time to convert = step_L_at −
    entered_at of each converted user's counted attempt, median, mean and maximum in seconds (null
    when L = 1 or nobody converted).

    Examples
    --------
    a: visit → cart → buy in 20 min; b: visit → cart; c: visit only.

    >>> ev = pl.DataFrame({"user_id": ["a", "a", "a", "b", "b", "c"],
    ...     "event": ["visit", "cart", "buy", "visit", "cart", "visit"],
    ...     "occurred_at": [datetime(2024, 1, 1, 10, m) for m in (0, 5, 20, 0, 30, 0)]})
    >>> funnel_summary(funnel(ev, FunnelSpec(("visit", "cart", "buy"), window="1h")))
    FunnelSummary(entered=3, converted=1, conversion=0.3333333333333333, median_seconds_to_convert=1200.0, max_seconds_to_convert=1200.0, last_step=3, average_seconds_to_convert=1200.0)
    """
    last = _last_step(result.spec)
    users = result.steps["users"].to_list()
    entered, converted = int(users[0]), int(users[last - 1])
    median = longest = mean = None
    if last > 1:
        seconds = (pl.col(f"step_{last}_at") - pl.col("entered_at")).dt.total_microseconds() / 1e6
        median, longest, mean = result.users.select(seconds.median(), seconds.max().alias("m"), seconds.mean().alias("a")).row(0)
    return FunnelSummary(entered, converted, converted / entered if entered else None, median, longest, last, mean)


def histogram_bins(n: int) -> int:
    """PostHog's default number of time-to-convert bins for n converted users: clamp(⌈∛n⌉, 1, 60).

    Examples
    --------
    >>> [histogram_bins(n) for n in (0, 1, 8, 9, 1000, 10**6)]
    [1, 1, 2, 3, 10, 60]
    """
    root = round(n ** (1 / 3)) if n > 0 else 0
    root = root if root**3 >= n else root + 1  # exact ⌈∛n⌉ (floating cube roots of cubes can land just above)
    return max(1, min(60, root))


def time_to_convert(result: FunnelResult, *, from_step: int = 1, to_step: int | None = None,
                    bins: int | None = None) -> tuple[pl.DataFrame, dict]:
    """Histogram of the time from ``from_step`` to ``to_step`` (default: 1 → the last required step).

    Over the users whose counted attempt reached both steps: seconds = step_to_at − step_from_at.
    ``bins`` equal-width bins from the shortest to the longest time (default
    :func:`histogram_bins` of the number of users); the width is a whole number of seconds (at least
    1), each bin holds [from, to) and the last one also its upper end.

    Returns
    -------
    (pl.DataFrame, dict)
        ``from_seconds``, ``to_seconds`` (Float64), ``users`` (Int64) per bin; and ``{"from_step",
        "to_step", "users", "bins", "median_seconds", "average_seconds"}``. No converted users: no bins.

    Raises
    ------
    ParameterError
        Steps out of order or range, or ``bins`` not in 1..500.

    Examples
    --------
    >>> ev = pl.DataFrame({"user_id": ["a", "a", "b", "b", "c", "c"], "event": ["v", "b"] * 3,
    ...     "occurred_at": [datetime(2024, 1, 1, 10, m) for m in (0, 1, 0, 2, 0, 10)]})
    >>> table, stats = time_to_convert(funnel(ev, FunnelSpec(("v", "b"), window="1h")), bins=3)
    >>> table.rows(), stats["users"]
    ([(60.0, 240.0, 2), (240.0, 420.0, 0), (420.0, 600.0, 1)], 3)
    """
    k = len(result.spec.steps)
    to_step = _last_step(result.spec) if to_step is None else to_step
    if not (isinstance(from_step, int) and isinstance(to_step, int) and 1 <= from_step < to_step <= k):
        raise ParameterError("time to convert steps", f"{from_step}-{to_step}", f"two step numbers a < b within 1-{k}")
    if bins is not None and (isinstance(bins, bool) or not isinstance(bins, int) or not 1 <= bins <= 500):
        raise ParameterError("bins", bins, "a whole number from 1 to 500")
    start = pl.col("entered_at") if from_step == 1 else pl.col(f"step_{from_step}_at")
    seconds = result.users.select(
        ((pl.col(f"step_{to_step}_at") - start).dt.total_microseconds() / 1e6).alias("s")
    ).drop_nulls()["s"]
    n = seconds.len()
    stats = {"from_step": from_step, "to_step": to_step, "users": n, "bins": 0,
             "median_seconds": seconds.median() if n else None, "average_seconds": seconds.mean() if n else None}
    schema = {"from_seconds": pl.Float64, "to_seconds": pl.Float64, "users": pl.Int64}
    if n == 0:
        return pl.DataFrame(schema=schema), stats
    count = bins or histogram_bins(n)
    lo, hi = float(seconds.min()), float(seconds.max())  # type: ignore[arg-type]
    width = max(1.0, float(math.ceil((hi - lo) / count)))
    index = ((seconds - lo) // width).cast(pl.Int64).clip(0, count - 1)
    counts = index.value_counts().rename({index.name: "i", "count": "users"})
    table = (
        pl.DataFrame({"i": pl.int_range(count, dtype=pl.Int64, eager=True)})
        .join(counts.with_columns(pl.col("i").cast(pl.Int64)), on="i", how="left")
        .select(from_seconds=lo + pl.col("i") * width, to_seconds=lo + (pl.col("i") + 1) * width,
                users=pl.col("users").fill_null(0).cast(pl.Int64))
    )
    stats["bins"] = count
    return table, stats


def trend_json(result: FunnelResult, grain: Grain = "week") -> list[dict]:
    """The conversion trend by entry period, one row per period: ``period_start``, ``incomplete``,
    ``entered`` (users at step 1), ``converted`` (users at the last required step), ``conversion``."""
    trend = funnel_trend(result, grain=grain)
    last = _last_step(result.spec)
    first = trend.filter(pl.col("step") == 1).select("period_start", "incomplete", entered="users")
    done = trend.filter(pl.col("step") == last).select("period_start", converted="users")
    rows = first.join(done, on="period_start", how="left").sort("period_start").with_columns(
        conversion=pl.when(pl.col("entered") > 0).then(pl.col("converted") / pl.col("entered")),
        period_start=pl.col("period_start").dt.strftime("%Y-%m-%d"),
    )
    return rows.to_dicts()


class FunnelStepJSON(TypedDict):
    event: str
    users: int
    conversion_from_start: float | None
    conversion_from_previous: float | None
    median_seconds_from_previous: float | None
    average_seconds_from_previous: float | None


class FunnelBreakdownJSON(TypedDict):
    value: str | None
    steps: list[FunnelStepJSON]


class FunnelJSON(TypedDict, total=False):
    order: str
    window_seconds: float | int
    steps: list[FunnelStepJSON]
    breakdown: list[FunnelBreakdownJSON] | None
    attribution: str | None
    exclusion_rule: str
    all_users: int | None
    trend: list[dict]
    time_to_convert: dict


_JSON_KEYS = ("event", "users", "conversion_from_start", "conversion_from_previous", "median_seconds_from_previous",
              "average_seconds_from_previous")


def funnel_json(result: FunnelResult, *, breakdown_limit: int | None = None, trend_grain: Grain = "week",
                bins: int | None = None, ttc_steps: tuple[int, int] | None = None) -> FunnelJSON:
    """The SPEC §8 ``funnel`` output: ``{"order", "window_seconds", "steps", "breakdown"}`` plus
    ``exclusion_rule``, ``attribution`` (null without a breakdown), ``all_users`` (null unless asked),
    ``trend`` (:func:`trend_json`) and ``time_to_convert`` (the :func:`time_to_convert` stats with
    ``"histogram": [{"from_seconds", "to_seconds", "users"}]``). Steps carry
    ``average_seconds_from_previous`` beside the median, and ``conversion_from_all_users`` when
    ``all_users`` was asked for.

    Examples
    --------
    >>> ev = pl.DataFrame({"user_id": ["a", "a"], "event": ["visit", "buy"],
    ...     "occurred_at": [datetime(2024, 1, 1, 10), datetime(2024, 1, 1, 11)]})
    >>> out = funnel_json(funnel(ev, FunnelSpec(("visit", "buy"), window="2h")))
    >>> out["window_seconds"], out["steps"][1], out["breakdown"]
    (7200, {'event': 'buy', 'users': 1, 'conversion_from_start': 1.0, 'conversion_from_previous': 1.0, 'median_seconds_from_previous': 3600.0, 'average_seconds_from_previous': 3600.0}, None)
    >>> out["time_to_convert"]["histogram"], out["trend"][0]["conversion"]
    ([{'from_seconds': 3600.0, 'to_seconds': 3601.0, 'users': 1}], 1.0)
    """
    seconds = result.spec.window_seconds
    keys = (*_JSON_KEYS, "conversion_from_all_users") if result.all_users is not None else _JSON_KEYS
    breakdown = None
    if result.breakdown is not None:
        rows = funnel_breakdown(result, limit=breakdown_limit).select("value", *keys).to_dicts()  # contiguous per value
        breakdown = [
            {"value": value, "steps": [{key: r[key] for key in keys} for r in group]}
            for value, group in groupby(rows, key=itemgetter("value"))
        ]
    lo, hi = ttc_steps if ttc_steps else (1, None)
    table, stats = time_to_convert(result, from_step=lo, to_step=hi, bins=bins)
    return {
        "order": result.spec.order,
        "window_seconds": int(seconds) if seconds == int(seconds) else seconds,
        "steps": result.steps.select(keys).to_dicts(),  # type: ignore[typeddict-item]
        "breakdown": breakdown,  # type: ignore[typeddict-item]
        "attribution": result.attribution if result.breakdown is not None else None,
        "exclusion_rule": result.spec.exclusion_rule,
        "all_users": result.all_users,
        "trend": trend_json(result, trend_grain),
        "time_to_convert": {**stats, "histogram": table.to_dicts()},
    }
