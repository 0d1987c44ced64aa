"""The Journeys page's controls and display helpers (SPEC §5, §7).

:func:`builder` draws the funnel builder — steps, window, order, breakdown and an "Advanced"
expander (exclusions, optional steps, per-step windows and property filters) — every control bound
to a URL key of ``ui/state.py``, and returns the :class:`FunnelSpec` it describes. The other
functions format core tables for display (translated headers, numbers per language).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from retention_core.errors import RetentionError
from retention_core.journeys.spec import (
    EXCLUSION_RULES,
    FUNNEL_ORDERS,
    MAX_STEPS,
    Exclusion,
    FunnelSpec,
    FunnelStep,
)
from retention_core.periods import parse_duration
from retention_core.properties import PropertyFilter, parse_filters
from retention_core.retention.cohorts import ANY_EVENT, WEEK_STARTS
from ui import i18n, state, widgets
from ui.i18n import t
from ui.text import plain

WINDOW_UNITS = ("minutes", "hours", "days", "weeks")
STEP_WINDOWS = ("", "5m", "15m", "30m", "1h", "6h", "1d", "3d", "7d")
DEFAULT_WINDOW = 7
DEFAULT_UNIT = "days"


@dataclass(frozen=True)
class Built:
    """What the builder describes: the funnel (None when it cannot be built yet), the breakdown column
    and how values are attributed, the breakdown limit, whether to count all users, histogram bins."""

    spec: FunnelSpec | None
    breakdown: str | None
    attribution: str = "step:1"
    limit: int = 10
    all_users: bool = False
    bins: int | None = None


def tabs(ids: list[str]) -> list:
    """The page's tabs, lazily run (``.open``); the open one is kept in the URL by id, not by its label
    (labels change with the language)."""
    labels = [t(f"journeys.tab_{i}") for i in ids]
    state.ensure_choice(state.JOURNEYS_TAB, ids, fallback=ids[0])
    current = labels[ids.index(state.get(state.JOURNEYS_TAB))]
    if state.get(state.JOURNEYS_TAB_WIDGET) not in labels:  # first run, or the language changed
        state.put(state.JOURNEYS_TAB_WIDGET, current)

    def opened() -> None:
        chosen = state.get(state.JOURNEYS_TAB_WIDGET)
        if chosen in labels:
            state.put(state.JOURNEYS_TAB, ids[labels.index(chosen)])

    return st.tabs(labels, key=state.JOURNEYS_TAB_WIDGET, on_change=opened)


def label(column: str) -> str:
    """A property column as users read it (``device_type`` → ``Device type``)."""
    return column.replace("_", " ").capitalize()


def builder(events: list[str], suggested: tuple[str, ...], properties: dict[str, list[str]]) -> Built:
    """Draw the funnel builder; ``events`` by frequency, ``suggested`` the default steps."""
    chosen = state.get(state.STEPS)
    if chosen is None or (chosen and not set(chosen) & set(events)):  # first visit, or another dataset's steps
        state.put(state.STEPS, list(suggested))
    state.keep_valid(state.STEPS, events)
    st.multiselect(t("journeys.steps"), events, key=state.STEPS, max_selections=MAX_STEPS, select_all=False,
                   help=t("journeys.steps_help"), placeholder=t("journeys.steps_placeholder"))
    c = st.columns([1, 1, 2, 1.4])
    state.default(state.FUNNEL_WINDOW, DEFAULT_WINDOW)
    c[0].number_input(t("journeys.window"), min_value=1, max_value=10_000, step=1, key=state.FUNNEL_WINDOW,
                      help=t("journeys.window_help"))
    state.ensure_choice(state.FUNNEL_WINDOW_UNIT, list(WINDOW_UNITS), fallback=DEFAULT_UNIT)
    c[1].selectbox(t("journeys.unit"), WINDOW_UNITS, key=state.FUNNEL_WINDOW_UNIT, format_func=lambda u: t(f"journeys.unit.{u}"))
    state.ensure_choice(state.ORDER, list(FUNNEL_ORDERS), fallback="ordered")
    c[2].segmented_control(t("journeys.order"), FUNNEL_ORDERS, required=True, key=state.ORDER,
                           format_func=lambda o: t(f"journeys.order.{o}"), help=t("journeys.order_help"))
    state.ensure_choice(state.BREAKDOWN, ["", *properties], fallback="")
    c[3].selectbox(t("journeys.breakdown"), ["", *properties], key=state.BREAKDOWN, help=t("journeys.breakdown_help"),
                   format_func=lambda p: label(p) if p else t("journeys.none"))
    steps: list[str] = state.get(state.STEPS) or []
    order = state.get(state.ORDER)
    breakdown = state.get(state.BREAKDOWN) or None
    attribution, limit = _breakdown_options(len(steps)) if breakdown else ("step:1", 10)
    with st.expander(t("journeys.advanced")):
        try:
            funnel_steps, exclusions, where = _advanced(events, steps, properties, ordered=order == "ordered")
        except RetentionError as exc:
            widgets.show_error(exc)
            return Built(None, None)
    if len(steps) < 2:
        st.info(t("journeys.need_two"), icon=":material/info:")
        return Built(None, None)
    date_from, date_to = widgets.date_range()
    try:
        spec = FunnelSpec(funnel_steps, window=timedelta(**{state.get(state.FUNNEL_WINDOW_UNIT): int(state.get(state.FUNNEL_WINDOW))}),
                          order=order, exclusions=exclusions, date_from=date_from, date_to=date_to, where=where,
                          exclusion_rule=state.get(state.EXCLUSION_RULE) or "between")
    except RetentionError as exc:
        widgets.show_error(exc)
        return Built(None, None)
    bins = int(state.get(state.TTC_BINS) or 0)
    return Built(spec, breakdown, attribution, limit, bool(state.get(state.ALL_USERS)), bins or None)


def attribution_options(k: int) -> list[str]:
    """``step:1`` … ``step:k``, first touch, last touch, all events."""
    return [*(f"step:{j}" for j in range(1, k + 1)), "first_touch", "last_touch", "all_events"]


def attribution_label(option: str) -> str:
    if option.startswith("step:"):
        return t("journeys.attr.step", n=option[5:])
    return t(f"journeys.attr.{option}")


def _breakdown_options(k: int) -> tuple[str, int]:
    """Attribution and limit of a breakdown (drawn only when a breakdown is chosen)."""
    c = st.columns([2, 1, 1.4])
    options = attribution_options(max(k, 1))
    state.ensure_choice(state.ATTRIBUTION, options, fallback="step:1")
    attribution = c[0].selectbox(t("journeys.attribution"), options, key=state.ATTRIBUTION,
                                 format_func=attribution_label, help=t("journeys.attribution_help"))
    state.ensure_int(state.BREAKDOWN_LIMIT, 1, 100, 10)
    limit = c[1].number_input(t("journeys.breakdown_limit"), min_value=1, max_value=100, step=1,
                              key=state.BREAKDOWN_LIMIT, help=t("journeys.breakdown_limit_help"))
    return attribution, int(limit)


def _advanced(events: list[str], steps: list[str], properties: dict[str, list[str]], *,
              ordered: bool) -> tuple[tuple[FunnelStep, ...], tuple[Exclusion, ...], tuple[PropertyFilter, ...]]:
    """Exclusions (and the steps each applies between), the exclusion rule, global filters, optional
    steps, each step's window and filters; the funnel's display options. Returns the steps, exclusions
    and global filters (a filter text that does not parse raises :class:`ParameterError`)."""
    c1, c2 = st.columns(2)
    others = [e for e in events if e not in steps]
    state.keep_valid(state.EXCLUDE, others)
    chosen = c1.multiselect(t("journeys.exclude"), others, key=state.EXCLUDE, help=t("journeys.exclude_help"),
                            placeholder=t("journeys.steps_placeholder"))
    state.keep_valid(state.OPTIONAL, steps[1:])
    optional = c2.multiselect(t("journeys.optional"), steps[1:], key=state.OPTIONAL, disabled=not ordered,
                              help=t("journeys.optional_help"), placeholder=t("journeys.steps_placeholder"))
    if not ordered:
        st.caption(t("journeys.ordered_only"))
    k = len(steps)
    spans = ["", *(f"{a}-{b}" for a in range(1, k) for b in range(a + 1, k + 1) if (a, b) != (1, k))]
    exclusions = []
    for event in chosen:  # the steps each exclusion applies between (ordered and strict funnels)
        key = state.EXCLUDE_SPAN_PREFIX + event
        state.ensure_choice(key, spans, fallback="")
        span = c1.selectbox(t("journeys.exclude_span", event=plain(event)), spans, key=key, disabled=state.get(state.ORDER) == "any",
                            format_func=lambda s: t("journeys.exclude_span_all") if not s else
                            t("journeys.exclude_span_steps", a=s.split("-")[0], b=s.split("-")[1]))
        exclusions.append(Exclusion.parse(f"{event}:{span}") if span and state.get(state.ORDER) != "any" else Exclusion(event))
    state.ensure_choice(state.EXCLUSION_RULE, list(EXCLUSION_RULES), fallback="between")
    c2.selectbox(t("journeys.exclusion_rule"), EXCLUSION_RULES, key=state.EXCLUSION_RULE,
                 format_func=lambda r: t(f"journeys.exclusion_rule.{r}"), help=t("journeys.exclusion_rule_help"))
    state.default(state.FUNNEL_WHERE, "")
    where_text = st.text_input(t("journeys.global_where"), key=state.FUNNEL_WHERE, help=t("journeys.filter_help"),
                               placeholder="device=mobile&amount>=10")
    pairs = ["", *(f"{c}={v}" for c, values in properties.items() for v in values)]
    out = []
    for i, event in enumerate(steps):  # one row of controls per chosen step
        left, mid, right = st.columns(3)
        window = None
        if i > 0:
            key = state.STEP_WINDOW_PREFIX + event
            state.ensure_choice(key, list(STEP_WINDOWS), fallback="")
            window = left.selectbox(t("journeys.step_window", event=plain(event)), STEP_WINDOWS, key=key, disabled=not ordered,
                                    format_func=lambda w: duration(_seconds(w)) if w else t("journeys.step_window_any"))
        key = state.STEP_WHERE_PREFIX + event
        state.ensure_choice(key, pairs, fallback="")
        where = mid.selectbox(t("journeys.step_where", event=plain(event)), pairs, key=key,
                              format_func=lambda p: "{} = {}".format(label(p.split("=", 1)[0]), p.split("=", 1)[1])
                              if p else t("journeys.step_where_any"))
        key = state.STEP_COND_PREFIX + event
        state.default(key, "")
        cond = right.text_input(t("journeys.step_condition", event=plain(event)), key=key, help=t("journeys.filter_help"),
                                placeholder="amount>100")
        filters = (*((tuple(where.split("=", 1)),) if where else ()), *parse_filters(cond or ""))
        out.append(FunnelStep(event, where=filters, optional=ordered and event in optional,
                              window=(window or None) if ordered else None))
    c1, c2 = st.columns(2)
    state.default(state.ALL_USERS, False)
    c1.toggle(t("journeys.all_users"), key=state.ALL_USERS, help=t("journeys.all_users_help"))
    state.ensure_int(state.TTC_BINS, 0, 60, 0)
    c2.number_input(t("journeys.bins"), min_value=0, max_value=60, step=1, key=state.TTC_BINS, help=t("journeys.bins_help"))
    return tuple(out), tuple(exclusions), parse_filters(where_text or "")


def _seconds(text: str) -> float:
    return parse_duration(text).total_seconds()


def duration(seconds: float | None) -> str:
    """A duration for people: ``45 s``, ``12 min``, ``3.5 h``, ``2.1 d`` (per language)."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return t("journeys.dur.s", n=i18n.num(seconds))
    if seconds < 3600:
        return t("journeys.dur.min", n=i18n.num(seconds / 60, 0 if seconds >= 600 else 1))
    if seconds < 86400:
        return t("journeys.dur.h", n=i18n.num(seconds / 3600, 0 if seconds % 3600 == 0 else 1))
    return t("journeys.dur.d", n=i18n.num(seconds / 86400, 0 if seconds % 86400 == 0 else 1))


