"""Every URL / session key of the app, and the only reader/writer of ``st.query_params`` and
``st.session_state`` for them.

View state lives in the URL. Widgets have ``key=`` one of the constants below; :func:`restore_from_url`
seeds those keys from the link once per browser session, and :func:`write_url` writes the current
values back after every run, so a copied link reopens the same dataset, page, filters and choices.
(Streamlit 1.67's own ``bind="query-params"`` stores a selectbox's *formatted* label in the URL, which
would make links depend on the UI language; see docs/platform.md.)
"""

from __future__ import annotations

import math
from datetime import date
from typing import Literal, get_args

import streamlit as st

from retention_core.charts.value import HoldoutMeasure, TreemapMeasure
from retention_core.errors import ParameterError
from retention_core.ingest import Filters
from retention_core.journeys.spec import FUNNEL_ORDERS, MAX_STEPS
from retention_core.periods import GRAINS, Grain
from retention_core.retention.activity import MAX_PERIODS
from retention_core.retention.cohorts import CohortMode, CohortValue, CurveWeighting
from retention_core.value.clv.summary import TIME_UNITS
from retention_core.whatif.model import Scenario

# Global (sidebar) keys = URL parameter names.
LANG = "lang"
DATASET = "ds"
DATE_FROM = "from"
DATE_TO = "to"
GRAIN = "grain"
CURRENCY = "_currency"  # session only: the dataset's currency sign (its settings), set every run
SEGMENT_PREFIX = "seg_"
VERSION = "v"  # pins a version of the dataset (absent: the newest)
INCLUDE_INCOMPLETE = "incl"

# Overview
WINDOW = "w"  # activity window W in periods of the sidebar grain (SPEC §4.1); no value = the purchase-cycle rule

# Cohorts
COHORT_VALUE = "cv"  # customers | revenue | ltv
COHORT_MODE = "cm"  # on | unbounded
CURVE_WEIGHTING = "cw"  # size | mean
AGE_K = "k"  # age of the "month-k retention over time" line
COHORT_PAGE = "cohort_page"  # session only: which block of 36 cohorts the heatmap shows (the latest by default)

# Customer value
CALIBRATION_END = "cal"  # end of the model's calibration period (empty: the core's default)
TIME_UNIT = "tu"  # day | week | month: unit of the BG/NBD fit
HORIZON = "h"  # months of future value in the predictive CLV
DISCOUNT = "disc"  # annual discount rate, %
MARGIN = "margin"  # gross margin, % (no value = the dataset's margin, set on the Data page)
RISK_DAYS = "risk_days"  # at risk: days without an order (no value = the purchase cycle)
RISK_GAPS = "risk_k"  # at risk: multiple of the customer's typical gap
RISK_P_ALIVE = "risk_p"  # at risk: P(alive) below this, %
LAPSED_TOP = "top"  # win-back: "high value" = the top this % of customers by revenue
RFM_MEASURE = "rfm"  # customers | revenue: what the RFM treemap's areas show
HOLDOUT_MEASURE = "hm"  # mean | total: the holdout chart's bars
AT_RISK_ANCHOR = "at-risk"  # /value#at-risk: the at-risk list ("who to save first"), linked from What-if

# Data page
UPLOAD = "upload"
UPLOAD_SHEET = "upload_sheet"  # session only: the sheet of an uploaded workbook
DATA_SOURCE = "data_source"  # session only: "upload" or "server" (a file or Parquet folder under the data root)
SERVER_PATH = "server_path"
UPLOAD_KIND = "upload_kind"
UPLOAD_NAME = "upload_name"
UPLOAD_TARGET = "upload_target"
DATE_ORDER = "date_order"
WIDE_DATES = "wide_dates"  # session only: accept dates from 1900 to 2200 (default: 1970 … today + 1 year)
MAPPING_PREFIX = "map_"
LAST_UPLOAD = "_last_upload"  # session only: the upload or server path being validated
FLASH = "_flash"  # session only: a message to show after a rerun
FLASH_SAVED = "_flash_saved"  # session only: the message is about a dataset just saved (offer the Overview)
# Data page, dataset settings form (session only; filled from the saved settings when the dataset changes)
SET_FOR = "_set_for"
SET_CURRENCY = "_set_currency"
SET_MARGIN = "_set_margin"
SET_WINDOW_DAYS = "_set_window_days"
SET_WEEK_START = "_set_week_start"
SET_TIME_ZONE = "_set_time_zone"
SET_CAC = "_set_cac"
SET_COST = "_set_retention_cost"

