"""Customer value overview (SPEC §4.4): the three LTVs side by side, and how well the model predicts.

* **Historical LTV** = mean net revenue per customer so far × margin (what customers have been worth).
* **Formula LTV** = AOV × purchases per customer per month × 1 / monthly churn × margin, each input
  the mean of the last ``formula_months`` complete months (:func:`retention_core.value.ltv.formula_ltv_from_periods`).
* **Predictive CLV** = mean over customers of margin × E[spend] × Σ_{k=1..H} ΔE[Y(month k)] / (1 + d)^k
  (:func:`retention_core.value.clv.customer_value`): BG/NBD and Gamma-Gamma fitted on *all* orders, so
  P(alive) and the expected value are as of the last order day; d is the monthly equivalent of the
  annual discount rate, (1 + annual)^(1/12) − 1.

The predictive model is checked on a holdout: the same models fitted on the orders up to a
calibration end predict the repeat purchases after it (:func:`retention_core.value.clv.holdout_check`).
Default calibration end (:func:`default_calibration_end`): the last order day minus half a year, or
minus half the data's span when the data covers less than a year, keeping at least
:data:`MIN_CALIBRATION_DAYS` of calibration. A half-year holdout (FHL 2005 hold out 39 of CDNOW's 78
weeks) averages over half a seasonal cycle; a short one (e.g. the last three months) is dominated by
that quarter's season. Measured on the bundled data, predicted vs actual repeat purchases: sample
shop 10,439 vs 9,582 (+9 %) with the half year, −17 % with 3 months; UCI Online Retail 6,196 vs 6,827
(−9 %) with the half year, −25 % with 3 months (its last quarter is the Christmas peak of a growing shop).

Every fit needs at least :data:`MIN_CALIBRATION_DAYS` days from the first order to the calibration
end: over a few weeks almost no customer can be seen to stop buying, so BG/NBD estimates a dropout
probability near 0 and the CLV comes out several times too high (the sample shop's last 4 weeks give
a / (a + b) < 0.001 against 0.21 on its full history, and a mean CLV of 420 against 51). With 90 days
the sample's 6-month holdout is predicted within +5 %.

A fit that cannot be made (too little data, too few repeat customers, no convergence) does not
raise: the overview keeps the historical and formula LTV and records the error, so the UI can say why
and fall back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from retention_core.errors import (
    ConvergenceError,
    NotEnoughDataError,
    ParameterError,
    RetentionError,
    check_choice,
)
from retention_core.retention.flows import period_metrics
from retention_core.value.clv import TIME_UNITS, ClvModel, PurchaseCurve, TimeUnit, customer_value, fit_clv
from retention_core.value.ltv import FormulaLtv, customer_revenue, formula_ltv_from_periods

#: The default holdout is at most this long (half a year) and at most half the data's span.
DEFAULT_HOLDOUT_DAYS = 182
#: A fit needs at least this many days from the first order to its calibration end (a quarter).
MIN_CALIBRATION_DAYS = 90
_MODEL_FAILURES = (NotEnoughDataError, ConvergenceError)


def _day_span(orders: pl.DataFrame) -> tuple[date | None, date | None]:
    """First and last ``ordered_at`` day over all rows (as :func:`retention_core.value.clv.fit_clv` does)."""
    row = orders.select(
        pl.col("ordered_at").cast(pl.Date).min().alias("first"), pl.col("ordered_at").cast(pl.Date).max().alias("last")
    ).row(0)
    return row[0], row[1]


def default_calibration_end(orders: pl.DataFrame) -> date | None:
    """Default end of the model's calibration period: last day − holdout, with
    holdout = max(0, min(182, ⌊span / 2⌋, span − 90)) days and span = last − first order day.

    A year or more of data gets a half-year holdout; shorter data is split in two halves, but the
    calibration keeps at least :data:`MIN_CALIBRATION_DAYS` (90) days; data shorter than that gets no
    holdout (the last day). None without orders.

    Examples
    --------
    Three years ending 2025-12-15 ⇒ − 182 days; 240 days ⇒ − 120 (halves); 150 days ⇒ − 60 (90 days
    kept for calibration); 60 days ⇒ the last day itself (no check).

    >>> def cal_end(first, last):
    ...     return default_calibration_end(pl.DataFrame({"ordered_at": [first, last]}))
    >>> cal_end(datetime(2023, 1, 1), datetime(2025, 12, 15))
    datetime.date(2025, 6, 16)
    >>> [(cal_end(datetime(2024, 1, 1), datetime(2024, 1, 1) + timedelta(days=n)) - date(2024, 1, 1)).days
    ...  for n in (240, 150, 60)]
    [120, 90, 60]
    """
    return default_calibration_day(*_day_span(orders))


def default_calibration_day(first: date | None, last: date | None) -> date | None:
    """:func:`default_calibration_end` for orders from ``first`` to ``last`` (days; None without orders)."""
    if first is None or last is None:
        return None
    span = (last - first).days
    return last - timedelta(days=max(0, min(DEFAULT_HOLDOUT_DAYS, span // 2, span - MIN_CALIBRATION_DAYS)))


def monthly_discount_rate(annual_rate: float) -> float:
    """The monthly rate that compounds to ``annual_rate`` over 12 months: (1 + annual)^(1/12) − 1.

    Raises
    ------
    ParameterError
        A negative rate.

    Examples
    --------
    >>> round(monthly_discount_rate(0.1), 6), monthly_discount_rate(0.0)
    (0.007974, 0.0)
    """
    if not annual_rate >= 0:
        raise ParameterError("annual_discount_rate", annual_rate, "an annual rate ≥ 0, e.g. 0.1 for 10 %")
    return (1.0 + annual_rate) ** (1.0 / 12.0) - 1.0


@dataclass(frozen=True, eq=False)
class ValueOverview:
    """The three LTVs with their inputs, the fitted models, and why a part could not be computed.

    ``historical_ltv`` and ``formula.ltv`` are per customer at ``margin``; ``predictive_ltv`` is the
    mean of ``predictions["clv"]`` (:func:`retention_core.value.clv.customer_value`'s frame, sorted by CLV)
    and ``predictive_total`` its sum. ``model`` is fitted on all orders up to ``as_of``; ``check``
    on the orders up to ``calibration_end`` (the same object when that is ``as_of``, and then without
    a holdout). ``holdout_difference`` = predicted / actual repeat purchases − 1 in the holdout
    (null without a holdout or with no actual purchase). Each ``*_error`` is the reason its part is
    None (a :class:`NotEnoughDataError` or :class:`ConvergenceError`).
    """

    as_of: date | None
    calibration_end: date | None
    time_unit: TimeUnit
    horizon: int
    annual_discount_rate: float
    monthly_discount_rate: float
    margin: float
    customers: int
    historical_ltv: float | None
    formula: FormulaLtv | None
    formula_error: RetentionError | None
    predictive_ltv: float | None
    predictive_total: float | None
    predictions: pl.DataFrame | None
    model: ClvModel | None
    model_error: RetentionError | None
    check: ClvModel | None
    check_error: RetentionError | None
    holdout_difference: float | None


@dataclass(frozen=True, eq=False)
class Fit:
    """The predictive model fitted on the orders up to ``end`` in ``time_unit``, or why it could not be
    (:func:`fit_value_model`); ``model`` is None exactly when ``error`` is set. ``first`` and ``last``
    are the first and last order day of the orders it was given (all of them, not only up to ``end``)."""

    end: date | None
    time_unit: TimeUnit
    model: ClvModel | None
    error: RetentionError | None
    first: date | None = None
    last: date | None = None


def fit_value_model(orders: pl.DataFrame, *, end: date | None = None, time_unit: TimeUnit = "week") -> Fit:
    """BG/NBD + Gamma-Gamma fitted on the orders up to ``end`` (None: the last order day), as
    :func:`value_overview` fits them: the overview's model (``end`` = the last day) or its holdout
    check (``end`` = the calibration end). A fit that cannot be made is returned with its reason.

    The fit is the expensive part of the overview; a caller that keeps it (the app caches it per
    dataset, filters and time unit) hands it back as ``fitted=`` / ``check=``, so changing the horizon,
    discount rate or margin only re-evaluates the predictions.

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": ["a", "b"], "amount": [30.0, 10.0],
    ...     "ordered_at": [datetime(2024, 1, 3), datetime(2024, 1, 20)]})
    >>> f = fit_value_model(orders)
    >>> f.end, f.model, type(f.error).__name__
    (datetime.date(2024, 1, 20), None, 'NotEnoughDataError')
    """
    check_choice("time_unit", time_unit, TIME_UNITS)
    first, last = _day_span(orders)
    if isinstance(end, datetime):
        end = end.date()
    end = end or last
    if first is None or end is None:
        return Fit(end, time_unit, None, NotEnoughDataError("no orders in the chosen data: nothing to fit", found=0),
                   first, last)
    model, error = _fit(orders, first, end, time_unit)
    return Fit(end, time_unit, model, error, first, last)


def _given(fit: Fit | None, end: date, time_unit: TimeUnit, name: str) -> Fit | None:
    """``fit`` when it was made up to ``end`` in ``time_unit`` (a mismatch is the caller's bug: say so)."""
    if fit is not None and (fit.end != end or fit.time_unit != time_unit):
        raise ParameterError(name, f"{fit.end} in {fit.time_unit}s", f"a fit up to {end} in {time_unit}s")
    return fit


def _fit(
    orders: pl.DataFrame, first: date, end: date, time_unit: TimeUnit
) -> tuple[ClvModel | None, RetentionError | None]:
    if (end - first).days < MIN_CALIBRATION_DAYS:
        msg = (
            f"the orders from {first} to {end} cover {(end - first).days} days; the purchase model needs at least "
            f"{MIN_CALIBRATION_DAYS} to see customers stop buying (fitted on fewer, it predicts far too much). "
            "Widen the date range, choose a later calibration end, or use the formula LTV"
        )
        return None, NotEnoughDataError(msg, days=(end - first).days, needed=MIN_CALIBRATION_DAYS)
    try:
        return fit_clv(orders, calibration_end=end, time_unit=time_unit), None
    except _MODEL_FAILURES as exc:
        return None, exc


def _formula(orders: pl.DataFrame, months: int, margin: float, window: int = 1,
             month_metrics: pl.DataFrame | None = None) -> tuple[FormulaLtv | None, RetentionError | None]:
    try:
        periods = month_metrics if month_metrics is not None else period_metrics(orders, grain="month", window=window)
        return formula_ltv_from_periods(periods, months=months, margin=margin), None
    except NotEnoughDataError:
        msg = (
            "the formula needs a monthly churn rate, so at least one complete calendar month after the first "
            "month of the data; the chosen orders have none. Widen the date range"
        )
        return None, NotEnoughDataError(msg, complete_months=0)


def value_overview(
    orders: pl.DataFrame,
    *,
    calibration_end: date | None = None,
    time_unit: TimeUnit = "week",
    horizon: int = 12,
    annual_discount_rate: float = 0.10,
    margin: float = 1.0,
    formula_months: int = 3,
    window: int = 1,
    fitted: Fit | None = None,
    check: Fit | None = None,
    customers: pl.DataFrame | None = None,
    month_metrics: pl.DataFrame | None = None,
    curve: PurchaseCurve | None = None,
) -> ValueOverview:
    """Historical, formula and predictive LTV per customer, side by side, plus the holdout check (SPEC §4.4).

    historical = Σ net revenue / customers × margin; formula = AOV × orders per month / churn × margin
    (means of the last ``formula_months`` complete months); predictive = mean CLV over ``horizon``
    months at the monthly equivalent of ``annual_discount_rate`` (see the module docstring).

    Parameters
    ----------
    orders
        Canonical orders frame.
    calibration_end
        Last day of the calibration period of the holdout check; None: :func:`default_calibration_end`.
        The last order day itself means "no holdout check".
    time_unit
        Unit of the BG/NBD fit (``"day"``, ``"week"``, ``"month"``): recency, T and the purchase rate.
    horizon
        Months of future value in the predictive CLV (≥ 1).
    annual_discount_rate
        Annual discount rate (≥ 0), e.g. 0.1 for 10 %; converted to a monthly rate.
    margin
        Gross margin in (0, 1] applied to all three LTVs; 1.0 gives revenue.
    formula_months
        Complete months averaged for the formula LTV inputs.
    window
        Activity window W in months (SPEC §4.1) for the formula's monthly churn: lifetime = 1 / churn
        under the dataset's purchase-cycle rule, the same definition of "active" as every other page.
    fitted, check, customers, month_metrics, curve
        What a caller that keeps them hands back instead of having them made again from ``orders``
        (the numbers are the same): ``fitted`` = :func:`fit_value_model` up to the last order day and
        ``check`` = up to the calibration end, both in ``time_unit``; ``customers`` = one row per
        customer with its net ``revenue`` (:func:`~retention_core.value.ltv.customer_revenue`, or
        :func:`~retention_core.value.segments.customer_table`'s frame); ``month_metrics`` =
        ``period_metrics(orders, grain="month", window=window)``; ``curve`` =
        :func:`~retention_core.value.clv.purchase_curve` of ``fitted``'s model over ≥ ``horizon`` months.

    Returns
    -------
    ValueOverview

    Raises
    ------
    ColumnNotFoundError
        A required orders column is missing.
    ParameterError
        Unknown ``time_unit``, ``calibration_end`` outside the data, a bad horizon, rate or margin, or a
        ``fitted`` / ``check`` made up to another day or in another time unit.

    Examples
    --------
    Two customers, one order each (30 and 10), in one month: historical LTV (30 + 10) / 2 × 0.5 = 10;
    no complete month with a churn rate and no repeat purchase, so formula and model are left out.

    >>> orders = pl.DataFrame({"customer_id": ["a", "b"], "amount": [30.0, 10.0],
    ...     "ordered_at": [datetime(2024, 1, 3), datetime(2024, 1, 20)]})
    >>> v = value_overview(orders, margin=0.5)
    >>> v.historical_ltv, v.formula, v.predictive_ltv, type(v.model_error).__name__
    (10.0, None, None, 'NotEnoughDataError')
    """
    check_choice("time_unit", time_unit, TIME_UNITS)
    if not (isinstance(horizon, int) and horizon >= 1):
        raise ParameterError("horizon", horizon, "a whole number of months ≥ 1")
    if not 0 < margin <= 1:
        raise ParameterError("margin", margin, "a fraction in (0, 1], e.g. 0.3 for a 30 % gross margin")
    monthly = monthly_discount_rate(annual_discount_rate)
    # a kept fit knows the data's first and last day (two passes over every order saved per interaction)
    first, as_of = (fitted.first, fitted.last) if fitted is not None else _day_span(orders)
    revenue = customers if customers is not None else customer_revenue(orders)
    historical = revenue.get_column("revenue").mean() if revenue.height else None
    none = NotEnoughDataError("no orders in the chosen data: nothing to fit or average", found=0)
    if first is None or as_of is None or revenue.height == 0:
        return ValueOverview(
            as_of, None, time_unit, horizon, annual_discount_rate, monthly, margin, 0, None,
            None, none, None, None, None, None, none, None, none, None,
        )
    if isinstance(calibration_end, datetime):
        calibration_end = calibration_end.date()
    cal = calibration_end or default_calibration_day(first, as_of)
    if cal is None or not first <= cal <= as_of:
        raise ParameterError("calibration_end", cal, f"a day from the first order ({first}) to the last ({as_of})")
    formula, formula_error = _formula(orders, formula_months, margin, window, month_metrics)
    whole = _given(fitted, as_of, time_unit, "fitted") or fit_value_model(orders, end=as_of, time_unit=time_unit)
    holdout_fit = whole if cal == as_of else (
        _given(check, cal, time_unit, "check") or fit_value_model(orders, end=cal, time_unit=time_unit))
    model, model_error = whole.model, whole.error
    check, check_error = holdout_fit.model, holdout_fit.error
    predictions = None
    if model is not None:
        predictions = customer_value(
            model.summary, model.bgnbd, model.gamma_gamma, horizon=horizon, discount_rate=monthly, margin=margin,
            curve=curve,
        )
        clv = predictions.get_column("clv")
        if clv.null_count() or not clv.is_finite().all():
            msg = (
                f"the spend model has no finite mean spend per purchase (q = {model.gamma_gamma.q:.3g} ≤ 1): "
                "spend varies too much between customers to predict their value; use the formula LTV"
            )
            model_error, predictions = NotEnoughDataError(msg, q=model.gamma_gamma.q), None
    holdout = check.holdout if check is not None else None
    difference = None
    if holdout is not None and holdout.actual_repeat_purchases > 0:
        difference = holdout.predicted_repeat_purchases / holdout.actual_repeat_purchases - 1.0
    return ValueOverview(
        as_of=as_of,
        calibration_end=cal,
        time_unit=time_unit,
        horizon=horizon,
        annual_discount_rate=annual_discount_rate,
        monthly_discount_rate=monthly,
        margin=margin,
        customers=revenue.height,
        historical_ltv=None if historical is None else float(historical) * margin,
        formula=formula,
        formula_error=formula_error,
        predictive_ltv=None if predictions is None else float(predictions.get_column("clv").mean()),
        predictive_total=None if predictions is None else float(predictions.get_column("clv").sum()),
        predictions=predictions,
        model=model,
        model_error=model_error,
        check=check,
        check_error=check_error,
        holdout_difference=difference,
    )


PARAMETERS: tuple[str, ...] = (
    "r", "alpha", "a", "b", "purchase_rate", "dropout_probability", "p", "q", "gamma", "mean_spend",
)


def parameter_table(model: ClvModel) -> pl.DataFrame:
    """The fitted parameters and what they imply, one row each, in :data:`PARAMETERS` order.

    BG/NBD (FHL 2005): ``r``, ``alpha`` (purchase rate while active ~ Gamma(r, α), per time unit),
    ``a``, ``b`` (dropout chance after a purchase ~ Beta(a, b)); implied ``purchase_rate`` = r / α
    (mean purchases per time unit while active) and ``dropout_probability`` = a / (a + b).
    Gamma-Gamma (FH 2013): ``p``, ``q``, ``gamma``; implied ``mean_spend`` = p γ / (q − 1) per
    purchase (null when q ≤ 1: no finite mean).

    Returns
    -------
    pl.DataFrame
        ``model`` String (``bgnbd`` or ``gamma_gamma``), ``parameter`` String, ``value`` Float64.

    Examples
    --------
    r = 0.25, α = 4 ⇒ 0.0625 purchases a week; a = 0.8, b = 2.4 ⇒ 25 %; p = 6, q = 4, γ = 15 ⇒ 30.

    >>> from retention_core.value.clv import BgNbdFit, GammaGammaFit
    >>> m = ClvModel(date(2024, 6, 30), "week", pl.DataFrame(),
    ...     BgNbdFit(0.25, 4.0, 0.8, 2.4, log_likelihood=-1.0, n_customers=1, time_unit="week"),
    ...     GammaGammaFit(6.0, 4.0, 15.0, log_likelihood=-1.0, n_customers=1, n_excluded=0), None)
    >>> dict(parameter_table(m).select("parameter", "value").rows())["purchase_rate"]
    0.0625
    >>> [round(v, 6) for v in parameter_table(m).get_column("value").tail(5)]
    [0.25, 6.0, 4.0, 15.0, 30.0]
    """
    bg, gg = model.bgnbd, model.gamma_gamma
    values = (
        bg.r, bg.alpha, bg.a, bg.b, bg.r / bg.alpha, bg.a / (bg.a + bg.b),
        gg.p, gg.q, gg.gamma, gg.p * gg.gamma / (gg.q - 1.0) if gg.q > 1 else None,
    )
    return pl.DataFrame(
        {
            "model": ["bgnbd"] * 6 + ["gamma_gamma"] * 4,
            "parameter": list(PARAMETERS),
            "value": [None if v is None or not math.isfinite(v) else float(v) for v in values],
        },
        schema={"model": pl.String, "parameter": pl.String, "value": pl.Float64},
    )
