"""Shared controls: the global sidebar, KPI tiles, downloads, error display."""

from __future__ import annotations

import math
import re
from datetime import date

import polars as pl
import streamlit as st

from retention_core import export
from retention_core.charts.retention import DEFAULT_LABELS
from retention_core.charts.theme import localized
from retention_core.definitions import METRIC_BY_KEY
from retention_core.errors import RetentionError
from retention_core.periods import GRAINS
from retention_core.retention.kpis import Kpi
from ui import activity, cache, i18n, state, team
from ui.i18n import t
from ui.text import plain

DATE_FORMAT = {"en": "YYYY-MM-DD", "ru": "DD.MM.YYYY"}
IMAGE_FORMATS = ("png", "svg")  # the camera button of every chart saves one of these (sidebar)  # date inputs and table date columns, per language


def sidebar() -> None:
    """Language, dataset, date range, grain and segment filters; every value bound to the URL."""
    sb = st.sidebar
    state.default(state.LANG, "en")
    sb.selectbox(t("sidebar.language"), i18n.LANGS, format_func=i18n.LANG_NAMES.get, key=state.LANG)
    team.user_box()
    infos = cache.datasets()
    slugs = [d.slug for d in infos]
    names = {d.slug: d.name for d in infos}
    state.apply_pending_dataset()
    team.check_link(slugs, names)  # a link to a dataset or version that is gone says so (never other data)
    if not infos:
        return
    state.ensure_choice(state.DATASET, slugs)
    slug = sb.selectbox(t("sidebar.dataset"), slugs, format_func=lambda s: dataset_name(s) if s == cache.SAMPLE_SLUG
                        else names.get(s, s), key=state.DATASET, on_change=team.unpin)
    team.version_caption(slug)
    activity.apply_settings()  # the currency sign is the dataset's (Data page), not a link's choice
    kind = primary_kind(slug)
    if kind is None:
        return
    span = cache.bounds(slug, kind, cache.version(slug))
    c1, c2 = sb.columns(2)
    lo, hi = (span or (None, None))
    state.default(state.DATE_FROM, None)
    state.default(state.DATE_TO, None)
    state.ensure_date(state.DATE_FROM, lo, hi)  # a link made on another dataset: whole range, with a notice
    state.ensure_date(state.DATE_TO, lo, hi)
    fmt = DATE_FORMAT[state.lang()]
    c1.date_input(t("sidebar.date_from"), min_value=lo, max_value=hi, key=state.DATE_FROM, format=fmt)
    c2.date_input(t("sidebar.date_to"), min_value=lo, max_value=hi, key=state.DATE_TO, format=fmt)
    state.ensure_choice(state.GRAIN, list(GRAINS), fallback=state.DEFAULT_GRAIN)
    sb.selectbox(t("sidebar.grain"), GRAINS, format_func=lambda g: t(f"grain.{g}"), key=state.GRAIN)
    state.ensure_choice(state.IMAGE_FORMAT, list(IMAGE_FORMATS), fallback="png")
    sb.segmented_control(t("sidebar.image_format"), IMAGE_FORMATS, format_func=str.upper, key=state.IMAGE_FORMAT,
                         help=t("sidebar.image_format_help"))
    segs = cache.segments(slug, kind, cache.version(slug))
    if segs:
        with sb.expander(t("sidebar.segments"), expanded=any(state.get(state.segment_key(c)) for c in segs)):
            for column, values in segs.items():
                key = state.segment_key(column)
                state.keep_valid(key, values)
                st.multiselect(plain(segment_label(column)), values, key=key,
                               placeholder=t("sidebar.segment_all"))


# Tiles never truncate (issue 13): labels wrap onto a second line, values shrink with the window instead of
# ending in "…" (five tiles in a row at 1280 px leave ~150 px each).
TILE_CSS = """<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; height: auto !important}
[data-testid="stMetricValue"] {font-size: clamp(1.2rem, 1.85vw, 2.25rem) !important}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {overflow: visible !important;
  text-overflow: clip !important}
</style>"""


