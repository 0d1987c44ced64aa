"""Journey subcommands (SPEC §5, §8): ``funnel`` and event ``retention``."""

from __future__ import annotations

import argparse

from retention_core.cli.args import (
    command,
    date_arg,
    history,
    load,
    positive_int,
)
from retention_core.retention.cohorts import (
    EVENT_GRAINS,
    WEEK_STARTS,
    check_time_zone,
    event_retention,
    event_retention_payload,
)


def _retention_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--start-event", required=True, help="event that puts a user in a cohort (A); * = any event")
    p.add_argument("--return-event", required=True, help="event that counts as coming back (B); * = any event")
    p.add_argument("--period", choices=EVENT_GRAINS, default="week", help="period grain (default week)")
    p.add_argument("--type", choices=("first_time", "recurring"), default="first_time",
                   help="first_time: cohort = period of the user's first A over all history; recurring: every period with A")
    p.add_argument("--cumulative", action="store_true",
                   help="count a user at age k when they returned at age k or any later age (on or after)")
    p.add_argument("--min-occurrences", type=positive_int("--min-occurrences"), default=1,
                   help="times B must happen in a period to count as a return (default 1)")
    p.add_argument("--week-start", choices=WEEK_STARTS, default="monday", help="first day of a week period")
    p.add_argument("--time-zone", default="UTC", type=_time_zone,
                   help="IANA time zone of the periods, e.g. Europe/Moscow (default UTC; timestamps without a zone are UTC)")
    p.add_argument("--breakdown", help="property column to split the cohorts by")
    p.add_argument("--breakdown-type", choices=("event", "user"), default="event",
                   help="event: the value on the start event, and B must carry the same value; "
                        "user: the user's latest value")
    p.add_argument("--start-where", action="append", default=[], metavar="FILTER",
                   help="property filter on the start event: plan=pro, amount>100 (repeat: all must hold)")
    p.add_argument("--return-where", action="append", default=[], metavar="FILTER",
                   help="property filter on the return event (repeat: all must hold)")
    p.add_argument("--from", dest="date_from", type=date_arg, help="first cohort shown, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=date_arg, help="data end: last day read, YYYY-MM-DD")


def _time_zone(text: str) -> str:
    from retention_core.errors import ParameterError

    try:
        return check_time_zone(text)
    except ParameterError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


@command("retention", "first-time or recurring retention over an event log", _retention_args)
def _retention(ns: argparse.Namespace) -> dict:
    _, events = load(history(ns), "events")
    matrix = event_retention(events, start_event=ns.start_event, return_event=ns.return_event, grain=ns.period,
                             type=ns.type, date_from=ns.date_from, date_to=ns.date_to, cumulative=ns.cumulative,
                             min_occurrences=ns.min_occurrences, week_start=ns.week_start, time_zone=ns.time_zone,
                             breakdown=ns.breakdown, breakdown_type=ns.breakdown_type,
                             start_where=tuple(ns.start_where), return_where=tuple(ns.return_where))
    out = event_retention_payload(matrix, period=ns.period, mode=ns.type)
    return {**out, "cumulative": ns.cumulative, "min_occurrences": ns.min_occurrences, "week_start": ns.week_start,
            "time_zone": ns.time_zone}


def _funnel_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--steps", required=True,
                   help="steps in order, comma-separated; a step may carry property filters in brackets joined by &: "
                        "visit,cart,purchase[amount>100&currency=EUR] (operators = != > >= < <= ~)")
    p.add_argument("--window", required=True, help="conversion window: 45s, 10m, 2h, 14d, 2w")
    p.add_argument("--order", choices=("ordered", "strict", "any"), default="ordered")
    p.add_argument("--optional", type=_step_numbers, default=(), metavar="N[,N]",
                   help="step numbers users may skip (ordered funnels; not the first step)")
    p.add_argument("--step-window", action="append", type=_step_window, default=[], metavar="N=DURATION",
                   help="most time from the previous step to step N, e.g. 3=1h (repeat for more steps)")
    p.add_argument("--exclude", action="append", default=[], metavar="EVENT[:FROM-TO]",
                   help="an event that voids an attempt when it happens between steps FROM and TO "
                        "(default: the whole funnel), e.g. refund or refund:2-3 (repeatable)")
    p.add_argument("--exclusion-rule", choices=("between", "posthog"), default="between",
                   help="between (default): an exclusion strictly between two reached steps of the range voids that "
                        "attempt, and the user counts at their furthest clean attempt; posthog: an exclusion after FROM "
                        "and before TO (or, when TO is not reached, up to FROM's time + window) voids the attempt, and a "
                        "user whose furthest step was reached only by void attempts is not counted at all")
    p.add_argument("--where", dest="event_filters", action="append", default=[], metavar="FILTER",
                   help="global event filter applied to every step and exclusion event: device=mobile, amount>=10 "
                        "(repeat: all must hold)")
    p.add_argument("--breakdown", help="property or segment column to split the funnel by")
    p.add_argument("--attribution", default="step:1", metavar="RULE",
                   help="which value a user gets: step:N (default step:1, the value on step N), first_touch, "
                        "last_touch (first / last non-empty value among the counted attempt's step events) or "
                        "all_events (one funnel per value, only events carrying it count)")
    p.add_argument("--breakdown-limit", type=positive_int("--breakdown-limit"), default=25,
                   help="show the N largest breakdown values, the rest as Other (default 25)")
    p.add_argument("--all-users", action="store_true",
                   help="add all_users and each step's conversion_from_all_users (share of every user in the log)")
    p.add_argument("--trend-period", choices=("day", "week", "month"), default="week",
                   help="entry period of the conversion trend (default week)")
    p.add_argument("--bins", type=positive_int("--bins"), default=None,
                   help="time-to-convert histogram bins (default: clamp(ceil(cbrt(n)), 1, 60), n = converted users)")
    p.add_argument("--ttc-steps", type=_step_span, default=None, metavar="FROM-TO",
                   help="steps the time-to-convert histogram measures (default 1 to the last required step)")
    p.add_argument("--from", dest="date_from", type=date_arg, help="first entry date (attempts by their first step)")
    p.add_argument("--to", dest="date_to", type=date_arg, help="last entry date, inclusive")


