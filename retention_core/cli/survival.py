"""The survival subcommand (SPEC §4.2, §8): shifted-beta-geometric survival of subscribers."""

from __future__ import annotations

import argparse

from retention_core.cli.args import command, date_arg, load


def _survival_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--period", choices=("year", "quarter", "month"), default="month",
                   help="unit of a subscriber's lifetime (default month)")
    p.add_argument("--as-of", dest="as_of", type=date_arg, default=None,
                   help="analysis date: subscriptions still open then are censored (default: the data's last date)")
    p.add_argument("--horizon", type=int, default=12, help="periods to project after the observed ones (1–60)")
    p.add_argument("--by", default=None, metavar="COL", help="fit one curve per value of this column")
    p.add_argument("--discount", type=float, default=0.1, help="annual discount rate of DEL and LTV (default 0.1)")


@command("survival", "sBG survival of subscribers: gamma, delta, observed vs fitted vs projected, DEL, LTV",
         _survival_args)
def _survival(ns: argparse.Namespace) -> dict:
    from retention_core.retention.survival import survival_report

    _, rows = load(ns, "subscriptions")
    as_of = ns.as_of.date() if hasattr(ns.as_of, "date") and callable(ns.as_of.date) else ns.as_of
    return survival_report(rows, period=ns.period, as_of=as_of, horizon=ns.horizon, by=ns.by, discount=ns.discount)
