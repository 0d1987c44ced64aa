"""Drill-down as a user works it (SPEC §7.1): a selected cohort cell, flow bar or RFM segment lists its
customers, and the download has exactly the number that was clicked.

AppTest has no accessor for a chart's selection, so :func:`_select` sends the selection state the
browser would send after a click (the JSON Streamlit's frontend writes for ``on_select="rerun"``);
the browser test clicks a real heatmap cell.
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import polars as pl
from streamlit.testing.v1 import AppTest

from retention_core.ingest import Filters, connect, query
from retention_core.retention.activity import activity_window
from retention_core.retention.cohorts import cohort_matrix
from retention_core.retention.flows import period_metrics
from retention_core.value.segments import rfm_segment_summary, rfm_table
from retention_core.workspace import Workspace
from ui import state


def _orders(workspace: Path, filters: Filters | None = None) -> pl.DataFrame:
    """The sample orders exactly as the app reads them (the saved dataset through the same query)."""
    return query(connect(), Workspace(workspace).path("sample-shop", "orders"), "orders", filters or Filters())


def _chart(at: AppTest, key: str):
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return chart
    raise AssertionError(f"no chart {key!r}")


def _select(at: AppTest, key: str, point: dict) -> AppTest:
    """Rerun the app as after a click on ``point`` of the chart with ``key``."""
    chart = _chart(at, key)
    states = at._tree.get_widget_states()
    sent = states.widgets.add()
    sent.id = chart.proto.id
    index = point.get("point_index", 0)
    sent.string_value = json.dumps({"selection": {"points": [point], "point_indices": [index], "box": [], "lasso": []}})
    at._run(states)
    assert not at.exception, at.exception
    after = _chart(at, key)
    if after.proto.id != chart.proto.id:
        a, b = json.loads(chart.proto.spec), json.loads(after.proto.spec)
        diff = [(k, str(a["data"][0].get(k))[:150], str(b["data"][0].get(k))[:150]) for k in set(a["data"][0]) | set(b["data"][0])
                if a["data"][0].get(k) != b["data"][0].get(k)]
        raise AssertionError(f"the chart changed, so the selection was dropped: {diff} {a['layout'] == b['layout']}")
    return at


def _csv(downloads: dict[str, bytes], name: str) -> pl.DataFrame:
    return pl.read_csv(io.BytesIO(downloads[name]), infer_schema=False)


def test_a_cohort_cell_click_lists_exactly_its_customers(app, workspace, downloads):
    at = app.switch_page("pages/cohorts.py").run()
    assert not at.exception
    assert any("Click a cell" in c.value for c in at.caption)
    spec = json.loads(_chart(at, state.DRILL_COHORT_CELL).proto.spec)
    marks = spec["data"][1]  # the clickable cell markers
    index = next(i for i, (x, c) in enumerate(zip(marks["x"], marks["customdata"], strict=True))
                 if x == 2 and c[0] == "2023-03-01")
    at = _select(at, state.DRILL_COHORT_CELL, {"x": 2, "y": "2023-03-01", "customdata": marks["customdata"][index],
                                                "curve_number": 1, "point_index": index, "point_number": index})
    cell = cohort_matrix(_orders(workspace)).filter((pl.col("cohort") == date(2023, 3, 1)) & (pl.col("age") == 2))
    n = round(cell["value"].item() * cell["size"].item())
    assert n > 0
    assert any(m.value.startswith("**Cohort 2023-03-01, age 2") for m in at.markdown)
    assert any(c.value.startswith(f"{n:,} customers") for c in at.caption)
    listed = _csv(downloads, "customers_cohort_2023-03-01_age_2.csv")
    assert listed.height == n and listed[:, 0].n_unique() == n


def test_a_flow_bar_click_lists_the_churned_customers_of_that_month(app, workspace, downloads):
    at = app.run()
    assert any("Click a bar" in c.value for c in at.caption)
    at = _select(at, state.DRILL_FLOW_BAR, {"x": "2024-03-01", "y": -10, "customdata": "churned", "curve_number": 3,
                                             "point_index": 14, "point_number": 14})
    orders = _orders(workspace)
    window = activity_window(orders, grain="month").periods  # the Overview's rule (the purchase cycle)
    row = period_metrics(orders, window=window).filter(pl.col("period_start") == date(2024, 3, 1))
    n = row["churned"].item()
    assert any(m.value.startswith("**Churned in the period from 2024-03-01") for m in at.markdown)
    listed = _csv(downloads, "customers_churned_2024-03-01.csv")
    assert listed.height == n > 0


def test_an_rfm_segment_click_lists_its_customers(app, workspace, downloads):
    at = app.switch_page("pages/value.py").run()
    assert not at.exception
    at = _select(at, state.DRILL_RFM_CELL, {"id": "Champions", "label": "Champions", "parent": "", "curve_number": 0,
                                             "point_number": 0})
    summary = rfm_segment_summary(rfm_table(_orders(workspace)))
    n = summary.filter(pl.col("segment") == "Champions")["customers"].item()
    assert any(m.value == "**RFM segment: Champions**" for m in at.markdown), [c.value for c in at.caption if "segment" in c.value]
    assert _csv(downloads, "customers_rfm_champions.csv").height == n > 0



def test_a_funnel_step_click_lists_the_users_who_reached_it(app, workspace, downloads):
    from retention_core.journeys.funnels import funnel
    from retention_core.journeys.spec import FunnelSpec, as_steps

    at = app.switch_page("pages/journeys.py").run()
    assert not at.exception
    steps = at.multiselect(key=state.STEPS).value
    at = _select(at, state.DRILL_FUNNEL_STEP, {"x": 0, "y": "", "curve_number": 0, "point_index": 2, "point_number": 2})
    events = query(connect(), Workspace(workspace).path("sample-shop", "events"), "events", Filters())
    users = funnel(events, FunnelSpec(as_steps(steps), window="7d")).steps["users"].to_list()
    assert any(m.value.startswith("**Reached step 3:") for m in at.markdown)
    assert _csv(downloads, "users_step_3.csv").height == users[2] > 0
