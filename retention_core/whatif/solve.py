"""Questions asked of the what-if model (SPEC §6): sensitivity, comparison, JSON, inverse targets.

The model itself (``Baseline``, ``Scenario``, ``project``, ``applied_levers``) lives in
:mod:`retention_core.whatif.model`, its baseline measurement in :mod:`~retention_core.whatif.measure`
and the honesty check in :mod:`~retention_core.whatif.backtest`. Here:

- :func:`sensitivity` — the outcome's change for ±1 point of r and of q, ±5 % AOV, ±5 % frequency;
- :func:`compare_scenarios` — named scenarios side by side; :func:`whatif_report` — SPEC §8 JSON;
- :func:`lever_values` — each model rate, measured and as the scenario uses it (shown by the UI);
- inverse questions: :func:`outcome_at`, :func:`solve_target_crr` ("which retention rate reaches
  X"), :func:`solve_target_winback` ("which win-back rate"), :func:`break_even_retention_cost`,
  :func:`acquisition_equivalent`, :func:`customers_to_keep`.

An unreachable target is an answer, not an error: :class:`RateSolution` says ``reachable=False``
and why, so the UI can show "even keeping every customer only reaches …".

The model's outcomes rise with ``r`` and with ``q`` whenever ``r ≥ q_≤12 ≥ q_>12`` (a customer who
is active is at least as likely to be active next month as one who lapsed, and a recent lapser at
least as likely as an old one) — true of every shop measured; the solvers rely on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, TypedDict, get_args

import numpy as np
import polars as pl
from scipy.optimize import brentq

from retention_core.errors import ParameterError, check_choice
from retention_core.whatif.model import (
    LAPSE_BUCKETS,
    Baseline,
    Scenario,
    _check_number,
    _clip01,
    _series,
    _simulate,
    applied_levers,
    project,
)

TargetMetric = Literal["revenue", "gross_profit"]
TargetBasis = Literal["month", "cumulative"]
AcquisitionMatch = Literal["customers", "revenue"]
_SENSITIVITY_LEVERS = ("crr", "winback", "aov", "frequency")
_OUTCOMES = ("revenue", "gross_profit", "cumulative_revenue", "cumulative_gross_profit")


def _run(baseline: Baseline, scenario: Scenario) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    base, scen = _series(baseline, scenario)
    return (_simulate(baseline.active_customers, baseline.lapsed_by_age, base),
            _simulate(baseline.active_customers, baseline.lapsed_by_age, scen))


def sensitivity(
    baseline: Baseline, scenario: Scenario, *, rate_step: float = 0.01, relative_step: float = 0.05
) -> pl.DataFrame:
    """How the scenario's outcome moves for ±1 point of r, ±1 point of q, ±5 % AOV, ±5 % frequency.

    Each row re-runs the scenario with one lever nudged: ``crr_delta ± rate_step`` or
    ``winback_delta ± rate_step`` (rates still capped to [0, 1]), AOV or frequency × (1 ±
    relative_step). Outcomes are at the horizon month (``revenue``, ``gross_profit``) and summed over
    the horizon (``cumulative_*``); ``*_change`` is the nudged outcome minus the scenario's own.

    Returns
    -------
    pl.DataFrame
        8 rows: ``lever`` (String: crr, winback, aov, frequency), ``step`` (Float64, signed), then for
        each of revenue, gross_profit, cumulative_revenue, cumulative_gross_profit the value and ``_change``.

    Examples
    --------
    Revenue is proportional to AOV, so +5 % AOV moves cumulative revenue by exactly +5 %.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
    ...              purchase_frequency=1.5, aov=20)
    >>> t = sensitivity(b, Scenario(horizon=3))
    >>> round(t.filter(lever="aov", step=0.05)["cumulative_revenue_change"].item(), 9)  # 7428 × 5 %
    371.4
    """
    _check_number("rate_step", rate_step, low=0.0, high=1.0)
    _check_number("relative_step", relative_step, low=0.0, high=1.0)
    base = project(baseline, scenario).tail(1)
    own = {k: base[f"scenario_{k}"].item() for k in _OUTCOMES}
    rows: list[dict[str, Any]] = []
    for lever in _SENSITIVITY_LEVERS:
        for sign in (-1.0, 1.0):
            step = sign * (rate_step if lever in ("crr", "winback") else relative_step)
            if lever in ("crr", "winback"):
                attr = f"{lever}_delta"
                nudged = replace(scenario, **{attr: min(max(getattr(scenario, attr) + step, -1.0), 1.0)})
            else:
                attr = f"{lever}_change"
                nudged = replace(scenario, **{attr: (1.0 + getattr(scenario, attr)) * (1.0 + step) - 1.0})
            last = project(baseline, nudged).tail(1)
            row: dict[str, Any] = {"lever": lever, "step": step}
            for k in _OUTCOMES:
                row[k] = last[f"scenario_{k}"].item()
                row[f"{k}_change"] = row[k] - own[k]
            rows.append(row)
    return pl.DataFrame(rows, schema={"lever": pl.String, "step": pl.Float64} | {
        c: pl.Float64 for k in _OUTCOMES for c in (k, f"{k}_change")})  # fmt: skip


_LEVERS = ("horizon", "crr_delta", "winback_delta", "aov_change", "frequency_change", "new_customers", "margin", "cac",
           "retention_cost")


def compare_scenarios(baseline: Baseline, scenarios: Sequence[Scenario]) -> pl.DataFrame:
    """Named scenarios side by side at their horizons (SPEC §6 "kept side by side and exported").

    Each row is one scenario's :func:`~retention_core.whatif.model.project` read at its last month:
    customers at the end, revenue and gross profit summed over the horizon, programme cost, ROI and
    LTV, each next to the baseline over the same horizon and margin; with the retention rate the
    scenario ran on after the cap.

    Returns
    -------
    pl.DataFrame
        ``name`` (String), the levers (``horizon`` Int32, ``crr_delta``, ``winback_delta``,
        ``aov_change``, ``frequency_change``, ``new_customers``, ``margin``, ``cac``,
        ``retention_cost``), ``scenario_retention_rate``, ``crr_delta_applied``, and
        ``{baseline,scenario}_{active_customers_end,cumulative_revenue,cumulative_gross_profit,ltv}``,
        ``*_difference`` of the first three, ``programme_cost``, ``roi`` (Float64).

    Raises
    ------
    ParameterError
        No scenarios, or two scenarios with the same name.

    Examples
    --------
    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
    ...              purchase_frequency=1.5, aov=20)
    >>> t = compare_scenarios(b, [Scenario(name="A", horizon=3), Scenario(name="B", horizon=3, crr_delta=0.05)])
    >>> t.select("name", pl.col("scenario_active_customers_end").round(9)).rows()  # 75.6 = 82×0.8+10; 87.1375 = 90.75×0.85+10
    [('A', 75.6), ('B', 87.1375)]
    """
    names = [s.name for s in scenarios]
    if not names or len(set(names)) != len(names):
        raise ParameterError("scenarios", names, "one or more scenarios with distinct names")
    frames = []
    for s in scenarios:
        last = project(baseline, s).tail(1)
        a = applied_levers(baseline, s)
        frames.append(
            last.select(
                pl.lit(s.name).alias("name"),
                *[pl.lit(getattr(s, k), pl.Float64).alias(k) for k in _LEVERS],
                pl.lit(a.scenario_retention_rate, pl.Float64).alias("scenario_retention_rate"),
                pl.lit(a.crr_delta_applied, pl.Float64).alias("crr_delta_applied"),
                *[pl.col(f"{w}_active_customers").alias(f"{w}_active_customers_end") for w in ("baseline", "scenario")],
                pl.col("active_customers_difference").alias("active_customers_end_difference"),
                *[pl.col(f"{w}_{k}") for k in ("cumulative_revenue", "cumulative_gross_profit") for w in ("baseline", "scenario")],
                "cumulative_revenue_difference",
                "cumulative_gross_profit_difference",
                pl.col("scenario_cumulative_programme_cost").alias("programme_cost"),
                "roi",
                "baseline_ltv",
                "scenario_ltv",
            ).with_columns(pl.col("horizon").cast(pl.Int32))
        )
    return pl.concat(frames)


class WhatifSeries(TypedDict):
    """One projected series of the SPEC §8 ``whatif`` JSON (monthly values)."""

    months: list[str]
    active_customers: list[float]
    revenue: list[float]
    gross_profit: list[float]


class WhatifDifference(TypedDict):
    """Scenario − baseline: revenue and gross profit summed over the horizon; customers at its end."""

    revenue: float
    gross_profit: float
    active_customers_end: float


class WhatifReport(TypedDict):
    """SPEC §8 ``whatif`` JSON."""

    baseline: WhatifSeries
    scenario: WhatifSeries
    difference: WhatifDifference
    assumptions: dict[str, Any]
    backtest: dict[str, Any] | None


def assumptions(baseline: Baseline, scenario: Scenario) -> dict[str, Any]:
    """Every rate and input the model uses, measured and as the scenario applies it (SPEC §8)."""
    a = applied_levers(baseline, scenario)
    lapsed = baseline.lapsed_customers
    return {
        "name": scenario.name,
        "horizon": scenario.horizon,
        "last_complete_month": baseline.last_month.isoformat(),
        "months_measured": baseline.months_used,
        "activity_window_months": baseline.window,
        "active_customers_start": baseline.active_customers,
        "lapsed_customers_start": dict(zip(LAPSE_BUCKETS, lapsed, strict=True)),
        "new_customers_per_month": baseline.new_customers,
        "new_customers_by_calendar_month": (
            None if baseline.new_customers_seasonal is None else list(baseline.new_customers_seasonal)),
        "scenario_new_customers_per_month": scenario.new_customers,
        "crr": baseline.crr,
        "reactivation_share": baseline.reactivation_share,
        "retention_rate": a.retention_rate,
        "reactivation_rate": dict(zip(LAPSE_BUCKETS, a.reactivation_rates, strict=True)),
        "crr_delta": a.crr_delta,
        "crr_delta_applied": a.crr_delta_applied,
        "crr_delta_cut": a.crr_cut,
        "scenario_retention_rate": a.scenario_retention_rate,
        "winback_delta": a.winback_delta,
        "winback_delta_applied": dict(zip(LAPSE_BUCKETS, a.winback_delta_applied, strict=True)),
        "winback_delta_cut": a.winback_cut,
        "scenario_reactivation_rate": dict(zip(LAPSE_BUCKETS, a.scenario_reactivation_rates, strict=True)),
        "purchase_frequency": baseline.purchase_frequency,
        "purchase_frequency_by_calendar_month": (
            None if baseline.frequency_seasonal is None else list(baseline.frequency_seasonal)),
        "frequency_change": scenario.frequency_change,
        "aov": baseline.aov,
        "aov_change": scenario.aov_change,
        "margin": scenario.margin,
        "cac": scenario.cac,
        "retention_cost": scenario.retention_cost,
        "model": (
            "retained(t) = active(t-1) x r; reactivated(t) = sum over lapse ages of lapsed(t-1) x q_b; "
            "active(t) = retained + reactivated + new(t); lapsed ages by one month, the newly lapsed are "
            "active(t-1) x (1 - r); r = min(max(r + crr_delta, 0), 1), q_b = min(max(q_b + winback_delta, 0), 1); "
            "revenue = active x purchase_frequency x AOV; gross_profit = revenue x margin - retention_cost x "
            "retained customers (scenario only)"
        ),
    }


def whatif_report(baseline: Baseline, scenario: Scenario, *, backtest: Any = None) -> WhatifReport:
    """SPEC §8 ``whatif`` JSON: both series month by month, the difference, every rate, the backtest.

    ``months`` are the projected months' first days (``YYYY-MM-DD``), starting the month after the
    last complete month. ``difference.revenue`` and ``difference.gross_profit`` are scenario minus
    baseline *summed over the horizon*; ``active_customers_end`` is the difference in the last
    month. ``backtest`` is a :class:`~retention_core.whatif.backtest.Backtest` (its JSON), a
    :class:`~retention_core.whatif.backtest.NoBacktest` (null, and ``backtest_reason`` says why) or
    None (not run).

    Examples
    --------
    Worked example of :func:`~retention_core.whatif.model.project` with no lapsed customers:
    cumulative revenue 8186.625 − 7428.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
    ...              purchase_frequency=1.5, aov=20)
    >>> r = whatif_report(b, Scenario(horizon=3, crr_delta=0.05))
    >>> r["baseline"]["months"], [round(a, 9) for a in r["baseline"]["active_customers"]]
    (['2024-07-01', '2024-08-01', '2024-09-01'], [90.0, 82.0, 75.6])
    >>> round(r["difference"]["revenue"], 6), round(r["difference"]["active_customers_end"], 6)
    (758.625, 11.5375)
    """
    p = project(baseline, scenario)
    months = [d.isoformat() for d in p["period_start"].to_list()]
    series = {
        w: WhatifSeries(
            months=months,
            active_customers=p[f"{w}_active_customers"].to_list(),
            revenue=p[f"{w}_revenue"].to_list(),
            gross_profit=p[f"{w}_gross_profit"].to_list(),
        )
        for w in ("baseline", "scenario")
    }
    last = p.row(-1, named=True)
    report = WhatifReport(
        baseline=series["baseline"],
        scenario=series["scenario"],
        difference=WhatifDifference(
            revenue=last["cumulative_revenue_difference"],
            gross_profit=last["cumulative_gross_profit_difference"],
            active_customers_end=last["active_customers_difference"],
        ),
        assumptions=assumptions(baseline, scenario),
        backtest=backtest.to_json() if hasattr(backtest, "to_json") else None,
    )
    if hasattr(backtest, "reason"):
        report["backtest_reason"] = backtest.reason  # type: ignore[typeddict-unknown-key]
    return report


@dataclass(frozen=True)
class RateSolution:
    """Answer of :func:`solve_target_crr` (``lever="crr"``) and :func:`solve_target_winback` (``"winback"``).

    ``rate`` is the rate the model needs — the retention rate ``r``, or the reactivation rate of
    customers lapsed up to 12 months (every ``q_b`` moves by the same points) — and ``delta`` the
    change in points to feed to ``Scenario(crr_delta=…)`` or ``Scenario(winback_delta=…)``; both None
    when unreachable. ``reason``: ``"above_full_retention"`` (not reached even when every customer
    is kept, or every lapsed one won back) or ``"cost_exceeds_customer_profit"`` (the programme
    costs more per retained customer than the customer's monthly gross profit).
    """

    reachable: bool
    rate: float | None
    delta: float | None
    target: float
    metric: TargetMetric
    basis: TargetBasis
    by_month: int
    value_at_scenario: float
    value_at_full_retention: float
    reason: str | None = None
    lever: Literal["crr", "winback"] = "crr"


CrrSolution = RateSolution


def _check_target(scenario: Scenario, metric: str, by_month: int | None, basis: str) -> int:
    """Validate the target question's options; the month it is asked about (default: the horizon)."""
    check_choice("metric", metric, get_args(TargetMetric))
    check_choice("basis", basis, get_args(TargetBasis))
    by_month = scenario.horizon if by_month is None else by_month
    if isinstance(by_month, bool) or not isinstance(by_month, int) or not 1 <= by_month <= 36:
        raise ParameterError("by_month", by_month, "a month number from 1 to 36")
    return by_month


def _outcome(baseline: Baseline, scenario: Scenario, by_month: int, metric: str, basis: str, lever: str):
    """Function x ↦ outcome (metric in month by_month, or summed to it), x = r (lever "crr") or the
    win-back shift (lever "winback"), the other levers fixed."""
    _, scen = _series(baseline, scenario, horizon=by_month)
    column = metric if basis == "month" else f"cumulative_{metric}"
    q0 = baseline.reactivation_rates

    def value(x: float) -> float:
        s = replace(scen, r=x) if lever == "crr" else replace(scen, q=tuple(_clip01(q + x) for q in q0))
        return float(_simulate(baseline.active_customers, baseline.lapsed_by_age, s)[column][-1])

    return value, scen


def outcome_at(
    baseline: Baseline,
    scenario: Scenario,
    *,
    metric: TargetMetric = "revenue",
    by_month: int | None = None,
    basis: TargetBasis = "month",
) -> float:
    """The scenario's revenue or gross profit in month ``by_month`` (or summed to it), SPEC §6.

    ``by_month`` may lie beyond the horizon (up to 36).

    Examples
    --------
    Worked example of ``project`` (r 0.8 + 5 points): month-3 revenue 2614.125; summed 2850 + 2722.5 + 2614.125.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
    ...              purchase_frequency=1.5, aov=20)
    >>> s = Scenario(horizon=3, crr_delta=0.05)
    >>> round(outcome_at(b, s), 6), round(outcome_at(b, s, basis="cumulative"), 6)
    (2614.125, 8186.625)
    """
    by_month = _check_target(scenario, metric, by_month, basis)
    value, scen = _outcome(baseline, scenario, by_month, metric, basis, "crr")
    return value(scen.r)


def _solve(value: Callable[[float], float], lo: float, hi: float, target: float) -> tuple[float | None, str | None]:
    if value(lo) >= target:
        return lo, None
    if value(hi) < target:
        return None, "above_full_retention"
    return brentq(lambda x: value(x) - target, lo, hi, xtol=1e-13), None


def solve_target_crr(
    baseline: Baseline,
    scenario: Scenario,
    *,
    target: float,
    metric: TargetMetric = "revenue",
    by_month: int | None = None,
    basis: TargetBasis = "month",
) -> RateSolution:
    """Lowest retention rate ``r`` at which the scenario reaches ``target`` by month ``by_month`` (SPEC §6).

    Solves ``outcome(r) = target`` for r in [0, 1] by Brent's method, the scenario's other levers
    (win-back included) fixed. ``basis="month"``: the metric in month ``by_month``; ``"cumulative"``:
    summed over months 1…``by_month``. Gross profit rises with r only while a retained customer's
    monthly gross profit (margin × frequency × AOV, frequency averaged over the months) covers the
    programme's cost; otherwise the answer is ``reachable=False``. A target met even at r = 0 gives
    ``rate=0``. ``delta`` = the CRR change in points to put on the lever.

    Raises
    ------
    ParameterError
        Unknown metric or basis, ``by_month`` outside 1–36, non-finite target.

    Examples
    --------
    Month-3 revenue 2614.125 needs r = 0.85 (worked example of ``project``): 0.8 + 5 points.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
    ...              purchase_frequency=1.5, aov=20)
    >>> s = solve_target_crr(b, Scenario(horizon=3), target=2614.125)
    >>> s.reachable, round(s.rate, 9), round(s.delta, 9)
    (True, 0.85, 0.05)
    >>> solve_target_crr(b, Scenario(horizon=3), target=10_000).reason
    'above_full_retention'
    """
    by_month = _check_target(scenario, metric, by_month, basis)
    _check_number("target", target)
    value, scen = _outcome(baseline, scenario, by_month, metric, basis, "crr")
    common = {"target": float(target), "metric": metric, "basis": basis, "by_month": by_month}
    common |= {"value_at_scenario": value(scen.r), "value_at_full_retention": value(1.0)}
    unit_profit = scen.margin * float(np.mean(scen.frequency)) * scen.aov - scen.retention_cost
    if metric == "gross_profit" and unit_profit < 0:
        return RateSolution(False, None, None, reason="cost_exceeds_customer_profit", **common)
    r, reason = _solve(value, 0.0, 1.0, target)
    if r is None:
        return RateSolution(False, None, None, reason=reason, **common)
    return RateSolution(True, r, r - baseline.retention_rate, **common)


def solve_target_winback(
    baseline: Baseline,
    scenario: Scenario,
    *,
    target: float,
    metric: TargetMetric = "revenue",
    by_month: int | None = None,
    basis: TargetBasis = "month",
) -> RateSolution:
    """Smallest win-back change (points on every ``q_b``) reaching ``target`` by month ``by_month`` (SPEC §6).

    Solves ``outcome(x) = target`` for the shift ``x`` of the reactivation rates (each capped to
    [0, 1]) with the scenario's other levers — its retention rate included — fixed. ``rate`` is the
    resulting rate of customers lapsed up to 12 months, ``delta`` the change in points from the
    measured one (to put on the win-back lever). ``value_at_full_retention`` is the outcome when
    every lapsed customer comes back.

    Examples
    --------
    100 active, r = 0.8, 50 lapsed (age 1) with q = 0.1, 10 new: month 1 = 80 + 5 + 10 = 95 customers ×
    30 = 2850. Revenue 3000 in month 1 needs 100 customers, i.e. 10 won back: q = 0.2, +10 points.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
    ...              purchase_frequency=1.5, aov=20, reactivation_rates=(0.1, 0.0), lapsed_by_age=(50,) + (0,) * 12)
    >>> s = solve_target_winback(b, Scenario(horizon=3), target=3000, by_month=1)
    >>> s.reachable, round(s.rate, 9), round(s.delta, 9)
    (True, 0.2, 0.1)
    """
    by_month = _check_target(scenario, metric, by_month, basis)
    _check_number("target", target)
    value, _ = _outcome(baseline, scenario, by_month, metric, basis, "winback")
    qs = baseline.reactivation_rates
    lo, hi = -max(qs), 1.0 - min(qs)
    current = scenario.winback_delta
    common = {"target": float(target), "metric": metric, "basis": basis, "by_month": by_month,
              "value_at_scenario": value(current), "value_at_full_retention": value(hi), "lever": "winback"}
    x, reason = _solve(value, lo, hi, target)
    if x is None:
        return RateSolution(False, None, None, reason=reason, **common)  # type: ignore[arg-type]
    return RateSolution(True, _clip01(qs[0] + x), x, **common)  # type: ignore[arg-type]


def break_even_retention_cost(baseline: Baseline, scenario: Scenario) -> float | None:
    """Most the programme may cost per retained customer per month and still break even (SPEC §6).

    Over the horizon, scenario gross profit = margin × Σ revenue_s − cost × Σ retained_s; setting it
    equal to the baseline's margin × Σ revenue_b gives ``cost = margin × (Σ revenue_s − Σ revenue_b)
    / Σ retained_s``. Everything the scenario changes is credited to the programme. 0.0 when the
    scenario earns no more than the baseline; None when it retains nobody (r = 0).

    Examples
    --------
    Worked example: 0.5 × 758.625 / (85 + 80.75 + 77.1375) = 379.3125 / 242.8875 ≈ 1.5617.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
    ...              purchase_frequency=1.5, aov=20)
    >>> round(break_even_retention_cost(b, Scenario(horizon=3, crr_delta=0.05, margin=0.5)), 4)
    1.5617
    """
    b, s = _run(baseline, scenario)
    retained = float(s["retained_customers"].sum())
    if retained <= 0:
        return None
    gain = scenario.margin * float(s["revenue"].sum() - b["revenue"].sum())
    return max(gain, 0.0) / retained


@dataclass(frozen=True)
class AcquisitionEquivalent:
    """Answer of :func:`acquisition_equivalent` (customers per month and their cost at CAC).

    ``gap`` is what the scenario adds over the baseline (customers at the horizon, or revenue summed
    over it); ``cheaper`` compares ``acquisition_cost`` with the programme's cost over the horizon.
    """

    match: AcquisitionMatch
    gap: float
    new_customers_per_month: float | None
    new_customers_total: float | None
    acquisition_cost: float | None
    programme_cost: float
    cheaper: Literal["retention", "acquisition", "same"] | None


def acquisition_equivalent(
    baseline: Baseline, scenario: Scenario, *, match: AcquisitionMatch = "customers"
) -> AcquisitionEquivalent:
    """Extra new customers a month that acquisition must buy to match the scenario's gain (SPEC §6).

    The comparator is the baseline plus ``x`` extra new customers every month (they are retained,
    lapse and come back at the baseline's rates and buy like baseline customers). The model is linear
    in new customers, so ``x = gap / u`` where ``u`` is what one extra new customer a month adds:
    customers active at the horizon (``match="customers"``) or revenue summed over it (``"revenue"``).
    Total bought = ``x × horizon``, at ``cac`` each. A scenario no better than the baseline needs 0.

    Examples
    --------
    Worked example: gap 87.1375 − 75.6 = 11.5375 customers; one extra a month leaves 0.8² + 0.8 + 1
    = 2.44 at month 3 ⇒ x = 4.7285 a month, 14.19 in total, × CAC 50 = 709.27.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
    ...              purchase_frequency=1.5, aov=20)
    >>> a = acquisition_equivalent(b, Scenario(horizon=3, crr_delta=0.05, cac=50, retention_cost=1))
    >>> round(a.new_customers_per_month, 4), round(a.acquisition_cost, 2), round(a.programme_cost, 4), a.cheaper
    (4.7285, 709.27, 242.8875, 'retention')
    """
    check_choice("match", match, get_args(AcquisitionMatch))
    base, _ = _series(baseline, scenario)
    b, s = _run(baseline, scenario)
    one = _simulate(0.0, np.zeros(len(baseline.lapsed_by_age)), replace(base, new=np.ones(scenario.horizon)))
    column = "active_customers" if match == "customers" else "cumulative_revenue"
    gap = float(s[column][-1] - b[column][-1])
    unit = float(one[column][-1])
    cost = float(s["cumulative_programme_cost"][-1])
    if unit <= 0:
        return AcquisitionEquivalent(match, gap, None, None, None, cost, None)
    per_month = max(gap, 0.0) / unit
    total = per_month * scenario.horizon
    bought = total * scenario.cac
    cheaper = "same" if bought == cost else ("acquisition" if bought < cost else "retention")
    return AcquisitionEquivalent(match, gap, per_month, total, bought, cost, cheaper)


def customers_to_keep(baseline: Baseline, target_rate: float) -> float:
    """Extra customers to keep per month to lift the retention rate to ``target_rate`` (SPEC §4.1, §6).

    ``r = retained / S``, so each point of r needs S / 100 more of the customers active at the start
    of the month to stay: ``(target − r) × S`` with S = the active customers now. 0.0 when the target
    is not above the current r. An expected count: round it up for a plan.

    Examples
    --------
    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
    ...              purchase_frequency=1.5, aov=20)
    >>> round(customers_to_keep(b, 0.85), 9)  # (0.85 − 0.80) × 100
    5.0
    """
    _check_number("target_rate", target_rate, low=0.0, high=1.0)
    return max(target_rate - baseline.retention_rate, 0.0) * baseline.active_customers


LEVER_ROWS = (
    "crr", "retention_rate", "reactivation_rate_le12", "reactivation_rate_gt12", "customers_kept_extra",
    "customers_won_back_extra", "new_customers", "purchase_frequency", "aov", "revenue_per_customer", "margin",
    "retention_cost", "cac",
)  # fmt: skip


def lever_values(baseline: Baseline, scenario: Scenario) -> pl.DataFrame:
    """Every model rate and input as measured (baseline) and as the scenario uses it (SPEC §6).

    Rows (``lever``, in :data:`LEVER_ROWS` order): ``crr`` = the measured CRR (average of the
    months measured; first projected month's when not measured) and the scenario's = it plus the
    first projected month's CRR difference; ``retention_rate`` r and ``reactivation_rate_le12`` /
    ``_gt12`` q_b after the caps; ``customers_kept_extra`` = (r_s − r) × active now;
    ``customers_won_back_extra`` = extra reactivated in the first projected month; ``new_customers``
    in the first projected month; ``purchase_frequency`` (the average, × the change); ``aov``;
    ``revenue_per_customer`` = frequency × AOV; ``margin``, ``cac``; ``retention_cost`` (the baseline
    pays none).

    Returns
    -------
    pl.DataFrame
        ``lever`` (String), ``baseline``, ``scenario`` (Float64); 13 rows.

    Examples
    --------
    r 0.98 + 5 points is cut at 1.0: 2 more customers of 100 kept a month, CRR 0.98 → 1.0.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.98, new_customers=10,
    ...              purchase_frequency=1.5, aov=20)
    >>> v = lever_values(b, Scenario(crr_delta=0.05)).rows_by_key("lever", unique=True)
    >>> [tuple(round(x, 9) for x in v[k]) for k in ("retention_rate", "crr", "customers_kept_extra")]
    [(0.98, 1.0), (0.98, 1.0), (0.0, 2.0)]
    """
    a = applied_levers(baseline, scenario)
    p = project(baseline, replace(scenario, horizon=3)).row(0, named=True)
    crr_b = baseline.crr if baseline.crr is not None else p["baseline_crr"]
    crr_s = None if crr_b is None or p["scenario_crr"] is None else crr_b + p["scenario_crr"] - p["baseline_crr"]
    freq_s = baseline.purchase_frequency * (1 + scenario.frequency_change)
    aov_s = baseline.aov * (1 + scenario.aov_change)
    pairs = {
        "crr": (crr_b, crr_s),
        "retention_rate": (a.retention_rate, a.scenario_retention_rate),
        "reactivation_rate_le12": (a.reactivation_rates[0], a.scenario_reactivation_rates[0]),
        "reactivation_rate_gt12": (a.reactivation_rates[1], a.scenario_reactivation_rates[1]),
        "customers_kept_extra": (0.0, customers_to_keep(baseline, a.scenario_retention_rate)),
        "customers_won_back_extra": (0.0, p["scenario_reactivated_customers"] - p["baseline_reactivated_customers"]),
        "new_customers": (p["baseline_new_customers"], p["scenario_new_customers"]),
        "purchase_frequency": (baseline.purchase_frequency, freq_s),
        "aov": (baseline.aov, aov_s),
        "revenue_per_customer": (baseline.purchase_frequency * baseline.aov, freq_s * aov_s),
        "margin": (scenario.margin, scenario.margin),
        "retention_cost": (0.0, scenario.retention_cost),
        "cac": (scenario.cac, scenario.cac),
    }
    return pl.DataFrame(
        {"lever": list(LEVER_ROWS), "baseline": [pairs[k][0] for k in LEVER_ROWS],
         "scenario": [pairs[k][1] for k in LEVER_ROWS]},
        schema={"lever": pl.String, "baseline": pl.Float64, "scenario": pl.Float64},
    )  # fmt: skip