def page_style() -> None:
    """The app-wide CSS the theme cannot express: tiles that never truncate, and in Russian the file uploader's
    built-in English ("Upload", "… per file") replaced by catalogue text and its English file size ("13.1KB")
    hidden (Streamlit offers no API for either; the validation report below counts the rows)."""
    css = TILE_CSS
    if state.lang() != "en":
        size = int(st.get_option("server.maxUploadSize"))
        size_text = t("data.size_gb", n=i18n.num(size / 1024, 1)) if size >= 1024 else t("data.size_mb", n=size)
        limit = t("data.upload_limit", size=size_text)
        css += f"""<style>
[data-testid="stFileUploaderDropzone"] button p {{font-size: 0 !important}}
[data-testid="stFileUploaderDropzone"] button p::after {{content: "{t('data.upload_button')}"; font-size: 0.875rem}}
[data-testid="stFileUploaderDropzoneInstructions"] span {{font-size: 0 !important}}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{content: "{limit}"; font-size: 0.875rem}}
[data-testid="stFileChipName"] + div {{display: none}}
</style>"""
    st.html(css)


def sample_banner(*, on_data_page: bool) -> None:
    """On the bundled sample: say it is a demo and point at the Data page (SPEC §7 first screen)."""
    if state.dataset() != cache.SAMPLE_SLUG:
        return
    c = st.columns([3, 1], vertical_alignment="center")
    c[0].info(t("sample.banner"), icon=":material/storefront:")
    if not on_data_page:
        c[1].page_link("pages/data.py", label=t("sample.banner_link"), icon=":material/upload_file:")


def primary_kind(slug: str) -> str | None:
    """The table the sidebar filters describe: orders when present, else the first one."""
    info = next((d for d in cache.datasets() if d.slug == slug), None)
    if info is None or not info.kinds:
        return None
    return "orders" if "orders" in info.kinds else info.kinds[0]


def current_filters():
    slug = state.dataset()
    kind = primary_kind(slug) if slug else None
    segs = cache.segments(slug, kind, cache.version(slug)) if kind else {}
    return state.filters(list(segs))


def segment_columns(kind: str) -> list[str]:
    """Segment columns of the chosen dataset's table of ``kind`` (empty without that table)."""
    slug = state.dataset()
    return list(cache.segments(slug, kind, cache.version(slug))) if slug and has_table(kind) else []


def has_table(kind: str) -> bool:
    """Whether the chosen dataset has a table of ``kind``."""
    slug = state.dataset()
    info = next((d for d in cache.datasets() if d.slug == slug), None) if slug else None
    return info is not None and kind in info.kinds


def segment_names(kind: str) -> list[str]:
    """Segment columns of the chosen dataset's table of ``kind`` (empty without one)."""
    slug = state.dataset()
    if not has_table(kind):
        return []
    return list(cache.segments(slug, kind, cache.version(slug)))


def filters_for(kind: str, *, full_history: bool = False):
    """Sidebar filters as they apply to ``kind``: segments belong to the primary table, dates to all.

    ``full_history=True`` drops the date range (segments stay): period metrics and cohorts need every
    earlier order to know who is new, so pages compute on full history and show the chosen range.
    """
    f = current_filters()
    segments = f.segments if kind == primary_kind(state.dataset()) else ()
    if full_history:
        return type(f)(segments=segments)
    return type(f)(date_from=f.date_from, date_to=f.date_to, segments=segments)


def current_table(kind: str) -> pl.DataFrame | None:
    """The filtered table of ``kind`` for the chosen dataset, or None when the dataset has none."""
    if not has_table(kind):
        return None
    return cache.filtered(state.dataset(), kind, filters_for(kind))


def computed(fn, kind: str, *, full_history: bool = False, **options):
    """A core function over the current filtered table of ``kind`` (cached); None without that table.

    Example: ``computed(period_metrics, "orders", full_history=True, grain=state.grain())``.
    """
    if not has_table(kind):
        return None
    return cache.result(fn, state.dataset(), kind, filters_for(kind, full_history=full_history), **options)


def computed_with_periods(fn, kind: str, *, grain: str, full_history: bool = False, **options):
    """Like :func:`computed` for ``period_metrics`` / ``cohort_matrix``: the compact customer × period
    table for ``grain`` is cached once and shared by every call with the same data and filters."""
    if not has_table(kind):
        return None
    return cache.result_with_periods(fn, state.dataset(), kind, filters_for(kind, full_history=full_history), grain,
                                     **options)


