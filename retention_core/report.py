"""A self-contained HTML report of an orders dataset (SPEC §8 ``report``): opens offline, charts included.

For the weekly meeting notes: the KPI tiles of the last complete period with their change, the
period table, the customer-flow and KPI-trend charts, the cohort heatmap. It reuses the same plotly
figures as the app (``retention_core.charts``), embedded with plotly.js inline (no network needed).
"""

from __future__ import annotations

import html
from datetime import date, datetime

import polars as pl

from retention_core.charts.annotations import with_annotations
from retention_core.charts.retention import cohort_heatmap, flow_chart, kpi_trend_chart
from retention_core.definitions import METRIC_BY_KEY
from retention_core.periods import Grain
from retention_core.retention.activity import ActivityWindow, activity_window
from retention_core.retention.cohorts import cohort_matrix
from retention_core.retention.flows import METRIC_COLUMNS, period_metrics
from retention_core.retention.kpis import Kpi, incomplete_start, kpis

REPORT_KPIS = ("crr", "retention_rate", "reactivation_share", "churn_rate", "revenue_churn_rate", "nrr", "arpu", "aov",
               "new_customers", "revenue")
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;color:#222}
h1{margin-bottom:.2rem} .sub{color:#666;margin-top:0}
.tiles{display:grid;grid-template-columns:repeat(5,1fr);gap:.8rem;margin:1.2rem 0}
.tile{border:1px solid #ddd;border-radius:.6rem;padding:.7rem 1rem}
.tile .k{color:#555;font-size:.9rem} .tile .v{font-size:1.8rem;font-weight:600}
.up{color:#2E7D32} .down{color:#C62828} .flat{color:#777}
table{border-collapse:collapse;font-size:.85rem;width:100%} th,td{border-bottom:1px solid #eee;padding:.25rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left} tr.incomplete td{color:#999;font-style:italic}
.note{color:#666;font-size:.85rem}
"""


def _fmt(key: str, value: float | None) -> str:
    if value is None:
        return "—"
    unit = METRIC_BY_KEY[key].unit if key in METRIC_BY_KEY else "count"
    if unit == "ratio":
        return f"{value * 100:.1f}%"
    if unit == "money":
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def _change(k: Kpi) -> str:
    if k.change is None:
        return '<span class="flat">no previous period</span>'
    good = k.change > 0 if k.higher_is_better is not False else k.change < 0
    css = "flat" if k.change == 0 else ("up" if good else "down")
    text = f"{k.change * 100:+.1f} pp" if k.change_is_points else f"{k.change * 100:+.1f}%"
    return f'<span class="{css}">{text} vs previous</span>'


def _tiles(items: list[Kpi]) -> str:
    return '<div class="tiles">' + "".join(
        f'<div class="tile"><div class="k">{html.escape(k.key.replace("_", " "))}</div>'
        f'<div class="v">{_fmt(k.key, k.value)}</div><div>{_change(k)}</div></div>'
        for k in items
    ) + "</div>"


def _table(periods: pl.DataFrame) -> str:
    cols = [c for c in METRIC_COLUMNS if c not in ("incomplete", "churned_new", "total_churn_rate")]
    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in cols)
    rows = []
    for row in periods.iter_rows(named=True):
        cells = "".join(
            f"<td>{row[c].isoformat() if isinstance(row[c], date) else _fmt(c, row[c])}</td>" for c in cols
        )
        rows.append(f'<tr class="{"incomplete" if row["incomplete"] else ""}">{cells}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _annotation_list(annotations: pl.DataFrame | None) -> str:
    """The dataset's annotations as a list under the charts (labels escaped: user text)."""
    if annotations is None or annotations.height == 0:
        return ""
    items = "".join(f"<li>{d.isoformat()}: {html.escape(label)}</li>"
                    for d, label in annotations.sort("date").select("date", "label").iter_rows())
    return f'<h2>Annotations</h2><ul class="note">{items}</ul>'


def html_report(orders: pl.DataFrame, *, title: str = "Retention report", grain: Grain = "month",
                generated: datetime | None = None, window: int | ActivityWindow | None = None,
                annotations: pl.DataFrame | None = None) -> str:
    """Build the report as one HTML string (plotly.js inline; about 5 MB).

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "a"], "amount": [10.0, 20.0, 15.0],
    ...     "ordered_at": [date(2024, 1, 5), date(2024, 1, 9), date(2024, 2, 29)]})
    >>> page = html_report(orders, title="Shop")
    >>> page.startswith("<!DOCTYPE html>") and "<h1>Shop</h1>" in page and "crr" in page
    True
    """
    # the activity rule (SPEC §4.1): the caller's (the app passes the dataset's), an override, or measured here
    rule = window if isinstance(window, ActivityWindow) else activity_window(orders, grain=grain, override=window)
    periods = period_metrics(orders, grain=grain, window=rule.periods)
    tiles = kpis(periods, list(REPORT_KPIS))
    by_key = {k.key: k for k in tiles}
    parts = ""
    if by_key["crr"].value is not None:
        parts = (f"CRR {_fmt('crr', by_key['crr'].value)} = {_fmt('crr', by_key['retention_rate'].value)} kept + "
                 f"{_fmt('crr', by_key['reactivation_share'].value)} came back. ")
    active = ("bought in that period" if rule.periods == 1 else f"bought in the last {rule.periods} {grain}s")
    why = (f"80 % of repeat purchases come within {rule.cycle_days} days" if rule.source == "purchase_cycle" else
           "set by hand" if rule.source == "user" else
           f"only {rule.repeat_gaps} repeat purchases: too few to measure the purchase cycle")
    parts += f"Active = {active}; {why}."
    incomplete = incomplete_start(periods)
    shown = periods.filter(~pl.col("incomplete"))
    matrix = cohort_matrix(orders, grain=grain)
    heatmap = cohort_heatmap(matrix, title="Cohorts: share of customers active")
    heatmap.update_layout(height=200 + 22 * min(matrix["cohort"].n_unique(), 60))
    figures = [
        kpi_trend_chart(shown, incomplete="hidden", title="CRR, churn and ARPU"),
        flow_chart(shown, incomplete="hidden", title="Customer base: retained, reactivated, new, churned"),
        heatmap,
    ]
    for fig in figures[:2]:  # the time charts carry the dataset's annotations (SPEC §7.1)
        with_annotations(fig, annotations)
    charts = "".join(
        fig.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False, default_width="100%")
        for i, fig in enumerate(figures)
    )
    when = (generated or datetime.now()).strftime("%Y-%m-%d %H:%M")
    period = tiles[0].period_start.isoformat() if tiles and tiles[0].period_start else "—"
    note = (f"The period starting {incomplete.isoformat()} is incomplete (the data ends inside it): "
            "it is left out of the tiles and charts and shown in grey in the table.") if incomplete else ""
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        f'<p class="sub">Generated {when} · {orders.height:,} order rows · period: {grain} · '
        f"tiles describe the period starting {period} vs the one before</p>"
        f"{_tiles(tiles)}<p class=\"note\">{html.escape(parts)} {note}</p>{charts}{_annotation_list(annotations)}"
        f"<h2>Period metrics</h2>{_table(periods)}"
        '<p class="note">Definitions: CRR = (E − N) / S = retention rate + came back; retention rate = retained / S; '
        "came back = reactivated / S; churn rate = churned / S; "
        "revenue churn = revenue(p−1) of churned / revenue(p−1) of S; NRR = revenue(p) from S / revenue(p−1) from S; "
        "ARPU = revenue / active customers; AOV = revenue / orders.</p></body></html>"
    )
