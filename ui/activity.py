"""One definition for every page (issue 10): the activity rule, CRR with its parts, the dataset's settings,
the at-risk rule and the analysis date.

* The activity window ``W`` (SPEC §4.1) is measured on the dataset's orders *before* the sidebar filters
  (a filter never changes the definition), in the grain a page uses. Overrides, strongest first: the
  link's ``?w=`` (periods of the sidebar grain; "no value" = the rule), the dataset's saved
  ``window_days``. Either is carried to another grain in days (``?w=2`` with months = 61 days = 9 weeks).
* :func:`rule_text` is the sentence printed under every chart and table that depends on ``W``.
* :func:`crr_parts` is "CRR 96 % = 71 % kept + 25 % came back", wherever a CRR is shown.
* :func:`value_model` / :func:`at_risk_rule` give the Customer value page and the Weekly review the same
  model, the same thresholds and so the same at-risk customers at the same analysis date.
"""

from __future__ import annotations

from datetime import date

from retention_core.errors import RetentionError
from retention_core.ingest import DatasetSettings, Filters
from retention_core.ingest.settings import DEFAULT_SETTINGS
from retention_core.periods import Grain
from retention_core.retention.activity import (
    DAYS_PER_PERIOD,
    MAX_PERIODS,
    MIN_REPEAT_GAPS,
    ActivityWindow,
    activity_window,
    at_risk_days,
    override_for,
)
from retention_core.value.clv import TIME_UNITS
from ui import cache, i18n, state
from ui.i18n import t

GAP_MULTIPLE = 2.0  # at risk: more than this many of the customer's own typical gaps without an order
P_ALIVE_BELOW = 30  # at risk: P(alive) below this, %
LAPSED_TOP = 20  # win-back: "high value" = the top this % of customers by revenue


def dataset_settings() -> DatasetSettings:
    """The chosen dataset's saved settings (defaults without a dataset or when none were saved)."""
    slug = state.dataset()
    if not slug:
        return DEFAULT_SETTINGS
    try:
        return cache.settings(slug, cache.version(slug))
    except RetentionError:  # a dataset deleted meanwhile, or settings written by hand that do not validate
        return DEFAULT_SETTINGS


def apply_settings() -> None:
    """Every run, before a page draws: the dataset's currency sign for every money figure (not a link's choice)."""
    state.put(state.CURRENCY, dataset_settings().currency)


def override_days() -> float | None:
    """The window override in days: the link's ``?w=`` (in sidebar-grain periods), else the dataset's, else None."""
    w, grain = state.window(), state.grain()
    if w is not None and w <= MAX_PERIODS[grain]:  # a link's ?w=99 is ignored (its input shows the rule)
        return w * DAYS_PER_PERIOD[grain]
    return dataset_settings().window_days


def window(grain: Grain) -> ActivityWindow:
    """The activity window in force in ``grain`` for the chosen dataset (measured before the filters)."""
    override = override_for(override_days(), grain)
    return cache.result(activity_window, state.dataset(), "orders", Filters(), grain=grain, override=override)


def _plural(n: int, forms: str) -> str:
    """``forms`` = "one|few|many" (Russian) or "one|other" (English), chosen for ``n``."""
    parts = forms.split("|")
    if state.lang() == "ru":
        one, few, many = parts
        if n % 10 == 1 and n % 100 != 11:
            return one
        return few if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14 else many
    return parts[0] if n == 1 else parts[1]


def rule_text(aw: ActivityWindow) -> str:
    """The rule in force, for the caption under a chart or table: "active = bought in the last 3 months;
    80 % of repeat purchases come within 85 days" (EN/RU; also the user's override and too few repeats)."""
    n = aw.periods
    if n == 1:
        active = t(f"activity.this.{aw.grain}")
    else:
        active = t("activity.last", n=n, units=_plural(n, t(f"activity.units.{aw.grain}")))
    days = aw.cycle_days
    if aw.source == "purchase_cycle":
        why = t("activity.cycle", days=days)
    elif aw.source == "user":
        why = t("activity.user", days=days) if days is not None else t("activity.user_no_cycle")
    else:
        why = t("activity.too_few", gaps=i18n.num(aw.repeat_gaps), min=MIN_REPEAT_GAPS)
    return f"{active}; {why}"


