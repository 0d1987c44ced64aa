"""Predictive customer value (SPEC §4.4): purchase summary, BG/NBD, Gamma-Gamma, CLV, holdout check.

Typical use: ``model = fit_clv(orders, calibration_end=...)`` then
``customer_value(model.summary, model.bgnbd, model.gamma_gamma, horizon=12, discount_rate=0.01)``;
``clv_json(model)`` gives the SPEC §8 ``clv`` output.
"""

from retention_core.value.clv.bgnbd import (
    BgNbdFit,
    BgNbdParams,
    bgnbd_log_likelihood,
    expected_purchases,
    expected_purchases_new_customer,
    fit_bgnbd,
    probability_alive,
)
from retention_core.value.clv.gamma_gamma import (
    GammaGammaFit,
    GammaGammaParams,
    expected_spend,
    fit_gamma_gamma,
    gamma_gamma_log_likelihood,
)
from retention_core.value.clv.lifetime_value import (
    FREQUENCY_BUCKETS,
    HoldoutCheck,
    PurchaseCurve,
    customer_value,
    holdout_check,
    purchase_curve,
)
from retention_core.value.clv.model import ClvJson, ClvModel, clv_json, fit_clv
from retention_core.value.clv.summary import TIME_UNITS, UNIT_DAYS, TimeUnit, customer_summary

__all__ = [
    "FREQUENCY_BUCKETS",
    "TIME_UNITS",
    "UNIT_DAYS",
    "BgNbdFit",
    "BgNbdParams",
    "ClvJson",
    "ClvModel",
    "GammaGammaFit",
    "GammaGammaParams",
    "HoldoutCheck",
    "PurchaseCurve",
    "TimeUnit",
    "bgnbd_log_likelihood",
    "clv_json",
    "customer_summary",
    "customer_value",
    "expected_purchases",
    "expected_purchases_new_customer",
    "expected_spend",
    "fit_bgnbd",
    "fit_clv",
    "fit_gamma_gamma",
    "gamma_gamma_log_likelihood",
    "holdout_check",
    "probability_alive",
    "purchase_curve",
]
