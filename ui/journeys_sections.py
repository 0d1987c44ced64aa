"""Journeys page sections (pages/journeys.py): funnel breakdown, paths, the purchase sequence."""

import streamlit as st

from retention_core.charts.journeys import funnel_breakdown_chart, paths_sankey, purchase_sequence_chart
from retention_core.journeys.paths import top_paths
from retention_core.journeys.purchase_sequence import purchase_sequence
from ui import funnel_builder as fb
from ui import i18n, widgets
from ui.i18n import t


def breakdown_section(table, column: str, spec, labels: list[str]) -> None:
    fig = funnel_breakdown_chart(table, step_labels=labels, null_label=t("journeys.no_value"), y_label=t("journeys.trend_y"),
                                 title=t("journeys.breakdown_chart", column=column))
    fb.show_chart(fig, "breakdown_chart")
    st.caption(fb.caption(spec))
    with st.expander(t("journeys.breakdown_table", column=column)):
        st.dataframe(fb.steps_view(table, labels, group="value"), hide_index=True)
        widgets.download(table, "funnel_breakdown.csv", label=t("journeys.download_breakdown"), key="breakdown_csv")


def paths_section(events: list[str], start: str) -> None:
    event, depth, top = fb.paths_controls(events, start)
    paths = widgets.computed(top_paths, "events", start_event=event, depth=depth, top=top)
    if paths.sequences.height == 0:
        st.info(t("journeys.no_paths", event=event))
        return
    fb.show_chart(paths_sankey(paths.links, other_label=t("journeys.other"), title=t("journeys.sankey", event=event)),
                  "paths_sankey", height=560)
    st.caption(t("journeys.paths_caption", event=event))
    st.markdown(f"**{t('journeys.paths_table')}**")
    st.dataframe(fb.paths_view(paths.sequences), hide_index=True)
    widgets.download(paths.sequences.drop("events"), "paths.csv", label=t("journeys.download_paths"), key="paths_csv")


def sequence_section() -> None:
    by, grain = fb.sequence_picker(widgets.segment_columns("orders"))
    overall = widgets.computed(purchase_sequence, "orders", full_history=True, max_order=4)
    table = overall if by is None else widgets.computed(purchase_sequence, "orders", full_history=True, max_order=4,
                                                        by=by, grain=grain)
    first, second = overall.row(0, named=True), overall.row(1, named=True)
    c = st.columns(3)
    widgets.tile(c[0], t("journeys.col.customers"), i18n.num(first["customers"]))
    widgets.tile(c[1], t("journeys.repeat"), i18n.pct(second["conversion_from_start"]), help=t("journeys.repeat_help"))
    widgets.tile(c[2], t("journeys.days_to_second"), i18n.num(second["median_days_from_previous"], 1))
    fig = purchase_sequence_chart(table, order_labels=fb.order_labels(), by=by, y_label=t("journeys.sequence_y"),
                                  title=t("journeys.sequence_chart"))
    fb.show_chart(fig, "sequence_chart")
    st.caption(t("journeys.sequence_caption"))
    st.dataframe(fb.sequence_view(table, group=by), hide_index=True)
    widgets.download(table, "purchase_sequence.csv", label=t("journeys.download_sequence"), key="sequence_csv")
