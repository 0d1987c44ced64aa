"""Retention subcommands of ``python -m retention_core`` (SPEC §8): ``metrics``, ``cohorts``, ``report``.

Metrics and cohorts are computed on the file's full history (segment filters applied) and then
limited to the ``--from/--to`` range, so "new customer" keeps meaning "first order ever in the data".
The other concepts have their own modules: ``journeys`` (funnel, event retention), ``value`` (clv,
rfm), ``whatif``; ``main`` holds the frame, ``args`` the shared helpers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from retention_core.cli.args import (
    command,
    filter_args,
    grain_arg,
    history,
    in_range,
    load,
    positive_int,
)
from retention_core.cli.team import team_report, team_report_args, write_page
from retention_core.errors import InputError
from retention_core.retention.activity import activity_window
from retention_core.retention.cohorts import cohort_matrix, matrix_payload
from retention_core.retention.flows import METRIC_COLUMNS, period_metrics
from retention_core.retention.subscriptions import subscription_metrics


def _metrics_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", choices=("orders", "subscriptions"), help="detected from the headers when omitted")
    grain_arg(p, "month")
    p.add_argument("--window", type=positive_int("--window"), default=None,
                   help="activity window W in periods (default: the shop's purchase cycle, SPEC §4.1)")
    filter_args(p)


@command("metrics", "CRR, churn, revenue churn, NRR, ARPU … per period", _metrics_args)
def _metrics(ns: argparse.Namespace) -> dict:
    result, rows = load(history(ns), ns.kind)
    kind = result.report.kind
    window = None
    if kind == "subscriptions":
        table = subscription_metrics(rows, grain=ns.period)
    else:
        # measured on the whole file, before --where and --from/--to: a filter never changes the definition
        window = activity_window(result.frame, grain=ns.period, override=ns.window)
        table = period_metrics(rows, grain=ns.period, window=window.periods)
    table = in_range(table, "period_start", ns).select(METRIC_COLUMNS)
    return {"kind": kind, "period": ns.period, "rows_read": result.report.rows_read,
            "rows_rejected": result.report.rows_rejected,
            "activity_window": window.to_json() if window is not None else None, "periods": table.to_dicts()}


def _cohort_args(p: argparse.ArgumentParser) -> None:
    grain_arg(p, "month")
    p.add_argument("--value", choices=("customers", "revenue", "ltv"), default="customers")
    p.add_argument("--mode", choices=("on", "unbounded"), default="on")
    filter_args(p)


@command("cohorts", "cohort matrix of customers (share active), revenue or cumulative LTV", _cohort_args)
def _cohorts(ns: argparse.Namespace) -> dict:
    _, rows = load(history(ns), "orders")
    matrix = cohort_matrix(rows, grain=ns.period, value=ns.value, mode=ns.mode)
    matrix = in_range(matrix, "cohort", ns)
    return matrix_payload(matrix, period=ns.period, value=ns.value, mode=ns.mode)


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, type=Path, help="the HTML file to write")
    p.add_argument("--title", default=None, help="report title (default: the file name)")
    grain_arg(p, "month")
    p.add_argument("--window", type=positive_int("--window"), default=None,
                   help="activity window W in periods (default: the shop's purchase cycle, SPEC §4.1)")
    filter_args(p)
    team_report_args(p)


@command("report", "write a self-contained HTML report (charts included, opens offline); with --dataset from the "
         "workspace, --review week for the weekly review, --mail-to to send it", _report_args, path="optional")
def _report(ns: argparse.Namespace) -> dict:
    from retention_core.report import TEXT, html_report

    if ns.dataset is not None:
        return team_report(ns)
    if ns.path is None:
        raise InputError("name the export file (PATH) or a saved dataset (--dataset NAME)", file="", reason="missing")
    result, rows = load(ns, "orders")
    window = activity_window(result.frame, grain=ns.period, override=ns.window)  # before the filters
    page = html_report(rows, title=ns.title or f"{TEXT[ns.lang]['title']}: {ns.path.name}", grain=ns.period,
                       window=window, lang=ns.lang)
    write_page(ns.out, page)
    return {"out": str(ns.out), "bytes": len(page.encode("utf-8")), "rows_read": result.report.rows_read,
            "rows_rejected": result.report.rows_rejected}
