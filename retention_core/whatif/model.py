"""What-if simulator (SPEC §6, §8 ``whatif``): a transparent monthly cohort model.

Model, in plain words. Start from the customers active in the last complete month (``active(0)``).
Each month a share ``keep`` of last month's active customers stays active and the month's new
customers join: ``active(t) = active(t−1) × keep + new(t)``. Revenue of month ``t`` is
``active(t) × purchase_frequency × AOV``; gross profit is ``revenue × margin − programme cost``.

How CRR becomes the monthly keep rate. SPEC §4.1 defines ``CRR = (E − N) / S``, i.e.
``E = S × CRR + N`` — exactly the model's step with ``keep = CRR``. So ``keep = CRR + crr_delta``,
then clipped to [0, 1]. CRR can exceed 1 because reactivated customers count as retained; a keep
rate above 1 would compound into unbounded growth with no new customers at all, which no retention
programme delivers, so the model caps it at 1 ("nobody is lost, net"). The delta is added before
the cap, so a negative delta on a CRR of 1.02 does lower the keep rate (to 0.97 for −5 points).
A churn reduction of ``x`` points is the same lever as ``crr_delta = x``.

Programme cost is ``retention_cost`` per *retained* customer per month: in month ``t`` the
scenario pays ``retention_cost × keep × active(t−1)`` (the customers it kept from last month). The
baseline pays nothing. Margin is a fact about the business, not a lever: both series use it.

The inverse questions (which CRR reaches a target, break-even cost, acquisition equivalent) are in
:mod:`retention_core.whatif.solve`.
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

from retention_core.errors import ColumnNotFoundError, NotEnoughDataError, ParameterError
from retention_core.periods import index_start, period_index

HORIZON_RANGE = (3, 36)
_REQUIRED = ("period_start", "customers_end", "new_customers", "crr", "retention_rate", "revenue", "orders", "incomplete")
_SPREAD_MONTHS = 12


@dataclass(frozen=True)
class Baseline:
    """Monthly baseline measured from the data (SPEC §6); built by :func:`measure_baseline`.

    ``last_month`` is the first day of the last complete month; projections start the month after.
    ``new_customers_seasonal`` (optional) holds new customers per calendar month, January first.
    ``crr_low``/``crr_high`` default to ``crr`` (no band); ``band_months`` is how many complete months
    they were taken from (``months_used`` how many the averages were).
    """

    last_month: date
    active_customers: float
    new_customers: float
    crr: float
    purchase_frequency: float
    aov: float
    retention_rate: float | None = None
    crr_low: float | None = None
    crr_high: float | None = None
    new_customers_seasonal: tuple[float, ...] | None = None
    months_used: int = 0
    band_months: int = 0

    def __post_init__(self) -> None:
        for name in ("active_customers", "new_customers", "crr", "purchase_frequency", "aov"):
            _check_number(name, getattr(self, name), low=0.0, fix=self)
        for name in ("crr_low", "crr_high"):
            _check_number(name, self.crr if getattr(self, name) is None else getattr(self, name), low=0.0, fix=self)
        if self.retention_rate is not None:
            _check_number("retention_rate", self.retention_rate, low=0.0, high=1.0, fix=self)
        if not self.crr_low <= self.crr_high:  # type: ignore[operator]
            raise ParameterError("crr_low", self.crr_low, f"at most crr_high = {self.crr_high}")
        seasonal = self.new_customers_seasonal
        if seasonal is not None:
            if len(seasonal) != 12:
                raise ParameterError("new_customers_seasonal", seasonal, "12 values, January to December")
            for value in seasonal:
                _check_number("new_customers_seasonal", value, low=0.0)
            object.__setattr__(self, "new_customers_seasonal", tuple(float(v) for v in seasonal))

    @property
    def keep(self) -> float:
        """Monthly keep rate of the baseline: ``min(max(crr, 0), 1)`` (see the module notes)."""
        return _keep(self.crr, 0.0)


@dataclass(frozen=True)
class Scenario:
    """Levers of one what-if scenario (SPEC §6); frozen and validated, URL-serialisable.

    Fractions throughout: ``crr_delta=0.05`` is +5 CRR points, ``aov_change=-0.1`` is −10 % AOV.
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

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip() or len(self.name) > 80:
            raise ParameterError("name", self.name, "a non-empty name of at most 80 characters")
        lo, hi = HORIZON_RANGE
        h = self.horizon
        if isinstance(h, bool) or not isinstance(h, int | np.integer) or not lo <= h <= hi:
            raise ParameterError("horizon", h, f"a whole number of months from {lo} to {hi}")
        object.__setattr__(self, "horizon", int(h))
        _check_number("crr_delta", self.crr_delta, low=-1.0, high=1.0, fix=self)
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
        (any language), ``h`` horizon, ``c`` crr_delta, ``a`` aov_change, ``f`` frequency_change,
        ``n`` new_customers, ``m`` margin, ``k`` cac, ``r`` retention_cost. Several scenarios go in a
        URL as repeated query parameters.
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