# What-if page: levers in display units (CRR change in points, other changes and margin in %)
WI_CRR = "wi_crr"  # change of the retention rate r, points
WI_WINBACK = "wi_wb"  # change of every reactivation (win-back) rate, points
WI_CHURN = "wi_churn"  # subscriptions: change of every churn probability, %
WI_AOV = "wi_aov"
WI_FREQ = "wi_freq"
WI_NEW = "wi_new"  # None = the baseline's new customers
WI_MARGIN = "wi_margin"
WI_CAC = "wi_cac"
WI_COST = "wi_cost"
WI_HORIZON = "wi_h"
WI_TARGET_METRIC = "wi_tmetric"
WI_TARGET_LEVER = "wi_tlever"  # crr | winback: which rate the target question solves for
WI_TARGET_BASIS = "wi_tbasis"
WI_TARGET = "wi_target"
WI_TARGET_MONTH = "wi_tmonth"
WI_NAME = "wi_name"
SCENARIOS = "sc"  # saved scenarios: repeated ?sc=<Scenario.to_query()>
WHATIF_DEFAULTS: dict[str, object] = {
    WI_CRR: 0.0, WI_WINBACK: 0.0, WI_CHURN: 0.0, WI_AOV: 0.0, WI_FREQ: 0.0, WI_NEW: None, WI_MARGIN: 100.0, WI_CAC: 0.0, WI_COST: 0.0,
    WI_HORIZON: 12, WI_TARGET_METRIC: "revenue", WI_TARGET_LEVER: "crr", WI_TARGET_BASIS: "month", WI_TARGET: None, WI_TARGET_MONTH: 12,
    WI_NAME: "",
}
# Allowed values of the numeric levers (slider ends; a link outside is clipped).
WHATIF_RANGES: dict[str, tuple[float, float]] = {
    WI_CRR: (-30.0, 30.0), WI_WINBACK: (-30.0, 30.0), WI_CHURN: (-90.0, 100.0), WI_AOV: (-50.0, 100.0), WI_FREQ: (-50.0, 100.0), WI_NEW: (0.0, 1e9),
    WI_MARGIN: (0.0, 100.0), WI_CAC: (0.0, 1e9), WI_COST: (0.0, 1e9), WI_HORIZON: (3, 36),
    WI_TARGET: (0.0, 1e15), WI_TARGET_MONTH: (1, 36),
}
# Session-only keys of the What-if page (buttons and the chosen saved scenario).
WI_SAVE = "_wi_save"
WI_PICK = "_wi_pick"
WI_LOAD = "_wi_load"
WI_DELETE = "_wi_delete"
WI_APPLY = "_wi_apply"

# Journeys page (funnel builder, paths, purchase sequence)
STEPS = "steps"
FUNNEL_WINDOW = "window"
FUNNEL_WINDOW_UNIT = "window_unit"
ORDER = "order"
BREAKDOWN = "breakdown"
EXCLUDE = "exclude"
OPTIONAL = "optional"
STEP_WINDOW_PREFIX = "win_"  # + event name: that step's own window ("30m"; "" = none)
STEP_WHERE_PREFIX = "where_"  # + event name: that step's property filter ("device=mobile"; "" = none)
DROP_STEP = "drop_step"
PATH_START = "path_start"
PATH_DEPTH = "path_depth"
PATH_TOP = "path_top"
SEQUENCE_BY = "seq_by"
EXCLUDE_SPAN_PREFIX = "xspan_"  # + exclusion event: the steps it applies between ("2-3"; "" = the whole funnel)
EXCLUSION_RULE = "xrule"  # between | posthog
STEP_COND_PREFIX = "cond_"  # + event: that step's further filter text ("amount>100&currency=EUR")
FUNNEL_WHERE = "fwhere"  # global event filter text, applied to every step and exclusion event
ATTRIBUTION = "attr"  # breakdown attribution: step:N | first_touch | last_touch | all_events
BREAKDOWN_LIMIT = "blimit"  # breakdown values shown, the rest as "Other"
ALL_USERS = "allu"  # also show conversion over every user of the log
TTC_BINS = "bins"  # time-to-convert histogram bins (0 = PostHog's automatic count)
TTC_STEPS = "ttc"  # the steps the time-to-convert histogram measures ("1-3")
# Journeys page: event retention (SPEC §4.3)
ER_START = "er_start"  # start event ("*" = any event)
ER_RETURN = "er_return"  # return event ("*" = any event)
ER_TYPE = "er_type"  # first_time | recurring
ER_PERIOD = "er_period"  # hour | day | week | month
ER_CUMULATIVE = "er_cum"  # on or after
ER_MIN = "er_min"  # minimum occurrences of the return event per period
ER_WEEK_START = "er_ws"  # monday | sunday
ER_TIME_ZONE = "er_tz"  # IANA name
ER_BREAKDOWN = "er_by"  # property column ("" = none)
ER_BREAKDOWN_TYPE = "er_byt"  # event | user
ER_START_WHERE = "er_sw"  # filter text on the start event
ER_RETURN_WHERE = "er_rw"  # filter text on the return event
ER_VALUE = "er_val"  # the breakdown value whose heatmap is shown
IMAGE_FORMAT = "img"  # png | svg: what a chart's camera button saves (a reader's choice, kept in the link)
JOURNEYS_TAB = "jtab"  # funnel | retention | paths | sequence: the open tab (only it computes)
JOURNEYS_TAB_WIDGET = "_jtab"  # session only: the tabs widget's own value (its label, which is per language)


