"""Cohorts page as a user works it: heatmap switches, sizes, masked cells, curve, trend, download, language."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "orders.csv"


def _cohorts_page(app: AppTest) -> AppTest:
    """Open /cohorts directly, as a link does (one run: AppTest cannot rerun a Russian selectbox, see below)."""
    app.switch_page("pages/cohorts.py").run()
    assert not app.exception
    return app


def _chart(at: AppTest, key: str) -> dict:
    """The plotly figure (as JSON) of the chart with this key."""
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key!r}")


def _first_two_months(channel: str | None = None) -> tuple[int, int]:
    """Size of the January 2023 cohort and how many of it ordered in February 2023, straight from the file."""
    raw = pl.read_csv(SAMPLE, schema_overrides={"order_id": pl.String}, try_parse_dates=True)
    if channel:
        raw = raw.filter(pl.col("channel") == channel)
    orders = raw.filter(pl.col("amount") >= 0).with_columns(pl.col("order_date").dt.truncate("1mo").cast(pl.Date).alias("m"))
    first = orders.group_by("customer_id").agg(pl.col("m").min().alias("cohort"))
    jan = set(first.filter(pl.col("cohort") == date(2023, 1, 1))["customer_id"])
    feb = set(orders.filter(pl.col("m") == date(2023, 2, 1))["customer_id"])
    return len(jan), len(jan & feb)


def test_heatmap_shows_month_one_retention_and_cohort_sizes(app):
    at = _cohorts_page(app)
    heat = _chart(at, "cohorts_heatmap")["data"][0]
    size, returned = _first_two_months()
    assert heat["z"][0][:2] == pytest.approx([1.0, returned / size])
    layout = _chart(at, "cohorts_heatmap")["layout"]
    assert layout["yaxis"]["ticktext"][0] == f"2023-01-01 · {size:,}"  # the cohort size column
    # December 2025 is incomplete: its cells are masked, so the youngest cohort's row is empty
    assert heat["y"][-1] == "2025-12-01" and all(v is None for v in heat["z"][-1])
    assert heat["z"][-2][:2] == [1.0, None]  # November's cohort: age 0 shown, age 1 (= December) masked


def test_value_and_mode_switches_change_the_heatmap_and_the_link(app):
    at = _cohorts_page(app)
    on = _chart(at, "cohorts_heatmap")["data"][0]["z"][0][3]
    at.segmented_control(key="cm").set_value("unbounded").run()
    unbounded = _chart(at, "cohorts_heatmap")["data"][0]
    assert unbounded["z"][0][3] > on  # active then or later ≥ active then
    assert all(a >= b for a, b in zip(unbounded["z"][0][1:30], unbounded["z"][0][2:31], strict=True))  # never rises
    at.segmented_control(key="cv").set_value("ltv").run()
    assert not at.exception
    assert at.segmented_control(key="cm").proto.disabled  # "then or later" is for customer shares only
    ltv = _chart(at, "cohorts_heatmap")["data"][0]
    assert ltv["texttemplate"] == "%{z:,.0f}" and ltv["z"][0][0] > 1.0  # money per customer, not a share
    assert at.query_params.get("cv") in ("ltv", ["ltv"]) and at.query_params.get("cm") in ("unbounded", ["unbounded"])


def test_link_reopens_the_chosen_view(app):
    app.query_params.update({"cv": "revenue", "cw": "mean", "k": "2"})
    at = _cohorts_page(app)
    assert at.segmented_control(key="cv").value == "revenue"
    assert at.segmented_control(key="cw").value == "mean"
    assert at.number_input(key="k").value == 2
    assert "Month-2 revenue by cohort" in _chart(at, "cohorts_trend")["layout"]["title"]["text"]  # in the figure


def test_weighting_switch_changes_the_average_curve(app):
    at = _cohorts_page(app)
    weighted = _chart(at, "cohorts_curve")["data"][0]
    at.segmented_control(key="cw").set_value("mean").run()
    mean = _chart(at, "cohorts_curve")["data"][0]
    assert weighted["y"][0] == mean["y"][0] == 1.0
    assert weighted["y"][1] != pytest.approx(mean["y"][1])
    assert weighted["customdata"][1] == 34  # only the 34 cohorts with a complete month-1 cell count at age 1


def test_age_k_trend_hides_incomplete_cells_unless_asked(app):
    at = _cohorts_page(app)
    trend = _chart(at, "cohorts_trend")["data"]
    assert len(trend) == 1 and len(trend[0]["x"]) == 34  # cohorts Jan 2023 … Oct 2025: November's month 1 is partial
    at.toggle(key="incl").set_value(True).run()
    trend = _chart(at, "cohorts_trend")["data"]
    assert [len(t["x"]) for t in trend] == [34, 2]  # the partial cell drawn dotted from the last complete one
    assert any("is included" in c.value for c in at.caption)


def test_segment_filter_changes_cohorts(app):
    at = _cohorts_page(app)
    at.multiselect(key="seg_channel").set_value(["email"]).run()
    size, returned = _first_two_months("email")
    heat = _chart(at, "cohorts_heatmap")
    assert heat["layout"]["yaxis"]["ticktext"][0] == f"2023-01-01 · {size:,}"
    assert heat["data"][0]["z"][0][1] == pytest.approx(returned / size)


def test_download_has_one_row_per_cell_and_marks_incomplete_cells(app, downloads):
    _cohorts_page(app)
    shown = pl.read_csv(downloads["cohorts_month_customers_on.csv"], try_parse_dates=True)
    assert shown.columns == ["Cohort", "Cohort size", "Months since the first order", "Customers, %", "Complete period"]
    assert shown["Customers, %"][0] == 100.0  # age 0 is the whole cohort, written as a percentage
    rows = pl.read_csv(downloads["cohorts_month_customers_on.data.csv"], try_parse_dates=True).rename(
        dict(zip(["cohort", "size", "age", "value", "complete"], shown.columns, strict=True)))
    assert rows.columns == shown.columns
    assert rows.height == 36 * 37 // 2  # 36 monthly cohorts, cohort c has ages 0 … 35 − c
    incomplete = rows.filter(~pl.col("Complete period"))
    assert incomplete.height == 36  # every cohort's December 2025 cell
    assert incomplete["Cohort"].max() == date(2025, 12, 1)


def test_grain_and_date_range_choose_the_cohorts(app):
    app.query_params.update({"grain": "quarter", "from": "2024-01-01", "to": "2024-12-31"})
    at = _cohorts_page(app)
    heat = _chart(at, "cohorts_heatmap")["data"][0]
    assert heat["y"] == ["2024-01-01", "2024-04-01", "2024-07-01", "2024-10-01"]
    assert len(heat["z"][0]) == 8  # Q1 2024 … Q4 2025, the later quarters of these cohorts are kept
    assert "Quarters since the first order" == _chart(at, "cohorts_heatmap")["layout"]["xaxis"]["title"]["text"]


def test_russian_labels(app):
    """One run only: AppTest re-serialises a selectbox through its format_func outside the script run,
    where the language is unknown, so a second run of a Russian page fails inside AppTest itself."""
    app.query_params.update({"lang": "ru"})
    at = _cohorts_page(app)
    assert at.title[0].value == "Когорты"
    assert at.segmented_control(key="cv").options == ["Клиенты, %", "Выручка", "LTV"]
    layout = _chart(at, "cohorts_heatmap")["layout"]
    assert layout["xaxis"]["title"]["text"] == "Месяцы с первого заказа"
    assert layout["yaxis"]["ticktext"][0].startswith("01.01.2023 · ")
    assert any(c.value.startswith("Периоды: месяцы") for c in at.caption)


def test_switches_are_kept_when_moving_between_pages(app):
    """The shared "include incomplete" switch and the Overview's window survive a page switch, from the first run."""
    at = app.run()
    at.toggle(key="incl").set_value(True).run()
    at.number_input(key="w").set_value(2).run()
    at.switch_page("pages/cohorts.py").run()
    assert at.toggle(key="incl").value
    assert [len(t["x"]) for t in _chart(at, "cohorts_trend")["data"]] == [34, 2]  # drawn with the partial cell
    assert at.query_params.get("incl") in ("1", ["1"]) and at.query_params.get("w") in ("2", ["2"])
    at.switch_page("pages/overview.py").run()
    assert at.number_input(key="w").value == 2


