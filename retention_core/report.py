"""A self-contained HTML report of an orders dataset (SPEC §7.1, §8 ``report``): opens offline, prints on A4.

For the weekly meeting notes: the KPI tiles of the last complete period with their change, the customer-flow
and KPI-trend charts, the cohort heatmap and the period table — in English or Russian (``lang``: every text,
number and date). It reuses the app's plotly figures (``retention_core.charts``) and embeds plotly.js once:
the partial "cartesian" bundle (``vendor/``, 1.5 MB instead of the full 4.8 MB), which holds every trace type
the report draws (:data:`TRACE_TYPES`). Printing: A4 landscape, each section on its own page, tables that fit.
"""

from __future__ import annotations

import html
import math
import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Literal, get_args

import polars as pl

from retention_core.charts.annotations import with_annotations
from retention_core.charts.retention import cohort_heatmap, flow_chart, kpi_trend_chart
from retention_core.charts.theme import date_label, localized
from retention_core.definitions import METRIC_BY_KEY
from retention_core.errors import check_choice
from retention_core.periods import Grain
from retention_core.retention.activity import ActivityWindow, activity_window
from retention_core.retention.cohorts import cohort_matrix
from retention_core.retention.flows import period_metrics
from retention_core.retention.kpis import Kpi, incomplete_start, kpis

Lang = Literal["en", "ru"]
PLOTLY_JS = Path(__file__).with_name("vendor") / "plotly-cartesian-4.1.1.min.js"
TRACE_TYPES = frozenset({"scatter", "bar", "heatmap"})  # what the report draws; all in the cartesian bundle
REPORT_KPIS = ("crr", "retention_rate", "reactivation_share", "churn_rate", "revenue_churn_rate", "nrr", "arpu", "aov",
               "new_customers", "revenue")
TABLE = ("period_start", "customers_start", "new_customers", "retained", "reactivated", "churned", "customers_end",
         "crr", "retention_rate", "churn_rate", "revenue", "orders", "aov", "arpu", "nrr")
