"""Registry of every metric the product shows (STYLE: definitions.py).

One frozen :class:`Metric` per output column of the period table (SPEC §4.1–4.2, §8 ``metrics``).
UI tiles, the CLI, the HTML report and docs read it; ``tests/core/test_definitions.py`` checks that
every metric column computed by the core is registered here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Unit = Literal["customers", "ratio", "money", "orders", "count", "flag"]


@dataclass(frozen=True)
class Metric:
    """A metric's key (output column), formula in SPEC symbols, SPEC section, unit, direction."""

    key: str
    formula: str
    spec: str
    unit: Unit
    higher_is_better: bool | None


_M = Metric
METRICS: tuple[Metric, ...] = (
    _M("customers_start", "S = active(p−1)", "§4.1", "customers", None),
    _M("new_customers", "N = customers whose first order falls in p", "§4.1", "customers", True),
    _M("customers_end", "E = active(p)", "§4.1", "customers", True),
    _M("returning_customers", "E − N = retained + reactivated", "§4.1", "customers", True),
    _M("retained", "|S ∩ E|", "§4.1", "customers", True),
    _M("reactivated", "|E \\ S \\ N|", "§4.1", "customers", True),
    _M("churned", "|S \\ E|", "§4.1", "customers", False),
    _M("churned_new", "of N, those who also leave within p (subscriptions)", "§4.2", "customers", False),
    _M("crr", "(E − N) / S", "§4.1", "ratio", True),
    _M("retention_rate", "retained / S", "§4.1", "ratio", True),
    _M("churn_rate", "churned / S", "§4.1", "ratio", False),
    _M("reactivation_share", "reactivated / S (CRR = retention_rate + reactivation_share)", "§4.1", "ratio", True),
    _M("lapsed", "customers who bought before p and are not in active(p)", "§4.1", "customers", False),
    _M("reactivation_rate", "reactivated(p) / lapsed(p−1)", "§4.1", "ratio", True),
    _M("total_churn_rate", "(churned + churned_new) / S", "§4.2", "ratio", False),
    _M("revenue", "Σ amount in p (refunds net)", "§4.1", "money", True),
    _M("orders", "number of orders in p (refund rows excluded)", "§4.1", "orders", True),
    _M("aov", "revenue / orders", "§4.1", "money", True),
    _M("arpu", "revenue / |active(p)|", "§4.1", "money", True),
    _M("purchase_frequency", "orders / |active(p)|", "§4.1", "ratio", True),
    _M("repeat_revenue_share", "revenue from non-new customers / revenue", "§4.1", "ratio", True),
    _M("aov_new", "AOV of orders from customers new in p", "§4.1", "money", True),
    _M("aov_repeat", "AOV of orders from returning customers", "§4.1", "money", True),
    _M("revenue_churn_rate", "revenue(p−1) of churned / revenue(p−1) of S", "§4.1", "ratio", False),
    _M("nrr", "revenue(p) from S / revenue(p−1) from S", "§4.1", "ratio", True),
    _M("mrr_start", "MRR of subscriptions active at the start of p", "§4.2", "money", None),
    _M("new_mrr", "MRR of subscriptions started in p", "§4.2", "money", True),
    _M("churned_mrr", "MRR of S whose subscription ended in p", "§4.2", "money", False),
    _M("mrr_churn_rate", "churned_mrr / mrr_start", "§4.2", "ratio", False),
    _M("incomplete", "the data ends inside p", "§8", "flag", None),
)

METRIC_BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS}
