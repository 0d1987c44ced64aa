"""What-if: levers → baseline vs scenario, the inverse questions, named scenarios (SPEC §6)."""

import streamlit as st

from retention_core.errors import RetentionError
from retention_core.retention.flows import period_metrics
from retention_core.whatif.model import measure_baseline, project
from retention_core.whatif.solve import break_even_retention_cost, lever_values
from ui import i18n, routing, state, widgets
from ui.i18n import num, pct, t
from ui.whatif_sections import KEEP, R, money2, results, scenarios, solver, worth_it

routing.in_frame()
FORMATS = {"crr": pct, "keep_rate": pct, "customers_kept_extra": num, "new_customers": num, "aov": money2,
           "purchase_frequency": lambda x: num(x, 2), "revenue_per_customer": money2, "margin": lambda x: pct(x, 0),
           "retention_cost": money2, "cac": money2}


def month(d) -> str:
    return d.strftime("%m.%Y" if state.lang() == "ru" else "%Y-%m")


def shown(b, s) -> dict[str, str]:
    """Every model input, formatted: ``<lever>_b`` (baseline) and ``<lever>_s`` (scenario), and the band."""
    values = lever_values(b, s).rows(named=True)
    out = {f"{r['lever']}_{w}": FORMATS[r["lever"]](r[side]) for r in values for w, side in
           (("b", "baseline"), ("s", "scenario"))}
    return out | {"months": b.months_used, "band": b.band_months, "low": pct(b.crr_low), "high": pct(b.crr_high),
                  "last": month(b.last_month), "active_customers": num(b.active_customers),
                  "even": money2(break_even_retention_cost(b, s)), "first": i18n.day(project(b, s)["period_start"][0])}


def levers(b):
    """The levers, each with the baseline beside it, and the formulas; returns the current scenario."""
    state.prepare_whatif()
    s = state.whatif_scenario(t("whatif.current"))
    f = shown(b, s)
    c = st.columns(4)
    c[0].slider(t("whatif.crr"), *R[state.WI_CRR], step=0.5, format=t("whatif.pp_format"), key=state.WI_CRR, **KEEP)
    c[0].caption(t("whatif.crr_base", **f))
    c[1].slider(t("whatif.aov"), *R[state.WI_AOV], step=1.0, format="%+.0f%%", key=state.WI_AOV, **KEEP)
    c[1].caption(t("whatif.aov_base", **f))
    c[2].slider(t("whatif.freq"), *R[state.WI_FREQ], step=1.0, format="%+.0f%%", key=state.WI_FREQ, **KEEP)
    c[2].caption(t("whatif.freq_base", **f))
    c[3].slider(t("whatif.horizon"), *R[state.WI_HORIZON], key=state.WI_HORIZON, **KEEP)
    c[3].caption(t("whatif.horizon_base", **f))
    c[0].number_input(t("whatif.new"), *R[state.WI_NEW], step=10.0, format="%.0f", key=state.WI_NEW,
                      placeholder=t("whatif.new_placeholder", **f), **KEEP)
    c[0].caption(t("whatif.new_base", **f))
    c[1].slider(t("whatif.margin"), *R[state.WI_MARGIN], step=1.0, format="%.0f%%", key=state.WI_MARGIN, **KEEP)
    c[1].caption(t("whatif.margin_base"))
    # printf formats (Streamlit's number inputs know no decimal comma): whole units, no "0.00" in either language
    c[2].number_input(t("whatif.cac"), *R[state.WI_CAC], step=5.0, format="%.0f", key=state.WI_CAC, **KEEP)
    c[2].caption(t("whatif.cac_base"))
    c[3].number_input(t("whatif.cost"), *R[state.WI_COST], step=0.5, format="%g", key=state.WI_COST, **KEEP)
    c[3].caption(t("whatif.cost_base", **f))
    with st.expander(t("whatif.how"), icon=":material/functions:"):
        st.markdown(t("whatif.formulas", **f))
    return s, f


@st.fragment
def whatif(b):
    """Everything that moves with a lever: a slider move reruns only this part."""
    s, f = levers(b)
    results(b, s, f)
    solver(b, s)
    worth_it(b, s)
    scenarios(b)
    state.write_url()  # a fragment rerun does not reach app.py's write_url


st.title(t("whatif.title"))
try:
    table = widgets.computed_with_periods(period_metrics, "orders", full_history=True, grain="month")
    if table is None:
        st.info(t("common.no_orders"))
        st.stop()
    baseline = measure_baseline(table)
except RetentionError as exc:
    widgets.show_error(exc)
    st.stop()
st.caption(t("whatif.intro", months=baseline.months_used, last=month(baseline.last_month)))
whatif(baseline)