# Drill-down (session only): charts whose selection lists the customers behind a number (ui/drilldown.py)
DRILL_COHORT_CELL = "cohorts_heatmap"
DRILL_FLOW_BAR = "overview_flow"
DRILL_RFM_CELL = "value_rfm"
DRILL_FUNNEL_STEP = "funnel_chart"

# Comparisons (SPEC §7.1): Overview tiles and trend, Cohorts curves
COMPARE = "cmp"  # previous | last_year | custom: what the Overview tiles are compared with
CMP_FROM = "cmp_from"  # custom: the range shown …
CMP_TO = "cmp_to"
BASE_FROM = "base_from"  # … and the range it is compared with
BASE_TO = "base_to"
TREND_SEGMENT = "tseg"  # segment column whose values get one line each on the Overview trend
TREND_METRIC = "tmetric"  # the metric those lines show
COMPARE_METRIC = "cmetric"  # the metric drawn against the same period last year / the other range
CURVE_SEGMENT = "cseg"  # segment column whose values get one average cohort curve each
SEGMENT_TOP = "stop"  # how many values get their own line (the rest: "other")

# Notes and annotations (session only: the forms; ui/notes_sections.py)
ANNOTATION_DATE = "_ann_date"
ANNOTATION_LABEL = "_ann_label"
ANNOTATION_ADD = "_ann_add"
ANNOTATION_DELETE_PREFIX = "_ann_del_"  # + the annotation's id
NOTE_TEXT = "_note_text"
NOTE_ADD = "_note_add"
NOTE_DELETE_PREFIX = "_note_del_"  # + the note's id
NOTES_FLASH = "_notes_flash"  # a refused or invalid note/annotation write, shown after the rerun

DEFAULT_GRAIN: Grain = "month"

Codec = Literal["str", "date", "list", "bool", "float", "int"]
# Keys kept in the URL, with how their values are written; defaults are left out to keep links short.
# Weekly review page
REVIEW_GRAIN = "rg"
REVIEW_SEGMENT = "rs"

URL_KEYS: dict[str, Codec] = {
    LANG: "str", IMAGE_FORMAT: "str", DATASET: "str", VERSION: "int", DATE_FROM: "date", DATE_TO: "date", GRAIN: "str",
    INCLUDE_INCOMPLETE: "bool", WINDOW: "int", COHORT_VALUE: "str", COHORT_MODE: "str", CURVE_WEIGHTING: "str",
    AGE_K: "int", REVIEW_GRAIN: "str", REVIEW_SEGMENT: "str",
    WI_CRR: "float", WI_WINBACK: "float", WI_CHURN: "float", WI_AOV: "float", WI_FREQ: "float", WI_NEW: "float", WI_MARGIN: "float", WI_CAC: "float",
    WI_COST: "float", WI_HORIZON: "int", WI_TARGET_METRIC: "str", WI_TARGET_LEVER: "str", WI_TARGET_BASIS: "str", WI_TARGET: "float",
    WI_TARGET_MONTH: "int", WI_NAME: "str", SCENARIOS: "list",
    STEPS: "list", FUNNEL_WINDOW: "int", FUNNEL_WINDOW_UNIT: "str", ORDER: "str", BREAKDOWN: "str", EXCLUDE: "list",
    OPTIONAL: "list", DROP_STEP: "int", PATH_START: "str", PATH_DEPTH: "int", PATH_TOP: "int", SEQUENCE_BY: "str",
    EXCLUSION_RULE: "str", FUNNEL_WHERE: "str", ATTRIBUTION: "str", BREAKDOWN_LIMIT: "int", ALL_USERS: "bool",
    TTC_BINS: "int", TTC_STEPS: "str", ER_START: "str", ER_RETURN: "str", ER_TYPE: "str", ER_PERIOD: "str", ER_CUMULATIVE: "bool",
    ER_MIN: "int", ER_WEEK_START: "str", ER_TIME_ZONE: "str", ER_BREAKDOWN: "str", ER_BREAKDOWN_TYPE: "str",
    ER_START_WHERE: "str", ER_RETURN_WHERE: "str", ER_VALUE: "str", JOURNEYS_TAB: "str",
    CALIBRATION_END: "date", TIME_UNIT: "str", HORIZON: "int", DISCOUNT: "float", MARGIN: "int",
    RISK_DAYS: "int", RISK_GAPS: "float", RISK_P_ALIVE: "int", LAPSED_TOP: "int", RFM_MEASURE: "str",
    HOLDOUT_MEASURE: "str",
    COMPARE: "str", CMP_FROM: "date", CMP_TO: "date", BASE_FROM: "date", BASE_TO: "date", TREND_SEGMENT: "str",
    TREND_METRIC: "str", CURVE_SEGMENT: "str", SEGMENT_TOP: "int", COMPARE_METRIC: "str",
}
URL_PREFIXES: dict[str, Codec] = {SEGMENT_PREFIX: "list", STEP_WINDOW_PREFIX: "str", STEP_WHERE_PREFIX: "str",
                                   EXCLUDE_SPAN_PREFIX: "str", STEP_COND_PREFIX: "str"}