def engine_caption(kind: str = "orders", *, grain: str) -> None:
    """A caption naming who computed the customer × period table behind the numbers above (SPEC §9)."""
    if not has_table(kind):
        return
    slug = state.dataset()
    periods = cache.compact_table(slug, kind, filters_for(kind, full_history=True), cache.version(slug), grain)
    if periods.saved:
        st.caption(t("engine.by_saved", engine="Spark" if periods.engine == "spark" else "DuckDB"))
    elif periods.engine == "spark":
        from retention_core.engine.spark import master

        st.caption(t("engine.by_spark", master=master()))
    else:
        st.caption(t("engine.by_duckdb"))


def event_retention(**options):
    """Event retention over the chosen dataset's whole event log (cached; None without events): from the
    saved version's stored weekly/monthly counts when they answer the options, else from the events."""
    if not has_table("events"):
        return None
    return cache.event_retention(state.dataset(), "events", filters_for("events", full_history=True), **options)


def value_overview(model: dict):
    """The Customer value overview (:func:`retention_core.value.overview.value_overview`) of the current
    orders for the model settings ``model`` (cached; the fits are reused across horizon, discount and margin)."""
    return cache.value_overview(state.dataset(), "orders", filters_for("orders"), model)


def computed_with_model(fn, kind: str, model: dict, **options):
    """Like :func:`computed`, for a core function that also takes ``clv=`` (the model's predictions
    for the Customer value settings ``model``); the fit itself is reused from the page's cache."""
    if not has_table(kind):
        return None
    return cache.result_with_model(fn, state.dataset(), kind, filters_for(kind), model, **options)


def date_range():
    """The sidebar's (from, to) dates, either may be None."""
    f = current_filters()
    return f.date_from, f.date_to


def tile(col, label: str, value: str, *, delta: str | None = None, help: str | None = None,
         delta_color: str = "normal") -> None:
    """A large KPI tile."""
    col.metric(label, value, delta=delta, help=help, delta_color=delta_color, border=True)


def metric_value(key: str, value: float | None) -> str:
    """A metric's value formatted by its unit (definitions.METRICS): ratios in %, money with the sign."""
    unit = METRIC_BY_KEY[key].unit if key in METRIC_BY_KEY else "count"
    return i18n.pct(value) if unit == "ratio" else i18n.money(value, 2) if unit == "money" else i18n.num(value)


def kpi_tile(col, k: Kpi) -> None:
    """A KPI tile for :func:`retention_core.retention.kpis.kpis`: value, change (ratios in points, the rest in %),
    green when the change is good (``delta_color="inverse"`` where lower is better), formula on hover."""
    delta = None if k.change is None else i18n.points(k.change) if k.change_is_points else i18n.pct(k.change, signed=True)
    color = "off" if k.higher_is_better is None else "normal" if k.higher_is_better else "inverse"
    tile(col, t(f"metric.{k.key}"), metric_value(k.key, k.value), delta=delta, delta_color=color,
         help=t(f"formula.{k.key}"))


def ratio_columns(frame: pl.DataFrame) -> tuple[str, ...]:
    """Columns holding a ratio (a fraction the UI shows in %): registered ratio metrics, their previous values and
    changes (in points), ``*_rate`` / ``*_share`` and P(alive)."""
    def is_ratio(c: str) -> bool:
        base = next((c[: -len(s)] for s in ("_previous", "_change") if c.endswith(s) and c != s), c)
        metric = METRIC_BY_KEY.get(base)
        if metric is not None:
            return metric.unit == "ratio" and base != "purchase_frequency"
        return base.endswith(("_rate", "_share")) or base in ("p_alive", "share", "conversion")
    return tuple(c for c, d in frame.schema.items() if d.is_numeric() and is_ratio(c))