def _keep(crr: float, delta: float) -> float:
    """Monthly keep rate: CRR plus the delta, clipped to [0, 1] (module notes)."""
    return min(max(crr + delta, 0.0), 1.0)


def measure_baseline(period_table: pl.DataFrame, *, months: int = 6, seasonal_new: bool = False) -> Baseline:
    """Baseline of the what-if model from a monthly period table (SPEC §6, §4.1 columns).

    From the last ``months`` complete months (rows with ``incomplete`` true are dropped):
    active customers = ``customers_end`` of the last complete month; new customers = mean of
    ``new_customers``; CRR and retention rate = mean of the monthly values (nulls skipped);
    purchase frequency = Σ orders / Σ customers_end and AOV = Σ revenue / Σ orders (pooled, so a
    small month weighs less). The honest CRR band is the min and max of monthly CRR over the last
    max(months, 12) complete months. With ``seasonal_new=True`` new customers per calendar month
    come from that month in the last 12 complete months; calendar months not there use the mean.

    Parameters
    ----------
    period_table
        ``period_metrics(..., grain="month")`` output: ``period_start`` (Date, first of month),
        ``customers_end``, ``new_customers``, ``crr``, ``retention_rate``, ``revenue``, ``orders``,
        ``incomplete``; other columns are ignored.
    months
        Number of trailing complete months to average (2–36).
    seasonal_new
        Take new customers per calendar month from last year instead of the recent mean.

    Returns
    -------
    Baseline

    Raises
    ------
    ColumnNotFoundError
        A required column is missing.
    ParameterError
        ``months`` out of range, or periods are not consecutive calendar months.
    NotEnoughDataError
        Fewer than 2 complete months, no CRR (no month with customers at its start) or no orders.

    Examples
    --------
    Three complete months and an incomplete one: CRR mean (0.8 + 0.9) / 2 = 0.85, new (10 + 20 + 30)
    / 3 = 20, frequency (200 + 220 + 240) / (100 + 110 + 120) = 2, AOV 33000 / 660 = 50.

    >>> table = pl.DataFrame({
    ...     "period_start": [date(2024, m, 1) for m in (1, 2, 3, 4)],
    ...     "customers_end": [100, 110, 120, 40], "new_customers": [10, 20, 30, 5],
    ...     "crr": [None, 0.8, 0.9, 0.3], "retention_rate": [None, 0.7, 0.8, 0.3],
    ...     "revenue": [10000.0, 11000.0, 12000.0, 2000.0], "orders": [200, 220, 240, 40],
    ...     "incomplete": [False, False, False, True]})
    >>> b = measure_baseline(table)
    >>> (b.last_month, b.active_customers, b.new_customers, round(b.crr, 4), b.purchase_frequency, b.aov)
    (datetime.date(2024, 3, 1), 120.0, 20.0, 0.85, 2.0, 50.0)
    >>> (b.crr_low, b.crr_high)
    (0.8, 0.9)
    """
    missing = [c for c in _REQUIRED if c not in period_table.columns]
    if missing:
        raise ColumnNotFoundError.from_missing(missing[0], period_table.columns, role="period table")
    if isinstance(months, bool) or not isinstance(months, int) or not 2 <= months <= 36:
        raise ParameterError("months", months, "a whole number of months from 2 to 36")
    table = period_table.select(_REQUIRED).sort("period_start")
    idx = table.select(period_index(pl.col("period_start"), "month").alias("i"), pl.col("period_start").dt.day().alias("d"))
    if idx.height and ((idx["d"] != 1).any() or (idx["i"].diff().drop_nulls() != 1).any()):
        raise ParameterError(
            "period_table", "periods that are not consecutive calendar months", "period_metrics(..., grain='month')"
        )
    complete = table.filter(~pl.col("incomplete").fill_null(False))
    if complete.height < 2:
        msg = (
            f"the what-if baseline needs at least 2 complete months of data; found {complete.height} "
            "(the month the data ends inside of does not count). Load a longer period."
        )
        raise NotEnoughDataError(msg, complete_months=complete.height)
    recent = complete.tail(months)
    spread = complete.tail(max(months, _SPREAD_MONTHS))
    stats = recent.select(
        pl.col("crr").mean(),
        pl.col("retention_rate").mean(),
        pl.col("new_customers").cast(pl.Float64).mean().alias("new"),
        (pl.col("orders").sum() / pl.col("customers_end").sum()).alias("frequency"),
        (pl.col("revenue").sum() / pl.col("orders").sum()).alias("aov"),
        pl.col("customers_end").last().cast(pl.Float64).alias("active"),
        pl.col("period_start").last().alias("last"),
    ).row(0, named=True)
    if stats["crr"] is None:
        msg = "no CRR in the last complete months: no month started with active customers. Load a longer period."
        raise NotEnoughDataError(msg)
    if not stats["frequency"] or stats["aov"] is None or not math.isfinite(stats["aov"]):
        msg = "no orders in the last complete months, so purchase frequency and AOV are unknown (orders data needed)."
        raise NotEnoughDataError(msg)
    low, high = spread.select(pl.col("crr").min().alias("low"), pl.col("crr").max().alias("high")).row(0)
    seasonal = None
    if seasonal_new:
        last_year = complete.tail(12).select(pl.col("period_start").dt.month().alias("m"), pl.col("new_customers"))
        by_month = dict(last_year.iter_rows())
        seasonal = tuple(float(by_month.get(m, stats["new"])) for m in range(1, 13))
    return Baseline(
        last_month=stats["last"],
        active_customers=stats["active"],
        new_customers=stats["new"],
        crr=stats["crr"],
        purchase_frequency=stats["frequency"],
        aov=stats["aov"],
        retention_rate=stats["retention_rate"],
        crr_low=min(low, stats["crr"]),
        crr_high=max(high, stats["crr"]),
        new_customers_seasonal=seasonal,
        months_used=recent.height,
        band_months=spread.height,
    )