def time_unit(longest: float | None) -> str:
    """The histogram unit that suits the longest time to convert."""
    if longest is None or longest <= 2 * 3600:
        return "minutes"
    return "hours" if longest <= 2 * 86400 else "days"


def caption(spec: FunnelSpec) -> str:
    """Window, order mode and date-range semantics of a funnel, for every chart's caption."""
    start, end = i18n.day(spec.date_from) if spec.date_from else None, i18n.day(spec.date_to) if spec.date_to else None
    if start and end:
        dates = t("journeys.dates_range", start=start, end=end)
    elif start or end:
        dates = t("journeys.dates_from", start=start) if start else t("journeys.dates_to", end=end)
    else:
        dates = t("journeys.dates_all")
    return t("journeys.caption", window=duration(spec.window_seconds), mode=t(f"journeys.order_caption.{spec.order}"),
             dates=dates)


def trend_grain() -> str:
    """The sidebar grain when it is week or month; day → week, longer grains → month."""
    grain = state.grain()
    return grain if grain in ("week", "month") else ("week" if grain == "day" else "month")


def step_labels(spec: FunnelSpec) -> list[str]:
    """Row labels of a funnel: ``2. cart``, ``3. purchase [amount>100]`` (a step's filters tell apart two
    steps on one event); with order ``any``, ``2 of 3 steps`` (row j counts users who did at least j of
    the steps, whichever they were)."""
    k = len(spec.steps)
    if spec.order == "any":
        return [t("journeys.any_step", n=j, k=k) for j in range(1, k + 1)]
    return [f"{j}. {s.event}" + (f" [{' & '.join(map(str, s.where))}]" if s.where else "")
            for j, s in enumerate(spec.steps, start=1)]


