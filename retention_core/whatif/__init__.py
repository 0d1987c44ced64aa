"""What-if simulator (SPEC §6): ``model`` measures the baseline and projects a scenario; ``solve``
answers the questions around it (sensitivity, inverse targets, acquisition comparison, JSON report).
"""

from retention_core.whatif.model import Baseline, Scenario, measure_baseline, project
from retention_core.whatif.solve import (
    acquisition_equivalent,
    compare_scenarios,
    sensitivity,
    solve_target_crr,
    whatif_report,
)

__all__ = [
    "Baseline", "Scenario", "acquisition_equivalent", "compare_scenarios", "measure_baseline", "project",
    "sensitivity", "solve_target_crr", "whatif_report",
]
