"""What-if page sections (pages/whatif.py): results, the inverse question, is it worth it, named scenarios.

Each draws what the core's what-if functions return for the baseline ``b`` and the scenario ``s``.
"""

import streamlit as st

from retention_core.charts.whatif import projection_chart, scenarios_chart, sensitivity_chart
from retention_core.whatif.model import project
from retention_core.whatif.solve import (
    acquisition_equivalent,
    break_even_retention_cost,
    compare_scenarios,
    crr_range_projection,
    customers_to_keep,
    outcome_at,
    sensitivity,
    solve_target_crr,
)
from ui import i18n, state, widgets
from ui.i18n import money, num, pct, points, t

KEEP = {"persist_state": "session"}  # lever values survive a visit to another page
R = state.WHATIF_RANGES


def money2(x: float | None) -> str:
    return money(x, 2)


def results(b, s, f):
    """Difference tiles, the honest limits, baseline vs scenario with the CRR band, the tornado."""
    p, row = project(b, s), compare_scenarios(b, [s]).row(0, named=True)
    st.subheader(t("whatif.results", months=s.horizon))
    c = st.columns(4)
    for col, key, fmt in zip(c, ("cumulative_revenue", "cumulative_gross_profit", "active_customers_end"),
                             (money, money, num), strict=False):
        x = row[f"{key}_difference"]
        widgets.tile(col, t(f"whatif.diff_{key}"), i18n.plus(fmt(x), x),
                     help=t("whatif.diff_help", base=fmt(row[f"baseline_{key}"]), scen=fmt(row[f"scenario_{key}"])))
    widgets.tile(c[3], t("whatif.roi"), pct(row["roi"]), help=t("whatif.roi_help", cost=money(row["programme_cost"])))
    st.info(t("whatif.limits", **f), icon=":material/info:")
    names = {"baseline_name": t("whatif.baseline"), "scenario_name": t("whatif.scenario"),
             "band": crr_range_projection(b, s), "band_name": t("whatif.band")}
    tabs = st.tabs([t(f"whatif.chart_{m}") for m in ("customers", "revenue", "profit")])
    charts = zip(tabs, ("customers", "revenue", "profit"), ("active_customers", "revenue", "cumulative_gross_profit"),
                 strict=True)
    for tab, chart, measure in charts:
        widgets.chart(projection_chart(p, measure=measure, y_title=t(f"whatif.y_{measure}"), **names),
                      f"wi_chart_{measure}", where=tab, title=t(f"whatif.chart_{chart}"), date_axis=True)
    widgets.download(p, "whatif-projection.csv", label=t("whatif.download_projection"), key="wi_dl_projection")
    widgets.chart(sensitivity_chart(
        sensitivity(b, s), lever_names={k: t(f"whatif.nudge_{k}") for k in ("crr", "aov", "frequency")},
        lower_name=t("whatif.lower"), higher_name=t("whatif.higher"), title=t("whatif.tornado"),
        x_title=t("whatif.tornado_x", months=s.horizon)), "wi_tornado", title=t("whatif.tornado"))


def solver(b, s):
    """Which CRR reaches a target, and how many more customers to keep for it."""
    st.subheader(t("whatif.solver"))
    c = st.columns(4)
    metric = c[0].selectbox(t("whatif.target_metric"), ["revenue", "gross_profit"], key=state.WI_TARGET_METRIC,
                            format_func=lambda m: t(f"whatif.metric_{m}"), **KEEP)
    basis = c[1].selectbox(t("whatif.target_basis"), ["month", "cumulative"], key=state.WI_TARGET_BASIS,
                           format_func=lambda m: t(f"whatif.basis_{m}"), **KEEP)
    by = c[2].number_input(t("whatif.target_month"), *R[state.WI_TARGET_MONTH], step=1, key=state.WI_TARGET_MONTH,
                           **KEEP)
    target = c[3].number_input(t("whatif.target"), *R[state.WI_TARGET], step=1000.0, format="%.0f",
                               key=state.WI_TARGET, placeholder=t("whatif.target_placeholder"), **KEEP)
    what = t(f"whatif.what_{metric}_{basis}", month=by)
    now = money(outcome_at(b, s, metric=metric, by_month=by, basis=basis))
    if target is None:
        st.caption(t("whatif.target_hint", what=what, now=now))
        return
    sol = solve_target_crr(b, s, target=target, metric=metric, by_month=by, basis=basis)
    if sol.reachable:
        st.success(t("whatif.solved", what=what, target=money(target), crr=pct(sol.crr), delta=points(sol.crr_delta),
                     base=pct(b.crr), now=now, kept=num(customers_to_keep(b, sol.crr))), icon=":material/flag:")
        st.button(t("whatif.apply"), key=state.WI_APPLY, on_click=state.set_crr_delta, args=(sol.crr_delta,),
                  disabled=not state.crr_lever_reaches(sol.crr_delta))
    else:
        st.warning(t(f"whatif.unreachable_{sol.reason}", what=what, target=money(target),
                     full=money(sol.value_at_full_retention)), icon=":material/block:")
    st.caption(t("whatif.at_risk_hook"))


