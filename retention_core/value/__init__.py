"""Customer value (SPEC §4.4–4.5): historical and formula LTV, predictive CLV (``clv/``), RFM segments
and the lists to act on; ``overview`` is the Customer value page's one call.
"""

from retention_core.value.ltv import (
    FormulaLtv,
    customer_revenue,
    formula_ltv,
    formula_ltv_from_periods,
    historical_ltv,
    key_customers,
    ltv_quantiles,
    pareto_curve,
    top_share,
)
from retention_core.value.overview import Fit, ValueOverview, fit_value_model, value_overview
from retention_core.value.segments import (
    CustomerTable,
    at_risk_customers,
    crm_export,
    customer_table,
    lapsed_high_value,
    reactivated_customers,
    rfm_segment_summary,
    rfm_summary_json,
    rfm_table,
)

__all__ = [
    "CustomerTable", "Fit", "FormulaLtv", "ValueOverview", "at_risk_customers", "crm_export", "customer_revenue",
    "customer_table", "fit_value_model", "formula_ltv",
    "formula_ltv_from_periods", "historical_ltv", "key_customers", "lapsed_high_value", "ltv_quantiles",
    "pareto_curve", "reactivated_customers", "rfm_segment_summary", "rfm_summary_json", "rfm_table",
    "top_share", "value_overview",
]
