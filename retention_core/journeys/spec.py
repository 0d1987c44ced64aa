"""Funnel parameters (SPEC §5, §8 ``funnel``): frozen, validated, hashable (cache keys, URL state).

A :class:`FunnelSpec` is steps ``s1..sk`` (:class:`FunnelStep`: an event name, optionally with
property filters, optional, with its own window), a conversion window, an order mode, exclusion
events and an optional date range for the attempts' first step. Every invalid combination raises
:class:`~retention_core.errors.ParameterError` here, before any data is touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args

import polars as pl

from retention_core.errors import ParameterError, check_choice
from retention_core.periods import parse_duration

FunnelOrder = Literal["ordered", "strict", "any"]
FUNNEL_ORDERS: tuple[str, ...] = get_args(FunnelOrder)
MAX_STEPS = 20


def _duration(param: str, value: Any) -> timedelta:
    """A positive timedelta from a timedelta or a ``"7d"``-style string."""
    if isinstance(value, str):
        value = parse_duration(value)
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ParameterError(param, value, "a positive duration such as 45s, 10m, 2h, 14d, 2w")
    return value


def _day(param: str, value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(param, value, "a date YYYY-MM-DD") from None


@dataclass(frozen=True)
class FunnelStep:
    """One funnel step: an event name, property filters ``where`` (column = value, all must hold).

    ``optional``: users may skip the step (see :func:`retention_core.journeys.funnels.funnel`). ``window``:
    the most time allowed since the previous step was matched (on top of the funnel's window).

    Examples
    --------
    >>> FunnelStep("view", where={"device": "mobile"})
    FunnelStep(event='view', where=(('device', 'mobile'),), optional=False, window=None)
    >>> FunnelStep("cart", window="1h").window
    datetime.timedelta(seconds=3600)
    """

    event: str
    where: tuple[tuple[str, str], ...] = ()
    optional: bool = False
    window: timedelta | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.event, str) or not self.event.strip():
            raise ParameterError("step event", self.event, "a non-empty event name")
        pairs = self.where.items() if isinstance(self.where, Mapping) else self.where
        where = tuple((str(c), str(v)) for c, v in pairs)
        columns = [c for c, _ in where]
        if len(set(columns)) != len(columns) or any(not c for c in columns):
            raise ParameterError("where", self.where, "each property column named once")
        object.__setattr__(self, "where", where)
        object.__setattr__(self, "optional", bool(self.optional))
        if self.window is not None:
            object.__setattr__(self, "window", _duration("step window", self.window))

    def matches_same_event_as(self, other: FunnelStep) -> bool:
        """Whether one event could satisfy both steps (same name, no filter tells them apart)."""
        if self.event != other.event:
            return False
        mine = dict(self.where)
        return not any(c in mine and mine[c] != v for c, v in other.where)


@dataclass(frozen=True)
class FunnelSpec:
    """A funnel definition (SPEC §5). Strings are accepted for steps, windows and dates.

    Examples
    --------
    >>> spec = FunnelSpec(("visit", "cart", "purchase"), window="7d")
    >>> [s.event for s in spec.steps], spec.window.days, spec.order
    (['visit', 'cart', 'purchase'], 7, 'ordered')
    >>> FunnelSpec(("visit",), window="7d")
    Traceback (most recent call last):
    ...
    retention_core.errors.ParameterError: steps=('visit',) is not allowed; expected at least 2 and at most 20 steps
    """

    steps: tuple[FunnelStep, ...]
    window: timedelta
    order: FunnelOrder = "ordered"
    exclusions: tuple[str, ...] = field(default=())
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        raw = (self.steps,) if isinstance(self.steps, (str, FunnelStep)) else tuple(self.steps)
        steps = tuple(s if isinstance(s, FunnelStep) else FunnelStep(s) for s in raw)
        if not 2 <= len(steps) <= MAX_STEPS:
            raise ParameterError("steps", self.steps, f"at least 2 and at most {MAX_STEPS} steps")
        if steps[0].optional:
            raise ParameterError("steps[0].optional", True, "a required first step (an optional one could not start an attempt)")
        if steps[0].window is not None:
            raise ParameterError("steps[0].window", steps[0].window, "no window on the first step (it has no previous step)")
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "window", _duration("window", self.window))
        check_choice("order", self.order, FUNNEL_ORDERS)
        exclusions = (self.exclusions,) if isinstance(self.exclusions, str) else tuple(self.exclusions)
        for name in exclusions:
            if not isinstance(name, str) or not name or name in {s.event for s in steps}:
                raise ParameterError("exclusions", name, "event names that are not funnel steps")
        object.__setattr__(self, "exclusions", exclusions)
        object.__setattr__(self, "date_from", _day("date_from", self.date_from))
        object.__setattr__(self, "date_to", _day("date_to", self.date_to))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ParameterError("date_from", self.date_from, f"a date on or before date_to={self.date_to}")
        self._check_mode(steps)

    def _check_mode(self, steps: tuple[FunnelStep, ...]) -> None:
        if self.order in ("strict", "any") and any(s.optional for s in steps):
            raise ParameterError("optional", True, f"required steps only with order={self.order!r} (use order='ordered')")
        if self.order == "any":
            if any(s.window is not None for s in steps):
                raise ParameterError("step window", "set", "no per-step windows with order='any' (steps have no previous step)")
            for i, a in enumerate(steps):
                for j in range(i + 1, len(steps)):
                    if a.matches_same_event_as(steps[j]):
                        raise ParameterError(
                            "steps", a.event, f"steps that no single event can match twice with order='any' (steps {i + 1} and {j + 1})"
                        )

    @property
    def window_seconds(self) -> float:
        """The conversion window in seconds (SPEC §8 ``window_seconds``)."""
        return self.window.total_seconds()

    @property
    def property_columns(self) -> tuple[str, ...]:
        """Property columns the step filters read."""
        return tuple(dict.fromkeys(c for s in self.steps for c, _ in s.where))


def step_predicate(step: FunnelStep) -> pl.Expr:
    """Boolean expression: the event matches the step (name and every property filter; null → false)."""
    expr = pl.col("event") == step.event
    for column, value in step.where:
        expr = expr & (pl.col(column).cast(pl.String) == value)
    return expr.fill_null(False)


def as_steps(names: Iterable[str]) -> tuple[FunnelStep, ...]:
    """Plain event names → steps (the CLI's ``--steps A,B,C``)."""
    return tuple(FunnelStep(n.strip()) for n in names)
