"""Tests for retention_core.retention.seasonality (SPEC §4.4)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from retention_core.errors import NotEnoughDataError, ParameterError
from retention_core.retention.seasonality import seasonality


def _monthly(values: dict[tuple[int, int], float], customer: str = "a") -> pl.DataFrame:
    keys = sorted(values)
    return pl.DataFrame(
        {
            "customer_id": [customer] * len(keys),
            "ordered_at": [date(y, m, 10) for y, m in keys],
            "amount": [values[k] for k in keys],
        }
    )


def test_golden_two_complete_years() -> None:
    # Mar 2022 … 15 Apr 2024: April 2024 is incomplete ⇒ complete months Mar 2022 … Mar 2024 = 25 ⇒ Y = 2,
    # using Apr 2022 … Mar 2024 (Mar 2022's 1000 and Apr 2024's 1000 are left out).
    # Amounts: 2022 → 10 a month, 2023 → 20, 2024 → 30.
    # Jan–Mar: (20 + 30)/2 = 25; Apr–Dec: (10 + 20)/2 = 15; mean of all = (3·25 + 9·15)/12 = 17.5.
    values = {(2022, 3): 1000.0, (2024, 4): 1000.0}
    values |= {(2022, m): 10.0 for m in range(4, 13)} | {(2023, m): 20.0 for m in range(1, 13)}
    values |= {(2024, m): 30.0 for m in range(1, 4)}
    orders = _monthly(values).with_columns(
        pl.when(pl.col("ordered_at") == date(2024, 4, 10)).then(date(2024, 4, 15)).otherwise(pl.col("ordered_at")).alias("ordered_at")
    )
    got = seasonality(orders)
    assert got.columns == ["month", "value", "coefficient", "years"]
    assert got["month"].to_list() == list(range(1, 13))
    assert got["value"].to_list() == [25.0] * 3 + [15.0] * 9
    assert got["coefficient"].to_list() == pytest.approx([25 / 17.5] * 3 + [15 / 17.5] * 9)
    assert got["years"].unique().to_list() == [2]


def test_orders_and_active_customers_and_gaps() -> None:
    # 2023: a orders twice in June, b once in June; nothing in August (a gap counts as 0); a once in other months.
    rows = [("a", date(2023, m, 5), 10.0) for m in range(1, 13) if m != 8]
    rows += [("a", date(2023, 6, 20), 10.0), ("b", date(2023, 6, 21), 10.0), ("b", date(2023, 7, 1), -5.0)]
    orders = pl.DataFrame(rows, schema=["customer_id", "ordered_at", "amount"], orient="row")
    end = date(2023, 12, 31)
    by_orders = seasonality(orders, value="orders", data_end=end)
    # orders: June 3, Aug 0, others 1 ⇒ mean 13/12; the refund in July is not an order
    assert by_orders.filter(pl.col("month").is_in([6, 7, 8]))["value"].to_list() == [3.0, 1.0, 0.0]
    assert by_orders.filter(pl.col("month") == 6)["coefficient"].item() == pytest.approx(3 / (13 / 12))
    active = seasonality(orders, value="active_customers", data_end=end)
    assert active.filter(pl.col("month").is_in([6, 7, 8]))["value"].to_list() == [2.0, 1.0, 0.0]
    revenue = seasonality(orders, data_end=end)
    assert revenue.filter(pl.col("month") == 7)["value"].item() == 5.0  # 10 − 5 refund


def test_not_enough_data() -> None:
    orders = _monthly({(2023, m): 10.0 for m in range(1, 13)})
    # the last order is on 10 Dec ⇒ December incomplete ⇒ only 11 complete months
    with pytest.raises(NotEnoughDataError, match=r"at least 12 complete months.*found 11 \(2023-01 … 2023-11\)"):
        seasonality(orders)
    with pytest.raises(NotEnoughDataError, match="the data is empty"):
        seasonality(orders.clear())


def test_all_zero_months_give_null_coefficient() -> None:
    orders = _monthly({(2023, m): 0.0 for m in range(1, 13)})
    got = seasonality(orders, data_end=date(2023, 12, 31))
    assert got["value"].to_list() == [0.0] * 12
    assert got["coefficient"].null_count() == 12


def test_unknown_value() -> None:
    with pytest.raises(ParameterError, match="value='profit'.*revenue, orders, active_customers"):
        seasonality(_monthly({(2023, 1): 1.0}), value="profit")  # type: ignore[arg-type]
