"""Annotations as markers on time charts and in the HTML reports (SPEC §7.1)."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl

from retention_core.charts.annotations import with_annotations
from retention_core.charts.retention import flow_chart, kpi_trend_chart, retention_curve_chart
from retention_core.report import html_report
from retention_core.retention.flows import period_metrics
from retention_core.weekly import weekly_report

ORDERS = pl.DataFrame({
    "customer_id": ["a", "b", "a", "c", "b", "a"],
    "amount": [10.0, 20.0, 15.0, 5.0, 8.0, 9.0],
    "ordered_at": [datetime(2024, 1, 5), datetime(2024, 1, 9), datetime(2024, 2, 2), datetime(2024, 2, 20),
                   datetime(2024, 3, 4), datetime(2024, 3, 30)],
})
MARKS = pl.DataFrame({"id": [1, 2, 3], "date": [date(2024, 2, 14), date(2023, 5, 1), date(2024, 3, 1)],
                      "label": ["promo <script>", "before the data", "price change"], "author": ["x"] * 3})


def test_markers_only_inside_the_charts_dates():
    metrics = period_metrics(ORDERS)
    for fig in (kpi_trend_chart(metrics), flow_chart(metrics)):
        with_annotations(fig, MARKS)
        assert [s.x0 for s in fig.layout.shapes] == ["2024-02-14", "2024-03-01"]  # 2023 is outside: no marker
        assert [a.text for a in fig.layout.annotations] == ["promo &lt;script&gt;", "price change"]
    curve = retention_curve_chart(pl.DataFrame({"age": [0, 1], "value": [1.0, 0.5], "cohorts": [2, 2]}))
    assert with_annotations(curve, MARKS).layout.shapes == ()  # ages are not dates


def test_the_html_reports_carry_the_annotations():
    page = html_report(ORDERS, annotations=MARKS)
    assert "<li>2024-02-14: promo &lt;script&gt;</li>" in page and "<script>" not in page.split("<h2>Annotations</h2>")[1][:400]
    # the marker is in the embedded figures (their last period, February, covers the 14th)
    assert '"x0":"2024-02-14"' in page.replace(" ", "")
    assert "<h2>Annotations</h2>" not in html_report(ORDERS)
    weekly = weekly_report(ORDERS, dataset="Shop", version=1, lang="en", grain="month", annotations=MARKS)
    assert '"x0":"2024-02-14"' in weekly.html.replace(" ", "")