def steps_view(steps: pl.DataFrame, labels: list[str], *, group: str | None = None) -> pl.DataFrame:
    """A steps table (``funnel_steps`` / ``funnel_breakdown``) with translated headers and formatted values."""
    rows = steps.to_dicts()  # a handful of step rows
    view = {}
    if group:
        view[t("journeys.col.value")] = [r[group] if r[group] is not None else t("journeys.no_value") for r in rows]
    view[t("journeys.col.step")] = [labels[r["step"] - 1] for r in rows]
    view[t("journeys.col.users")] = [i18n.num(r["users"]) for r in rows]
    view[t("journeys.col.from_start")] = [i18n.pct(r["conversion_from_start"]) for r in rows]
    view[t("journeys.col.from_previous")] = [i18n.pct(r["conversion_from_previous"]) for r in rows]
    view[t("journeys.col.median_time")] = [duration(r["median_seconds_from_previous"]) for r in rows]
    view[t("journeys.col.average_time")] = [duration(r.get("average_seconds_from_previous")) for r in rows]
    if any(r.get("conversion_from_all_users") is not None for r in rows):
        view[t("journeys.col.from_all")] = [i18n.pct(r["conversion_from_all_users"]) for r in rows]
    return pl.DataFrame(view)


COHORTS = ("cohort_quarter", "cohort_year", "cohort_month")  # purchase sequence by acquisition cohort