def download(frame: pl.DataFrame, file_name: str, *, shown: pl.DataFrame | None = None,
             names: dict[str, str] | None = None, percent: tuple[str, ...] | None = None,
             decimals: int | dict[str, int] = 2, label: str | None = None, key: str | None = None,
             audit: str | None = None) -> None:
    """Every table download goes through here and :mod:`retention_core.export` (SPEC §7, §10): a menu with

    - ``<stem>.csv`` in the user's convention (RU: ``;``, decimal comma, BOM; EN: ``,`` and dot), headers in the
      UI language (``names``, else :func:`column_label`), numbers at display precision, ratios in %;
    - ``<stem>.xlsx``: typed cells, formats, a frozen header;
    - ``<stem>.data.csv`` for scripts: the SPEC keys, ISO dates, full precision, ``frame``'s own values (stable
      codes where ``shown`` translates them for people).

    Files are written only when clicked: a page with several 100k-row lists would otherwise build every file on
    every rerun. Every form is formula-safe (a leading ``'`` before ``= + - @`` text). ``audit`` names a customer
    list: each of its downloads is written to the audit log (SPEC §7.1).
    """
    people = frame if shown is None else shown
    ratios = ratio_columns(people) if percent is None else percent
    lang = state.lang()
    headers = {c: (names or {}).get(c) or column_label(c) for c in people.columns}
    csv_headers = {c: h if c not in ratios or "%" in h else f"{h}, %" for c, h in headers.items()}
    stem = file_name.removesuffix(".csv")
    booleans = (t("common.yes"), t("common.no"))
    key = key or stem
    def logged(write):
        return team.audited(write, audit) if audit else write

    with st.popover(label or t("common.download"), icon=":material/download:"):
        st.download_button(t("common.download_csv"), logged(lambda: export.to_csv(
            people, convention=lang, headers=csv_headers, percent=ratios, decimals=decimals, booleans=booleans)),
            file_name=f"{stem}.csv", mime="text/csv", key=key, help=t("common.download_csv_help"))
        st.download_button(t("common.download_xlsx"), logged(lambda: export.to_xlsx(
            people, convention=lang, headers=headers, percent=ratios, decimals=decimals, sheet=stem)),
            file_name=f"{stem}.xlsx", key=f"{key}_xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        st.download_button(t("common.download_data"), logged(lambda: export.to_csv(frame, convention="machine")),
                           file_name=f"{stem}.data.csv", mime="text/csv", key=f"{key}_data",
                           help=t("common.download_data_help"))


def show_error(exc: RetentionError) -> None:
    """A core error in the error box; its text (file names, headers, values) is shown as plain text."""
    st.error(plain(i18n.error(exc)), icon=":material/error:")


def url_notices(container) -> None:
    """Say once which link values were clamped or ignored (ui.state.parse_param, ensure_*)."""
    for key, value, what in state.pop_notices():
        container.warning(t(f"url.{what}", param=plain(key), value=plain(value)), icon=":material/link_off:")


def _label(key: str, prefixes: tuple[str, ...]) -> str:
    texts = i18n.catalogue()["en"]
    if key == "age":
        return t("chart.age", units=t(f"units.{state.grain()}"))
    return next((t(f"{p}.{key}") for p in prefixes if f"{p}.{key}" in texts), key)


def column_label(column: str) -> str:
    """The display name of a core column in tables and downloads (SPEC §7: no raw column names).

    ``<metric>_previous`` and ``<metric>_change`` read as "<metric>, previous" / "<metric>, change".
    """
    for suffix in ("_previous", "_change"):
        if column.endswith(suffix) and column != suffix:
            return t(f"column.suffix{suffix}", name=column_label(column[: -len(suffix)]))
    return _label(column, ("metric", "chart", "column", "segment_column"))


def chart_labels(**extra: str) -> dict[str, str]:
    """Translated ``labels=`` for the retention chart builders (metric names, axes, flows)."""
    return {**{k: _label(k, ("chart", "metric")) for k in (*DEFAULT_LABELS, "no_value")}, **extra}


def dated(fig, grain: str | None = None):
    """A figure with a date x axis in the UI language: month names and hovers per language
    (:func:`retention_core.charts.theme.localized`; ticks per ``grain``, the sidebar's by default), with the
    dataset's annotations drawn on it as dotted lines (ui/notes_sections.py, SPEC §7.1)."""
    from ui import notes_sections

    return notes_sections.mark(localized(fig, lang=state.lang(), grain=grain or state.grain()))


def dataset_name(slug: str | None) -> str:
    """A dataset's display name; the bundled sample's in the UI language ("Sample shop" / "Демо-магазин")."""
    if slug == cache.SAMPLE_SLUG:
        return t("sample.name")
    return next((d.name for d in cache.datasets() if d.slug == slug), slug or "")


