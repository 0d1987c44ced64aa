"""What-if simulator (SPEC §6): ``model`` (the two-pool projection), ``measure`` (its baseline from
orders), ``backtest`` (the honesty check), ``solve`` (sensitivity, inverse targets, acquisition
comparison, JSON report), ``subscriptions`` (subscribers projected with the sBG survival of §4.2).
"""

from retention_core.whatif.backtest import Backtest, NoBacktest, backtest, error_band
from retention_core.whatif.measure import baseline_at, measure_baseline, monthly_pools
from retention_core.whatif.model import Baseline, Scenario, applied_levers, project
from retention_core.whatif.solve import (
    acquisition_equivalent,
    compare_scenarios,
    sensitivity,
    solve_target_crr,
    solve_target_winback,
    whatif_report,
)

__all__ = [
    "Backtest", "Baseline", "NoBacktest", "Scenario", "acquisition_equivalent", "applied_levers", "backtest",
    "baseline_at", "compare_scenarios", "error_band", "measure_baseline", "monthly_pools", "project", "sensitivity",
    "solve_target_crr", "solve_target_winback", "whatif_report",
]