URL_DEFAULTS: dict[str, object] = {
    LANG: "en", IMAGE_FORMAT: "png", GRAIN: DEFAULT_GRAIN, INCLUDE_INCOMPLETE: False, COHORT_VALUE: "customers",
    COHORT_MODE: "on", CURVE_WEIGHTING: "size", AGE_K: 1, REVIEW_GRAIN: "week", **WHATIF_DEFAULTS,
    FUNNEL_WINDOW: 7, FUNNEL_WINDOW_UNIT: "days", ORDER: "ordered", PATH_DEPTH: 4, PATH_TOP: 10,
    EXCLUSION_RULE: "between", ATTRIBUTION: "step:1", BREAKDOWN_LIMIT: 10, ALL_USERS: False, TTC_BINS: 0,
    ER_TYPE: "first_time", ER_PERIOD: "week", ER_CUMULATIVE: False, ER_MIN: 1, ER_WEEK_START: "monday",
    ER_TIME_ZONE: "UTC", ER_BREAKDOWN_TYPE: "event", JOURNEYS_TAB: "funnel",
    TIME_UNIT: "week", HORIZON: 12, DISCOUNT: 10.0,
    RISK_GAPS: 2.0, RISK_P_ALIVE: 30, LAPSED_TOP: 20, RFM_MEASURE: "customers", HOLDOUT_MEASURE: "mean",
    COMPARE: "previous", TREND_SEGMENT: "", TREND_METRIC: "crr", CURVE_SEGMENT: "", SEGMENT_TOP: 5,
    COMPARE_METRIC: "crr",
}
_RESTORED = "_url_restored"
# Widgets drawn by pages (not the sidebar): their values must survive pages that do not draw them.
PAGE_KEYS: tuple[str, ...] = (INCLUDE_INCOMPLETE, WINDOW, COHORT_VALUE, COHORT_MODE, CURVE_WEIGHTING, AGE_K,
                              CALIBRATION_END, TIME_UNIT, HORIZON, DISCOUNT, MARGIN, RISK_DAYS, RISK_GAPS,
                              RISK_P_ALIVE, LAPSED_TOP, RFM_MEASURE, HOLDOUT_MEASURE,
                              # Journeys: a closed tab draws none of its widgets (only the open tab computes)
                              STEPS, FUNNEL_WINDOW, FUNNEL_WINDOW_UNIT, ORDER, BREAKDOWN, EXCLUDE, OPTIONAL, DROP_STEP,
                              PATH_START, PATH_DEPTH, PATH_TOP, SEQUENCE_BY, EXCLUSION_RULE, FUNNEL_WHERE, ATTRIBUTION,
                              BREAKDOWN_LIMIT, ALL_USERS, TTC_BINS, TTC_STEPS, ER_START, ER_RETURN, ER_TYPE, ER_PERIOD,
                              ER_CUMULATIVE, ER_MIN, ER_WEEK_START, ER_TIME_ZONE, ER_BREAKDOWN, ER_BREAKDOWN_TYPE,
                              ER_START_WHERE, ER_RETURN_WHERE, ER_VALUE, COMPARE, CMP_FROM, CMP_TO,
                              BASE_FROM, BASE_TO, TREND_SEGMENT, TREND_METRIC, CURVE_SEGMENT, SEGMENT_TOP,
                              COMPARE_METRIC)
PAGE_PREFIXES: tuple[str, ...] = (STEP_WINDOW_PREFIX, STEP_WHERE_PREFIX, STEP_COND_PREFIX, EXCLUDE_SPAN_PREFIX)


