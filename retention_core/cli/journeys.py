"""Journey subcommands (SPEC §5, §8): ``funnel`` and event ``retention``."""

from __future__ import annotations

import argparse

from retention_core.cli.args import (
    command,
    date_arg,
    grain_arg,
    history,
    load,
)
from retention_core.retention.cohorts import event_retention, matrix_payload


def _retention_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--start-event", required=True, help="event that puts a user in a cohort (A)")
    p.add_argument("--return-event", required=True, help="event that counts as coming back (B)")
    grain_arg(p, "week")
    p.add_argument("--type", choices=("first_time", "recurring"), default="first_time")
    p.add_argument("--from", dest="date_from", type=date_arg, help="first cohort date, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=date_arg, help="last cohort date, YYYY-MM-DD")


@command("retention", "first-time or recurring retention over an event log", _retention_args)
def _retention(ns: argparse.Namespace) -> dict:
    _, events = load(history(ns), "events")
    matrix = event_retention(events, start_event=ns.start_event, return_event=ns.return_event, grain=ns.period,
                             type=ns.type, date_from=ns.date_from, date_to=ns.date_to)
    return matrix_payload(matrix, period=ns.period, value="users", mode=ns.type)



def _funnel_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--steps", required=True, help="event names in order, comma-separated: visit,cart,purchase")
    p.add_argument("--window", required=True, help="conversion window: 45s, 10m, 2h, 14d, 2w")
    p.add_argument("--order", choices=("ordered", "strict", "any"), default="ordered")
    p.add_argument("--breakdown", help="property or segment column; a user's value at their first step")
    p.add_argument("--from", dest="date_from", type=date_arg, help="first entry date (attempts by their first step)")
    p.add_argument("--to", dest="date_to", type=date_arg, help="last entry date, inclusive")


@command("funnel", "users per step of a funnel over an event log", _funnel_args)
def _funnel(ns: argparse.Namespace) -> dict:
    from retention_core.journeys.funnels import funnel, funnel_json
    from retention_core.journeys.spec import FunnelSpec, as_steps

    names = [s.strip() for s in ns.steps.split(",") if s.strip()]
    spec = FunnelSpec(steps=as_steps(names), window=ns.window, order=ns.order,
                      date_from=ns.date_from, date_to=ns.date_to)
    _, events = load(history(ns), "events")
    return dict(funnel_json(funnel(events, spec, breakdown=ns.breakdown)))
