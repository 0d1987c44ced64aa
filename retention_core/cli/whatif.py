"""The what-if subcommand (SPEC §6, §8)."""

from __future__ import annotations

import argparse

from retention_core.cli.args import (
    command,
    filter_args,
    load,
    positive_int,
)
from retention_core.retention.flows import period_metrics


def _whatif_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--horizon", type=int, default=12, help="months to project, 3–36 (default 12)")
    p.add_argument("--crr-delta", type=float, default=0.05, help="CRR change in points as a fraction (0.05 = +5 pp)")
    p.add_argument("--aov-change", type=float, default=0.0, help="relative AOV change (0.1 = +10 %%)")
    p.add_argument("--frequency-change", type=float, default=0.0, help="relative purchase-frequency change")
    p.add_argument("--new-customers", type=float, default=None, help="new customers per month (default: baseline)")
    p.add_argument("--margin", type=float, default=1.0, help="gross margin, 0–1 (default 1.0)")
    p.add_argument("--retention-cost", type=float, default=0.0, help="programme cost per retained customer per month")
    p.add_argument("--cac", type=float, default=0.0, help="cost of acquiring one customer")
    p.add_argument("--baseline-months", type=positive_int("--baseline-months"), default=6,
                   help="complete months the baseline averages over (default 6)")
    filter_args(p)


@command("whatif", "project customers, revenue and profit for a retention scenario vs the baseline", _whatif_args)
def _whatif(ns: argparse.Namespace) -> dict:
    from retention_core.whatif.model import Scenario, measure_baseline
    from retention_core.whatif.solve import whatif_report

    _, rows = load(ns, "orders")
    table = period_metrics(rows, grain="month")
    baseline = measure_baseline(table, months=ns.baseline_months)
    scenario = Scenario(name="cli", horizon=ns.horizon, crr_delta=ns.crr_delta, aov_change=ns.aov_change,
                        frequency_change=ns.frequency_change, new_customers=ns.new_customers, margin=ns.margin,
                        cac=ns.cac, retention_cost=ns.retention_cost)
    return dict(whatif_report(baseline, scenario))