def _codec(key: str) -> Codec | None:
    if key in URL_KEYS:
        return URL_KEYS[key]
    return next((c for prefix, c in URL_PREFIXES.items() if key.startswith(prefix)), None)


# What a link may carry (SPEC §10: every parameter is validated on restore). Numbers outside their range are
# clamped; anything else that does not fit (wrong type, NaN/inf, unknown choice, too long) falls back to the
# default. Both leave a notice. Values that depend on the dataset (its name, dates, segment values, events) are
# checked where their widget is drawn (ensure_choice / ensure_date / keep_valid), also with a notice.
URL_RANGES: dict[str, tuple[float, float]] = {
    WINDOW: (1, max(MAX_PERIODS.values())), AGE_K: (0, 120), FUNNEL_WINDOW: (1, 10_000), DROP_STEP: (1, 20), PATH_DEPTH: (2, 6),
    PATH_TOP: (3, 20), HORIZON: (1, 120), DISCOUNT: (0.0, 100.0), MARGIN: (1, 100), RISK_DAYS: (0, 3650),
    RISK_GAPS: (0.5, 20.0), RISK_P_ALIVE: (0, 100), LAPSED_TOP: (1, 100), **WHATIF_RANGES,
}
URL_CHOICES: dict[str, tuple[str, ...]] = {
    LANG: ("en", "ru"), IMAGE_FORMAT: ("png", "svg"), GRAIN: GRAINS, REVIEW_GRAIN: ("week", "month"),
    COHORT_VALUE: get_args(CohortValue), COHORT_MODE: get_args(CohortMode), CURVE_WEIGHTING: get_args(CurveWeighting),
    TIME_UNIT: TIME_UNITS, RFM_MEASURE: get_args(TreemapMeasure), HOLDOUT_MEASURE: get_args(HoldoutMeasure),
    WI_TARGET_METRIC: ("revenue", "gross_profit"), WI_TARGET_BASIS: ("month", "cumulative"),
    FUNNEL_WINDOW_UNIT: ("minutes", "hours", "days", "weeks"), ORDER: FUNNEL_ORDERS,
}
MAX_TEXT = 200  # characters of one text value from a link
TEXT_LIMITS: dict[str, int] = {WI_NAME: 80}  # keys whose input takes fewer
ITEM_LIMITS: dict[str, int] = {STEPS: MAX_STEPS}  # lists whose widget takes fewer (a multiselect refuses more)
MAX_ITEMS = 50  # values of one repeated parameter
EARLIEST, LATEST = date(1900, 1, 1), date(2200, 12, 31)
NOTICES = "_url_notices"  # session only: link values that were clamped or ignored, shown once


class _Skip:
    """A link value that cannot be used: the key keeps its default."""


SKIP = _Skip()


def parse_param(key: str, values: list[str]) -> tuple[object, str | None]:
    """One query parameter's value for the session, and why it was changed (None when it was not).

    Returns (:data:`SKIP`, "ignored") for a value that cannot be used, (value, "clamped") for a number
    brought into range. Pure (no Streamlit), so it can be fuzzed on its own.

    Examples
    --------
    >>> parse_param("w", ["3"]), parse_param("w", ["nan"])[1], parse_param("w", ["1e309"])[1]
    ((3, None), 'ignored', 'ignored')
    >>> parse_param("path_depth", ["99999"])
    (6, 'clamped')
    >>> parse_param("grain", ["fortnight"])[1], parse_param("from", ["0001-01-01"])[1]
    ('ignored', 'ignored')
    """
    codec = _codec(key)
    if codec is None:
        return SKIP, None  # not ours (Streamlit's own parameters, or a typo): left alone, as before
    if codec == "list":
        kept = [v for v in values if v and len(v) <= (1000 if key == SCENARIOS else MAX_TEXT)]
        kept = kept[:ITEM_LIMITS.get(key, MAX_ITEMS)]
        return kept, None if len(kept) == len([v for v in values if v]) else "ignored"
    text = values[-1] if values else ""
    if len(text) > TEXT_LIMITS.get(key, MAX_TEXT):
        return SKIP, "ignored"
    if codec == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return SKIP, "ignored"
        return (day, None) if EARLIEST <= day <= LATEST else (SKIP, "ignored")
    if codec == "bool":
        if text not in ("1", "true", "0", "false"):
            return SKIP, "ignored"
        return text in ("1", "true"), None
    if codec in ("float", "int"):
        try:
            number = float(text)
        except ValueError:
            return SKIP, "ignored"
        if not math.isfinite(number) or (codec == "int" and not number.is_integer()):
            return SKIP, "ignored"
        value: float | int = int(number) if codec == "int" else number
        low, high = URL_RANGES.get(key, (-math.inf, math.inf))
        if not low <= value <= high:
            clamped = min(max(value, low), high)
            return (int(clamped) if codec == "int" else float(clamped)), "clamped"
        return value, None
    if key in URL_CHOICES and text not in URL_CHOICES[key]:
        return SKIP, "ignored"
    return text, None


