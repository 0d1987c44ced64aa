"""What-if simulator (SPEC §6, §8 ``whatif``): a transparent two-pool model, month by month.

Two pools of customers. *Active* customers (bought within the activity window ``W``, SPEC §4.1)
and *lapsed* ones (bought before, not active now), the lapsed kept by lapse age: months since they
stopped being active, 1 … 12 and "13 or more". Each month, with ``r`` the retention rate and ``q_b``
the reactivation (win-back) rate of lapse bucket ``b`` (ages 1–12, and over 12):

    retained(t)    = active(t−1) × r                  reactivated(t) = Σ_a lapsed_a(t−1) × q_b(a)
    active(t)      = retained(t) + reactivated(t) + new(t)
    lapsed_1(t)    = active(t−1) × (1 − r)            lapsed_a(t) = lapsed_{a−1}(t−1) × (1 − q_b(a−1))
    lapsed_13+(t)  = lapsed_12(t−1) × (1 − q_≤12) + lapsed_13+(t−1) × (1 − q_>12)
    revenue(t)     = active(t) × frequency × AOV,     CRR(t) = (active(t) − new(t)) / active(t−1)

New customers and purchase frequency follow the calendar month (their values in the same month last
year) when 12 or more complete months were measured; otherwise they are flat averages.

Levers (:class:`Scenario`). ``crr_delta`` moves ``r`` (a CRR change in points is a change of the
share of last month's customers still active; the reactivated part of CRR is the win-back lever's):
``r_s = min(max(r + crr_delta, 0), 1)``. A retention rate cannot pass 1, so a lever can be *cut*:
:func:`applied_levers` reports the change actually applied. Because ``r`` (not CRR, which counts
returning customers and can pass 100 %) is capped, +5 and +10 points give different answers
whenever ``r < 0.95``. ``winback_delta`` moves every ``q_b`` the same way (each capped to [0, 1]).
AOV and frequency changes are relative; ``new_customers`` replaces the baseline's new customers.

Programme cost is ``retention_cost`` per *retained* customer per month (the scenario pays it for
``retained(t)``; the baseline pays nothing); gross profit = revenue × margin − programme cost.

The baseline is measured from orders by :mod:`retention_core.whatif.measure`; the honesty check is
:mod:`retention_core.whatif.backtest`; the inverse questions are in :mod:`retention_core.whatif.solve`.
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from retention_core.errors import ParameterError
from retention_core.periods import index_start

HORIZON_RANGE = (3, 36)
LAPSE_AGES = 13
"""Lapse ages tracked: 1 … 12 months and "13 or more" (the last slot)."""
LAPSE_BUCKETS = ("lapsed_up_to_12_months", "lapsed_over_12_months")
"""Names of the reactivation-rate buckets (JSON keys of ``reactivation_rate``)."""


@dataclass(frozen=True)
class Baseline:
    """Monthly baseline of the two-pool model (SPEC §6); measured by
    :func:`~retention_core.whatif.measure.measure_baseline` or written by hand.

    ``last_month`` is the first day of the last complete month; projections start the month after.
    ``lapsed_by_age`` holds the lapsed customers now by lapse age 1 … 12 and 13+ (13 values; empty =
    none). ``reactivation_rates`` = (q for lapse ages ≤ 12, q for older). ``new_customers_seasonal``
    (optional) holds new customers per calendar month, January first, and ``frequency_seasonal``
    (optional) orders per active customer per calendar month (``purchase_frequency`` is their
    pooled average, what the frequency lever is shown against). ``crr`` and
    ``reactivation_share`` are the measured averages, shown beside the levers (the model itself runs
    on ``r`` and ``q``). ``window`` is the activity window in months the pools were measured with.
    """

    last_month: date
    active_customers: float
    retention_rate: float
    new_customers: float
    purchase_frequency: float
    aov: float
    reactivation_rates: tuple[float, float] = (0.0, 0.0)
    lapsed_by_age: tuple[float, ...] = ()
    new_customers_seasonal: tuple[float, ...] | None = None
    frequency_seasonal: tuple[float, ...] | None = None
    crr: float | None = None
    reactivation_share: float | None = None
    months_used: int = 0
    window: int = 1

    def __post_init__(self) -> None:
        for name in ("active_customers", "new_customers", "purchase_frequency", "aov"):
            _check_number(name, getattr(self, name), low=0.0, fix=self)
        _check_number("retention_rate", self.retention_rate, low=0.0, high=1.0, fix=self)
        if len(self.reactivation_rates) != 2:
            raise ParameterError("reactivation_rates", self.reactivation_rates, "2 rates: lapsed ≤ 12 months, longer")
        for q in self.reactivation_rates:
            _check_number("reactivation_rates", q, low=0.0, high=1.0)
        object.__setattr__(self, "reactivation_rates", tuple(float(q) for q in self.reactivation_rates))
        lapsed = self.lapsed_by_age or (0.0,) * LAPSE_AGES
        if len(lapsed) != LAPSE_AGES:
            raise ParameterError("lapsed_by_age", self.lapsed_by_age, "13 counts: lapse ages 1 … 12 and 13+")
        for x in lapsed:
            _check_number("lapsed_by_age", x, low=0.0)
        object.__setattr__(self, "lapsed_by_age", tuple(float(x) for x in lapsed))
        if self.crr is not None:
            _check_number("crr", self.crr, low=0.0, fix=self)
        for name in ("new_customers_seasonal", "frequency_seasonal"):
            seasonal = getattr(self, name)
            if seasonal is not None:
                if len(seasonal) != 12:
                    raise ParameterError(name, seasonal, "12 values, January to December")
                for value in seasonal:
                    _check_number(name, value, low=0.0)
                object.__setattr__(self, name, tuple(float(v) for v in seasonal))

    @property
    def lapsed_customers(self) -> tuple[float, float]:
        """Lapsed now: (lapse age ≤ 12 months, older)."""
        return sum(self.lapsed_by_age[:12]), self.lapsed_by_age[12]


@dataclass(frozen=True)
class Scenario:
    """Levers of one what-if scenario (SPEC §6); frozen and validated, URL-serialisable.

    Fractions throughout: ``crr_delta=0.05`` is +5 points on the retention rate ``r``,
    ``winback_delta=0.02`` +2 points on every reactivation rate, ``aov_change=-0.1`` is −10 % AOV.
    ``new_customers=None`` keeps the baseline's new customers per month. ``margin`` is the gross
    margin (0–1), ``cac`` the cost of acquiring one customer, ``retention_cost`` the programme's cost
    per retained customer per month.

    Examples
    --------
    >>> s = Scenario(name="Loyalty", crr_delta=0.05, retention_cost=2.0)
    >>> s.to_query()
    'v1~sTG95YWx0eQ~c0.05~r2.0'
    >>> Scenario.from_query(s.to_query()) == s
    True
    >>> Scenario(horizon=48)
    Traceback (most recent call last):
    ...
    retention_core.errors.ParameterError: horizon=48 is not allowed; expected a whole number of months from 3 to 36
    """

    name: str = "Scenario"
    horizon: int = 12
    crr_delta: float = 0.0
    aov_change: float = 0.0
    frequency_change: float = 0.0
    new_customers: float | None = None
    margin: float = 1.0
    cac: float = 0.0
    retention_cost: float = 0.0
    winback_delta: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip() or len(self.name) > 80:
            raise ParameterError("name", self.name, "a non-empty name of at most 80 characters")
        lo, hi = HORIZON_RANGE
        h = self.horizon
        if isinstance(h, bool) or not isinstance(h, int | np.integer) or not lo <= h <= hi:
            raise ParameterError("horizon", h, f"a whole number of months from {lo} to {hi}")
        object.__setattr__(self, "horizon", int(h))
        _check_number("crr_delta", self.crr_delta, low=-1.0, high=1.0, fix=self)
        _check_number("winback_delta", self.winback_delta, low=-1.0, high=1.0, fix=self)
        _check_number("aov_change", self.aov_change, low=-1.0, fix=self)
        _check_number("frequency_change", self.frequency_change, low=-1.0, fix=self)
        if self.new_customers is not None:
            _check_number("new_customers", self.new_customers, low=0.0, fix=self)
        _check_number("margin", self.margin, low=0.0, high=1.0, fix=self)
        _check_number("cac", self.cac, low=0.0, fix=self)
        _check_number("retention_cost", self.retention_cost, low=0.0, fix=self)

    def to_query(self) -> str:
        """Compact URL-safe text (``A–Z a–z 0–9 - _ . ~`` only) listing the non-default levers.

        Tokens joined by ``~``: ``v1`` (format version), ``s`` + the name in unpadded base64url
        (any language), ``h`` horizon, ``c`` crr_delta, ``w`` winback_delta, ``a`` aov_change,
        ``f`` frequency_change, ``n`` new_customers, ``m`` margin, ``k`` cac, ``r`` retention_cost.
        Several scenarios go in a URL as repeated query parameters.
        """
        tokens = ["v1", "s" + base64.urlsafe_b64encode(self.name.encode()).decode().rstrip("=")]
        default = Scenario()
        for key, attr in _QUERY_KEYS.items():
            value = getattr(self, attr)
            if value != getattr(default, attr):
                tokens.append(key + (str(value) if attr == "horizon" else repr(float(value)).replace("+", "")))
        return "~".join(tokens)

    @classmethod
    def from_query(cls, text: str) -> Scenario:
        """Inverse of :meth:`to_query`; :class:`ParameterError` on anything else."""
        bad = ParameterError("scenario", text, "text made by Scenario.to_query(), e.g. 'v1~sTG95YWx0eQ~h24~c0.05'")
        tokens = str(text).split("~")
        if tokens[0] != "v1" or any(not t for t in tokens[1:]):
            raise bad
        values: dict[str, Any] = {}
        try:
            for token in tokens[1:]:
                key, raw = token[0], token[1:]
                if key == "s":
                    values["name"] = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_", validate=True).decode()
                elif key == "h":
                    values["horizon"] = int(raw)
                else:
                    values[_QUERY_KEYS[key]] = float(raw)
        except (KeyError, ValueError, binascii.Error):  # UnicodeDecodeError is a ValueError
            raise bad from None
        return cls(**values)


_QUERY_KEYS = {
    "h": "horizon",
    "c": "crr_delta",
    "w": "winback_delta",
    "a": "aov_change",
    "f": "frequency_change",
    "n": "new_customers",
    "m": "margin",
    "k": "cac",
    "r": "retention_cost",
}


def _check_number(
    param: str, value: Any, *, low: float | None = None, high: float | None = None, fix: object | None = None
) -> None:
    """Raise ParameterError unless value is a finite real number in [low, high]; store it as float."""
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    ok = ok and math.isfinite(value) and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        bounds = {(True, True): f" from {low} to {high}", (True, False): f" of at least {low}"}.get(
            (low is not None, high is not None), ""
        )
        raise ParameterError(param, value, f"a finite number{bounds}")
    if fix is not None:
        object.__setattr__(fix, param, float(value))


def _clip01(x: float) -> float:
    return min(max(x, 0.0), 1.0)


@dataclass(frozen=True)
class AppliedLevers:
    """The rates the scenario runs on, and the rate changes actually applied after the caps (SPEC §6).

    ``crr_cut`` / ``winback_cut`` are true when a lever asked for more (or less) than a rate can take.
    """

    retention_rate: float
    scenario_retention_rate: float
    crr_delta: float
    crr_delta_applied: float
    crr_cut: bool
    reactivation_rates: tuple[float, float]
    scenario_reactivation_rates: tuple[float, float]
    winback_delta: float
    winback_delta_applied: tuple[float, float]
    winback_cut: bool


def applied_levers(baseline: Baseline, scenario: Scenario) -> AppliedLevers:
    """``r_s = clip(r + crr_delta, 0, 1)`` and ``q_b,s = clip(q_b + winback_delta, 0, 1)``, with the cuts.

    Examples
    --------
    r = 0.98: +5 points is cut to +2 (r reaches 100 %); +1 point on q = (0.1, 0.02) is applied in full.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.98, new_customers=10,
    ...              purchase_frequency=1.5, aov=20, reactivation_rates=(0.1, 0.02))
    >>> a = applied_levers(b, Scenario(crr_delta=0.05, winback_delta=0.01))
    >>> round(a.scenario_retention_rate, 9), round(a.crr_delta_applied, 9), a.crr_cut, a.winback_cut
    (1.0, 0.02, True, False)
    """
    r = baseline.retention_rate
    r_s = _clip01(r + scenario.crr_delta)
    qs = baseline.reactivation_rates
    q_s = tuple(_clip01(q + scenario.winback_delta) for q in qs)
    q_applied = tuple(a - b for a, b in zip(q_s, qs, strict=True))
    tol = 1e-12
    return AppliedLevers(
        retention_rate=r, scenario_retention_rate=r_s, crr_delta=scenario.crr_delta, crr_delta_applied=r_s - r,
        crr_cut=abs((r_s - r) - scenario.crr_delta) > tol, reactivation_rates=qs,
        scenario_reactivation_rates=q_s,  # type: ignore[arg-type]
        winback_delta=scenario.winback_delta, winback_delta_applied=q_applied,  # type: ignore[arg-type]
        winback_cut=any(abs(x - scenario.winback_delta) > tol for x in q_applied),
    )


@dataclass(frozen=True)
class _Series:
    """Resolved numeric levers of one projected series (baseline or scenario)."""

    r: float
    q: tuple[float, float]
    frequency: np.ndarray  # orders per active customer in each projected month
    aov: float
    margin: float
    retention_cost: float
    new: np.ndarray = field(repr=False)


def _by_month(baseline: Baseline, flat: float, seasonal: tuple[float, ...] | None, horizon: int) -> np.ndarray:
    """A value in projected months 1..horizon: by calendar month when measured so, else flat."""
    if seasonal is None:
        return np.full(horizon, flat)
    calendar = (baseline.last_month.month - 1 + np.arange(1, horizon + 1)) % 12
    return np.asarray(seasonal)[calendar]


def _baseline_new(baseline: Baseline, horizon: int) -> np.ndarray:
    """New customers in projected months 1..horizon (seasonal by calendar month when measured so)."""
    return _by_month(baseline, baseline.new_customers, baseline.new_customers_seasonal, horizon)


def _series(baseline: Baseline, scenario: Scenario, *, horizon: int | None = None) -> tuple[_Series, _Series]:
    """Baseline and scenario levers; the baseline uses the scenario's margin and no programme cost."""
    h = scenario.horizon if horizon is None else horizon
    new_b = _baseline_new(baseline, h)
    new_s = new_b if scenario.new_customers is None else np.full(h, scenario.new_customers)
    a = applied_levers(baseline, scenario)
    freq = _by_month(baseline, baseline.purchase_frequency, baseline.frequency_seasonal, h)
    base = _Series(baseline.retention_rate, baseline.reactivation_rates, freq, baseline.aov, scenario.margin, 0.0, new_b)
    scen = _Series(
        a.scenario_retention_rate,
        a.scenario_reactivation_rates,
        freq * (1.0 + scenario.frequency_change),
        baseline.aov * (1.0 + scenario.aov_change),
        scenario.margin,
        scenario.retention_cost,
        new_s,
    )
    return base, scen


