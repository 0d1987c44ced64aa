"""The weekly review as a self-contained HTML report and a short text summary, in Russian or English
(SPEC §7.1 "the weekly report goes out by itself"): what changed in the last complete week (or month)
against the one before, whom to contact (customers at risk, lapsed high-value customers), the team's
notes and annotations for the period. Opens offline (plotly.js inline); every user text is escaped.

The numbers come from the same core functions as the Weekly review page (``retention.review``,
``value.segments``) with the page's thresholds, so the mail and the page agree.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, get_args

import polars as pl

from retention_core.charts.retention import kpi_trend_chart
from retention_core.errors import ParameterError
from retention_core.retention.activity import activity_window, at_risk_days
from retention_core.retention.flows import period_metrics
from retention_core.retention.kpis import Kpi
from retention_core.retention.review import what_changed
from retention_core.value.segments import at_risk_customers, crm_export, lapsed_high_value

Lang = Literal["en", "ru"]
ReviewGrain = Literal["week", "month"]
GAP_MULTIPLE = 2.0  # the Weekly review page's default at-risk rule: the purchase cycle and 2 × own gap
LAPSED_TOP = 0.2
LISTED = 50

TEXT: dict[Lang, dict[str, str]] = {
    "en": {
        "title": "Weekly review: {name}", "title_month": "Monthly review: {name}",
        "sub": "{unit} starting {start} against the one before · dataset version {version} · generated {when}",
        "week": "Week", "month": "Month", "vs": "vs the previous {unit}", "changes": "What changed",
        "metric": "Metric", "now": "This {unit}", "before": "Previous {unit}", "change": "Change",
        "contact": "Customers to contact", "at_risk": "At risk: overdue against their own rhythm ({n})",
        "lapsed": "High-value customers who lapsed ({n})", "shown": "The first {k} of {n} are listed.",
        "customer": "Customer", "last_order": "Last order", "orders": "Orders", "revenue": "Revenue",
        "reason": "Reason", "notes": "Team notes for this {unit}", "annotations": "Annotations in this {unit}",
        "trend": "CRR, churn and ARPU by {unit}", "none": "none", "summary_contact":
        "To contact: {risk} customers at risk, {lapsed} lapsed high-value customers (lists in the attached report).",
        "subject": "{title}: {unit} of {start}",
        "reason.overdue": "overdue", "reason.low_p_alive": "probably gone", "reason.overdue+low_p_alive": "overdue, probably gone",
        "reason.lapsed": "lapsed",
        "m.customers_end": "Active customers", "m.new_customers": "New customers", "m.churned": "Churned",
        "m.reactivated": "Reactivated", "m.crr": "CRR", "m.churn_rate": "Churn rate", "m.revenue": "Revenue",
        "m.orders": "Orders", "m.aov": "Average order value", "m.arpu": "Revenue per customer",
        "m.retention_rate": "Kept (part of CRR)", "m.reactivation_share": "Came back (part of CRR)",
    },
    "ru": {
        "title": "Еженедельный обзор: {name}", "title_month": "Ежемесячный обзор: {name}",
        "sub": "{unit} с {start} в сравнении с предыдущей · версия данных {version} · сформирован {when}",
        "week": "Неделя", "month": "Месяц", "vs": "к предыдущему периоду", "changes": "Что изменилось",
        "metric": "Показатель", "now": "Этот период", "before": "Предыдущий", "change": "Изменение",
        "contact": "С кем связаться", "at_risk": "Под угрозой ухода: дольше обычного без заказа ({n})",
        "lapsed": "Ушедшие ценные клиенты ({n})", "shown": "Показаны первые {k} из {n}.",
        "customer": "Клиент", "last_order": "Последний заказ", "orders": "Заказы", "revenue": "Выручка",
        "reason": "Причина", "notes": "Заметки команды за период", "annotations": "Отметки за период",
        "trend": "CRR, отток и выручка на клиента по периодам", "none": "нет", "summary_contact":
        "Связаться: {risk} клиентов под угрозой ухода, {lapsed} ушедших ценных клиентов (списки — в приложенном отчёте).",
        "subject": "{title}: период с {start}",
        "reason.overdue": "дольше обычного без заказа", "reason.low_p_alive": "вероятно, ушёл",
        "reason.overdue+low_p_alive": "дольше обычного, вероятно, ушёл", "reason.lapsed": "ушёл",
        "m.customers_end": "Активные клиенты", "m.new_customers": "Новые клиенты", "m.churned": "Ушедшие",
        "m.reactivated": "Вернувшиеся", "m.crr": "CRR (удержание)", "m.churn_rate": "Отток", "m.revenue": "Выручка",
        "m.orders": "Заказы", "m.aov": "Средний чек", "m.arpu": "Выручка на клиента",
        "m.retention_rate": "Удержаны (часть CRR)", "m.reactivation_share": "Вернулись (часть CRR)",
    },
}
RATIOS = {"crr", "churn_rate", "retention_rate", "reactivation_share"}
MONEY = {"revenue", "aov", "arpu"}
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#222}
.sub{color:#666} table{border-collapse:collapse;font-size:.9rem;margin:.5rem 0 1.5rem}
th,td{border-bottom:1px solid #eee;padding:.3rem .6rem;text-align:right} th:first-child,td:first-child{text-align:left}
.up{color:#2E7D32} .down{color:#C62828} .flat{color:#777} .note{color:#666;font-size:.85rem}
ul.notes li{white-space:pre-wrap}
"""


