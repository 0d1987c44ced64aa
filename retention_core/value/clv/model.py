"""Fit the whole predictive-CLV model from orders, and its SPEC §8 ``clv`` JSON."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TypedDict

import polars as pl

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.value.clv.bgnbd import BgNbdFit, fit_bgnbd
from retention_core.value.clv.gamma_gamma import GammaGammaFit, fit_gamma_gamma
from retention_core.value.clv.lifetime_value import HoldoutCheck, holdout_check
from retention_core.value.clv.summary import TimeUnit, customer_summary


@dataclass(frozen=True, eq=False)
class ClvModel:
    """Everything fitted for predictive CLV: the calibration summary, both models, the holdout check.

    ``holdout`` is None when the data ends on or before the calibration end.
    """

    calibration_end: date
    time_unit: TimeUnit
    summary: pl.DataFrame
    bgnbd: BgNbdFit
    gamma_gamma: GammaGammaFit
    holdout: HoldoutCheck | None


def _last_day(orders: pl.DataFrame) -> date | None:
    if "ordered_at" not in orders.columns:
        raise ColumnNotFoundError.from_missing("ordered_at", orders.columns, role="orders")
    return orders.select(pl.col("ordered_at").cast(pl.Date).max()).item()


def fit_clv(orders: pl.DataFrame, *, calibration_end: date, time_unit: TimeUnit = "week") -> ClvModel:
    """Customer summary, BG/NBD and Gamma-Gamma fits, and the holdout check (SPEC §4.4).

    Orders up to ``calibration_end`` (inclusive) calibrate the models; when the data goes past it,
    the days after it up to the last order day form the holdout period.

    Parameters
    ----------
    orders
        Canonical orders frame.
    calibration_end
        Last day of the calibration period.
    time_unit
        Unit of recency, T and the BG/NBD rate: ``"day"``, ``"week"`` or ``"month"``.

    Returns
    -------
    ClvModel

    Raises
    ------
    ColumnNotFoundError
        A required orders column is missing.
    ParameterError
        Unknown ``time_unit`` or a calibration end before the first order.
    NotEnoughDataError
        Too few repeat customers for BG/NBD or Gamma-Gamma (the UI falls back to the formula LTV).
    ConvergenceError
        A fit did not converge.

    Examples
    --------
    40 customers: each buys on Jan 1 and again after 7–46 days (the last 10 once more in June);
    calibration to May 31, holdout June (30 days).

    >>> from datetime import timedelta
    >>> rows = [(f"c{i}", datetime(2024, 1, 1), 10.0 + i) for i in range(40)]
    >>> rows += [(f"c{i}", datetime(2024, 1, 8) + timedelta(days=i), 20.0) for i in range(40)]
    >>> rows += [(f"c{i}", datetime(2024, 6, 15), 5.0) for i in range(30, 40)]
    >>> orders = pl.DataFrame(rows, schema=["customer_id", "ordered_at", "amount"], orient="row")
    >>> model = fit_clv(orders, calibration_end=date(2024, 5, 31), time_unit="day")
    >>> model.summary.height, model.holdout.actual_repeat_purchases, model.gamma_gamma.n_customers
    (40, 10, 40)
    """
    last = _last_day(orders)
    if isinstance(calibration_end, datetime):
        calibration_end = calibration_end.date()
    first = orders.select(pl.col("ordered_at").cast(pl.Date).min()).item()
    if first is None or calibration_end < first:
        raise ParameterError(
            "calibration_end", calibration_end, f"a date on or after the first order ({first})"
        )
    holdout_end = last if last is not None and last > calibration_end else None
    summary = customer_summary(
        orders, calibration_end=calibration_end, time_unit=time_unit, holdout_end=holdout_end
    )
    bgnbd = fit_bgnbd(summary, time_unit=time_unit)
    gamma_gamma = fit_gamma_gamma(summary)
    holdout = holdout_check(summary, bgnbd) if holdout_end is not None else None
    return ClvModel(calibration_end, time_unit, summary, bgnbd, gamma_gamma, holdout)


class BgNbdJson(TypedDict):
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float


class GammaGammaJson(TypedDict):
    p: float
    q: float
    gamma: float


class HoldoutJson(TypedDict):
    actual_repeat_purchases: int
    predicted_repeat_purchases: float


class ClvJson(TypedDict):
    time_unit: str
    calibration_end: str
    customers: int
    bgnbd: BgNbdJson
    gamma_gamma: GammaGammaJson
    holdout: HoldoutJson | None


def clv_json(model: ClvModel) -> ClvJson:
    """The SPEC §8 ``clv`` command's JSON for a fitted model.

    Keys: ``time_unit``, ``calibration_end`` (YYYY-MM-DD), ``customers`` (in the calibration summary),
    ``bgnbd`` {r, alpha, a, b, log_likelihood}, ``gamma_gamma`` {p, q, gamma}, ``holdout``
    {actual_repeat_purchases, predicted_repeat_purchases} or null when there is no holdout period.

    Examples
    --------
    >>> from retention_core.value.clv import BgNbdFit, GammaGammaFit
    >>> m = ClvModel(date(2024, 6, 30), "week", pl.DataFrame({"customer_id": ["a"]}),
    ...     BgNbdFit(0.25, 4.0, 0.8, 2.5, log_likelihood=-10.0, n_customers=1, time_unit="week"),
    ...     GammaGammaFit(6.0, 4.0, 15.0, log_likelihood=-3.0, n_customers=1, n_excluded=0), None)
    >>> clv_json(m)["calibration_end"], clv_json(m)["customers"], clv_json(m)["holdout"]
    ('2024-06-30', 1, None)
    """
    bg, gg = model.bgnbd, model.gamma_gamma
    holdout: HoldoutJson | None = None
    if model.holdout is not None:
        holdout = {
            "actual_repeat_purchases": int(model.holdout.actual_repeat_purchases),
            "predicted_repeat_purchases": float(model.holdout.predicted_repeat_purchases),
        }
    return {
        "time_unit": model.time_unit,
        "calibration_end": model.calibration_end.isoformat(),
        "customers": int(model.summary.height),
        "bgnbd": {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b, "log_likelihood": bg.log_likelihood},
        "gamma_gamma": {"p": gg.p, "q": gg.q, "gamma": gg.gamma},
        "holdout": holdout,
    }