def notice(key: str, value: object, what: str = "ignored") -> None:
    """Remember that a value from the link for ``key`` was ``what`` ("ignored" or "clamped"), to say so once."""
    shown = str(value)
    shown = shown if len(shown) <= 40 else shown[:40] + "…"
    notices = st.session_state.setdefault(NOTICES, [])
    if (key, shown, what) not in notices:
        notices.append((key, shown, what))


def pop_notices() -> list[tuple[str, str, str]]:
    """The (key, value as given, "ignored" | "clamped") notices gathered since the last call."""
    return st.session_state.pop(NOTICES, None) or []


def restore_from_url() -> None:
    """Once per browser session: seed widget keys from the link's query parameters, each validated
    (:func:`parse_param`); a value that was clamped or ignored leaves a notice.

    Every run: re-assign the page widgets' keys, so Streamlit does not drop a value when a page that
    does not draw the widget runs, and a widget drawn on two pages shows its value on the first run
    after a page switch (``persist_state="session"`` shows the default there; docs/platform.md).
    """
    for key in PAGE_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(PAGE_PREFIXES)]:
        st.session_state[key] = st.session_state[key]
    if st.session_state.get(_RESTORED):
        return
    st.session_state[_RESTORED] = True
    for key in st.query_params:
        values = st.query_params.get_all(key)
        value, change = parse_param(key, values)
        if change is not None:
            notice(key, values[-1] if values else "", change)
        if value is not SKIP:
            st.session_state[key] = value


def _url_default(key: str):
    given = st.session_state.get(_DATASET_DEFAULTS) or {}
    return given[key] if key in given else URL_DEFAULTS.get(key)


def write_url() -> None:
    """After a run: put every URL key's current value into the address bar (defaults left out)."""
    params: dict[str, str | list[str]] = {}
    for key, value in st.session_state.items():
        codec = _codec(key) if isinstance(key, str) else None
        if codec is None or value in (None, "", []) or _url_default(key) == value:
            continue
        if codec == "list":
            params[key] = [str(v) for v in value]
        elif codec == "date":
            params[key] = value.isoformat()
        elif codec == "bool":
            params[key] = "1" if value else "0"
        elif codec == "float":
            params[key] = format(value, ".12g")
        else:
            params[key] = str(value)
    current = {k: st.query_params.get_all(k) if isinstance(params.get(k), list) else st.query_params[k]
               for k in st.query_params}
    if current != params:
        st.query_params.from_dict(params)


def default(key: str, value) -> None:
    """Give a widget key its default before the widget is drawn (so widgets take no ``value=``)."""
    if key not in st.session_state:
        st.session_state[key] = value


_DATASET_DEFAULTS = "_dataset_defaults"  # session only: {key: the default the dataset's settings give it}


def dataset_default(key: str, value) -> None:
    """A default that comes from the dataset's settings (What-if's margin, CAC, retention cost): given like
    :func:`default`, and remembered so the link leaves out exactly this value — a value equal to the *static*
    default (margin 100 % on a 30 % shop) must stay in the link, or reopening it would show the shop's 30 %."""
    default(key, value)
    st.session_state.setdefault(_DATASET_DEFAULTS, {})[key] = value


def get(key: str, default=None):
    """Read a session/URL key."""
    return st.session_state.get(key, default)


def put(key: str, value) -> None:
    """Write a session-only key (never a widget's key after the widget was drawn)."""
    st.session_state[key] = value


def ensure_choice(key: str, options: list[str], *, fallback: str | None = None) -> None:
    """Before its widget is drawn: reset ``key`` to ``fallback`` (or the first option) when its value
    is not one of ``options`` (e.g. a link naming a dataset that was deleted)."""
    if options and st.session_state.get(key) not in options:
        if st.session_state.get(key) not in (None, ""):
            notice(key, st.session_state[key])
        st.session_state[key] = fallback if fallback in options else options[0]


def ensure_int(key: str, lo: int, hi: int, fallback: int) -> None:
    """Before a number input is drawn: reset ``key`` to ``fallback`` unless it is a whole number in [lo, hi]
    (a link may carry ``?w=99``; Streamlit refuses a value outside the input's bounds)."""
    value = st.session_state.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        if value is not None:
            notice(key, value)
        st.session_state[key] = fallback