MAX_HEATMAP_ROWS = 36  # more cohorts than this: the report shows the latest ones and says so

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Retention report", "generated": "Generated {when}", "rows": "{n} order rows",
        "grain": "period: {grain}", "tiles": "Tiles describe the period starting {period} vs the one before",
        "no_previous": "no previous period", "vs_previous": "vs previous",
        "incomplete": "The period starting {period} is incomplete (the data ends inside it): it is left out of the "
                      "tiles and charts and shown in grey in the table.",
        "trend": "CRR, churn and ARPU", "flow": "Customer base: retained, reactivated, new, churned",
        "cohorts": "Cohorts: share of customers active", "cohorts_cut": "The latest {shown} of {total} cohorts.",
        "table": "Period metrics", "definitions": "Definitions", "annotations": "Annotations",
        "defs": "CRR = (E − N) / S = retention rate + came back; retention rate = retained / S; came back = "
                "reactivated / S; churn rate = churned / S; revenue churn = "
                "revenue(p−1) of churned / revenue(p−1) of S; NRR = revenue(p) from S / revenue(p−1) from S; "
                "ARPU = revenue / active customers; AOV = revenue / orders.",
        "parts": "CRR {crr} = {kept} kept + {back} came back.", "active_1": "Active = bought in that period",
        "active_n": "Active = bought in the last {n} {grain}s",
        "why_cycle": "80 % of repeat purchases come within {days} days", "why_user": "set by hand",
        "why_few": "only {gaps} repeat purchases: too few to measure the purchase cycle",
        "pp": "pp", "percent_axis": "%", "age": "Periods since the first order",
        "grain.day": "day", "grain.week": "week", "grain.month": "month", "grain.quarter": "quarter",
        "grain.half-year": "half-year", "grain.year": "year",
    },
    "ru": {
        "title": "Отчёт об удержании", "generated": "Сформирован {when}", "rows": "строк заказов: {n}",
        "grain": "период: {grain}", "tiles": "Плитки — период с {period} в сравнении с предыдущим",
        "no_previous": "нет предыдущего периода", "vs_previous": "к предыдущему",
        "incomplete": "Период с {period} неполный (данные заканчиваются внутри него): в плитки и графики он не "
                      "входит, в таблице показан серым.",
        "trend": "CRR, отток и ARPU", "flow": "База клиентов: удержанные, вернувшиеся, новые, ушедшие",
        "cohorts": "Когорты: доля активных клиентов", "cohorts_cut": "Последние {shown} из {total} когорт.",
        "table": "Показатели по периодам", "definitions": "Определения", "annotations": "Заметки на графиках",
        "defs": "CRR = (E − N) / S = удержание + вернулись; удержание = удержанные / S; вернулись = "
                "реактивированные / S; отток = ушедшие / S; отток выручки = выручка(p−1) "
                "ушедших / выручка(p−1) клиентов S; NRR = выручка(p) от S / выручка(p−1) от S; ARPU = выручка / "
                "активные клиенты; средний чек (AOV) = выручка / заказы.",
        "parts": "CRR {crr} = {kept} удержано + {back} вернулись.", "active_1": "Активен = покупал в этом периоде "
        "({grain})", "active_n": "Активен = покупал за последние {n} периодов ({grain})",
        "why_cycle": "80 % повторных покупок случаются в пределах {days} дн.", "why_user": "задано вручную",
        "why_few": "всего {gaps} повторных покупок: слишком мало, чтобы измерить цикл покупки",
        "pp": "п.п.", "percent_axis": "%", "age": "Периодов с первого заказа",
        "grain.day": "день", "grain.week": "неделя", "grain.month": "месяц", "grain.quarter": "квартал",
        "grain.half-year": "полугодие", "grain.year": "год",
    },
}
# Metric and chart labels; the same words as the app's catalogue (tests/core/test_report.py compares them).
LABELS: dict[str, dict[str, str]] = {
    "en": {"period_start": "Period", "customers_start": "Customers at start (S)", "new_customers": "New customers",
           "customers_end": "Active customers (E)", "retained": "Retained", "reactivated": "Reactivated",
           "churned": "Churned", "crr": "CRR", "retention_rate": "Retention rate", "churn_rate": "Churn rate",
           "revenue": "Revenue", "orders": "Orders", "aov": "AOV", "arpu": "ARPU", "nrr": "NRR",
           "revenue_churn_rate": "Revenue churn", "repeat_revenue_share": "Repeat revenue",
           "reactivation_share": "Came back (share of S)",
           "new": "New", "period": "Period", "customers": "Customers", "cohort": "Cohort", "value": "Value",
           "size": "Cohort size", "incomplete": "incomplete"},
    "ru": {"period_start": "Период", "customers_start": "Клиенты на начало (S)", "new_customers": "Новые клиенты",
           "customers_end": "Активные клиенты (E)", "retained": "Удержанные", "reactivated": "Реактивированные",
           "churned": "Ушедшие", "crr": "CRR", "retention_rate": "Удержание", "churn_rate": "Отток",
           "revenue": "Выручка", "orders": "Заказы", "aov": "Средний чек (AOV)", "arpu": "ARPU", "nrr": "NRR",
           "revenue_churn_rate": "Отток выручки", "repeat_revenue_share": "Повторная выручка",
           "reactivation_share": "Вернулись (доля от S)",
           "new": "Новые", "period": "Период", "customers": "Клиенты", "cohort": "Когорта", "value": "Значение",
           "size": "Размер когорты", "incomplete": "неполный"},
}
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem auto;max-width:1100px;color:#222}
h1{margin-bottom:.2rem} .sub{color:#555;margin-top:0}
.tiles{display:grid;grid-template-columns:repeat(5,1fr);gap:.6rem;margin:1rem 0}
.tile{border:1px solid #ddd;border-radius:.5rem;padding:.5rem .8rem;break-inside:avoid}
.tile .k{color:#555;font-size:.85rem;overflow-wrap:anywhere} .tile .v{font-size:1.6rem;font-weight:600;white-space:nowrap}
.tile .d{font-size:.85rem}
.up{color:#2E7D32} .down{color:#C62828} .flat{color:#777}
section{margin-top:1.2rem} .chart{width:1000px;max-width:100%;break-inside:avoid}
table{border-collapse:collapse;font-size:.78rem;width:100%;table-layout:fixed}
th,td{border-bottom:1px solid #eee;padding:.2rem .3rem;text-align:right;overflow-wrap:anywhere}
th{vertical-align:bottom;font-weight:600;overflow-wrap:normal;hyphens:manual} th:first-child,td:first-child{text-align:left;width:6.5em}
thead{display:table-header-group} tr{break-inside:avoid} tr.incomplete td{color:#999;font-style:italic}
.note{color:#555;font-size:.85rem}
@page{size:A4 landscape;margin:10mm}
@media print{body{margin:0;max-width:none} section.page{break-before:page} .chart{width:100%}
 .modebar-container{display:none}
 table{font-size:7.5pt} a{color:inherit}}
"""


@cache
def plotly_js() -> str:
    """The vendored partial plotly.js bundle (see ``vendor/README.md``)."""
    return PLOTLY_JS.read_text(encoding="utf-8")


def _group(x: float, decimals: int, lang: Lang) -> str:
    s = f"{round(x, decimals) + 0.0:,.{decimals}f}"
    return s.replace(",", "\u202f").replace(".", ",") if lang == "ru" else s


def _pct(x: float, lang: Lang, *, signed: bool = False) -> str:
    body = _group(x * 100, 1, lang)
    if signed and x > 0:
        body = "+" + body
    return f"{body}\u00a0%" if lang == "ru" else f"{body}%"


def _fmt(key: str, value: float | None, lang: Lang) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    unit = METRIC_BY_KEY[key].unit if key in METRIC_BY_KEY else "count"
    if unit == "ratio":
        return _pct(value, lang)
    return _group(value, 2 if unit == "money" else 0, lang)


def _day(d: date | None, lang: Lang) -> str:
    if d is None:
        return "—"
    return d.strftime("%d.%m.%Y") if lang == "ru" else d.isoformat()


def _change(k: Kpi, lang: Lang) -> str:
    words = TEXT[lang]
    if k.change is None:
        return f'<span class="flat">{words["no_previous"]}</span>'
    good = k.change > 0 if k.higher_is_better is not False else k.change < 0
    css = "flat" if k.change == 0 else ("up" if good else "down")
    if k.change_is_points:
        text = f"{'+' if k.change > 0 else ''}{_group(k.change * 100, 1, lang)} {words['pp']}"
    else:
        text = _pct(k.change, lang, signed=True)
    return f'<span class="{css}">{text} {words["vs_previous"]}</span>'


def _tiles(items: list[Kpi], lang: Lang) -> str:
    labels = LABELS[lang]
    return '<div class="tiles">' + "".join(
        f'<div class="tile"><div class="k">{html.escape(labels.get(k.key, k.key))}</div>'
        f'<div class="v">{_fmt(k.key, k.value, lang)}</div><div class="d">{_change(k, lang)}</div></div>'
        for k in items
    ) + "</div>"


def _hyphenable(text: str) -> str:
    """Soft hyphens inside long words (every 5 letters), so a narrow printed column breaks a header like
    "Реактивированные" with a hyphen instead of running it into the next column."""
    return re.sub(r"\w{10,}", lambda m: "\u00ad".join(m.group(0)[i:i + 5] for i in range(0, len(m.group(0)), 5)), text)


def _table(periods: pl.DataFrame, lang: Lang) -> str:
    labels = LABELS[lang]
    head = "".join(f"<th>{_hyphenable(html.escape(labels[c]))}</th>" for c in TABLE)
    rows = []
    for row in periods.select(*TABLE, "incomplete").iter_rows(named=True):  # ≤ a few hundred periods, as text
        cells = "".join(f"<td>{_day(row[c], lang) if c == 'period_start' else _fmt(c, row[c], lang)}</td>"
                        for c in TABLE)
        rows.append(f'<tr class="{"incomplete" if row["incomplete"] else ""}">{cells}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _annotation_list(annotations: pl.DataFrame | None, lang: Lang) -> str:
    """The dataset's annotations as a list under the charts (labels escaped: user text)."""
    if annotations is None or annotations.height == 0:
        return ""
    items = "".join(f"<li>{_day(d, lang)}: {html.escape(label)}</li>"
                    for d, label in annotations.sort("date").select("date", "label").iter_rows())
    return f'<h2>{TEXT[lang]["annotations"]}</h2><ul class="note">{items}</ul>'


def _figure(fig, lang: Lang, grain: Grain | None) -> str:
    localized(fig, lang=lang, grain=grain)
    fig.update_layout(width=1000, height=fig.layout.height or 460)
    return '<div class="chart">' + fig.to_html(full_html=False, include_plotlyjs=False,
                                               config={"displaylogo": False, "responsive": True}) + "</div>"


def html_report(orders: pl.DataFrame, *, title: str | None = None, grain: Grain = "month",
                generated: datetime | None = None, lang: Lang = "en",
                window: int | ActivityWindow | None = None, annotations: pl.DataFrame | None = None) -> str:
    """Build the report as one HTML string in ``lang`` (plotly.js inline once; about 1.6 MB for the sample).

    Examples
    --------
    >>> orders = pl.DataFrame({"customer_id": ["a", "b", "a"], "amount": [10.0, 20.0, 15.0],
    ...     "ordered_at": [date(2024, 1, 5), date(2024, 1, 9), date(2024, 2, 29)]})
    >>> page = html_report(orders, title="Shop")
    >>> page.startswith("<!DOCTYPE html>") and "<h1>Shop</h1>" in page and "Retention rate" in page
    True
    >>> "Удержание" in html_report(orders, lang="ru")
    True
    """
    check_choice("lang", lang, get_args(Lang))
    words, labels = TEXT[lang], LABELS[lang]
    title = title or words["title"]
    # the activity rule (SPEC §4.1): the caller's (the app passes the dataset's), an override, or measured here
    rule = window if isinstance(window, ActivityWindow) else activity_window(orders, grain=grain, override=window)
    periods = period_metrics(orders, grain=grain, window=rule.periods)
    tiles = kpis(periods, list(REPORT_KPIS))
    by_key = {k.key: k for k in tiles}
    parts = ""
    if by_key["crr"].value is not None:
        parts = words["parts"].format(crr=_fmt("crr", by_key["crr"].value, lang),
                                      kept=_fmt("crr", by_key["retention_rate"].value, lang),
                                      back=_fmt("crr", by_key["reactivation_share"].value, lang)) + " "
    grain_word = words[f"grain.{grain}"]
    active = (words["active_1"].format(grain=grain_word) if rule.periods == 1
              else words["active_n"].format(n=rule.periods, grain=grain_word))
    why = (words["why_cycle"].format(days=rule.cycle_days) if rule.source == "purchase_cycle" else
           words["why_user"] if rule.source == "user" else words["why_few"].format(gaps=rule.repeat_gaps))
    parts += f"{active}; {why}."
    incomplete = incomplete_start(periods)
    shown = periods.filter(~pl.col("incomplete"))
    matrix = cohort_matrix(orders, grain=grain)
    cohorts = matrix["cohort"].unique().sort()
    cut = ""
    if cohorts.len() > MAX_HEATMAP_ROWS:  # readable cells: the latest cohorts, said so under the chart
        matrix = matrix.filter(pl.col("cohort") >= cohorts[-MAX_HEATMAP_ROWS])
        cut = words["cohorts_cut"].format(shown=MAX_HEATMAP_ROWS, total=cohorts.len())
    chart_labels = {**labels, "age": words["age"]}
    heatmap = cohort_heatmap(matrix, title=words["cohorts"], labels=chart_labels)
    heatmap.update_yaxes(ticktext=[date_label(d, lang=lang, grain=grain) for d in matrix["cohort"].unique().sort()],
                         tickvals=[d.isoformat() for d in matrix["cohort"].unique().sort()], tickmode="array")
    # fits one A4 landscape page (≈ 680 px) at 36 rows; the top axis title gets room under the chart title
    heatmap.update_layout(height=190 + 13 * min(matrix["cohort"].n_unique(), MAX_HEATMAP_ROWS), margin={"t": 120})
    figures = [  # the time charts carry the dataset's annotations (SPEC §7.1)
        _figure(with_annotations(kpi_trend_chart(shown, incomplete="hidden", title=words["trend"], labels=chart_labels)
                                 .update_layout(height=400), annotations), lang, grain),
        _figure(with_annotations(flow_chart(shown, incomplete="hidden", title=words["flow"], labels=chart_labels),
                                 annotations), lang, grain),
        _figure(heatmap, lang, None) + (f'<p class="note">{html.escape(cut)}</p>' if cut else ""),
    ]
    when = (generated or datetime.now()).strftime("%d.%m.%Y %H:%M" if lang == "ru" else "%Y-%m-%d %H:%M")
    period = _day(tiles[0].period_start, lang) if tiles and tiles[0].period_start else "—"
    note = words["incomplete"].format(period=_day(incomplete, lang)) if incomplete else ""
    sub = " · ".join((words["generated"].format(when=when), words["rows"].format(n=_group(orders.height, 0, lang)),
                      words["grain"].format(grain=words[f"grain.{grain}"]), words["tiles"].format(period=period)))
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_CSS}</style><script>{plotly_js()}</script></head><body>"
        f'<section><h1>{html.escape(title)}</h1><p class="sub">{html.escape(sub)}</p>'
        f'{_tiles(tiles, lang)}<p class="note">{html.escape(parts)} {html.escape(note)}</p>{figures[0]}</section>'
        f'<section class="page">{figures[1]}</section>'
        f'<section class="page">{figures[2]}{_annotation_list(annotations, lang)}</section>'
        f'<section class="page"><h2>{words["table"]}</h2>{_table(periods, lang)}'
        f'<p class="note"><b>{words["definitions"]}.</b> {html.escape(words["defs"])}</p></section>'
        "</body></html>"
    )
