"""Comparisons as a user works them (SPEC §7.1): tiles against the same period last year or another date
range, and segment values side by side on the Overview trend and the Cohorts curves (kept in the link)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from retention_core.ingest import Filters, connect, query
from retention_core.retention.activity import activity_window
from retention_core.retention.flows import period_metrics
from retention_core.workspace import Workspace

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample" / "orders.csv"


def _orders(workspace: Path) -> pl.DataFrame:
    return query(connect(), Workspace(workspace).path("sample-shop", "orders"), "orders", Filters())


def _tile(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def _chart(at: AppTest, key: str) -> dict:
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key!r}")


def _points(text: str) -> float:
    return float(text.replace("pp", "").replace("+", "").replace("−", "-").strip())


def test_tiles_against_the_same_month_last_year(app, workspace):
    app.query_params["cmp"] = "last_year"
    at = app.run()
    assert not at.exception
    orders = _orders(workspace)
    window = activity_window(orders, grain="month").periods  # the page's rule: the shop's purchase cycle
    metrics = period_metrics(orders, window=window).filter(~pl.col("incomplete"))
    latest = metrics.row(-1, named=True)  # November 2025 (December is incomplete)
    year_ago = metrics.filter(pl.col("period_start") == date(latest["period_start"].year - 1, latest["period_start"].month, 1))
    expected = (latest["crr"] - year_ago["crr"].item()) * 100
    assert _points(_tile(at, "CRR").delta) == pytest.approx(expected, abs=0.051)
    assert any("against the same period a year earlier" in c.value for c in at.caption)
    assert at.query_params["cmp"] == ["last_year"] or at.query_params["cmp"] == "last_year"


def test_tiles_over_a_custom_range_against_another(app):
    app.query_params.update({"cmp": "custom", "cmp_from": "2025-01-01", "cmp_to": "2025-03-31",
                             "base_from": "2024-01-01", "base_to": "2024-03-31"})
    at = app.run()
    assert not at.exception
    # new customers by hand: customers whose first order (amount ≥ 0) falls in each range, straight from the file
    raw = pl.read_csv(SAMPLE, schema_overrides={"order_id": pl.String}, try_parse_dates=True)
    first = raw.filter(pl.col("amount") >= 0).group_by("customer_id").agg(pl.col("order_date").min().dt.date())
    def new(a: date, b: date) -> int:
        return first.filter(pl.col("order_date").is_between(a, b)).height
    now, then = new(date(2025, 1, 1), date(2025, 3, 31)), new(date(2024, 1, 1), date(2024, 3, 31))
    tile = _tile(at, "New customers")
    assert tile.value == f"{now:,}"
    assert float(tile.delta.rstrip("%").replace("−", "-")) == pytest.approx((now - then) / then * 100, abs=0.051)
    assert any(c.value.startswith("Tiles: 2025-01-01 – 2025-03-31 against 2024-01-01 – 2024-03-31") for c in at.caption)


def test_segment_values_as_lines_on_the_trend(app, workspace):
    app.query_params.update({"tseg": "channel", "stop": "2", "tmetric": "revenue"})
    at = app.run()
    assert not at.exception
    traces = _chart(at, "compare_trend")["data"]
    orders = _orders(workspace)
    top = (orders.group_by("channel").agg(pl.col("customer_id").n_unique().alias("n"))
           .sort(["n", "channel"], descending=[True, False])["channel"].head(2).to_list())
    assert [t["name"] for t in traces] == [*top, "Other"]
    mine = period_metrics(orders.filter(pl.col("channel") == top[0])).filter(~pl.col("incomplete"))
    assert traces[0]["y"] == pytest.approx(mine["revenue"].to_list())


def test_segment_values_as_cohort_curves(app):
    app.query_params.update({"cseg": "region", "stop": "3"})
    at = app.switch_page("pages/cohorts.py").run()
    assert not at.exception
    traces = _chart(at, "compare_curves")["data"]
    assert len(traces) == 4 and traces[-1]["name"] == "Other"
    assert all(t["y"][0] == 1.0 for t in traces)  # age 0 of every curve is the whole cohort


def test_the_trend_against_the_same_period_last_year(app, workspace):
    app.query_params.update({"cmp": "last_year", "cmetric": "revenue"})
    at = app.run()
    assert not at.exception
    this, before = _chart(at, "compare_vs")["data"]
    metrics = period_metrics(_orders(workspace)).filter(~pl.col("incomplete"))
    by_month = dict(zip(metrics["period_start"].to_list(), metrics["revenue"].to_list(), strict=True))
    # November 2025 against November 2024, straight from the period table
    i = this["x"].index("2025-11-01")
    assert (this["y"][i], before["y"][i]) == pytest.approx((by_month[date(2025, 11, 1)], by_month[date(2024, 11, 1)]))
    assert before["y"][0] is None  # January 2023 has no year before it in the data


def test_comparisons_speak_russian(app):
    """One run (AppTest cannot rerun a Russian page): the custom-range tiles, their caption, the lines."""
    app.query_params.update({"lang": "ru", "cmp": "custom", "cmp_from": "2025-01-01", "cmp_to": "2025-03-31",
                             "base_from": "2024-01-01", "base_to": "2024-03-31", "tseg": "channel", "stop": "2"})
    at = app.run()
    assert not at.exception
    assert any(c.value.startswith("Плитки: 01.01.2025 – 31.03.2025 против 01.01.2024 – 31.03.2024") for c in at.caption)
    assert _chart(at, "compare_vs")["layout"]["title"]["text"].startswith("CRR: диапазон против другого")
    assert _chart(at, "compare_trend")["data"][-1]["name"] == "Прочие"
