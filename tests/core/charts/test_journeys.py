"""Journey figures: what a user sees (bar values, labels, link flows, incomplete markers)."""

from __future__ import annotations

from datetime import datetime, timedelta

import plotly.graph_objects as go
import polars as pl
import pytest

from retention_core.charts.journeys import (
    conversion_trend_chart,
    funnel_chart,
    paths_sankey,
    purchase_sequence_chart,
    time_to_convert_histogram,
)
from retention_core.charts.theme import SERIES_COLORS
from retention_core.errors import ParameterError
from retention_core.journeys.funnels import FunnelSpec, FunnelStep, funnel, funnel_trend
from retention_core.journeys.paths import top_paths
from retention_core.journeys.purchase_sequence import purchase_sequence

T0 = datetime(2024, 3, 4)


def ev(rows):
    return pl.DataFrame(
        {"user_id": [r[0] for r in rows], "event": [r[1] for r in rows],
         "occurred_at": [T0 + timedelta(hours=r[2]) for r in rows]},
        schema_overrides={"occurred_at": pl.Datetime("us")},
    )


# u1 converts A→B→C in 1 h + 2 h; u2 A→B in 5 h; u3 A only; u4 enters a week later, A→C only.
EVENTS = ev([
    ("u1", "A", 0), ("u1", "B", 1), ("u1", "C", 3),
    ("u2", "A", 0), ("u2", "B", 5),
    ("u3", "A", 0),
    ("u4", "A", 170), ("u4", "C", 171),
])
SPEC = FunnelSpec((FunnelStep("A"), FunnelStep("B", optional=True), FunnelStep("C")), window="1d")


def test_funnel_chart_shows_users_labels_and_muted_optional_step():
    r = funnel(EVENTS, SPEC)
    fig = funnel_chart(r.steps, step_labels=["Visit", "Cart (optional)", "Buy"], title="Funnel")
    assert isinstance(fig, go.Figure)
    trace = fig.data[0]
    assert trace.type == "funnel"
    assert list(trace.y) == ["Visit", "Cart (optional)", "Buy"]
    assert list(trace.x) == [4, 2, 2]  # B is optional: u1, u2; C: u1, u4
    assert [c[0] for c in trace.customdata] == [1.0, 0.5, 0.5]
    assert list(trace.marker.color) == [SERIES_COLORS["primary"], SERIES_COLORS["muted"], SERIES_COLORS["primary"]]
    assert fig.layout.title.text == "Funnel"
    with pytest.raises(ParameterError, match="3 labels"):
        funnel_chart(r.steps, step_labels=["only one"])


def test_time_to_convert_histogram_in_hours():
    users = funnel(EVENTS, SPEC).users
    from_start = time_to_convert_histogram(users, step=3, unit="hours", x_label="Hours", y_label="Users")
    assert sorted(from_start.data[0].x) == [1.0, 3.0]  # u4 after 1 h, u1 after 3 h
    assert from_start.layout.xaxis.title.text == "Hours"
    prev = time_to_convert_histogram(users, step=2, measure="from_previous", unit="minutes")
    assert sorted(prev.data[0].x) == [60.0, 300.0]
    with pytest.raises(ParameterError, match="step=1"):
        time_to_convert_histogram(users, step=1)
    with pytest.raises(ParameterError, match="unit='weeks'"):
        time_to_convert_histogram(users, step=2, unit="weeks")


def test_conversion_trend_chart_one_line_per_later_step_and_incomplete_markers():
    trend = funnel_trend(funnel(EVENTS, SPEC), grain="week")
    fig = conversion_trend_chart(trend, step_labels=["Visit", "Cart", "Buy"], incomplete_label="Still converting")
    names = [t.name for t in fig.data]
    assert names[:2] == ["Cart", "Buy"]
    buy = fig.data[1]
    assert list(buy.y) == [1 / 3, 1.0]  # week of 4 Mar: u1 of 3; week of 11 Mar: u4 of 1
    # data end is in the second week (11 Mar + 1 day > last event): it is marked incomplete
    assert names[-1] == "Still converting"
    assert fig.layout.yaxis.tickformat == ".0%"


def test_paths_sankey_nodes_and_flows():
    links = top_paths(EVENTS, start_event="A", depth=2, top=5).links
    fig = paths_sankey(links, other_label="Other")
    s = fig.data[0]
    assert s.type == "sankey"
    labels = list(s.node.label)
    flows = {(labels[a], labels[b]): v for a, b, v in zip(s.link.source, s.link.target, s.link.value, strict=True)}
    assert flows == {("A", "B"): 2, ("A", "C"): 1, ("B", "C"): 1}
    assert min(s.node.x) < max(s.node.x)  # steps laid out left to right


def test_purchase_sequence_chart_grouped_bars():
    orders = pl.DataFrame(
        {"customer_id": ["a", "a", "b", "c"], "amount": [1.0, 2.0, 3.0, 4.0], "channel": ["web", "web", "shop", "web"],
         "ordered_at": [datetime(2024, 1, d) for d in (1, 5, 2, 3)]},
    )
    seq = purchase_sequence(orders, max_order=2, by="channel")
    fig = purchase_sequence_chart(seq, order_labels=["1st", "2nd+"], by="channel", y_label="Customers")
    bars = {t.name: (list(t.x), list(t.y)) for t in fig.data}
    assert bars == {"shop": (["1st", "2nd+"], [1, 0]), "web": (["1st", "2nd+"], [2, 1])}
    single = purchase_sequence_chart(purchase_sequence(orders, max_order=2), order_labels=["1st", "2nd+"])
    assert list(single.data[0].y) == [3, 1]


def test_purchase_sequence_chart_labels_no_conversion_on_the_first_order():
    # a: 2 orders, b: 1 → 2nd order conversion 1/2; the 1st order has no previous order (null, not 0 %).
    orders = pl.DataFrame({"customer_id": ["a", "a", "b"], "amount": [1.0, 2.0, 3.0],
                           "ordered_at": [datetime(2024, 1, d) for d in (1, 5, 2)]})
    fig = purchase_sequence_chart(purchase_sequence(orders, max_order=2), order_labels=["1st", "2nd+"])
    assert list(fig.data[0].texttemplate) == ["", "%{customdata[0]:.0%}"]
