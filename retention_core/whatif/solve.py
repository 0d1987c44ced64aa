"""Questions asked of the what-if model (SPEC §6): band, sensitivity, comparison, JSON, inverses.

The model itself (``Baseline``, ``Scenario``, ``measure_baseline``, ``project``) and its notes on
how CRR becomes the monthly keep rate live in :mod:`retention_core.whatif.model`. Here:

- :func:`crr_range_projection` — the projection at the low and high CRR seen recently (the band);
- :func:`sensitivity` — the outcome's change for ±1 CRR point, ±5 % AOV, ±5 % frequency;
- :func:`compare_scenarios` — named scenarios side by side; :func:`whatif_report` — SPEC §8 JSON;
- :func:`lever_values` — each model input, measured and as the scenario uses it (shown by the UI);
- inverse questions: :func:`outcome_at`, :func:`solve_target_crr`, :func:`break_even_retention_cost`,
  :func:`acquisition_equivalent`, :func:`customers_to_keep`.

An unreachable target is an answer, not an error: :class:`CrrSolution` says ``reachable=False``
and why, so the UI can show "even keeping every customer only reaches …".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, TypedDict, get_args

import numpy as np
import polars as pl
from scipy.optimize import brentq

from retention_core.errors import ParameterError, check_choice
from retention_core.whatif.model import Baseline, Scenario, _check_number, _series, _simulate, project

TargetMetric = Literal["revenue", "gross_profit"]
TargetBasis = Literal["month", "cumulative"]
AcquisitionMatch = Literal["customers", "revenue"]
def crr_range_projection(baseline: Baseline, scenario: Scenario) -> pl.DataFrame:
    """Projections at the low and high CRR of the recent variation: the honest band (SPEC §6).

    The baseline is re-run with CRR = ``crr_low`` and ``crr_high``; the scenario with the same CRR
    plus ``crr_delta`` (each clipped to [0, 1]); every other lever is unchanged.

    Returns
    -------
    pl.DataFrame
        ``month``, ``period_start`` and ``{baseline,scenario}_{active_customers,revenue,
        cumulative_gross_profit}_{low,high}`` (Float64).

    Examples
    --------
    CRR observed between 0.7 and 0.9: month 1 baseline customers 100×0.7+10 = 80 to 100×0.9+10 = 100.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, new_customers=10, crr=0.8,
    ...              purchase_frequency=1.5, aov=20, crr_low=0.7, crr_high=0.9)
    >>> band = crr_range_projection(b, Scenario(horizon=3))
    >>> band.select("baseline_active_customers_low", "baseline_active_customers_high").row(0)
    (80.0, 100.0)
    """
    measures = ("active_customers", "revenue", "cumulative_gross_profit")
    low, high = (project(replace(baseline, crr=crr), scenario) for crr in (baseline.crr_low, baseline.crr_high))
    return pl.concat(
        [low.select("month", "period_start")]
        + [
            p.select([pl.col(f"{w}_{m}").alias(f"{w}_{m}_{bound}") for w in ("baseline", "scenario") for m in measures])
            for p, bound in ((low, "low"), (high, "high"))
        ],
        how="horizontal",
    )


_SENSITIVITY_LEVERS = ("crr", "aov", "frequency")
_OUTCOMES = ("revenue", "gross_profit", "cumulative_revenue", "cumulative_gross_profit")


def sensitivity(
    baseline: Baseline, scenario: Scenario, *, crr_step: float = 0.01, relative_step: float = 0.05
) -> pl.DataFrame:
    """How the scenario's outcome moves for ±1 CRR point, ±5 % AOV, ±5 % frequency (tornado data).

    Each row re-runs the scenario with one lever nudged: ``crr_delta ± crr_step`` (keep still clipped
    to [0, 1]), AOV or frequency × (1 ± relative_step). Outcomes are at the horizon month
    (``revenue``, ``gross_profit``) and summed over the horizon (``cumulative_*``); ``*_change`` is
    the nudged outcome minus the scenario's own.

    Returns
    -------
    pl.DataFrame
        6 rows: ``lever`` (String: crr, aov, frequency), ``step`` (Float64, signed), then for each of
        revenue, gross_profit, cumulative_revenue, cumulative_gross_profit the value and ``_change``.

    Examples
    --------
    Revenue is proportional to AOV, so +5 % AOV moves cumulative revenue by exactly +5 %.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, new_customers=10, crr=0.8,
    ...              purchase_frequency=1.5, aov=20)
    >>> t = sensitivity(b, Scenario(horizon=3))
    >>> round(t.filter(lever="aov", step=0.05)["cumulative_revenue_change"].item(), 9)  # 7428 × 5 %
    371.4
    """
    _check_number("crr_step", crr_step, low=0.0, high=1.0)
    _check_number("relative_step", relative_step, low=0.0, high=1.0)
    base = project(baseline, scenario).tail(1)
    own = {k: base[f"scenario_{k}"].item() for k in _OUTCOMES}
    rows: list[dict[str, Any]] = []
    for lever in _SENSITIVITY_LEVERS:
        for sign in (-1.0, 1.0):
            step = sign * (crr_step if lever == "crr" else relative_step)
            if lever == "crr":
                nudged = replace(scenario, crr_delta=min(max(scenario.crr_delta + step, -1.0), 1.0))
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


def compare_scenarios(baseline: Baseline, scenarios: Sequence[Scenario]) -> pl.DataFrame:
    """Named scenarios side by side at their horizons (SPEC §6 "kept side by side and exported").

    Each row is one scenario's :func:`~retention_core.whatif.model.project` read at its last month:
    customers at the end, revenue and gross profit summed over the horizon, programme cost, ROI and
    formula LTV, each next to the baseline over the same horizon and margin.

    Returns
    -------
    pl.DataFrame
        ``name`` (String), the levers (``horizon`` Int32, ``crr_delta``, ``aov_change``,
        ``frequency_change``, ``new_customers``, ``margin``, ``cac``, ``retention_cost``), and
        ``{baseline,scenario}_{active_customers_end,cumulative_revenue,cumulative_gross_profit,ltv}``,
        ``*_difference`` of the first three, ``programme_cost``, ``roi`` (Float64).

    Raises
    ------
    ParameterError
        No scenarios, or two scenarios with the same name.

    Examples
    --------
    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, new_customers=10, crr=0.8,
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
        frames.append(
            last.select(
                pl.lit(s.name).alias("name"),
                *[pl.lit(getattr(s, k), pl.Float64).alias(k) for k in _LEVERS],
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


_LEVERS = ("horizon", "crr_delta", "aov_change", "frequency_change", "new_customers", "margin", "cac", "retention_cost")


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


def whatif_report(baseline: Baseline, scenario: Scenario) -> WhatifReport:
    """SPEC §8 ``whatif`` JSON: both series month by month, the difference and every assumption.

    ``months`` are the projected months' first days (``YYYY-MM-DD``), starting the month after the
    last complete month. ``difference.revenue`` and ``difference.gross_profit`` are scenario minus
    baseline *summed over the horizon* (the programme's total effect); ``active_customers_end`` is
    the difference in the last month. ``assumptions`` lists the measured baseline, the levers, the
    keep rates the model used and the model's formulas in words.

    Examples
    --------
    Worked example of :func:`~retention_core.whatif.model.project`: cumulative revenue 8186.625 − 7428.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, new_customers=10, crr=0.8,
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
    base, scen = _series(baseline, scenario)
    assumptions: dict[str, Any] = {
        "name": scenario.name,
        "horizon": scenario.horizon,
        "last_complete_month": baseline.last_month.isoformat(),
        "months_measured": baseline.months_used,
        "active_customers_start": baseline.active_customers,
        "new_customers_per_month": baseline.new_customers,
        "new_customers_by_calendar_month": (
            None if baseline.new_customers_seasonal is None else list(baseline.new_customers_seasonal)
        ),
        "scenario_new_customers_per_month": scenario.new_customers,
        "crr": baseline.crr,
        "crr_low": baseline.crr_low,
        "crr_high": baseline.crr_high,
        "retention_rate": baseline.retention_rate,
        "crr_delta": scenario.crr_delta,
        "baseline_keep_rate": base.keep,
        "scenario_keep_rate": scen.keep,
        "purchase_frequency": baseline.purchase_frequency,
        "frequency_change": scenario.frequency_change,
        "aov": baseline.aov,
        "aov_change": scenario.aov_change,
        "margin": scenario.margin,
        "cac": scenario.cac,
        "retention_cost": scenario.retention_cost,
        "model": (
            "active(t) = active(t-1) x keep + new(t); keep = min(max(CRR + crr_delta, 0), 1); "
            "revenue = active x purchase_frequency x AOV; gross_profit = revenue x margin - "
            "retention_cost x retained customers (scenario only)"
        ),
    }
    return WhatifReport(
        baseline=series["baseline"],
        scenario=series["scenario"],
        difference=WhatifDifference(
            revenue=last["cumulative_revenue_difference"],
            gross_profit=last["cumulative_gross_profit_difference"],
            active_customers_end=last["active_customers_difference"],
        ),
        assumptions=assumptions,
    )


@dataclass(frozen=True)
class CrrSolution:
    """Answer of :func:`solve_target_crr`.

    ``crr`` is the monthly CRR (= keep rate) the model needs, ``crr_delta`` = ``crr − baseline.crr``
    (feed it to ``Scenario(crr_delta=…)``); both None when unreachable. ``reason``:
    ``"above_full_retention"`` (not reached even when every customer is kept) or
    ``"cost_exceeds_customer_profit"`` (the programme costs more per retained customer than the
    customer's monthly gross profit, so more retention only lowers profit).
    """

    reachable: bool
    crr: float | None
    crr_delta: float | None
    target: float
    metric: TargetMetric
    basis: TargetBasis
    by_month: int
    value_at_scenario: float
    value_at_full_retention: float
    reason: str | None = None


def _check_target(scenario: Scenario, metric: str, by_month: int | None, basis: str) -> int:
    """Validate the target question's options; the month it is asked about (default: the horizon)."""
    check_choice("metric", metric, get_args(TargetMetric))
    check_choice("basis", basis, get_args(TargetBasis))
    by_month = scenario.horizon if by_month is None else by_month
    if isinstance(by_month, bool) or not isinstance(by_month, int) or not 1 <= by_month <= 36:
        raise ParameterError("by_month", by_month, "a month number from 1 to 36")
    return by_month


def outcome_at(
    baseline: Baseline,
    scenario: Scenario,
    *,
    metric: TargetMetric = "revenue",
    by_month: int | None = None,
    basis: TargetBasis = "month",
) -> float:
    """The scenario's revenue or gross profit in month ``by_month`` (or summed to it), SPEC §6.

    The value :func:`solve_target_crr` compares a target with, at the scenario's own CRR, so a user
    can pick a target on the right scale. ``by_month`` may lie beyond the horizon (up to 36).

    Raises
    ------
    ParameterError
        Unknown metric or basis, ``by_month`` outside 1–36.

    Examples
    --------
    Worked example of ``project``: month-3 revenue 2614.125; summed 2850 + 2722.5 + 2614.125.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, new_customers=10, crr=0.8,
    ...              purchase_frequency=1.5, aov=20)
    >>> s = Scenario(horizon=3, crr_delta=0.05)
    >>> round(outcome_at(b, s), 6), round(outcome_at(b, s, basis="cumulative"), 6)
    (2614.125, 8186.625)
    """
    by_month = _check_target(scenario, metric, by_month, basis)
    value, scen = _outcome(baseline, scenario, by_month, metric, basis)
    return value(scen.keep)


def _outcome(baseline: Baseline, scenario: Scenario, by_month: int, metric: str, basis: str):
    """Function keep ↦ outcome (metric in month by_month, or summed to it) with the other levers fixed."""
    _, scen = _series(baseline, scenario, horizon=by_month)
    column = metric if basis == "month" else f"cumulative_{metric}"

    def value(keep: float) -> float:
        return float(_simulate(baseline.active_customers, replace(scen, keep=keep))[column][-1])

    return value, scen


def solve_target_crr(
    baseline: Baseline,
    scenario: Scenario,
    *,
    target: float,
    metric: TargetMetric = "revenue",
    by_month: int | None = None,
    basis: TargetBasis = "month",
) -> CrrSolution:
    """Lowest monthly CRR at which the scenario reaches ``target`` by month ``by_month`` (SPEC §6).

    Solves ``outcome(keep) = target`` for keep in [0, 1] by Brent's method, the scenario's other
    levers fixed. ``basis="month"``: the metric in month ``by_month`` (a run rate, "revenue of X a
    month by December"); ``"cumulative"``: summed over months 1…``by_month``. Revenue rises with keep.
    Gross profit per month is ``(margin × frequency × AOV − retention_cost) × active + retention_cost
    × new``, so it rises with keep only while a retained customer's gross profit covers the
    programme's cost; otherwise the answer is ``reachable=False``. A target met even at keep = 0
    gives ``crr=0``. ``by_month`` defaults to the horizon and may go up to 36.

    Raises
    ------
    ParameterError
        Unknown metric or basis, ``by_month`` outside 1–36, non-finite target.

    Examples
    --------
    Month-3 revenue 2614.125 needs keep 0.85 (worked example of ``project``): CRR 0.8 + 5 points.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, new_customers=10, crr=0.8,
    ...              purchase_frequency=1.5, aov=20)
    >>> s = solve_target_crr(b, Scenario(horizon=3), target=2614.125)
    >>> s.reachable, round(s.crr, 9), round(s.crr_delta, 9)
    (True, 0.85, 0.05)
    >>> solve_target_crr(b, Scenario(horizon=3), target=10_000).reason
    'above_full_retention'
    """
    by_month = _check_target(scenario, metric, by_month, basis)
    _check_number("target", target)
    value, scen = _outcome(baseline, scenario, by_month, metric, basis)
    common = {"target": float(target), "metric": metric, "basis": basis, "by_month": by_month}
    common |= {"value_at_scenario": value(scen.keep), "value_at_full_retention": value(1.0)}
    unit_profit = scen.margin * scen.frequency * scen.aov - scen.retention_cost
    if metric == "gross_profit" and unit_profit < 0:
        return CrrSolution(False, None, None, reason="cost_exceeds_customer_profit", **common)
    if value(0.0) >= target:
        keep = 0.0
    elif common["value_at_full_retention"] < target:
        return CrrSolution(False, None, None, reason="above_full_retention", **common)
    else:
        keep = brentq(lambda k: value(k) - target, 0.0, 1.0, xtol=1e-13)
    return CrrSolution(True, keep, keep - baseline.crr, **common)


def break_even_retention_cost(baseline: Baseline, scenario: Scenario) -> float | None:
    """Most the programme may cost per retained customer per month and still break even (SPEC §6).

    Over the horizon, scenario gross profit = margin × Σ revenue_s − cost × Σ retained_s; setting it
    equal to the baseline's margin × Σ revenue_b gives ``cost = margin × (Σ revenue_s − Σ revenue_b)
    / Σ retained_s``. Everything the scenario changes (CRR, AOV, frequency, new customers) is
    credited to the programme. 0.0 when the scenario earns no more than the baseline; None when it
    retains nobody (keep = 0), so a per-retained-customer cost is meaningless.

    Examples
    --------
    Worked example: 0.5 × 758.625 / (85 + 80.75 + 77.1375) = 379.3125 / 242.8875 ≈ 1.5617.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, new_customers=10, crr=0.8,
    ...              purchase_frequency=1.5, aov=20)
    >>> round(break_even_retention_cost(b, Scenario(horizon=3, crr_delta=0.05, margin=0.5)), 4)
    1.5617
    """
    base, scen = _series(baseline, scenario)
    b, s = _simulate(baseline.active_customers, base), _simulate(baseline.active_customers, scen)
    retained = float(s["retained_customers"].sum())
    if retained <= 0:
        return None
    gain = scenario.margin * float(s["revenue"].sum() - b["revenue"].sum())
    return max(gain, 0.0) / retained


@dataclass(frozen=True)
class AcquisitionEquivalent:
    """Answer of :func:`acquisition_equivalent` (customers per month and their cost at CAC).

    ``gap`` is what the scenario adds over the baseline (customers at the horizon, or revenue summed
    over it); ``cheaper`` compares ``acquisition_cost`` with the programme's cost over the horizon
    (None when neither is known).
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

    The comparator is the baseline plus ``x`` extra new customers every month (they churn at the
    baseline keep rate and buy like baseline customers). Because the model is linear in new
    customers, ``x = gap / u`` where ``u`` is what one extra new customer a month adds: customers
    active at the horizon (``match="customers"``) or revenue summed over it (``"revenue"``). Total
    bought = ``x × horizon``, at ``cac`` each. A scenario no better than the baseline needs 0.

    Examples
    --------
    Worked example: gap 87.1375 − 75.6 = 11.5375 customers; one extra a month leaves 0.8² + 0.8 + 1
    = 2.44 at month 3 ⇒ x = 4.7285 a month, 14.19 in total, × CAC 50 = 709.27.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, new_customers=10, crr=0.8,
    ...              purchase_frequency=1.5, aov=20)
    >>> a = acquisition_equivalent(b, Scenario(horizon=3, crr_delta=0.05, cac=50, retention_cost=1))
    >>> round(a.new_customers_per_month, 4), round(a.acquisition_cost, 2), round(a.programme_cost, 4), a.cheaper
    (4.7285, 709.27, 242.8875, 'retention')
    """
    check_choice("match", match, get_args(AcquisitionMatch))
    base, scen = _series(baseline, scenario)
    b, s = _simulate(baseline.active_customers, base), _simulate(baseline.active_customers, scen)
    one = _simulate(0.0, replace(base, new=np.ones(scenario.horizon)))
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


def customers_to_keep(baseline: Baseline, target_crr: float) -> float:
    """Extra customers to keep (or win back) per month to lift CRR to ``target_crr`` (SPEC §4.1, §6).

    CRR = (E − N) / S, so at the same new customers N, each CRR point needs S / 100 more of the
    customers active at the start of the month to be active at its end: ``(target − CRR) × S`` with
    S = the active customers now. 0.0 when the target is not above the current CRR. An expected
    count: round it up for a plan.

    Examples
    --------
    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, new_customers=10, crr=0.8,
    ...              purchase_frequency=1.5, aov=20)
    >>> round(customers_to_keep(b, 0.85), 9)  # (0.85 − 0.80) × 100
    5.0
    """
    _check_number("target_crr", target_crr, low=0.0, high=2.0)
    return max(target_crr - baseline.crr, 0.0) * baseline.active_customers


LEVER_ROWS = (
    "crr", "keep_rate", "customers_kept_extra", "new_customers", "purchase_frequency", "aov",
    "revenue_per_customer", "margin", "retention_cost", "cac",
)  # fmt: skip


def lever_values(baseline: Baseline, scenario: Scenario) -> pl.DataFrame:
    """Every model input as measured (baseline) and as the scenario uses it (SPEC §6 assumptions).

    Rows (``lever``, in :data:`LEVER_ROWS` order): ``crr`` (scenario: CRR + crr_delta, before the cap);
    ``keep_rate`` = clip(CRR, 0, 1); ``customers_kept_extra`` = :func:`customers_to_keep` at the
    scenario's CRR, i.e. max(CRR_s − CRR, 0) × active now (baseline 0); ``new_customers`` in the first
    projected month; ``purchase_frequency``; ``aov``; ``revenue_per_customer`` = frequency × AOV (per
    active customer a month); ``margin``, ``cac`` (inputs, the same on both sides); ``retention_cost``
    (the baseline pays none).

    Returns
    -------
    pl.DataFrame
        ``lever`` (String), ``baseline``, ``scenario`` (Float64); 10 rows.

    Examples
    --------
    CRR 0.8 + 5 points on 100 active customers: 5 more kept a month; AOV 20 + 10 % = 22, × 1.5 = 33.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, new_customers=10, crr=0.8,
    ...              purchase_frequency=1.5, aov=20)
    >>> v = lever_values(b, Scenario(crr_delta=0.05, aov_change=0.1)).rows_by_key("lever", unique=True)
    >>> [tuple(round(x, 9) for x in v[k]) for k in ("crr", "customers_kept_extra", "revenue_per_customer")]
    [(0.8, 0.85), (0.0, 5.0), (30.0, 33.0)]
    """
    base, scen = _series(baseline, scenario, horizon=1)
    crr_s = baseline.crr + scenario.crr_delta
    pairs = {
        "crr": (baseline.crr, crr_s),
        "keep_rate": (base.keep, scen.keep),
        "customers_kept_extra": (0.0, customers_to_keep(baseline, min(max(crr_s, 0.0), 2.0))),
        "new_customers": (float(base.new[0]), float(scen.new[0])),
        "purchase_frequency": (base.frequency, scen.frequency),
        "aov": (base.aov, scen.aov),
        "revenue_per_customer": (base.frequency * base.aov, scen.frequency * scen.aov),
        "margin": (scenario.margin, scenario.margin),
        "retention_cost": (0.0, scenario.retention_cost),
        "cac": (scenario.cac, scenario.cac),
    }
    return pl.DataFrame(
        {"lever": list(LEVER_ROWS), "baseline": [pairs[k][0] for k in LEVER_ROWS],
         "scenario": [pairs[k][1] for k in LEVER_ROWS]},
        schema={"lever": pl.String, "baseline": pl.Float64, "scenario": pl.Float64},
    )  # fmt: skip
