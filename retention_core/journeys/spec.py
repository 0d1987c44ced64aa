"""Funnel parameters (SPEC §5, §8 ``funnel``): frozen, validated, hashable (cache keys, URL state).

A :class:`FunnelSpec` is steps ``s1..sk`` (:class:`FunnelStep`: an event name, optionally with
property filters, optional, with its own window), a conversion window, an order mode, exclusion
events and an optional date range for the attempts' first step. Every invalid combination raises
:class:`~retention_core.errors.ParameterError` here, before any data is touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, get_args

import polars as pl

from retention_core.errors import ParameterError, check_choice
from retention_core.periods import parse_duration
from retention_core.properties import PropertyFilter, all_of, as_filters

FunnelOrder = Literal["ordered", "strict", "any"]
FUNNEL_ORDERS: tuple[str, ...] = get_args(FunnelOrder)
ExclusionRule = Literal["between", "posthog"]
EXCLUSION_RULES: tuple[str, ...] = get_args(ExclusionRule)
MAX_STEPS = 20
MAX_EXCLUSIONS = 10


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
    """One funnel step: an event name and property filters ``where`` (all must hold).

    ``where`` takes :class:`~retention_core.properties.PropertyFilter` objects, texts such as
    ``"amount>100"`` or ``(column, value)`` pairs (equality). ``optional``: users may skip the step
    (see :func:`retention_core.journeys.funnels.funnel`). ``window``: the most time allowed since the
    previous step was matched (on top of the funnel's window).

    Examples
    --------
    >>> FunnelStep("view", where={"device": "mobile"}).where
    (PropertyFilter(column='device', op='=', value='mobile'),)
    >>> FunnelStep("cart", window="1h").window
    datetime.timedelta(seconds=3600)
    >>> str(FunnelStep("purchase", where=["amount>100"], optional=True, window="1d"))
    'purchase[amount>100]?<1d'
    """

    event: str
    where: tuple[PropertyFilter, ...] = ()
    optional: bool = False
    window: timedelta | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.event, str) or not self.event.strip():
            raise ParameterError("step event", self.event, "a non-empty event name")
        object.__setattr__(self, "where", as_filters(self.where))
        object.__setattr__(self, "optional", bool(self.optional))
        if self.window is not None:
            object.__setattr__(self, "window", _duration("step window", self.window))

    def __str__(self) -> str:
        text = self.event + (f"[{'&'.join(map(str, self.where))}]" if self.where else "")
        text += "?" if self.optional else ""
        return text + (f"<{_short(self.window)}" if self.window is not None else "")

    def matches_same_event_as(self, other: FunnelStep) -> bool:
        """Whether one event could satisfy both steps (same name, no equality filter tells them apart)."""
        if self.event != other.event:
            return False
        mine = {f.column: f.value for f in self.where if f.op == "="}
        return not any(f.op == "=" and f.column in mine and mine[f.column] != f.value for f in other.where)


def _short(window: timedelta) -> str:
    seconds = window.total_seconds()
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


@dataclass(frozen=True)
class Exclusion:
    """An exclusion event and the steps it applies between (1-based, ``to_step`` None = the last step).

    Examples
    --------
    >>> Exclusion.parse("refund:2-3")
    Exclusion(event='refund', from_step=2, to_step=3)
    >>> str(Exclusion("refund"))
    'refund'
    """

    event: str
    from_step: int = 1
    to_step: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.event, str) or not self.event.strip():
            raise ParameterError("exclusions", self.event, "event names that are not funnel steps")
        if isinstance(self.from_step, bool) or not isinstance(self.from_step, int) or self.from_step < 1:
            raise ParameterError("exclusion from step", self.from_step, "a step number ≥ 1")
        if self.to_step is not None and (isinstance(self.to_step, bool) or not isinstance(self.to_step, int)
                                         or self.to_step <= self.from_step):
            raise ParameterError("exclusion to step", self.to_step, f"a step number after {self.from_step}")

    @classmethod
    def parse(cls, text: str) -> Exclusion:
        """``EVENT`` or ``EVENT:FROM-TO`` (step numbers, e.g. ``refund:2-3``)."""
        name, sep, span = str(text).rpartition(":")
        if not sep or not re.fullmatch(r"\s*\d+\s*-\s*\d+\s*", span):
            return cls(str(text).strip())
        lo, hi = (int(x) for x in span.split("-"))
        return cls(name.strip(), lo, hi)

    def __str__(self) -> str:
        return self.event if self.from_step == 1 and self.to_step is None else f"{self.event}:{self.from_step}-{self.to_step}"

    def span(self, k: int) -> tuple[int, int]:
        """``(from, to)`` as 1-based step numbers of a k-step funnel."""
        return self.from_step, k if self.to_step is None else self.to_step


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
    exclusions: tuple[Exclusion, ...] = field(default=())
    date_from: date | None = None
    date_to: date | None = None
    where: tuple[PropertyFilter, ...] = ()
    exclusion_rule: ExclusionRule = "between"

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
        raw_x = (self.exclusions,) if isinstance(self.exclusions, (str, Exclusion)) else tuple(self.exclusions)
        exclusions = tuple(x if isinstance(x, Exclusion) else Exclusion.parse(x) for x in raw_x)
        if len(exclusions) > MAX_EXCLUSIONS:
            raise ParameterError("exclusions", len(exclusions), f"at most {MAX_EXCLUSIONS} exclusion events")
        for x in exclusions:
            if x.event in {s.event for s in steps}:
                raise ParameterError("exclusions", x.event, "event names that are not funnel steps")
            lo, hi = x.span(len(steps))
            if hi > len(steps) or lo >= hi:
                raise ParameterError("exclusions", str(x), f"a step range within 1-{len(steps)} (e.g. {x.event}:1-2)")
            if self.order == "any" and (lo, hi) != (1, len(steps)):
                raise ParameterError("exclusions", str(x), "the whole funnel with order='any' (steps have no fixed order)")
        object.__setattr__(self, "exclusions", exclusions)
        object.__setattr__(self, "where", as_filters(self.where))
        check_choice("exclusion_rule", self.exclusion_rule, EXCLUSION_RULES)
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
        """Property columns the step filters and the global filters read."""
        return tuple(dict.fromkeys([*(f.column for s in self.steps for f in s.where), *(f.column for f in self.where)]))

    @property
    def exclusion_events(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(x.event for x in self.exclusions))


def step_predicate(step: FunnelStep, where: tuple[PropertyFilter, ...] = ()) -> pl.Expr:
    """Boolean expression: the event matches the step (name, its filters and the funnel's global
    filters ``where``; a missing value fails a filter, see :mod:`retention_core.properties`)."""
    return ((pl.col("event") == step.event) & all_of((*step.where, *where))).fill_null(False)


def parse_steps(text: str) -> tuple[FunnelStep, ...]:
    """Steps from the command line's text: comma-separated ``EVENT[FILTER&FILTER…]``.

    A comma inside brackets belongs to the filter. Optional steps and per-step windows are separate
    options of the ``funnel`` command (``--optional``, ``--step-window``).

    Examples
    --------
    >>> [str(s) for s in parse_steps("visit, cart ,purchase[amount>100&currency=EUR]")]
    ['visit', 'cart', 'purchase[amount>100&currency=EUR]']
    """
    parts, depth, cur = [], 0, ""
    for ch in str(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                raise ParameterError("steps", text, "brackets that open before they close: purchase[amount>100]")
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    if depth != 0:
        raise ParameterError("steps", text, "every [ closed by ]: purchase[amount>100]")
    steps = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        m = re.fullmatch(r"(.+?)\s*\[(.*)\]", part)
        steps.append(FunnelStep(m.group(1).strip(), where=m.group(2)) if m else FunnelStep(part))
    return tuple(steps)


def as_steps(names: Iterable[str]) -> tuple[FunnelStep, ...]:
    """Plain event names → steps (the CLI's ``--steps A,B,C``)."""
    return tuple(FunnelStep(n.strip()) for n in names)