@dataclass(frozen=True)
class _Series:
    """Resolved numeric levers of one projected series (baseline or scenario)."""

    keep: float
    frequency: float
    aov: float
    margin: float
    retention_cost: float
    new: np.ndarray = field(repr=False)


def _baseline_new(baseline: Baseline, horizon: int) -> np.ndarray:
    """New customers in projected months 1..horizon (seasonal by calendar month when measured so)."""
    if baseline.new_customers_seasonal is None:
        return np.full(horizon, baseline.new_customers)
    calendar = (baseline.last_month.month - 1 + np.arange(1, horizon + 1)) % 12
    return np.asarray(baseline.new_customers_seasonal)[calendar]


def _series(baseline: Baseline, scenario: Scenario, *, horizon: int | None = None) -> tuple[_Series, _Series]:
    """Baseline and scenario levers; the baseline uses the scenario's margin and no programme cost."""
    h = scenario.horizon if horizon is None else horizon
    new_b = _baseline_new(baseline, h)
    new_s = new_b if scenario.new_customers is None else np.full(h, scenario.new_customers)
    base = _Series(baseline.keep, baseline.purchase_frequency, baseline.aov, scenario.margin, 0.0, new_b)
    scen = _Series(
        _keep(baseline.crr, scenario.crr_delta),
        baseline.purchase_frequency * (1.0 + scenario.frequency_change),
        baseline.aov * (1.0 + scenario.aov_change),
        scenario.margin,
        scenario.retention_cost,
        new_s,
    )
    return base, scen


def _simulate(active0: float, s: _Series) -> dict[str, np.ndarray]:
    """Vectorised cohort model: active(t) = active0·keep^t + Σ_{j≤t} new(j)·keep^(t−j)."""
    t = np.arange(1, s.new.size + 1)
    lag = t[:, None] - t[None, :]
    weights = np.where(lag >= 0, s.keep ** np.maximum(lag, 0), 0.0)
    active = active0 * s.keep**t + weights @ s.new
    retained = s.keep * np.concatenate(([active0], active[:-1]))
    orders = active * s.frequency
    revenue = active * s.frequency * s.aov
    cost = s.retention_cost * retained
    profit = revenue * s.margin - cost
    return {
        "new_customers": s.new,
        "retained_customers": retained,
        "active_customers": active,
        "orders": orders,
        "revenue": revenue,
        "programme_cost": cost,
        "gross_profit": profit,
        "cumulative_revenue": np.cumsum(revenue),
        "cumulative_programme_cost": np.cumsum(cost),
        "cumulative_gross_profit": np.cumsum(profit),
    }


