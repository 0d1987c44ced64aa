"""The users behind a funnel step (SPEC §7.1 drill-down): who reached it, ready to download."""

from __future__ import annotations

import polars as pl

from retention_core.errors import ParameterError
from retention_core.journeys.funnels import FunnelResult


def step_users(result: FunnelResult, step: int) -> pl.DataFrame:
    """Users who reached funnel step ``step`` (1-based): all who entered for step 1, else those with a
    ``step_<step>_at``. The count equals the step's ``users`` in ``result.steps``.

    Returns
    -------
    pl.DataFrame
        ``user_id``, ``entered_at``, ``reached_at`` (Datetime: when they reached the step), ``furthest_step``,
        in the order of ``result.users`` (by entry time).

    Raises
    ------
    ParameterError
        ``step`` is not between 1 and the number of steps.

    Examples
    --------
    >>> from retention_core.journeys.funnels import funnel
    >>> from retention_core.journeys.spec import FunnelSpec, as_steps
    >>> ev = pl.DataFrame({"user_id": ["u1", "u2", "u1"], "event": ["view", "view", "buy"],
    ...     "occurred_at": [datetime(2024, 1, 1), datetime(2024, 1, 2), datetime(2024, 1, 3)]})
    >>> result = funnel(ev, FunnelSpec(as_steps(["view", "buy"]), window="7d"))
    >>> step_users(result, 1)["user_id"].to_list(), step_users(result, 2)["user_id"].to_list()
    (['u1', 'u2'], ['u1'])
    """
    k = len(result.spec.steps)
    if isinstance(step, bool) or not isinstance(step, int) or not 1 <= step <= k:
        raise ParameterError("step", step, f"a step number from 1 to {k}")
    reached = pl.col("entered_at") if step == 1 else pl.col(f"step_{step}_at")
    return result.users.filter(reached.is_not_null()).select(
        "user_id", "entered_at", reached.alias("reached_at"), "furthest_step"
    )