def drop_step_picker(spec: FunnelSpec) -> int:
    """The step whose dropped users to list (2..k; default the last)."""
    numbers = list(range(2, len(spec.steps) + 1))
    state.ensure_choice(state.DROP_STEP, numbers, fallback=numbers[-1])
    labels = step_labels(spec)
    return st.selectbox(t("journeys.dropped"), numbers, key=state.DROP_STEP, format_func=lambda n: labels[n - 1])


def paths_controls(events: list[str], start: str) -> tuple[str, int, int]:
    """Start event, depth (2–6) and number of top paths for the Sankey."""
    c = st.columns(3)
    state.ensure_choice(state.PATH_START, events, fallback=start)
    event = c[0].selectbox(t("journeys.path_start"), events, key=state.PATH_START)
    state.default(state.PATH_DEPTH, 4)
    depth = c[1].slider(t("journeys.path_depth"), 2, 6, key=state.PATH_DEPTH)
    state.default(state.PATH_TOP, 10)
    top = c[2].slider(t("journeys.path_top"), 3, 20, key=state.PATH_TOP)
    return event, depth, top


def sequence_picker(segments: list[str]) -> tuple[str | None, str]:
    """"Compare by" for the purchase sequence: nothing, an acquisition cohort or a segment → ``(by, grain)``."""
    options = ["", *COHORTS, *segments]
    state.ensure_choice(state.SEQUENCE_BY, options, fallback="")
    choice = st.selectbox(t("journeys.sequence_by"), options, key=state.SEQUENCE_BY, format_func=sequence_by_label)
    return sequence_group(choice)


