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


# The sample's purchase cycle is 85 days (tests/pages/test_overview.py): W = 13 weeks, 3 months.
W_WEEKS = 13


def test_review_compares_last_complete_week(app, downloads):
    app.query_params["lang"] = "en"
    at = app.switch_page("pages/review.py").run()
    assert not at.exception
    raw = _orders()
    last, before = _week(raw, LAST), _week(raw, BEFORE)
    window = raw.filter((pl.col("day") >= LAST - timedelta(weeks=W_WEEKS - 1)) & (pl.col("day") < LAST + timedelta(days=7)))
    active = window.filter(pl.col("amount") >= 0)["customer_id"].n_unique()  # bought in the 13 weeks up to LAST
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
    raw = _orders().filter((pl.col("day") >= date(2025, 9, 1)) & (pl.col("day") < date(2025, 12, 1)))  # W = 3 months
    assert metric(at, "Active customers (E)") == f"{raw.filter(pl.col('amount') >= 0)['customer_id'].n_unique():,}"


def _at_risk_caption(at) -> str:
    return next(c.value for c in at.caption if "customers at risk on" in c.value)


def test_review_shows_the_rule_in_weeks_and_crr_with_its_parts(app):
    at = app.switch_page("pages/review.py").run()
    assert not at.exception
    rule = "active = bought in the last 13 weeks; 80 % of repeat purchases come within 85 days"
    crr = next(m for m in at.metric if m.label == "CRR").value
    kept = next(m for m in at.metric if m.label == "Retention rate").value
    back = next(m for m in at.metric if m.label == "Came back (share of S)").value
    assert any(c.value == f"CRR {crr} = {kept} kept + {back} came back · {rule}" for c in at.caption)
    assert sum(rule in c.value for c in at.caption) >= 2  # under the tiles and under the segment table
    at.segmented_control(key="rg").set_value("month").run()
    assert any("active = bought in the last 3 months" in c.value for c in at.caption)


def test_review_in_russian(app):
    app.query_params.update({"lang": "ru"})
    at = app.switch_page("pages/review.py").run()
    assert not at.exception
    assert any(c.value.startswith("CRR ") and " удержано + " in c.value and c.value.endswith(
        "вернулись · активен = покупал за последние 13 недель; 80 % повторных покупок совершаются в пределах 85 дн.")
        for c in at.caption)
    assert any("Клиентов под угрозой ухода на 15.12.2025:" in c.value for c in at.caption)


def test_at_risk_count_and_analysis_date_are_the_same_as_on_customer_value(app, downloads):
    """Issue 10: the Weekly review said 6,110 at risk and Customer value 6,128 — one rule, one date now."""
    review = app.switch_page("pages/review.py").run()
    assert not review.exception
    review_list = set(pl.read_csv(downloads["customers_at_risk.data.csv"], schema_overrides={"customer_id": pl.String})
                      ["customer_id"])
    value = review.switch_page("pages/value.py").run()
    assert not value.exception
    value_list = set(pl.read_csv(downloads["at_risk_customers.data.csv"], schema_overrides={"customer_id": pl.String})
                     ["customer_id"])
    assert len(review_list) > 1000 and review_list == value_list
    assert _at_risk_caption(review) == _at_risk_caption(value)
    assert _at_risk_caption(value).startswith(f"{len(value_list):,} customers at risk on 2025-12-15: repeat customers "
                                              "with no order for more than 85 days")
    # a threshold changed on Customer value (kept in the link) is the review's threshold too
    value.number_input(key="risk_days").set_value(150).run()
    stricter = set(pl.read_csv(downloads["at_risk_customers.data.csv"], schema_overrides={"customer_id": pl.String})
                   ["customer_id"])
    review = value.switch_page("pages/review.py").run()
    again = set(pl.read_csv(downloads["customers_at_risk.data.csv"], schema_overrides={"customer_id": pl.String})
                ["customer_id"])
    assert stricter == again and len(again) < len(value_list)
    assert "more than 150 days" in _at_risk_caption(review)
