"""customer_value (discounted CLV over a horizon) and holdout_check (SPEC §4.4)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.value.clv import (
    BgNbdFit,
    GammaGammaParams,
    customer_value,
    expected_purchases,
    expected_spend,
    holdout_check,
)

GG = GammaGammaParams(p=6.0, q=4.0, gamma=15.0)


def _fit(time_unit: str = "week", alpha: float = 4.0) -> BgNbdFit:
    return BgNbdFit(0.25, alpha, 0.8, 2.5, log_likelihood=float("nan"), n_customers=0, time_unit=time_unit)  # type: ignore[arg-type]


SUMMARY = pl.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d"],
        "frequency": [0, 1, 6, 3],
        "recency": [0.0, 2.0, 30.0, 10.0],
        "T": [12.0, 20.0, 31.0, 40.0],
        "monetary_value": [None, 25.0, 40.0, 10.0],
    },
    schema_overrides={"monetary_value": pl.Float64},
)
MONTH_WEEKS = 30.4375 / 7


def test_without_discounting_clv_is_margin_times_spend_times_purchases() -> None:
    # With d = 0 the monthly increments telescope: CLV = margin · E[spend] · E[Y(12 months)].
    value = customer_value(SUMMARY, _fit(), GG, horizon=12, discount_rate=0.0, margin=0.4).sort("customer_id")
    purchases = expected_purchases(SUMMARY, _fit(), t=12 * MONTH_WEEKS).to_numpy()
    spend = expected_spend(SUMMARY, GG).to_numpy()
    assert value.get_column("expected_purchases").to_numpy() == pytest.approx(purchases, rel=1e-12)
    assert value.get_column("clv").to_numpy() == pytest.approx(0.4 * spend * purchases, rel=1e-12)


def test_discounting_follows_the_documented_monthly_sum() -> None:
    # CLV = spend · Σ_k (E[Y(k·s)] − E[Y((k−1)·s)]) / 1.05^k, written out month by month.
    horizon, d = 6, 0.05
    cumulative = [np.zeros(4)] + [
        expected_purchases(SUMMARY, _fit(), t=k * MONTH_WEEKS).to_numpy() for k in range(1, horizon + 1)
    ]
    want = sum((cumulative[k] - cumulative[k - 1]) / (1 + d) ** k for k in range(1, horizon + 1))
    want = want * expected_spend(SUMMARY, GG).to_numpy()
    got = customer_value(SUMMARY, _fit(), GG, horizon=horizon, discount_rate=d, margin=1.0)
    by_id = dict(zip(got.get_column("customer_id").to_list(), got.get_column("clv").to_list(), strict=True))
    assert [by_id[c] for c in "abcd"] == pytest.approx(list(want), rel=1e-12)


def test_clv_falls_with_the_discount_rate_and_rises_with_the_horizon() -> None:
    def total(**kw) -> float:
        return customer_value(SUMMARY, _fit(), GG, **kw).get_column("clv").sum()

    assert (
        total(horizon=12, discount_rate=0.0)
        > total(horizon=12, discount_rate=0.02)
        > total(horizon=12, discount_rate=0.1)
    )
    assert (
        total(horizon=6, discount_rate=0.01)
        < total(horizon=12, discount_rate=0.01)
        < total(horizon=24, discount_rate=0.01)
    )


def test_time_unit_does_not_change_the_value() -> None:
    # The same customers and model in days: recency and T ×7, α ×7 (λ per day = λ per week / 7).
    in_days = SUMMARY.with_columns(pl.col("recency") * 7, pl.col("T") * 7)
    weeks = customer_value(SUMMARY, _fit("week"), GG, horizon=12, discount_rate=0.01).sort("customer_id")
    days = customer_value(in_days, _fit("day", alpha=28.0), GG, horizon=12, discount_rate=0.01).sort(
        "customer_id"
    )
    assert days.get_column("clv").to_numpy() == pytest.approx(weeks.get_column("clv").to_numpy(), rel=1e-9)
    assert days.get_column("p_alive").to_numpy() == pytest.approx(
        weeks.get_column("p_alive").to_numpy(), rel=1e-12
    )


def test_output_columns_and_order() -> None:
    got = customer_value(SUMMARY, _fit(), GG)
    assert got.columns == [
        "customer_id",
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "p_alive",
        "expected_purchases",
        "expected_spend",
        "clv",
    ]
    clv = got.get_column("clv").to_list()
    assert clv == sorted(clv, reverse=True)
    assert got.filter(pl.col("customer_id") == "a").get_column("p_alive").item() == 1.0


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"horizon": 0}, "horizon=0"),
        ({"horizon": 2.5}, "horizon=2.5"),
        ({"discount_rate": -0.01}, "discount_rate=-0.01"),
        ({"margin": 0.0}, "margin=0.0"),
        ({"margin": 1.5}, "margin=1.5"),
    ],
)
def test_bad_options(kw: dict, match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        customer_value(SUMMARY, _fit(), GG, **kw)


def test_holdout_check_by_frequency_bucket() -> None:
    # Buckets: a (x=0) → "0"; b (x=1) → "1"; c (x=6), e (x=9) → "6+"; d (x=3) → "3".
    summary = pl.concat(
        [
            SUMMARY,
            pl.DataFrame(
                {
                    "customer_id": ["e"],
                    "frequency": [9],
                    "recency": [20.0],
                    "T": [21.0],
                    "monetary_value": [5.0],
                }
            ),
        ]
    ).with_columns(
        pl.Series("frequency_holdout", [0, 2, 3, 1, 4]),
        pl.lit(13.0).alias("duration_holdout"),
    )
    check = holdout_check(summary, _fit())
    predicted = expected_purchases(summary, _fit(), t=13.0).to_numpy()
    assert check.actual_repeat_purchases == 10
    assert check.predicted_repeat_purchases == pytest.approx(predicted.sum(), rel=1e-12)
    table = check.by_frequency
    assert table.get_column("frequency_bucket").to_list() == ["0", "1", "2", "3", "4", "5", "6+"]
    assert table.get_column("customers").to_list() == [1, 1, 0, 1, 0, 0, 2]
    assert table.get_column("actual_repeat_purchases").to_list() == [0, 2, 0, 1, 0, 0, 7]
    six_plus = table.filter(pl.col("frequency_bucket") == "6+").row(0, named=True)
    assert six_plus["predicted_repeat_purchases"] == pytest.approx(predicted[2] + predicted[4], rel=1e-12)
    assert six_plus["actual_mean"] == 3.5
    empty = table.filter(pl.col("frequency_bucket") == "2").row(0, named=True)
    assert (empty["actual_mean"], empty["predicted_mean"], empty["predicted_repeat_purchases"]) == (
        None,
        None,
        0.0,
    )


def test_holdout_check_needs_holdout_columns() -> None:
    with pytest.raises(
        ColumnNotFoundError,
        match='"frequency_holdout" not found: build the customer summary with holdout_end',
    ):
        holdout_check(SUMMARY, _fit())