def _simulate(active0: float, lapsed0: tuple[float, ...] | np.ndarray, s: _Series) -> dict[str, np.ndarray]:
    """The two-pool recursion of the module notes, one step per month (the loop is over months)."""
    h = s.new.size
    q_age = np.r_[np.full(12, s.q[0]), s.q[1]]
    lapsed = np.asarray(lapsed0, dtype=float).copy()
    active = float(active0)
    out = {k: np.zeros(h) for k in ("retained_customers", "reactivated_customers", "active_customers",
                                    "lapsed_customers", "crr")}
    for t in range(h):
        retained = active * s.r
        moved = lapsed * q_age
        now = retained + moved.sum() + s.new[t]
        aged = np.empty(LAPSE_AGES)
        aged[0] = active * (1.0 - s.r)
        aged[1:12] = lapsed[:11] - moved[:11]
        aged[12] = lapsed[11] - moved[11] + lapsed[12] - moved[12]
        out["retained_customers"][t], out["reactivated_customers"][t] = retained, moved.sum()
        out["crr"][t] = (now - s.new[t]) / active if active > 1e-9 else np.nan
        out["active_customers"][t], out["lapsed_customers"][t] = now, aged.sum()
        active, lapsed = now, aged
    orders = out["active_customers"] * s.frequency
    revenue = orders * s.aov
    cost = s.retention_cost * out["retained_customers"]
    profit = revenue * s.margin - cost
    return out | {
        "new_customers": s.new,
        "orders": orders,
        "revenue": revenue,
        "programme_cost": cost,
        "gross_profit": profit,
        "cumulative_revenue": np.cumsum(revenue),
        "cumulative_programme_cost": np.cumsum(cost),
        "cumulative_gross_profit": np.cumsum(profit),
    }