def ensure_float(key: str, lo: float, hi: float, fallback: float) -> None:
    """Before a decimal number input is drawn: reset ``key`` to ``fallback`` unless it is a finite number in
    [lo, hi]; a whole number (from a link) becomes a float, as the input expects."""
    value = st.session_state.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        if value is not None:
            notice(key, value)
        st.session_state[key] = fallback
    elif isinstance(value, int):
        st.session_state[key] = float(value)


def ensure_date(key: str, lo: date | None, hi: date | None) -> None:
    """Before a date input is drawn: empty ``key`` (None) unless it is a date in [lo, hi] (e.g. a link made on
    another dataset)."""
    value = st.session_state.get(key)
    if value is not None and (not isinstance(value, date) or lo is None or hi is None or not lo <= value <= hi):
        notice(key, value)
        st.session_state[key] = None


def keep_valid(key: str, options: list[str]) -> None:
    """Before a multiselect is drawn: drop chosen values that are no longer options, and repeats (a
    multiselect holds each option once; a link may repeat one)."""
    chosen = st.session_state.get(key)
    if chosen:
        kept = list(dict.fromkeys(v for v in chosen if v in options))
        if len(kept) < len(chosen):
            dropped = [v for v in chosen if v not in options] or [v for v in chosen if chosen.count(v) > 1]
            notice(key, ", ".join(dict.fromkeys(str(v) for v in dropped)))
        st.session_state[key] = kept


def prepare_whatif() -> None:
    """Before the What-if levers are drawn: defaults for unset keys, link values clipped to the ranges."""
    for key, value in WHATIF_DEFAULTS.items():
        default(key, value)
    for key, (low, high) in WHATIF_RANGES.items():
        value = st.session_state.get(key)
        if value is None and WHATIF_DEFAULTS[key] is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            st.session_state[key] = WHATIF_DEFAULTS[key]
        elif not low <= value <= high:
            st.session_state[key] = type(low)(min(max(value, low), high))
    ensure_choice(WI_TARGET_METRIC, ["revenue", "gross_profit"])
    ensure_choice(WI_TARGET_BASIS, ["month", "cumulative"])
    ensure_choice(WI_TARGET_LEVER, ["crr", "winback"])


def set_crr_delta(delta: float) -> None:
    """Put a CRR change (a fraction) on the CRR lever, rounded up to 0.1 point (call from a callback)."""
    low, high = WHATIF_RANGES[WI_CRR]
    st.session_state[WI_CRR] = min(max(math.ceil(round(delta * 1000, 6)) / 10, low), high)


def set_winback_delta(delta: float) -> None:
    """Put a win-back change (a fraction) on the win-back lever, rounded up to 0.1 point (call from a callback)."""
    low, high = WHATIF_RANGES[WI_WINBACK]
    st.session_state[WI_WINBACK] = min(max(math.ceil(round(delta * 1000, 6)) / 10, low), high)


def crr_lever_reaches(delta: float) -> bool:
    """Whether a CRR change (a fraction) lies within the CRR lever's range."""
    low, high = WHATIF_RANGES[WI_CRR]
    return low <= delta * 100 <= high


def whatif_scenario(name: str = "Scenario") -> Scenario:
    """The What-if levers as a :class:`Scenario` (points and percent become fractions)."""
    get = st.session_state.get
    new = get(WI_NEW)
    return Scenario(
        name=name, horizon=int(get(WI_HORIZON, 12)), crr_delta=get(WI_CRR, 0.0) / 100,
        winback_delta=get(WI_WINBACK, 0.0) / 100,
        aov_change=get(WI_AOV, 0.0) / 100, frequency_change=get(WI_FREQ, 0.0) / 100,
        new_customers=None if new is None else float(new), margin=get(WI_MARGIN, 100.0) / 100,
        cac=float(get(WI_CAC, 0.0)), retention_cost=float(get(WI_COST, 0.0)),
    )


def set_levers(scenario: Scenario) -> None:
    """Put a scenario's levers on the What-if widgets (call from a callback, before they are drawn)."""
    st.session_state.update({
        WI_HORIZON: scenario.horizon, WI_CRR: round(scenario.crr_delta * 100, 6),
        WI_WINBACK: round(scenario.winback_delta * 100, 6),
        WI_AOV: round(scenario.aov_change * 100, 6), WI_FREQ: round(scenario.frequency_change * 100, 6),
        WI_NEW: scenario.new_customers, WI_MARGIN: round(scenario.margin * 100, 6), WI_CAC: scenario.cac,
        WI_COST: scenario.retention_cost, WI_NAME: scenario.name,
    })


