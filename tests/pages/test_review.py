"""Weekly review as a team uses it: last complete week vs the week before, movers, lists to act on."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl

from tests.pages.conftest import metric

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "orders.csv"
# The sample ends on Monday 2025-12-15: the week of 15 Dec is incomplete, so the review compares
# the week of 8 Dec with the week of 1 Dec.
LAST, BEFORE = date(2025, 12, 8), date(2025, 12, 1)


def _orders() -> pl.DataFrame:
    raw = pl.read_csv(SAMPLE, schema_overrides={"order_id": pl.String}, try_parse_dates=True)
    return raw.with_columns(pl.col("order_date").dt.date().alias("day"))


def _week(frame: pl.DataFrame, start: date) -> pl.DataFrame:
    return frame.filter((pl.col("day") >= start) & (pl.col("day") < start + timedelta(days=7)))


def test_review_compares_last_complete_week(app, downloads):
    app.query_params["lang"] = "en"
    at = app.switch_page("pages/review.py").run()
    assert not at.exception
    raw = _orders()
    last, before = _week(raw, LAST), _week(raw, BEFORE)
    active = last.filter(pl.col("amount") >= 0)["customer_id"].n_unique()
    assert metric(at, "Active customers (E)") == f"{active:,}"
    revenue_change = last["amount"].sum() / before["amount"].sum() - 1
    tile = next(m for m in at.metric if m.label == "Revenue")
    assert tile.delta == f"{revenue_change * 100:+.1f}%".replace("+-", "-")
    table = pl.read_csv(downloads["what_changed_week.data.csv"], try_parse_dates=True)
    assert set(table["period_start"]) == {LAST}
    at_risk = pl.read_csv(downloads["customers_at_risk.data.csv"])
    assert at_risk.height > 0 and at_risk["customer_id"].n_unique() == at_risk.height


def test_month_comparison_and_segment_from_link(app):
    app.query_params.update({"rg": "month", "rs": "region"})
    at = app.switch_page("pages/review.py").run()
    assert not at.exception
    assert at.selectbox(key="rs").value == "region"
    raw = _orders().filter((pl.col("day") >= date(2025, 11, 1)) & (pl.col("day") < date(2025, 12, 1)))
    assert metric(at, "Active customers (E)") == f"{raw.filter(pl.col('amount') >= 0)['customer_id'].n_unique():,}"
