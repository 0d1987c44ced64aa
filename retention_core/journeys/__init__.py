"""Customer journeys (SPEC §5): funnels (``spec`` defines one, ``attempts`` finds the users' attempts,
``funnels`` counts them), the event ``catalogue``, ``paths`` and the ``purchase_sequence`` of orders.
"""

from retention_core.journeys.catalogue import event_catalogue, event_properties, suggested_steps
from retention_core.journeys.funnels import (
    FunnelResult,
    dropped_users,
    funnel,
    funnel_breakdown,
    funnel_json,
    funnel_steps,
    funnel_summary,
    funnel_trend,
)
from retention_core.journeys.paths import Paths, top_paths
from retention_core.journeys.purchase_sequence import purchase_sequence
from retention_core.journeys.spec import FunnelSpec, FunnelStep, as_steps

__all__ = [
    "FunnelResult", "FunnelSpec", "FunnelStep", "Paths", "as_steps", "dropped_users", "event_catalogue",
    "event_properties", "funnel", "funnel_breakdown", "funnel_json", "funnel_steps", "funnel_summary",
    "funnel_trend", "purchase_sequence", "suggested_steps", "top_paths",
]
