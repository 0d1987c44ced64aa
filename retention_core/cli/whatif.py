"""The what-if subcommand (SPEC §6, §8): the two-pool projection, its rates and its backtest."""

from __future__ import annotations

import argparse

from retention_core.cli.args import (
    command,
    filter_args,
    load,
    positive_int,
)
from retention_core.retention.activity import activity_window


def _whatif_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--horizon", type=int, default=12, help="months to project, 3–36 (default 12)")
    p.add_argument("--crr-delta", type=float, default=0.05,
                   help="change of the retention rate r in points as a fraction (0.05 = +5 pp; r is capped at 1)")
    p.add_argument("--winback-delta", type=float, default=0.0,
                   help="change of every reactivation (win-back) rate in points as a fraction")
    p.add_argument("--aov-change", type=float, default=0.0, help="relative AOV change (0.1 = +10 %%)")
    p.add_argument("--frequency-change", type=float, default=0.0, help="relative purchase-frequency change")
    p.add_argument("--new-customers", type=float, default=None, help="new customers per month (default: baseline)")
    p.add_argument("--margin", type=float, default=1.0, help="gross margin, 0–1 (default 1.0)")
    p.add_argument("--retention-cost", type=float, default=0.0, help="programme cost per retained customer per month")
    p.add_argument("--cac", type=float, default=0.0, help="cost of acquiring one customer")
    p.add_argument("--window", type=positive_int("--window"), default=None,
                   help="activity window in months (default: the shop's purchase cycle, SPEC §4.1)")
    p.add_argument("--baseline-months", type=positive_int("--baseline-months"), default=12,
                   help="complete months the rates are measured over (default 12)")
    filter_args(p)


@command("whatif", "project customers, revenue and profit for a retention scenario vs the baseline, with a backtest",
         _whatif_args)
def _whatif(ns: argparse.Namespace) -> dict:
    from retention_core.whatif.backtest import backtest
    from retention_core.whatif.measure import baseline_at, monthly_pools
    from retention_core.whatif.model import Scenario
    from retention_core.whatif.solve import whatif_report

    result, rows = load(ns, "orders")
    # the window is the dataset's, measured before any filter (SPEC §4.1)
    window = activity_window(result.frame, grain="month", override=ns.window)
    scenario = Scenario(name="cli", horizon=ns.horizon, crr_delta=ns.crr_delta, winback_delta=ns.winback_delta,
                        aov_change=ns.aov_change, frequency_change=ns.frequency_change,
                        new_customers=ns.new_customers, margin=ns.margin, cac=ns.cac,
                        retention_cost=ns.retention_cost)
    pools = monthly_pools(rows, window=window.periods)
    baseline = baseline_at(pools, months=max(2, ns.baseline_months))
    report = dict(whatif_report(baseline, scenario, backtest=backtest(pools, horizon=ns.horizon,
                                                                      months=max(2, ns.baseline_months))))
    report["activity_window"] = window.to_json()
    return report
