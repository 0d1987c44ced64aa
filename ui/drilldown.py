"""Drill-down (SPEC §7.1): a click on a cohort cell, a flow bar, an RFM cell or a funnel step lists the customers
behind it.

Charts are drawn with ``widgets.chart(on_select="rerun")``; the selected point names the number
(heatmap cells are made clickable by :func:`retention_core.charts.drilldown.clickable_cells`). The
core computes the list (:mod:`retention_core.retention.drilldown`, :mod:`retention_core.value.segments`);
this module draws it with a CSV download ready for a CRM.
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import streamlit as st

from retention_core.charts.drilldown import clickable_cells, treemap_root
from retention_core.journeys.drilldown import step_users
from retention_core.retention.drilldown import cohort_cell_customers, flow_customers
from retention_core.value.segments import rfm_segment_customers
from ui import i18n, state, widgets
from ui.i18n import t
from ui.text import plain

SHOWN_ROWS = 200  # the list's top on screen; the download has every customer


def _point(event) -> dict | None:
    """The first selected point of a chart's selection state (None when nothing is selected)."""
    points = event.selection.points if event is not None else []
    return dict(points[0]) if points else None


def _day(value) -> date | None:
    """A date from a selected point's x / customdata (``2024-01-01`` or ``2024-01-01 00:00:00``)."""
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def customer_table(customers: pl.DataFrame, *, title: str, file_name: str, key: str, count: str = "drill.count") -> None:
    """The customers behind a number: a heading with the count, the list's top, the whole list as CSV (its
    download is written to the audit log as an export of a customer list, SPEC §7.1)."""
    st.markdown(f"**{title}**")
    st.caption(t(count, n=i18n.num(customers.height)))
    if customers.height:
        widgets.table(customers, dates=("first_order", "last_order"), rows=SHOWN_ROWS)
        widgets.download(widgets.labelled(customers), file_name, key=key, audit=file_name.removesuffix(".csv"))


def cohort_heatmap(fig, *, grain: str, value: str, mode: str) -> None:
    """The cohort heatmap, clickable; a clicked cell lists its customers (exactly the cell's count)."""
    event = widgets.chart(clickable_cells(fig), state.DRILL_COHORT_CELL, on_select="rerun")
    point = _point(event)
    cohort = _day((point.get("customdata") or [None])[0]) if point else None
    if point is None or cohort is None:
        st.caption(t("drill.hint_cell"))
        return
    age = int(point["x"])
    customers = widgets.computed_with_periods(cohort_cell_customers, "orders", full_history=True, grain=grain,
                                              cohort=cohort, age=age, value=value, mode=mode)
    what = t(f"drill.cell.{value if value != 'customers' else mode}")
    customer_table(customers, title=t("drill.cell_title", cohort=i18n.day(cohort), age=age,
                                      unit=t(f"units.{grain}").lower(), what=what),
                   file_name=f"customers_cohort_{cohort.isoformat()}_age_{age}.csv", key="drill_cell_download")


def flow_chart(fig, *, grain: str, window: int) -> None:
    """The customer-flow bars, clickable; a clicked bar lists its customers (exactly the bar's count)."""
    fig.update_layout(hovermode="closest")  # "x unified" would select all four bars of the period at once
    event = widgets.chart(fig, state.DRILL_FLOW_BAR, date_axis=True, on_select="rerun")
    point = _point(event)
    period = _day(point.get("x")) if point else None
    flow = point.get("customdata") if point else None
    if period is None or flow not in ("retained", "new", "reactivated", "churned"):
        st.caption(t("drill.hint_flow"))
        return
    customers = widgets.computed_with_periods(flow_customers, "orders", full_history=True, grain=grain,
                                              period=period, flow=flow, window=window)
    customer_table(customers, title=t(f"drill.flow.{flow}", period=i18n.day(period)),
                   file_name=f"customers_{flow}_{period.isoformat()}.csv", key="drill_flow_download")


def rfm_treemap(fig, rfm: pl.DataFrame, names: dict[str, str]) -> None:
    """The RFM treemap, clickable; a clicked segment lists its customers (its customer count)."""
    fig = treemap_root(fig, label=t("drill.rfm_all"))  # a clicked cell fills the map; the path bar leads back
    event = widgets.chart(fig, state.DRILL_RFM_CELL, on_select="rerun")
    point = _point(event)
    segment = point.get("id") if point else None
    if segment not in names:
        st.caption(t("drill.hint_rfm"))
        return
    customers = rfm_segment_customers(rfm, segment)
    customer_table(widgets.translated(customers, "segment", "segment"), title=t("drill.rfm", segment=names[segment]),
                   file_name=f"customers_rfm_{re.sub('[^a-z]+', '_', segment.lower())}.csv",
                   key="drill_rfm_download")


def funnel_chart(fig, result, labels: list[str]) -> None:
    """The funnel, clickable; a clicked step lists the users who reached it (exactly the step's users)."""
    event = widgets.chart(fig, state.DRILL_FUNNEL_STEP, on_select="rerun")
    point = _point(event)
    index = point.get("point_index", point.get("point_number")) if point else None
    if not isinstance(index, int) or not 0 <= index < len(labels):
        st.caption(t("drill.hint_funnel"))
        return
    customer_table(step_users(result, index + 1), title=t("drill.funnel", step=index + 1, label=plain(labels[index])),
                   file_name=f"users_step_{index + 1}.csv", key="drill_funnel_download", count="drill.count_users")
