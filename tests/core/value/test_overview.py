"""Customer value overview: the three LTVs side by side, the default calibration end, the fallbacks."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retention_core.errors import NotEnoughDataError, ParameterError
from retention_core.ingest import connect, load_file
from retention_core.value.clv import customer_value, fit_clv
from retention_core.value.overview import (
    MIN_CALIBRATION_DAYS,
    default_calibration_end,
    monthly_discount_rate,
    parameter_table,
    value_overview,
)

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "orders.csv"


def _rows(rows: list[tuple[str, datetime, float]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["customer_id", "ordered_at", "amount"], orient="row")


# Jan: a 10, b 20, c 30 | Feb: a 40, d 10 | Mar: a 20, b 30, b refund −10 | Apr: a 10 (data end Apr 30).
SMALL = _rows([
    ("a", datetime(2024, 1, 3), 10.0), ("b", datetime(2024, 1, 10), 20.0), ("c", datetime(2024, 1, 20), 30.0),
    ("a", datetime(2024, 2, 5), 40.0), ("d", datetime(2024, 2, 6), 10.0),
    ("a", datetime(2024, 3, 2), 20.0), ("b", datetime(2024, 3, 9), 30.0), ("b", datetime(2024, 3, 10), -10.0),
    ("a", datetime(2024, 4, 30), 10.0),
])  # fmt: skip


def test_historical_and_formula_ltv_by_hand_with_the_model_left_out() -> None:
    v = value_overview(SMALL, margin=0.5)
    # Net revenue a 80, b 40, c 30, d 10 ⇒ 160 / 4 customers × 0.5 = 20.
    assert v.customers == 4 and v.historical_ltv == pytest.approx(20.0)
    # Complete months with a churn rate (Jan has none): Feb S={a,b,c} E={a,d}: churn 2/3, AOV 50/2, 2/2 orders
    # per active; Mar S={a,d} E={a,b}: churn 1/2, AOV (20+30−10)/2 = 20; Apr S={a,b} E={a}: churn 1/2, AOV 10.
    # AOV (25+20+10)/3 = 55/3, frequency 1, churn (2/3+1/2+1/2)/3 = 5/9 ⇒ LTV 55/3 × 1 × 9/5 × 0.5 = 16.5.
    f = v.formula
    assert f is not None and v.formula_error is None
    assert (f.aov, f.purchase_frequency, f.churn_rate) == pytest.approx((55 / 3, 1.0, 5 / 9))
    assert f.lifetime_months == pytest.approx(1.8) and f.ltv == pytest.approx(16.5)
    assert f.months == (date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1))
    # Only a and b buy on two days: BG/NBD needs 20 repeat customers, so the model is left out, no exception.
    assert isinstance(v.model_error, NotEnoughDataError) and "found 2 of 4" in str(v.model_error)
    assert v.model is None and v.predictions is None and v.predictive_ltv is None and v.predictive_total is None
    assert isinstance(v.check_error, NotEnoughDataError) and v.holdout_difference is None
    # Span Jan 3 … Apr 30 = 118 days ⇒ holdout min(182, 59, 118 − 90) = 28 days ⇒ Apr 2.
    assert v.calibration_end == date(2024, 4, 2) and v.as_of == date(2024, 4, 30)


def test_too_short_data_falls_back_with_the_reason() -> None:
    """Four weeks of many repeat customers would fit, but predict nonsense: the core refuses and says why."""
    rows = [(f"c{i}", datetime(2024, 3, 1) + timedelta(days=i % 7), 10.0) for i in range(60)]
    rows += [(f"c{i}", datetime(2024, 3, 20) + timedelta(days=i % 9), 15.0) for i in range(60)]
    v = value_overview(_rows(rows))
    assert v.historical_ltv == pytest.approx(25.0)  # every customer 10 + 15
    assert v.predictions is None and v.model is None
    assert isinstance(v.model_error, NotEnoughDataError)
    assert "cover 27 days" in str(v.model_error) and f"at least {MIN_CALIBRATION_DAYS}" in str(v.model_error)
    assert v.calibration_end == v.as_of == date(2024, 3, 28)  # shorter than 90 days: no holdout by default


def test_no_orders_gives_an_empty_overview() -> None:
    empty = SMALL.clear()
    v = value_overview(empty)
    assert (v.customers, v.historical_ltv, v.formula, v.predictive_ltv, v.as_of) == (0, None, None, None, None)
    assert isinstance(v.model_error, NotEnoughDataError) and isinstance(v.formula_error, NotEnoughDataError)


@pytest.fixture(scope="module")
def sample() -> pl.DataFrame:
    return load_file(SAMPLE, kind="orders", con=connect()).frame


def test_sample_predictive_clv_is_the_clv_of_the_model_on_all_orders(sample: pl.DataFrame) -> None:
    v = value_overview(sample, horizon=6, annual_discount_rate=0.12, margin=0.4)
    last = date(2025, 12, 15)
    full = fit_clv(sample, calibration_end=last, time_unit="week")
    expected = customer_value(full.summary, full.bgnbd, full.gamma_gamma, horizon=6,
                              discount_rate=1.12 ** (1 / 12) - 1, margin=0.4)
    assert v.as_of == last and v.model is not None and v.model.holdout is None
    assert v.predictive_ltv == pytest.approx(expected["clv"].mean(), rel=1e-6)
    assert v.predictive_total == pytest.approx(expected["clv"].sum(), rel=1e-6)
    assert v.predictions is not None and v.predictions.height == v.customers == 20_000
    # The check: the same models on the orders up to last − 182 days, and their holdout.
    assert v.calibration_end == last - timedelta(days=182)
    check = fit_clv(sample, calibration_end=v.calibration_end, time_unit="week").holdout
    assert v.check is not None and v.check.holdout is not None
    assert v.check.holdout.actual_repeat_purchases == check.actual_repeat_purchases == 9_582
    assert v.holdout_difference == pytest.approx(check.predicted_repeat_purchases / 9_582 - 1)
    assert abs(v.holdout_difference) < 0.15  # the model predicts the half-year holdout believably
    # Margin scales the historical LTV like the others: net revenue per customer × 0.4.
    assert v.historical_ltv == pytest.approx(sample["amount"].sum() / 20_000 * 0.4)


def test_calibration_end_on_the_last_day_means_no_check(sample: pl.DataFrame) -> None:
    v = value_overview(sample, calibration_end=date(2025, 12, 15))
    assert v.check is v.model and v.model is not None and v.model.holdout is None
    assert v.holdout_difference is None


def test_parameter_table_on_the_sample(sample: pl.DataFrame) -> None:
    v = value_overview(sample, calibration_end=date(2025, 12, 15))
    params = dict(parameter_table(v.model).select("parameter", "value").rows())
    bg = v.model.bgnbd
    assert params["purchase_rate"] == pytest.approx(bg.r / bg.alpha)
    assert params["dropout_probability"] == pytest.approx(bg.a / (bg.a + bg.b))
    # The sample's amounts average ≈ 44 (data/sample/README.md): the spend model's mean agrees.
    assert params["mean_spend"] == pytest.approx(44.0, rel=0.1)


def test_spend_model_without_a_finite_mean_falls_back(sample: pl.DataFrame, monkeypatch) -> None:
    """q ≤ 1: Gamma-Gamma has no mean spend for one-purchase customers; no CLV is shown rather than a partial one."""
    fitted = fit_clv(sample, calibration_end=date(2025, 12, 15))
    broken = dataclasses.replace(fitted, gamma_gamma=dataclasses.replace(fitted.gamma_gamma, q=0.8))
    monkeypatch.setattr("retention_core.value.overview.fit_clv", lambda *a, **k: broken)
    v = value_overview(sample, calibration_end=date(2025, 12, 15))
    assert v.model is broken and v.predictions is None and v.predictive_ltv is None
    assert isinstance(v.model_error, NotEnoughDataError) and "no finite mean spend per purchase (q = 0.8 ≤ 1)" in str(v.model_error)
    assert dict(parameter_table(broken).select("parameter", "value").rows())["mean_spend"] is None


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"calibration_end": date(2023, 12, 31)}, "calibration_end=.*first order \\(2024-01-03\\)"),
        ({"calibration_end": date(2024, 5, 1)}, "calibration_end=.*the last \\(2024-04-30\\)"),
        ({"horizon": 0}, "horizon=0"),
        ({"margin": 0.0}, "margin=0.0"),
        ({"annual_discount_rate": -0.1}, "annual_discount_rate=-0.1"),
        ({"time_unit": "year"}, "time_unit='year'.*day, week, month"),
    ],
)
def test_bad_options_raise_parameter_error(options: dict, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        value_overview(SMALL, **options)


def test_monthly_discount_rate() -> None:
    assert (1 + monthly_discount_rate(0.1)) ** 12 == pytest.approx(1.1)
    with pytest.raises(ParameterError, match="annual_discount_rate=-0.01"):
        monthly_discount_rate(-0.01)


@settings(max_examples=80, derandomize=True)
@given(span=st.integers(min_value=0, max_value=2000))
def test_default_calibration_end_keeps_a_quarter_and_at_most_half_a_year_out(span: int) -> None:
    first = datetime(2024, 1, 1)
    last = first + timedelta(days=span)
    cal = default_calibration_end(pl.DataFrame({"ordered_at": [last, first]}))
    holdout, calibration = (last.date() - cal).days, (cal - first.date()).days
    assert 0 <= holdout <= 182 and holdout <= span // 2
    assert calibration >= MIN_CALIBRATION_DAYS or holdout == 0  # never a calibration shorter than a quarter
    if span >= 2 * MIN_CALIBRATION_DAYS:  # enough data: half a year out, or half the span when under a year
        assert holdout == min(182, span // 2)


def test_formula_lifetime_follows_the_activity_window():
    # a buys every other month (Jan, Mar, May, Jul), b every month Jan–Jul; the data ends 31 Jul.
    rows = [("a", datetime(2024, m, 10), 10.0) for m in (1, 3, 5, 7)]
    rows += [("b", datetime(2024, m, 12), 20.0) for m in range(1, 8)] + [("b", datetime(2024, 7, 31), 5.0)]
    orders = _rows(rows)
    # W = 1: a churns in Feb, Apr, Jun (S = {a, b} ⇒ churn 1/2) and is back in Mar, May, Jul (S = {b} ⇒ 0);
    # the last three complete months May–Jul: churn (0 + 1/2 + 0) / 3 = 1/6 ⇒ lifetime 6 months.
    one = value_overview(orders, window=1).formula
    assert one.churn_rate == pytest.approx(1 / 6) and one.lifetime_months == pytest.approx(6.0)
    # W = 2 (a's cycle): both stay active every month ⇒ churn 0 ⇒ no finite lifetime, not 6 months
    two = value_overview(orders, window=2).formula
    assert two.churn_rate == 0.0 and two.lifetime_months is None
