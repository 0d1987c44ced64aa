"""Customer-value charts: what the figures show, labels passed through, colours, size limits."""

from __future__ import annotations

from datetime import date

import numpy as np
import plotly.graph_objects as go
import polars as pl
import pytest

from retention_core.charts.theme import SERIES_COLORS
from retention_core.charts.value import (
    SEGMENT_COLORS,
    clv_histogram,
    holdout_chart,
    ltv_curves,
    p_alive_scatter,
    pareto_chart,
    rfm_treemap,
)
from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.value.segments import SEGMENTS


def test_clv_histogram_counts_every_customer_and_folds_the_tail() -> None:
    # 999 values 0…998 and one outlier 1e6: bins stop at the 99th percentile (≈ 989), the values
    # above it and the outlier join the last bar, and no customer is lost.
    values = [float(v) for v in range(999)] + [1e6, None]
    fig = clv_histogram(
        pl.DataFrame({"clv": values}), x_title="CLV, ₽", y_title="Клиенты", title="CLV", bins=10
    )
    bar = fig.data[0]
    assert sum(bar.y) == 1000
    assert bar.customdata[-1][1] == pytest.approx(np.quantile(values[:-1], 0.99))
    assert bar.y[-1] == bar.y[0] + 10  # 99 values per bar; the last adds 989.x…998 and 1e6
    assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text, fig.layout.title.text) == (
        "CLV, ₽",
        "Клиенты",
        "CLV",
    )
    assert bar.marker.color == SERIES_COLORS["primary"]


def test_clv_histogram_edge_cases() -> None:
    same = clv_histogram(pl.DataFrame({"clv": [5.0, 5.0]}), x_title="x", y_title="y", bins=4)
    assert sum(same.data[0].y) == 2
    empty = clv_histogram(pl.DataFrame({"clv": pl.Series([], dtype=pl.Float64)}), x_title="x", y_title="y")
    assert len(empty.data) == 0
    with pytest.raises(ColumnNotFoundError, match='"clv" not found'):
        clv_histogram(pl.DataFrame({"value": [1.0]}), x_title="x", y_title="y")
    with pytest.raises(ParameterError, match="bins=0"):
        clv_histogram(pl.DataFrame({"clv": [1.0]}), x_title="x", y_title="y", bins=0)


def test_p_alive_scatter_is_thinned_for_big_inputs() -> None:
    n = 20_001
    value = pl.DataFrame(
        {
            "frequency": np.arange(n) % 7,
            "recency": np.zeros(n),
            "T": np.arange(n, dtype=float),
            "p_alive": np.linspace(1, 0, n),
        }
    )
    fig = p_alive_scatter(value, x_title="Weeks", y_title="P(alive)", max_points=1000)
    trace = fig.data[0]
    assert isinstance(trace, go.Scattergl)
    assert len(trace.x) <= 1001
    assert (trace.x[0], trace.x[-1]) == (0.0, 20_000.0)  # first and last customer kept
    assert list(fig.layout.yaxis.range) == [0, 1.02]


def test_holdout_chart_grouped_bars() -> None:
    table = pl.DataFrame(
        {
            "frequency_bucket": ["0", "1", "6+"],
            "actual_mean": [0.1, 0.5, None],
            "predicted_mean": [0.12, 0.45, None],
            "actual_repeat_purchases": [10, 20, 0],
            "predicted_repeat_purchases": [12.0, 18.0, 0.0],
        }
    )
    fig = holdout_chart(
        table,
        actual_name="Факт",
        predicted_name="Модель",
        x_title="Покупки",
        y_title="На клиента",
        measure="total",
    )
    assert [(d.name, list(d.y)) for d in fig.data] == [("Факт", [10, 20, 0]), ("Модель", [12.0, 18.0, 0.0])]
    assert list(fig.data[0].x) == ["0", "1", "6+"]
    assert fig.layout.barmode == "group" and fig.layout.xaxis.type == "category"
    with pytest.raises(ParameterError, match="measure='median'"):
        holdout_chart(table, actual_name="a", predicted_name="p", x_title="x", y_title="y", measure="median")  # type: ignore[arg-type]


def test_pareto_chart_thins_but_keeps_the_ends() -> None:
    k = np.arange(0, 5001)
    curve = pl.DataFrame({"customer_share": k / 5000, "revenue_share": np.sqrt(k / 5000)})
    fig = pareto_chart(curve, x_title="Customers", y_title="Revenue", name="Revenue share", max_points=500)
    line = fig.data[0]
    assert len(line.x) <= 501 and (line.x[0], line.x[-1]) == (0.0, 1.0) and line.y[-1] == 1.0
    assert line.name == "Revenue share" and len(fig.data) == 1


def test_rfm_treemap_colours_and_names() -> None:
    summary = pl.DataFrame(
        {"segment": list(SEGMENTS), "customers": list(range(1, 12)), "revenue": [100.0] * 10 + [-5.0]}
    )
    fig = rfm_treemap(summary, measure="revenue", segment_names={"Lost": "Потерянные"}, title="RFM")
    tree = fig.data[0]
    assert list(tree.labels)[-1] == "Потерянные"
    assert list(tree.values)[-1] == 0.0  # negative revenue gets no area
    assert list(tree.marker.colors) == [SEGMENT_COLORS[s] for s in SEGMENTS]
    by_customers = rfm_treemap(summary, measure="customers")
    assert list(by_customers.data[0].values) == [float(v) for v in range(1, 12)]
    with pytest.raises(ParameterError, match="segment='Whales'"):
        rfm_treemap(pl.DataFrame({"segment": ["Whales"], "customers": [1], "revenue": [1.0]}))


def test_ltv_curves_latest_cohorts() -> None:
    cohorts = [date(2024, m, 1) for m in range(1, 6)]
    hist = pl.DataFrame(
        {
            "cohort": [c for c in cohorts for _ in range(2)],
            "age": [0, 1] * 5,
            "ltv": [float(v) for v in range(10)],
        }
    )
    fig = ltv_curves(hist, x_title="Months", y_title="LTV", max_cohorts=3)
    assert [d.name for d in fig.data] == ["2024-03-01", "2024-04-01", "2024-05-01"]
    assert list(fig.data[-1].y) == [8.0, 9.0]
    assert fig.data[0].line.color != fig.data[-1].line.color  # older cohorts lighter
    with pytest.raises(ColumnNotFoundError, match='"ltv" not found'):
        ltv_curves(hist.drop("ltv"), x_title="x", y_title="y")
