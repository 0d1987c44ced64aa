"""What-if: the two-pool model's levers → baseline vs scenario, its backtest, the inverse questions,
named scenarios; subscribers projected with the sBG survival (SPEC §6)."""

import streamlit as st

from retention_core.errors import RetentionError
from retention_core.whatif.backtest import backtest
from retention_core.whatif.measure import baseline_at, monthly_pools
from ui import routing, state, widgets
from ui.i18n import t
from ui.whatif_sections import (
    dataset_window,
    honesty,
    levers,
    month,
    results,
    scenarios,
    solver,
    subscribers,
    worth_it,
)

routing.in_frame()


@st.fragment
def whatif(pools, window):
    """Everything that moves with a lever: a slider move reruns only this part."""
    b = baseline_at(pools)
    s, f = levers(b, window)
    bt = backtest(pools, horizon=s.horizon)
    results(b, s, f, bt)
    honesty(bt)
    solver(b, s)
    worth_it(b, s)
    scenarios(b)
    state.write_url()  # a fragment rerun does not reach app.py's write_url


st.title(t("whatif.title"))
has_orders, has_subs = widgets.has_table("orders"), widgets.has_table("subscriptions")
if not has_orders and not has_subs:
    st.info(t("common.no_orders"))
    st.stop()
if has_orders:
    try:
        window = dataset_window()
        pools = widgets.computed_with_periods(monthly_pools, "orders", full_history=True, grain="month",
                                              window=window.periods)
        first = baseline_at(pools)
    except RetentionError as exc:
        widgets.show_error(exc)
        st.stop()
    st.caption(t("whatif.intro", months=first.months_used, last=month(first.last_month)))
    whatif(pools, window)
if has_subs:
    subscribers()