def worth_it(b, s):
    """Break-even programme cost and the acquisition that would match the scenario, with a verdict."""
    st.subheader(t("whatif.worth_it"))
    acq, even = acquisition_equivalent(b, s), break_even_retention_cost(b, s)
    c = st.columns(4)
    widgets.tile(c[0], t("whatif.break_even"), money2(even), help=t("whatif.break_even_help"))
    widgets.tile(c[1], t("whatif.acq_customers"), num(acq.new_customers_total), help=t(
        "whatif.acq_customers_help", per_month=num(acq.new_customers_per_month, 1), gap=num(acq.gap)))
    widgets.tile(c[2], t("whatif.acq_cost"), money(acq.acquisition_cost), help=t("whatif.acq_cost_help"))
    widgets.tile(c[3], t("whatif.programme_cost"), money(acq.programme_cost), help=t("whatif.programme_cost_help"))
    if s.retention_cost:
        pays = even is not None and s.retention_cost <= even
        st.markdown(t(f"whatif.pays_{'yes' if pays else 'no'}", cost=money2(s.retention_cost), even=money2(even)))
    verdict = "inputs" if not (s.cac and s.retention_cost) else "no_gain" if acq.gap <= 0 else acq.cheaper
    st.markdown(t(f"whatif.verdict_{verdict}", gap=num(acq.gap), months=s.horizon, bought=num(acq.new_customers_total),
                  cac=money(s.cac), acq=money(acq.acquisition_cost), prog=money(acq.programme_cost)))


def _save():
    name = (state.get(state.WI_NAME) or "").strip()
    state.save_scenario(state.whatif_scenario(name or t("whatif.default_name", n=len(state.saved_scenarios()) + 1)))


COLUMNS = {"horizon": num, "crr_delta": points, "aov_change": pct, "frequency_change": pct,
           "new_customers": lambda x: t("whatif.as_baseline") if x is None else num(x), "margin": pct,
           "retention_cost": money2, "cac": money, "active_customers_end_difference": num,
           "cumulative_revenue_difference": money, "cumulative_gross_profit_difference": money,
           "programme_cost": money, "roi": pct}


def scenarios(b):
    """Save the levers under a name; saved scenarios side by side, as CSV and as a chart."""
    st.subheader(t("whatif.scenarios"))
    c = st.columns([3, 2, 3, 1, 1], vertical_alignment="bottom")
    c[0].text_input(t("whatif.name"), max_chars=80, key=state.WI_NAME, placeholder=t("whatif.name_placeholder"), **KEEP)
    c[1].button(t("whatif.save"), key=state.WI_SAVE, on_click=_save, icon=":material/bookmark_add:", type="primary")
    saved = {x.name: x for x in state.saved_scenarios()}
    if not saved:
        st.caption(t("whatif.no_scenarios"))
        return
    state.ensure_choice(state.WI_PICK, list(saved))
    pick = c[2].selectbox(t("whatif.saved"), list(saved), key=state.WI_PICK)
    c[3].button(t("whatif.load"), key=state.WI_LOAD, on_click=state.set_levers, args=(saved[pick],))
    c[4].button(t("whatif.delete"), key=state.WI_DELETE, on_click=state.delete_scenario, args=(pick,))
    table = compare_scenarios(b, list(saved.values()))
    st.dataframe({t("whatif.col_name"): table["name"].to_list()}
                 | {t(f"whatif.col_{k}"): [fmt(x) for x in table[k].to_list()] for k, fmt in COLUMNS.items()},
                 hide_index=True)
    widgets.download(table, "whatif-scenarios.csv", key="wi_dl_scenarios")
    widgets.chart(scenarios_chart(table, measure="cumulative_revenue", baseline_name=t("whatif.baseline"),
                                  scenario_name=t("whatif.scenario"), y_title=t("whatif.y_cumulative_revenue")),
                  "wi_scenarios_chart", title=t("whatif.y_cumulative_revenue"))