@dataclass(frozen=True)
class WeeklyReport:
    """The report page, the subject line and the plain-text summary for a mail body."""

    html: str
    subject: str
    summary: str
    period_start: date


def number(x: float | None, lang: Lang, decimals: int = 0) -> str:
    """``1,234.5`` (en) / ``1 234,5`` (ru, narrow no-break space); '—' for null.

    Examples
    --------
    >>> number(1234.5, "ru", 1), number(1234.5, "en", 1), number(None, "en")
    ('1\u202f234,5', '1,234.5', '—')
    """
    if x is None:
        return "—"
    text = f"{round(float(x), decimals) + 0.0:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "ru" else text


def _value(key: str, x: float | None, lang: Lang) -> str:
    if key in RATIOS:
        return "—" if x is None else number(x * 100, lang, 1) + ("\u00a0%" if lang == "ru" else "%")
    return number(x, lang, 2 if key in ("aov", "arpu") else 0)


def _change(k: Kpi, lang: Lang) -> tuple[str, str]:
    """The change as text and its css class (green when it is good news, red when bad)."""
    if k.change is None:
        return "—", "flat"
    good = k.change > 0 if k.higher_is_better is not False else k.change < 0
    css = "flat" if k.change == 0 else ("up" if good else "down")
    sign = "+" if k.change > 0 else ("−" if k.change < 0 else "")
    body = number(abs(k.change) * 100, lang, 1)
    unit = (" п.п." if lang == "ru" else " pp") if k.change_is_points else ("\u00a0%" if lang == "ru" else "%")
    return sign + body + unit, css


def _customers(frame: pl.DataFrame, text: dict[str, str], lang: Lang) -> str:
    head = "".join(f"<th>{text[c]}</th>" for c in ("customer", "last_order", "orders", "revenue", "reason"))
    rows = []
    for r in frame.head(LISTED).iter_rows(named=True):
        last = r["last_order"]
        day = "—" if last is None else (last.strftime("%d.%m.%Y") if lang == "ru" else last.isoformat())
        reason = text.get(f"reason.{r['reason']}", str(r["reason"]))
        rows.append(f"<tr><td>{html.escape(str(r['customer_id']))}</td><td>{day}</td><td>{number(r['orders'], lang)}</td>"
                    f"<td>{number(r['revenue'], lang, 2)}</td><td>{html.escape(reason)}</td></tr>")
    more = f'<p class="note">{text["shown"].format(k=LISTED, n=frame.height)}</p>' if frame.height > LISTED else ""
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}"


def _items(frame: pl.DataFrame | None, day_col: str, text_col: str, lang: Lang, none: str) -> str:
    if frame is None or frame.is_empty():
        return f'<p class="note">{none}</p>'
    items = "".join(
        f"<li>{(d.strftime('%d.%m.%Y') if lang == 'ru' else d.isoformat())} · {html.escape(str(a))}: {html.escape(str(x))}</li>"
        for d, x, a in frame.select(day_col, text_col, "author").iter_rows())
    return f'<ul class="notes">{items}</ul>'