def _ltv(s: _Series) -> float:
    """Gross profit of one customer who is new in month 1, over the horizon (reactivations included)."""
    one = _simulate(0.0, np.zeros(LAPSE_AGES), _Series(s.r, s.q, s.frequency, s.aov, s.margin, 0.0,
                                                       np.r_[1.0, np.zeros(s.new.size - 1)]))
    return float((one["active_customers"] * s.frequency).sum() * s.aov * s.margin)


_BASELINE_KEYS = (
    "new_customers", "retained_customers", "reactivated_customers", "active_customers", "lapsed_customers", "crr",
    "orders", "revenue", "gross_profit", "cumulative_revenue", "cumulative_gross_profit",
)  # fmt: skip
_DIFF_KEYS = ("active_customers", "revenue", "gross_profit", "cumulative_revenue", "cumulative_gross_profit")


def project(baseline: Baseline, scenario: Scenario) -> pl.DataFrame:
    """Monthly projection of baseline vs scenario over the horizon (SPEC §6 two-pool model).

    The recursion is in the module notes; ``r`` and ``q_b`` of the scenario come from
    :func:`applied_levers`. ``orders = active × frequency``; ``revenue = orders × AOV``;
    ``programme_cost = retention_cost × retained``; ``gross_profit = revenue × margin −
    programme_cost``; ``ltv`` = gross profit over the horizon of one customer who is new in month 1
    (programme cost not included); ``roi = cumulative_gross_profit_difference /
    scenario_cumulative_programme_cost``, null while the programme has cost nothing. Differences are
    scenario − baseline.

    Returns
    -------
    pl.DataFrame
        One row per projected month: ``month`` (Int32, 1…horizon), ``period_start`` (Date);
        ``baseline_``/``scenario_`` + new_customers, retained_customers, reactivated_customers,
        active_customers, lapsed_customers, crr, orders, revenue, gross_profit, cumulative_revenue,
        cumulative_gross_profit, ltv; ``scenario_`` + programme_cost, cumulative_programme_cost;
        ``<x>_difference`` for active_customers, revenue, gross_profit, cumulative_revenue,
        cumulative_gross_profit, ltv; ``roi``. All Float64.

    Examples
    --------
    100 active, r = 0.8, 10 new a month, 50 lapsed ≤ 12 months (age 1) won back at q = 0.1, 1.5 orders
    × 20 = 30 per customer. Month 1: 100×0.8 + 50×0.1 + 10 = 95 (CRR (95−10)/100 = 0.85); +5 points
    on r: 100×0.85 + 5 + 10 = 100. Revenue 2850 vs 3000.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, retention_rate=0.8, new_customers=10,
    ...              purchase_frequency=1.5, aov=20, reactivation_rates=(0.1, 0.0), lapsed_by_age=(50,) + (0,) * 12)
    >>> p = project(b, Scenario(horizon=3, crr_delta=0.05))
    >>> p.select("period_start", "baseline_active_customers", "baseline_crr", pl.col("scenario_revenue").round(6)).row(0)
    (datetime.date(2024, 7, 1), 95.0, 0.85, 3000.0)
    """
    base, scen = _series(baseline, scenario)
    b = _simulate(baseline.active_customers, baseline.lapsed_by_age, base)
    s = _simulate(baseline.active_customers, baseline.lapsed_by_age, scen)
    ltv_b, ltv_s = _ltv(base), _ltv(scen)
    h = scenario.horizon
    cols: dict[str, Any] = {f"baseline_{k}": b[k] for k in _BASELINE_KEYS}
    cols |= {f"scenario_{k}": s[k] for k in (*_BASELINE_KEYS, "programme_cost", "cumulative_programme_cost")}
    cols |= {f"{k}_difference": s[k] - b[k] for k in _DIFF_KEYS}
    cost = s["cumulative_programme_cost"]
    with np.errstate(all="ignore"):
        roi = np.where(cost > 0, cols["cumulative_gross_profit_difference"] / cost, np.nan)
    cols["roi"] = roi
    first = baseline.last_month.year * 12 + baseline.last_month.month - 1970 * 12
    months = pl.Series("month", np.arange(1, h + 1, dtype=np.int32))
    return pl.DataFrame(cols).select(
        months,
        index_start(pl.lit(months + first - 1), "month").alias("period_start"),
        pl.all(),
        pl.lit(ltv_b, pl.Float64).alias("baseline_ltv"),
        pl.lit(ltv_s, pl.Float64).alias("scenario_ltv"),
        pl.lit(ltv_s - ltv_b, pl.Float64).alias("ltv_difference"),
    ).with_columns(pl.col("roi", "baseline_crr", "scenario_crr").fill_nan(None))
