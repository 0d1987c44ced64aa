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
    p.add_argument("--kind", choices=("orders", "subscriptions"), default=None,
                   help="detected from the headers when omitted; subscriptions are projected with the sBG survival")
    p.add_argument("--churn-change", type=float, default=0.0,
                   help="subscriptions: relative change of every churn probability (-0.2 = 20 %% less churn)")
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

    result, rows = load(ns, ns.kind or None)
    if result.report.kind == "subscriptions":
        return _subscribers(ns, rows)
    if result.report.kind != "orders":
        from retention_core.errors import ParameterError

        raise ParameterError("kind", result.report.kind, "orders or subscriptions data")
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


def _subscribers(ns: argparse.Namespace, rows) -> dict:
    """SPEC §6 for subscriptions: subscribers projected with the fitted sBG; the churn lever scales churn."""
    from retention_core.whatif.subscriptions import (
        backtest_subscribers,
        measure_subscribers,
        project_subscribers,
    )

    base = measure_subscribers(rows)
    p = project_subscribers(base, horizon=ns.horizon, churn_change=ns.churn_change, new_per_month=ns.new_customers)
    months = [d.isoformat() for d in p["period_start"].to_list()]
    series = {w: {"months": months, "subscribers": p[f"{w}_subscribers"].to_list(), "mrr": p[f"{w}_mrr"].to_list()}
              for w in ("baseline", "scenario")}
    last = p.row(-1, named=True)
    first = base.gamma / (base.gamma + base.delta)  # churn in a subscriber's first month, c(1)
    bt = backtest_subscribers(rows, horizon=ns.horizon)
    backtest = None if not hasattr(bt, "mape") else {
        "from_day": bt.from_day.isoformat(), "months": [m.isoformat() for m in bt.months],
        "actual": {"subscribers": list(bt.actual)}, "projected": {"subscribers": list(bt.projected)},
        "mape_subscribers": bt.mape}
    out = {
        "kind": "subscriptions", "model": "sBG", **series,
        "difference": {"subscribers_end": last["subscribers_difference"], "mrr": last["cumulative_mrr_difference"]},
        "assumptions": {"as_of": base.as_of.isoformat(), "gamma": base.gamma, "delta": base.delta,
                        "subscribers_start": base.subscribers, "new_subscribers_per_month": base.new_per_month,
                        "scenario_new_subscribers_per_month": ns.new_customers, "mrr": base.mrr,
                        "churn_change": ns.churn_change, "first_month_churn": first,
                        "scenario_first_month_churn": min(first * (1 + ns.churn_change), 1.0)},
        "backtest": backtest,
    }
    if backtest is None:
        out["backtest_reason"] = bt.reason
    return out