def segment_label(column: str) -> str:
    """A segment column's display name: the catalogue's for the known ones (channel, region, …), else the
    user's own header as it was normalised."""
    return i18n.known(f"segment_column.{column}", column.replace("_", " ").capitalize())


def filter_caption() -> str:
    """What the numbers describe, for a chart's subtitle and its image export: dataset · dates · grain · segments."""
    f = current_filters() if state.dataset() else None
    parts = [dataset_name(state.dataset())]
    if f is not None and (f.date_from or f.date_to):
        parts.append(f"{i18n.day(f.date_from) if f.date_from else '…'} – {i18n.day(f.date_to) if f.date_to else '…'}")
    parts.append(t(f"grain.{state.grain()}"))
    if f is not None:
        parts += [f"{segment_label(c)}: {', '.join(v)}" for c, v in f.segments if v]
    return " · ".join(p for p in parts if p)


def image_name(chart: str) -> str:
    """A chart image's file name: chart, dataset and today's date (``overview_trend_sample-shop_2026-01-31``)."""
    safe = re.sub(r"[^\w.-]+", "-", f"{chart}_{state.dataset() or 'data'}_{date.today().isoformat()}")
    return safe.strip("-")[:120]


def image_format() -> str:
    """PNG (slides, chats) or SVG (print, editing): the reader's choice in the sidebar."""
    chosen = state.get(state.IMAGE_FORMAT)
    return chosen if chosen in IMAGE_FORMATS else "png"


def chart(fig, key: str, *, where=None, title: str | None = None, date_axis: bool | str = False,
          height: int | None = None, on_select: str = "ignore", selection_mode: str = "points"):
    """Every chart of the app: in the UI language (numbers, month names, hovers), with its ``title`` and the
    filters it shows (:func:`filter_caption`) inside the figure, so the camera button's PNG (named by
    :func:`image_name`) carries its context; the legend under the plot (never under the title or the toolbar).

    ``date_axis``: True for the sidebar's grain, or the grain of the x axis (``"month"`` on What-if);
    ``on_select="rerun"`` makes it clickable and returns the selection event (the drill-downs)."""
    if date_axis:
        dated(fig, date_axis if isinstance(date_axis, str) else None)  # month names per language, annotations
    else:
        localized(fig, lang=state.lang(), grain=None)
    if title is not None:
        fig.update_layout(title={"text": title, "subtitle": {"text": filter_caption(), "font": {"size": 13}}},
                          margin={"t": 90})
    if height:
        fig.update_layout(height=height)
    config = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"],
              "toImageButtonOptions": {"format": image_format(), "filename": image_name(key), "scale": 2}}
    if on_select == "ignore":
        return (where or st).plotly_chart(fig, key=key, width="stretch", config=config)
    return (where or st).plotly_chart(fig, key=key, width="stretch", config=config, on_select=on_select,
                                      selection_mode=selection_mode)


def labelled(frame: pl.DataFrame, **names: str) -> pl.DataFrame:
    """The frame with display names for its columns, for tables and downloads (``names`` override)."""
    return frame.rename({c: names.get(c) or column_label(c) for c in frame.columns})


def period_caption(activity: str, incomplete: date | None, *, shown: bool, masked: bool = False) -> None:
    """A chart's period semantics: grain, week start (Monday), what "active" means, and whether the
    incomplete period is shown (dotted / faded), left out, or ``masked`` (blank heatmap cells)."""
    parts = [t("caption.grain", grain=t(f"units.{state.grain()}").lower()), t("caption.week_start"), activity]
    if incomplete is None:
        parts.append(t("caption.no_incomplete"))
    else:
        key = "caption.incomplete_masked" if masked else "caption.incomplete_shown" if shown else "caption.incomplete_hidden"
        parts.append(t(key, period=i18n.day(incomplete)))
    st.caption(" · ".join(parts) + ".")


def include_incomplete_toggle(col) -> bool:
    """The shared "include incomplete period" switch (URL-kept, same value on every page)."""
    state.default(state.INCLUDE_INCOMPLETE, False)
    return col.toggle(t("common.include_incomplete"), key=state.INCLUDE_INCOMPLETE,
                      help=t("common.include_incomplete_help"))