def sequence_by_label(choice: str) -> str:
    """A "compare by" option: nothing, an acquisition cohort grain, or a segment column."""
    if not choice:
        return t("journeys.none")
    return t(f"journeys.{choice.replace('_', '.', 1)}") if choice in COHORTS else label(choice)


def sequence_group(choice: str) -> tuple[str | None, str]:
    """A "compare by" option as ``purchase_sequence``'s ``(by, grain)``."""
    if choice in COHORTS:
        return "cohort", choice.removeprefix("cohort_")
    return (choice or None), "month"


def order_labels(n: int = 4) -> list[str]:
    return [t(f"journeys.order_{i}") for i in range(1, n + 1)]


def sequence_view(sequence: pl.DataFrame, *, group: str | None = None) -> pl.DataFrame:
    """A purchase-sequence table with translated headers and formatted values."""
    rows, names = sequence.to_dicts(), order_labels()
    shown = lambda v: t("journeys.no_value") if v is None else (v if isinstance(v, str) else i18n.day(v))  # noqa: E731
    view = {t("journeys.col.value"): [shown(r[group]) for r in rows]} if group else {}
    view[t("journeys.col.order")] = [names[r["order_number"] - 1] for r in rows]
    view[t("journeys.col.customers")] = [i18n.num(r["customers"]) for r in rows]
    view[t("journeys.col.from_start")] = [i18n.pct(r["conversion_from_start"]) for r in rows]
    view[t("journeys.col.from_previous")] = [i18n.pct(r["conversion_from_previous"]) for r in rows]
    view[t("journeys.col.median_days")] = [i18n.num(r["median_days_from_previous"], 1) for r in rows]
    return pl.DataFrame(view)


def paths_view(sequences: pl.DataFrame) -> pl.DataFrame:
    rows = sequences.to_dicts()
    return pl.DataFrame({
        t("journeys.col.path"): [t("journeys.other") if r["events"] is None else r["path"] for r in rows],
        t("journeys.col.users"): [i18n.num(r["users"]) for r in rows],
        t("journeys.col.share"): [i18n.pct(r["share"]) for r in rows],
    })


def period_axis(fig: go.Figure, grain: str) -> go.Figure:
    """One tick per month on a monthly time axis (plotly would pick weekly ticks for a few months)."""
    if grain == "month":
        fig.update_xaxes(dtick="M1", tickformat="%b %Y")
    return fig


def show_chart(fig: go.Figure, key: str, *, height: int | None = None) -> None:
    """A plotly figure, numbers formatted per language (``1 234,5`` in Russian), the legend under the
    plot (a legend of many series at the top would cover the title)."""
    title = fig.layout.title.text  # the core builder's title, kept inside the figure for the image export
    widgets.chart(fig, key, title=title, height=height)


ER_PERIODS = ("hour", "day", "week", "month")
ER_TYPES = ("first_time", "recurring")
COMMON_ZONES = ("UTC", "Europe/London", "Europe/Berlin", "Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk",
                "Asia/Dubai", "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo",
                "America/New_York", "America/Chicago", "America/Los_Angeles")


def time_zones() -> list[str]:
    """Common zones first, then every IANA zone this machine knows."""
    from zoneinfo import available_timezones

    return [*COMMON_ZONES, *sorted(available_timezones() - set(COMMON_ZONES))]


