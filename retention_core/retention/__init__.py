"""Retention (SPEC §4.1–4.3, §7): customer flows per period, KPIs, cohorts, subscriptions, seasonality,
NPS and the weekly review. Orders/subscriptions frames in, period tables out.

The way in is this package (``from retention_core.retention import period_metrics``); the modules
stay importable for their internal helpers.
"""

from retention_core.retention.activity import ActivityWindow, activity_window
from retention_core.retention.cohorts import (
    age_k_trend,
    cohort_matrix,
    event_retention,
    matrix_payload,
    retention_curve,
)
from retention_core.retention.flows import (
    METRIC_COLUMNS,
    CustomerPeriods,
    compact,
    customer_periods,
    period_metrics,
)
from retention_core.retention.kpis import Kpi, kpis
from retention_core.retention.nps import nps_by_period, nps_retention
from retention_core.retention.review import changes_table, segment_movers, what_changed
from retention_core.retention.seasonality import seasonality
from retention_core.retention.subscriptions import subscription_metrics

__all__ = [
    "METRIC_COLUMNS", "ActivityWindow", "activity_window", "CustomerPeriods", "Kpi", "age_k_trend", "changes_table", "cohort_matrix", "compact",
    "customer_periods", "event_retention", "kpis", "matrix_payload", "nps_by_period", "nps_retention",
    "period_metrics", "retention_curve", "seasonality", "segment_movers", "subscription_metrics", "what_changed",
]