def test_weekly_heatmap_shows_36_readable_cohorts_at_a_time(app):
    """~150 weekly cohorts made an unreadable 150-row grid: the heatmap shows blocks of 36, the latest first."""
    app.query_params.update({"grain": "week"})
    at = _cohorts_page(app)
    assert not at.exception
    heat = _chart(at, "cohorts_heatmap")
    rows = heat["data"][0]["y"]
    assert len(rows) == 36 and rows[-1] == "2025-12-15"  # the latest weekly cohort of the sample (ISO weeks start on Monday)
    block = at.selectbox(key="cohort_page")
    assert block.value == block.options[-1] and len(block.options) >= 4
    block.set_value(block.options[0]).run()
    first = _chart(at, "cohorts_heatmap")["data"][0]["y"]
    assert first[0] == "2022-12-26" and len(first) <= 36  # the earliest block: from the first cohort


def test_cohort_cells_say_they_are_purchases_in_the_period_not_the_window(app):
    at = app.switch_page("pages/cohorts.py").run()
    assert not at.exception
    note = ("at age k a customer counts with an order in period c+k; cells count purchases in the period itself, "
            "not the activity window of the other pages (active = bought in the last 3 months; 80 % of repeat "
            "purchases come within 85 days)")
    captions = [c.value for c in at.caption if c.value.startswith("Periods:")]
    assert len(captions) == 3 and all(note in c for c in captions)
    at.segmented_control(key="cm").set_value("unbounded").run()
    assert any("in period c+k or later; cells count purchases in the period itself" in c.value for c in at.caption)


def test_cohort_caption_in_russian(app):
    app.query_params.update({"lang": "ru"})
    at = app.switch_page("pages/cohorts.py").run()
    assert not at.exception
    assert any("ячейки считают покупки в самом периоде, а не окно активности других страниц (активен = покупал за "
               "последние 3 месяца; 80 % повторных покупок совершаются в пределах 85 дн.)" in c.value for c in at.caption)