def int_input(col, key: str, lo: int, hi: int, fallback: int, *, label: str, help: str | None = None,
              step: int = 1) -> int:
    """A URL-kept whole-number input (a value from a link outside [lo, hi] falls back)."""
    state.ensure_int(key, lo, hi, fallback)
    return int(col.number_input(label, min_value=lo, max_value=hi, step=step, key=key, help=help))


def float_input(col, key: str, lo: float, hi: float, fallback: float, *, label: str, help: str | None = None,
                step: float = 0.5, format: str = "%.1f") -> float:
    """A URL-kept decimal input (a value from a link outside [lo, hi] falls back)."""
    state.ensure_float(key, lo, hi, fallback)
    return float(col.number_input(label, min_value=float(lo), max_value=float(hi), step=float(step), key=key,
                                  help=help, format=format))


def choice(col, key: str, options: tuple[str, ...], fallback: str, *, label: str, prefix: str,
           help: str | None = None) -> str:
    """A URL-kept segmented control whose options are stable codes shown as ``t(f"{prefix}.{code}")``."""
    state.ensure_choice(key, list(options), fallback=fallback)
    return col.segmented_control(label, options, format_func=lambda o: t(f"{prefix}.{o}"), key=key,
                                 required=True, help=help)


def translated(frame: pl.DataFrame, column: str, prefix: str, codes: tuple[str, ...] | None = None) -> pl.DataFrame:
    """``column``'s codes (segment names, reasons) replaced by their display text ``t(f"{prefix}.{code}")``
    (``codes`` default: the values present)."""
    if codes is None:
        codes = tuple(frame[column].drop_nulls().unique().cast(pl.String).to_list())
    return frame.with_columns(pl.col(column).cast(pl.String).replace({c: t(f"{prefix}.{c}") for c in codes}))


def significant(x: float | None, digits: int = 3) -> str:
    """A number to ``digits`` significant digits in the UI language (model parameters span 1e-5 … 1e5)."""
    if x is None or not math.isfinite(x) or x == 0:
        return i18n.num(x, 0)
    return i18n.num(x, max(0, digits - 1 - math.floor(math.log10(abs(x)))))


NULL_SHOWN = "—"  # a missing value in a table (CRR with nobody at the start): not Streamlit's English "None"


def grid(data, **kwargs):
    """Every ``st.dataframe`` of the app: missing values show as a dash in both languages."""
    return st.dataframe(data, placeholder=NULL_SHOWN, **kwargs)


def table(frame: pl.DataFrame, *, names: dict[str, str] | None = None, percent: tuple[str, ...] = (),
          dates: tuple[str, ...] = (), decimals: int = 2, first: tuple[str, ...] = (), file_name: str | None = None,
          key: str | None = None, height: int | None = None, hide_empty: bool = False, rows: int | None = None) -> None:
    """A table with display column names (``names``, else :func:`column_label`), percentages (to 0.1 %) and dates
    in the UI language, localized numbers rounded to ``decimals`` for reading, the ``first`` columns shown leftmost,
    columns with no value at all left out (``hide_empty``), at most ``rows`` rows on screen (the list's top; a
    caption says so), and (with ``file_name``) the same table at full precision as a CSV download."""
    if hide_empty:
        frame = frame.select([c for c in frame.columns if frame[c].null_count() < frame.height] or frame.columns)
    full = labelled(frame, **(names or {}))
    label = dict(zip(frame.columns, full.columns, strict=True))
    config, rounded = {}, []
    for column, dtype in frame.schema.items():
        if column in dates:
            config[label[column]] = st.column_config.DateColumn(format=DATE_FORMAT[state.lang()])
        elif dtype.is_numeric():
            config[label[column]] = st.column_config.NumberColumn(format="percent" if column in percent else "localized")
            if dtype.is_float():
                rounded.append(pl.col(label[column]).round(3 if column in percent else decimals))
    order = [label[c] for c in first] + [label[c] for c in frame.columns if c not in first] if first else None
    shown = full.head(rows) if rows is not None else full  # 100k-row lists are slow to send on every rerun
    grid(shown.with_columns(rounded), hide_index=True, column_config=config, column_order=order,
                 height=height or "auto")
    if shown.height < full.height:
        st.caption(t("common.first_rows", shown=i18n.num(shown.height), total=i18n.num(full.height)))
    if file_name:
        download(frame, file_name, names=names, percent=percent, decimals=decimals, key=key)