def crr_parts(crr: float | None, kept: float | None, back: float | None) -> str:
    """ "CRR 96.0% = 71.0% kept + 25.0% came back" in the UI language; "" when the period has no CRR."""
    if crr is None or kept is None or back is None:
        return ""
    return t("activity.crr_parts", crr=i18n.pct(crr), kept=i18n.pct(kept), back=i18n.pct(back))


def optional_int(col, key: str, lo: int, hi: int, *, label: str, placeholder: str, help: str | None = None) -> int | None:
    """A URL-kept whole-number input whose empty value means "the rule" (kept out of the link)."""
    value = state.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi):
        state.put(key, None)  # a link's ?w=99 or ?w=abc: back to the rule
    chosen = col.number_input(label, value=None, min_value=lo, max_value=hi, step=1, key=key, help=help,
                              placeholder=placeholder)  # value=None: empty means "the rule"
    return None if chosen is None else int(chosen)


def window_input(col, grain: Grain, rule: ActivityWindow) -> None:
    """The activity-window override (periods of ``grain``; empty = the rule, shown as the placeholder)."""
    key = "activity.window_placeholder_dataset" if rule.source == "user" else "activity.window_placeholder"
    optional_int(col, state.WINDOW, 1, MAX_PERIODS[grain], label=t("activity.window"),
                 placeholder=t(key, n=rule.periods), help=t("activity.window_help"))


# --- Customer value model and the at-risk rule, shared by Customer value and Weekly review ------------------


def _number(key: str, lo: float, hi: float, fallback):
    value = state.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        return fallback
    return value


def value_model(first: date | None, last: date | None) -> dict:
    """The :func:`~retention_core.value.overview.value_overview` options from the URL-kept settings (the
    Customer value page draws their inputs; other pages read the same values), so every page shares one fit."""
    cal = state.get(state.CALIBRATION_END)
    if not isinstance(cal, date) or first is None or last is None or not first <= cal <= last:
        cal = None
    unit = state.get(state.TIME_UNIT)
    margin = state.get(state.MARGIN)
    margin = dataset_settings().margin if margin is None else _number(state.MARGIN, 1, 100, 100) / 100
    return {"calibration_end": cal, "time_unit": unit if unit in TIME_UNITS else "week",
            "horizon": int(_number(state.HORIZON, 1, 120, 12)),
            "annual_discount_rate": float(_number(state.DISCOUNT, 0.0, 100.0, 10.0)) / 100,
            "margin": float(margin), "window": window("month").periods}


def default_risk_days() -> int:
    """At risk after this many days without an order, unless overridden: the purchase cycle (SPEC §4.5 + §4.1)."""
    return at_risk_days(window(state.grain()))


def at_risk_rule() -> dict:
    """The at-risk thresholds in force (``at_risk_customers`` options): one definition for every page."""
    days = state.get(state.RISK_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 3650:
        days = default_risk_days()
    return {"min_days": days, "gap_multiple": float(_number(state.RISK_GAPS, 0.5, 20.0, GAP_MULTIPLE)),
            "p_alive_below": _number(state.RISK_P_ALIVE, 0, 100, P_ALIVE_BELOW) / 100}


def lapsed_rule() -> dict:
    """The win-back list's options (``lapsed_high_value``): the at-risk days and the top share of customers."""
    return {"min_days": at_risk_rule()["min_days"], "top": _number(state.LAPSED_TOP, 1, 100, LAPSED_TOP) / 100}


def at_risk_caption(n: int, as_of: date | None, rule: dict) -> str:
    """The at-risk rule as one sentence, with the count and the analysis date (the same on every page)."""
    return t("activity.at_risk_rule", n=i18n.num(n), day=i18n.day(as_of), days=rule["min_days"],
             k=i18n.num(rule["gap_multiple"], 1), p=i18n.num(rule["p_alive_below"] * 100))


def settings_caption() -> str:
    """Where the money and the margin come from: the dataset's settings (set on the Data page)."""
    s = dataset_settings()
    return t("activity.settings_caption", currency=s.currency or t("activity.no_currency"),
             margin=i18n.pct(s.margin, 0))