def _step_numbers(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not step numbers like 2 or 2,3") from None


def _step_window(text: str) -> tuple[int, str]:
    n, sep, window = text.partition("=")
    if not sep or not n.strip().isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not N=DURATION like 3=1h")
    return int(n), window.strip()


def _step_span(text: str) -> tuple[int, int]:
    lo, sep, hi = text.partition("-")
    if not sep or not lo.strip().isdigit() or not hi.strip().isdigit():
        raise argparse.ArgumentTypeError(f"'{text}' is not FROM-TO step numbers like 1-3")
    return int(lo), int(hi)


def funnel_spec_from(ns: argparse.Namespace):
    """The :class:`FunnelSpec` the ``funnel`` options describe (every check in the core)."""
    from dataclasses import replace

    from retention_core.errors import ParameterError
    from retention_core.journeys.spec import FunnelSpec, parse_steps
    from retention_core.properties import PropertyFilter

    steps = list(parse_steps(ns.steps))
    k = len(steps)
    windows = dict(ns.step_window)
    for n in (*ns.optional, *windows):
        if not 1 <= n <= k:
            raise ParameterError("step number", n, f"a step of the funnel, 1 to {k}")
    steps = [replace(s, optional=(j + 1) in ns.optional, window=windows.get(j + 1)) for j, s in enumerate(steps)]
    return FunnelSpec(steps=tuple(steps), window=ns.window, order=ns.order, exclusions=tuple(ns.exclude),
                      exclusion_rule=ns.exclusion_rule, where=tuple(PropertyFilter.parse(w) for w in ns.event_filters),
                      date_from=ns.date_from, date_to=ns.date_to)


@command("funnel", "users per step of a funnel over an event log", _funnel_args)
def _funnel(ns: argparse.Namespace) -> dict:
    from retention_core.journeys.funnels import funnel, funnel_json

    spec = funnel_spec_from(ns)
    _, events = load(history(ns), "events")
    result = funnel(events, spec, breakdown=ns.breakdown, attribution=ns.attribution, all_users=ns.all_users)
    return dict(funnel_json(result, breakdown_limit=ns.breakdown_limit, trend_grain=ns.trend_period, bins=ns.bins,
                            ttc_steps=ns.ttc_steps))
