"""The analysis subcommands of ``python -m retention_core`` (SPEC §8); ``main`` holds the frame, ``args`` the shared helpers.

Metrics and cohorts are computed on the file's full history (segment filters applied) and then
limited to the ``--from/--to`` range, so "new customer" keeps meaning "first order ever in the data".
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from retention_core.cli.args import command, date_arg, filter_args, filters_from, load, positive_int
from retention_core.errors import InputError
from retention_core.periods import GRAINS, period_start
from retention_core.retention.cohorts import cohort_matrix, event_retention, matrix_payload
from retention_core.retention.flows import METRIC_COLUMNS, period_metrics
from retention_core.retention.subscriptions import subscription_metrics


def _grain_arg(p: argparse.ArgumentParser, default: str) -> None:
    p.add_argument("--period", choices=GRAINS, default=default, help=f"period grain (default {default})")


def _history(ns: argparse.Namespace) -> argparse.Namespace:
    """The same options without the date range: history is needed to know who is new."""
    return argparse.Namespace(**{**vars(ns), "date_from": None, "date_to": None})


def _in_range(table: pl.DataFrame, column: str, ns: argparse.Namespace) -> pl.DataFrame:
    """Rows whose period overlaps --from/--to (a period counts when any of its days is inside)."""
    f = filters_from(ns)
    out = table
    if f.date_to:
        out = out.filter(pl.col(column) <= f.date_to)
    if f.date_from:
        out = out.filter(pl.col(column) >= pl.lit(f.date_from).pipe(lambda e: period_start(e, ns.period)))
    return out


def _metrics_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--kind", choices=("orders", "subscriptions"), help="detected from the headers when omitted")
    _grain_arg(p, "month")
    p.add_argument("--window", type=positive_int("--window"), default=1, help="activity window in periods")
    filter_args(p)


@command("metrics", "CRR, churn, revenue churn, NRR, ARPU … per period", _metrics_args)
def _metrics(ns: argparse.Namespace) -> dict:
    result, rows = load(_history(ns), ns.kind)
    kind = result.report.kind
    if kind == "subscriptions":
        table = subscription_metrics(rows, grain=ns.period)
    else:
        table = period_metrics(rows, grain=ns.period, window=ns.window)
    table = _in_range(table, "period_start", ns).select(METRIC_COLUMNS)
    return {"kind": kind, "period": ns.period, "rows_read": result.report.rows_read,
            "rows_rejected": result.report.rows_rejected, "periods": table.to_dicts()}


def _cohort_args(p: argparse.ArgumentParser) -> None:
    _grain_arg(p, "month")
    p.add_argument("--value", choices=("customers", "revenue", "ltv"), default="customers")
    p.add_argument("--mode", choices=("on", "unbounded"), default="on")
    filter_args(p)


@command("cohorts", "cohort matrix of customers (share active), revenue or cumulative LTV", _cohort_args)
def _cohorts(ns: argparse.Namespace) -> dict:
    _, rows = load(_history(ns), "orders")
    matrix = cohort_matrix(rows, grain=ns.period, value=ns.value, mode=ns.mode)
    matrix = _in_range(matrix, "cohort", ns)
    return matrix_payload(matrix, period=ns.period, value=ns.value, mode=ns.mode)


def _retention_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--start-event", required=True, help="event that puts a user in a cohort (A)")
    p.add_argument("--return-event", required=True, help="event that counts as coming back (B)")
    _grain_arg(p, "week")
    p.add_argument("--type", choices=("first_time", "recurring"), default="first_time")
    p.add_argument("--from", dest="date_from", type=date_arg, help="first cohort date, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=date_arg, help="last cohort date, YYYY-MM-DD")


@command("retention", "first-time or recurring retention over an event log", _retention_args)
def _retention(ns: argparse.Namespace) -> dict:
    _, events = load(_history(ns), "events")
    matrix = event_retention(events, start_event=ns.start_event, return_event=ns.return_event, grain=ns.period,
                             type=ns.type, date_from=ns.date_from, date_to=ns.date_to)
    return matrix_payload(matrix, period=ns.period, value="users", mode=ns.type)



def _whatif_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--horizon", type=int, default=12, help="months to project, 3–36 (default 12)")
    p.add_argument("--crr-delta", type=float, default=0.05, help="CRR change in points as a fraction (0.05 = +5 pp)")
    p.add_argument("--aov-change", type=float, default=0.0, help="relative AOV change (0.1 = +10 %%)")
    p.add_argument("--frequency-change", type=float, default=0.0, help="relative purchase-frequency change")
    p.add_argument("--new-customers", type=float, default=None, help="new customers per month (default: baseline)")
    p.add_argument("--margin", type=float, default=1.0, help="gross margin, 0–1 (default 1.0)")
    p.add_argument("--retention-cost", type=float, default=0.0, help="programme cost per retained customer per month")
    p.add_argument("--cac", type=float, default=0.0, help="cost of acquiring one customer")
    p.add_argument("--baseline-months", type=positive_int("--baseline-months"), default=6,
                   help="complete months the baseline averages over (default 6)")
    filter_args(p)


@command("whatif", "project customers, revenue and profit for a retention scenario vs the baseline", _whatif_args)
def _whatif(ns: argparse.Namespace) -> dict:
    from retention_core.whatif.model import Scenario, measure_baseline
    from retention_core.whatif.solve import whatif_report

    _, rows = load(ns, "orders")
    table = period_metrics(rows, grain="month")
    baseline = measure_baseline(table, months=ns.baseline_months)
    scenario = Scenario(name="cli", horizon=ns.horizon, crr_delta=ns.crr_delta, aov_change=ns.aov_change,
                        frequency_change=ns.frequency_change, new_customers=ns.new_customers, margin=ns.margin,
                        cac=ns.cac, retention_cost=ns.retention_cost)
    return dict(whatif_report(baseline, scenario))


def _funnel_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--steps", required=True, help="event names in order, comma-separated: visit,cart,purchase")
    p.add_argument("--window", required=True, help="conversion window: 45s, 10m, 2h, 14d, 2w")
    p.add_argument("--order", choices=("ordered", "strict", "any"), default="ordered")
    p.add_argument("--breakdown", help="property or segment column; a user's value at their first step")
    p.add_argument("--from", dest="date_from", type=date_arg, help="first entry date (attempts by their first step)")
    p.add_argument("--to", dest="date_to", type=date_arg, help="last entry date, inclusive")


@command("funnel", "users per step of a funnel over an event log", _funnel_args)
def _funnel(ns: argparse.Namespace) -> dict:
    from retention_core.journeys.funnels import funnel, funnel_json
    from retention_core.journeys.spec import FunnelSpec, as_steps

    names = [s.strip() for s in ns.steps.split(",") if s.strip()]
    spec = FunnelSpec(steps=as_steps(names), window=ns.window, order=ns.order,
                      date_from=ns.date_from, date_to=ns.date_to)
    _, events = load(_history(ns), "events")
    return dict(funnel_json(funnel(events, spec, breakdown=ns.breakdown)))


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, type=Path, help="the HTML file to write")
    p.add_argument("--title", default=None, help="report title (default: the file name)")
    _grain_arg(p, "month")
    filter_args(p)


@command("report", "write a self-contained HTML report (charts included, opens offline)", _report_args)
def _report(ns: argparse.Namespace) -> dict:
    from retention_core.report import html_report

    result, rows = load(ns, "orders")
    page = html_report(rows, title=ns.title or f"Retention report: {ns.path.name}", grain=ns.period)
    try:
        ns.out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{ns.out}: cannot write the report ({exc.strerror})", file=str(ns.out)) from exc
    return {"out": str(ns.out), "bytes": len(page.encode("utf-8")), "rows_read": result.report.rows_read,
            "rows_rejected": result.report.rows_rejected}


def _clv_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--calibration-end", required=True, type=date_arg, help="last day the models learn from")
    p.add_argument("--time-unit", choices=("day", "week", "month"), default="week")
    p.add_argument("--horizon", type=positive_int("--horizon"), default=12, help="CLV horizon in months")
    p.add_argument("--discount", type=float, default=0.01, help="discount rate per month (default 0.01)")
    p.add_argument("--margin", type=float, default=1.0, help="gross margin, 0–1 (default 1.0)")
    filter_args(p)


@command("clv", "fit BG/NBD + Gamma-Gamma and check them on the holdout period", _clv_args)
def _clv(ns: argparse.Namespace) -> dict:
    from retention_core.value.clv.lifetime_value import customer_value
    from retention_core.value.clv.model import clv_json, fit_clv

    _, rows = load(ns, "orders")
    model = fit_clv(rows, calibration_end=ns.calibration_end, time_unit=ns.time_unit)
    out = dict(clv_json(model))
    values = customer_value(model.summary, model.bgnbd, model.gamma_gamma, horizon=ns.horizon,
                            discount_rate=ns.discount, margin=ns.margin)
    # beyond SPEC §8's keys: the CLV the options ask for, totalled (per-customer values are in the app)
    out["value"] = {"horizon_months": ns.horizon, "discount": ns.discount, "margin": ns.margin,
                    "total_clv": values["clv"].sum(), "mean_clv": values["clv"].mean()}
    return out


def _rfm_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--as-of", type=date_arg, help="analysis date (default: the last order date)")
    filter_args(p)


@command("rfm", "RFM segments with their customers and revenue", _rfm_args)
def _rfm(ns: argparse.Namespace) -> dict:
    from retention_core.value.segments import rfm_summary_json

    _, rows = load(ns, "orders")
    return dict(rfm_summary_json(rows, as_of=ns.as_of))