def _ltv(s: _Series) -> float | None:
    """Formula LTV = AOV × frequency × margin / (1 − keep); null when keep = 1 (no churn, unbounded)."""
    return None if s.keep >= 1.0 else s.aov * s.frequency * s.margin / (1.0 - s.keep)


_BASELINE_KEYS = (
    "new_customers", "retained_customers", "active_customers", "orders", "revenue", "gross_profit",
    "cumulative_revenue", "cumulative_gross_profit",
)  # fmt: skip
_DIFF_KEYS = ("active_customers", "revenue", "gross_profit", "cumulative_revenue", "cumulative_gross_profit")


def project(baseline: Baseline, scenario: Scenario) -> pl.DataFrame:
    """Monthly projection of baseline vs scenario over the horizon (SPEC §6 cohort model).

    ``active(t) = active(t−1) × keep + new(t)``, ``keep = clip(CRR + crr_delta, 0, 1)`` (module notes);
    ``orders = active × frequency``; ``revenue = orders × AOV``; ``programme_cost = retention_cost ×
    retained`` with ``retained = active(t−1) × keep``; ``gross_profit = revenue × margin −
    programme_cost``; ``ltv = AOV × frequency × margin / (1 − keep)`` (null when keep = 1; programme
    cost not included); ``roi = cumulative (incremental gross profit − programme cost) / cumulative
    programme cost`` = ``cumulative_gross_profit_difference / scenario_cumulative_programme_cost``,
    null while the programme has cost nothing. Differences are scenario − baseline.

    Returns
    -------
    pl.DataFrame
        One row per projected month: ``month`` (Int32, 1…horizon), ``period_start`` (Date);
        ``baseline_``/``scenario_`` + new_customers, retained_customers, active_customers, orders,
        revenue, gross_profit, cumulative_revenue, cumulative_gross_profit, ltv; ``scenario_`` +
        programme_cost, cumulative_programme_cost; ``<x>_difference`` for active_customers, revenue,
        gross_profit, cumulative_revenue, cumulative_gross_profit, ltv; ``roi``. All Float64.

    Examples
    --------
    100 active, 10 new a month, CRR 0.8, 1.5 orders × 20 = 30 per customer; +5 points ⇒ keep 0.85.
    Month 1: baseline 100×0.8+10 = 90, scenario 100×0.85+10 = 95; revenue 2700 vs 2850.

    >>> b = Baseline(last_month=date(2024, 6, 1), active_customers=100, new_customers=10, crr=0.8,
    ...              purchase_frequency=1.5, aov=20)
    >>> p = project(b, Scenario(horizon=3, crr_delta=0.05))
    >>> p.select("period_start", "baseline_active_customers", pl.col("scenario_revenue").round(6)).row(0)
    (datetime.date(2024, 7, 1), 90.0, 2850.0)
    """
    base, scen = _series(baseline, scenario)
    b, s = _simulate(baseline.active_customers, base), _simulate(baseline.active_customers, scen)
    ltv_b, ltv_s = _ltv(base), _ltv(scen)
    h = scenario.horizon
    cols: dict[str, Any] = {f"baseline_{k}": b[k] for k in _BASELINE_KEYS}
    cols |= {f"scenario_{k}": s[k] for k in (*_BASELINE_KEYS, "programme_cost", "cumulative_programme_cost")}
    cols |= {f"{k}_difference": s[k] - b[k] for k in _DIFF_KEYS}
    cost = s["cumulative_programme_cost"]
    with np.errstate(all="ignore"):
        roi = np.where(cost > 0, cols["cumulative_gross_profit_difference"] / cost, np.nan)
    cols["roi"] = roi
    ltv_diff = None if ltv_b is None or ltv_s is None else ltv_s - ltv_b
    first = baseline.last_month.year * 12 + baseline.last_month.month - 1970 * 12
    months = pl.Series("month", np.arange(1, h + 1, dtype=np.int32))
    return pl.DataFrame(cols).select(
        months,
        index_start(pl.lit(months + first - 1), "month").alias("period_start"),
        pl.all(),
        pl.lit(ltv_b, pl.Float64).alias("baseline_ltv"),
        pl.lit(ltv_s, pl.Float64).alias("scenario_ltv"),
        pl.lit(ltv_diff, pl.Float64).alias("ltv_difference"),
    ).with_columns(pl.col("roi").fill_nan(None))