def event_label(event: str) -> str:
    return t("journeys.any_event") if event == ANY_EVENT else event


def retention_controls(events: list[str], properties: list[str], first: str) -> dict:
    """The event-retention controls (every one a URL key); returns :func:`event_retention`'s keyword arguments
    (a filter text that does not parse raises :class:`ParameterError`)."""
    options = [ANY_EVENT, *events]
    c = st.columns(4)
    state.ensure_choice(state.ER_START, options, fallback=first)
    start = c[0].selectbox(t("journeys.er.start"), options, key=state.ER_START, format_func=event_label,
                           help=t("journeys.er.start_help"))
    state.ensure_choice(state.ER_RETURN, options, fallback=ANY_EVENT)
    back = c[1].selectbox(t("journeys.er.return"), options, key=state.ER_RETURN, format_func=event_label,
                          help=t("journeys.er.return_help"))
    state.ensure_choice(state.ER_TYPE, list(ER_TYPES), fallback="first_time")
    kind = c[2].segmented_control(t("journeys.er.type"), ER_TYPES, key=state.ER_TYPE, required=True,
                                  format_func=lambda v: t(f"journeys.er.type.{v}"), help=t("journeys.er.type_help"))
    state.ensure_choice(state.ER_PERIOD, list(ER_PERIODS), fallback="week")
    period = c[3].selectbox(t("journeys.er.period"), ER_PERIODS, key=state.ER_PERIOD,
                            format_func=lambda g: t(f"journeys.er.period.{g}"))
    c = st.columns(4)
    state.default(state.ER_CUMULATIVE, False)
    cumulative = c[0].toggle(t("journeys.er.cumulative"), key=state.ER_CUMULATIVE, help=t("journeys.er.cumulative_help"))
    state.ensure_int(state.ER_MIN, 1, 1000, 1)
    least = c[1].number_input(t("journeys.er.min"), min_value=1, max_value=1000, step=1, key=state.ER_MIN,
                              help=t("journeys.er.min_help"))
    state.ensure_choice(state.ER_WEEK_START, list(WEEK_STARTS), fallback="monday")
    week_start = c[2].selectbox(t("journeys.er.week_start"), WEEK_STARTS, key=state.ER_WEEK_START,
                                format_func=lambda d: t(f"journeys.er.{d}"), disabled=period != "week")
    zones = time_zones()
    state.ensure_choice(state.ER_TIME_ZONE, zones, fallback="UTC")
    zone = c[3].selectbox(t("journeys.er.time_zone"), zones, key=state.ER_TIME_ZONE, help=t("journeys.er.time_zone_help"))
    c = st.columns(4)
    state.ensure_choice(state.ER_BREAKDOWN, ["", *properties], fallback="")
    by = c[0].selectbox(t("journeys.breakdown"), ["", *properties], key=state.ER_BREAKDOWN,
                        format_func=lambda p: label(p) if p else t("journeys.none"))
    state.ensure_choice(state.ER_BREAKDOWN_TYPE, ["event", "user"], fallback="event")
    by_type = c[1].selectbox(t("journeys.er.breakdown_type"), ["event", "user"], key=state.ER_BREAKDOWN_TYPE,
                             format_func=lambda v: t(f"journeys.er.breakdown_type.{v}"), disabled=not by,
                             help=t("journeys.er.breakdown_type_help"))
    state.default(state.ER_START_WHERE, "")
    start_where = c[2].text_input(t("journeys.er.start_where"), key=state.ER_START_WHERE, help=t("journeys.filter_help"),
                                  placeholder="plan=pro")
    state.default(state.ER_RETURN_WHERE, "")
    return_where = c[3].text_input(t("journeys.er.return_where"), key=state.ER_RETURN_WHERE,
                                   help=t("journeys.filter_help"), placeholder="amount>100")
    return {"start_event": start, "return_event": back, "type": kind, "grain": period, "cumulative": cumulative,
            "min_occurrences": int(least), "week_start": week_start, "time_zone": zone, "breakdown": by or None,
            "breakdown_type": by_type, "start_where": parse_filters(start_where or ""),
            "return_where": parse_filters(return_where or "")}