def weekly_report(orders: pl.DataFrame, *, dataset: str, version: int | str, lang: Lang = "en",
                  grain: ReviewGrain = "week", notes: pl.DataFrame | None = None,
                  annotations: pl.DataFrame | None = None, generated: datetime | None = None,
                  window_override: int | None = None) -> WeeklyReport:
    """The weekly (or monthly) review of an orders table as HTML + subject + text summary.

    ``notes`` (week, text, author) and ``annotations`` (date, label, author) are the workspace's for this
    dataset; those inside the reviewed period are listed. The activity window is the page's (SPEC §4.1:
    the purchase cycle, or ``window_override`` periods); the at-risk list is the page's default rule
    without the P(alive) part (no CLV fit in a mail job).

    Raises
    ------
    ParameterError
        ``lang`` or ``grain`` not allowed.
    NotEnoughDataError
        Fewer than two complete periods.
    """
    if lang not in get_args(Lang):
        raise ParameterError("lang", lang, get_args(Lang))
    if grain not in get_args(ReviewGrain):
        raise ParameterError("review", grain, get_args(ReviewGrain))
    text = TEXT[lang]
    rule = activity_window(orders, grain=grain, override=window_override)
    changes = what_changed(orders, grain=grain, window=rule.periods)
    start = changes[0].period_start
    assert start is not None
    end = (start + timedelta(days=7)) if grain == "week" else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    unit = text[grain]
    days = at_risk_days(rule)
    risky = crm_export(at_risk_customers(orders, min_days=days, gap_multiple=GAP_MULTIPLE))
    lapsed = crm_export(lapsed_high_value(orders, min_days=days, top=LAPSED_TOP))
    title = text["title" if grain == "week" else "title_month"].format(name=dataset)
    start_text = start.strftime("%d.%m.%Y") if lang == "ru" else start.isoformat()
    when = (generated or datetime.now()).strftime("%d.%m.%Y %H:%M" if lang == "ru" else "%Y-%m-%d %H:%M")

    lines = []
    rows = []
    for k in changes:
        change, css = _change(k, lang)
        name = text.get(f"m.{k.key}", k.key.replace("_", " "))
        lines.append(f"{name}: {_value(k.key, k.value, lang)} ({change} {text['vs'].format(unit=unit.lower())})")
        rows.append(f'<tr><td>{name}</td><td>{_value(k.key, k.value, lang)}</td><td>{_value(k.key, k.previous, lang)}</td>'
                    f'<td class="{css}">{change}</td></tr>')
    contact = text["summary_contact"].format(risk=number(risky.height, lang), lapsed=number(lapsed.height, lang))
    summary = "\n".join([title, text["sub"].format(unit=unit, start=start_text, version=version, when=when), "",
                         *lines, "", contact])

    periods = period_metrics(orders, grain=grain, window=rule.periods).filter(~pl.col("incomplete"))
    chart = kpi_trend_chart(periods, incomplete="hidden", title=text["trend"].format(unit=unit.lower()))
    in_period_notes = notes.filter(pl.col("week") == start) if notes is not None and not notes.is_empty() else None
    in_period_marks = (annotations.filter(pl.col("date").is_between(start, end, closed="left"))
                       if annotations is not None and not annotations.is_empty() else None)
    head = "".join(f"<th>{text[c].format(unit=unit.lower())}</th>" for c in ("metric", "now", "before", "change"))
    page = (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
        f'<p class="sub">{html.escape(text["sub"].format(unit=unit, start=start_text, version=version, when=when))}</p>'
        f"<h2>{text['changes']}</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        f"<p>{html.escape(contact)}</p>"
        f"{chart.to_html(full_html=False, include_plotlyjs='inline', default_width='100%')}"
        f"<h2>{text['contact']}</h2><h3>{text['at_risk'].format(n=number(risky.height, lang))}</h3>{_customers(risky, text, lang)}"
        f"<h3>{text['lapsed'].format(n=number(lapsed.height, lang))}</h3>{_customers(lapsed, text, lang)}"
        f"<h2>{text['notes'].format(unit=unit.lower())}</h2>{_items(in_period_notes, 'week', 'text', lang, text['none'])}"
        f"<h2>{text['annotations'].format(unit=unit.lower())}</h2>{_items(in_period_marks, 'date', 'label', lang, text['none'])}"
        "</body></html>"
    )
    subject = text["subject"].format(title=title, unit=unit.lower(), start=start_text)
    return WeeklyReport(page, subject, summary, start)