def saved_scenarios() -> list[Scenario]:
    """The saved scenarios (session and ``?sc=``), in saving order; unreadable link entries are skipped
    and a repeated name keeps its last version."""
    found: dict[str, Scenario] = {}
    for text in st.session_state.get(SCENARIOS) or []:
        try:
            scenario = Scenario.from_query(text)
        except ParameterError:
            continue
        found.pop(scenario.name, None)
        found[scenario.name] = scenario
    return list(found.values())


def save_scenario(scenario: Scenario) -> None:
    """Keep a scenario (replacing one with the same name)."""
    kept = [s for s in saved_scenarios() if s.name != scenario.name]
    st.session_state[SCENARIOS] = [s.to_query() for s in (*kept, scenario)]


def delete_scenario(name: str) -> None:
    st.session_state[SCENARIOS] = [s.to_query() for s in saved_scenarios() if s.name != name]


def lang() -> str:
    value = st.session_state.get(LANG)
    return value if value in ("en", "ru") else "en"


def currency() -> str:
    return st.session_state.get(CURRENCY) or ""


def dataset() -> str | None:
    return st.session_state.get(DATASET)


def pinned_version() -> int | None:
    """The dataset version a link pins (``?v=``), or None for the newest."""
    value = st.session_state.get(VERSION)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def select_dataset(slug: str | None) -> None:
    """Switch the sidebar's dataset (from a callback, before the picker is drawn); None: no choice."""
    if slug is None:
        st.session_state.pop(DATASET, None)
    else:
        st.session_state[DATASET] = slug


def pin_version(version: int | None) -> None:
    """Pin a version (None: follow the newest); written to the URL at the end of the run."""
    if version is None:
        st.session_state.pop(VERSION, None)
    else:
        st.session_state[VERSION] = version


def grain() -> Grain:
    value = st.session_state.get(GRAIN)
    return value if value in GRAINS else DEFAULT_GRAIN  # type: ignore[return-value]


def window() -> int | None:
    """The link's activity-window override in periods of the sidebar grain; None = the rule (SPEC §4.1)."""
    value = st.session_state.get(WINDOW)
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None


def include_incomplete() -> bool:
    return bool(st.session_state.get(INCLUDE_INCOMPLETE, False))


def segment_key(column: str) -> str:
    return SEGMENT_PREFIX + column


def filters(segment_columns: list[str]) -> Filters:
    """The sidebar filters as a hashable :class:`Filters` (a cache key)."""
    date_from: date | None = st.session_state.get(DATE_FROM)
    date_to: date | None = st.session_state.get(DATE_TO)
    chosen = tuple(
        (c, tuple(sorted(st.session_state.get(segment_key(c)) or ()))) for c in segment_columns
    )
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    return Filters(date_from=date_from, date_to=date_to, segments=tuple(s for s in chosen if s[1]))


def clear_prefix(prefix: str) -> None:
    """Forget every session key starting with ``prefix`` (e.g. the column mapping of a previous file)."""
    for key in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix)]:
        del st.session_state[key]


def pop(key: str, default=None):
    return st.session_state.pop(key, default)


PENDING_DATASET = "_pending_dataset"  # session only: switch the sidebar to this dataset on the next run

# Team (SPEC §7.1): sign-in, versions, trash, audit
SIGNED_IN = "_signed_in"  # session only: the signed-in user (retention_core.workspace.Actor); absent in local mode
SIGN_IN_NAME = "_sign_in_name"
SIGN_IN_PASSWORD = "_sign_in_password"
RENAME_TO = "_rename_to"  # session only: the new name typed on the Data page
CONFIRM_DELETE = "_confirm_delete"  # session only: the slug whose delete is being confirmed
ACCOUNT_ROLE = "_account_role"  # session only: + account name: the role chosen for it on the Data page
FLASH_ERROR = "_flash_error"  # session only: an error from a button's action, shown on the next run


def apply_pending_dataset() -> None:
    """Before the sidebar is drawn: select a dataset that was just saved."""
    slug = st.session_state.pop(PENDING_DATASET, None)
    if slug:
        st.session_state[DATASET] = slug


def new_source(source_id: str) -> None:
    """A different file or path on the Data page: forget the column mapping chosen for the last one."""
    if get(LAST_UPLOAD) != source_id:
        clear_prefix(MAPPING_PREFIX)
        put(LAST_UPLOAD, source_id)


def mapping() -> tuple[tuple[str, str], ...]:
    """The column mapping chosen on the Data page, as (role, header) pairs ('' = not in the file)."""
    return tuple(
        (k[len(MAPPING_PREFIX):], v or "") for k, v in sorted(st.session_state.items())
        if isinstance(k, str) and k.startswith(MAPPING_PREFIX)
    )
