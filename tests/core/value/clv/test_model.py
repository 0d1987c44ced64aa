"""fit_clv and the SPEC §8 ``clv`` JSON, from simulated order rows."""

from __future__ import annotations

import json
from datetime import date, datetime

import numpy as np
import polars as pl
import pytest

from retention_core.errors import NotEnoughDataError, ParameterError
from retention_core.value.clv import clv_json, customer_value, fit_clv

START = date(2023, 1, 1)
CAL = date(2024, 3, 31)
END = date(2024, 9, 30)


def simulate_orders(n: int, *, seed: int) -> pl.DataFrame:
    """Orders from BG/NBD (r=0.8, α=6 weeks, a=0.9, b=4) and Gamma-Gamma (p=5, q=4, γ=20).

    First purchases spread over 2023; purchases follow a Poisson process in weeks until dropout (after
    each repeat purchase, probability p), observed until END; times are truncated to days.
    """
    rng = np.random.default_rng(seed)
    epoch = np.datetime64(START, "D")
    horizon_days = (END - START).days
    first = rng.integers(0, 365, n)
    lam = rng.gamma(0.8, 1 / 6.0, n) / 7.0  # per day
    p = rng.beta(0.9, 4.0, n)
    nu = rng.gamma(4.0, 1 / 20.0, n)
    cust, day = [np.arange(n)], [first]
    # Repeat purchases: gaps ~ Exp(λ); alive after each with probability 1 − p. Vectorised over
    # customers, one round per purchase number.
    t = first.astype(float)
    alive = np.ones(n, dtype=bool)
    for _ in range(200):
        t = t + rng.exponential(1.0, n) / lam
        alive &= t <= horizon_days
        if not alive.any():
            break
        cust.append(np.flatnonzero(alive))
        day.append(np.floor(t[alive]).astype(int))
        alive &= rng.random(n) >= p
    c, d = np.concatenate(cust), np.concatenate(day)
    amount = np.round(rng.gamma(5.0, 1.0, c.size) / nu[c], 2)
    return pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in c],
            "ordered_at": (epoch + d.astype("timedelta64[D]")).astype("datetime64[us]"),
            "amount": amount,
        }
    )


@pytest.fixture(scope="module")
def orders() -> pl.DataFrame:
    return simulate_orders(4000, seed=8)


def test_clv_json_keys_and_holdout(orders: pl.DataFrame) -> None:
    model = fit_clv(orders, calibration_end=CAL, time_unit="week")
    out = clv_json(model)
    assert list(out) == ["time_unit", "calibration_end", "customers", "bgnbd", "gamma_gamma", "holdout"]
    assert list(out["bgnbd"]) == ["r", "alpha", "a", "b", "log_likelihood"]
    assert list(out["gamma_gamma"]) == ["p", "q", "gamma"]
    assert list(out["holdout"]) == ["actual_repeat_purchases", "predicted_repeat_purchases"]
    assert (out["time_unit"], out["calibration_end"]) == ("week", "2024-03-31")
    # Every simulated customer's first purchase is in 2023, before the calibration end.
    assert out["customers"] == orders.get_column("customer_id").n_unique() == 4000
    json.dumps(out)  # plain JSON types only
    # Actual holdout purchases = distinct purchase days after the calibration end, per customer.
    days = orders.select("customer_id", pl.col("ordered_at").dt.date().alias("d")).unique()
    assert out["holdout"]["actual_repeat_purchases"] == days.filter(pl.col("d") > CAL).height
    # A correctly specified model predicts the holdout total well: over ~thousands of purchases the
    # sampling noise is a few per cent; 10 % leaves room for the day rounding of the simulation.
    assert out["holdout"]["predicted_repeat_purchases"] == pytest.approx(
        out["holdout"]["actual_repeat_purchases"], rel=0.10
    )
    assert model.bgnbd.r == pytest.approx(0.8, rel=0.35)
    assert model.gamma_gamma.p == pytest.approx(5.0, rel=0.35)


def test_no_holdout_when_the_data_ends_at_the_calibration_end(orders: pl.DataFrame) -> None:
    last = orders.select(pl.col("ordered_at").max().dt.date()).item()
    model = fit_clv(orders, calibration_end=last, time_unit="month")
    out = clv_json(model)
    assert out["holdout"] is None and model.holdout is None
    assert out["time_unit"] == "month"
    value = customer_value(
        model.summary, model.bgnbd, model.gamma_gamma, horizon=12, discount_rate=0.01, margin=0.3
    )
    assert value.height == 4000
    assert value.get_column("clv").is_finite().all()
    assert (value.get_column("clv") >= 0).all()


def test_thin_data_raises_not_enough_data() -> None:
    orders = pl.DataFrame(
        {
            "customer_id": ["a", "a", "b", "c"],
            "ordered_at": [
                datetime(2024, 1, 1),
                datetime(2024, 2, 1),
                datetime(2024, 1, 5),
                datetime(2024, 1, 9),
            ],
            "amount": [10.0, 12.0, 5.0, 7.0],
        }
    )
    with pytest.raises(NotEnoughDataError, match="found 1 of 3"):
        fit_clv(orders, calibration_end=date(2024, 3, 1))


def test_calibration_end_before_the_data(orders: pl.DataFrame) -> None:
    with pytest.raises(
        ParameterError, match="calibration_end=datetime.date\\(2022, 1, 1\\).*first order \\(2023-01-01\\)"
    ):
        fit_clv(orders, calibration_end=date(2022, 1, 1))
