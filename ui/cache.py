"""Caching around DuckDB and core calls (STYLE: ui/cache.py).

One DuckDB connection per server (``cache_resource``) with a cursor per use; filtered tables and
core results are cached (shared, ``cache_resource``) by dataset, its version number (immutable),
filters and options, so switching pages never re-reads a file or recomputes a number.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import polars as pl
import streamlit as st

from retention_core.engine import load_compact
from retention_core.errors import InputError
from retention_core.ingest import (
    Filters,
    LoadResult,
    connect,
    date_bounds,
    excel_sheets,
    load_file,
    query,
)
from retention_core.ingest import segment_columns as _segment_columns
from retention_core.ingest import segment_values as _segment_values
from retention_core.ingest.store import server_source, source_version
from retention_core.retention.flows import compact
from retention_core.workspace import SYSTEM, DatasetInfo, Workspace
from ui import state

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "sample"
UCI_ORDERS = ROOT / "data" / "uci" / "online_retail_orders.csv"
SAMPLE_SLUG = "sample-shop"
UCI_SLUG = "uci-online-retail"


def data_root() -> Path:
    """The folder the Data page may read large datasets from: ``$RETENTION_DATA_ROOT`` or ``data/``."""
    return Path(os.environ.get("RETENTION_DATA_ROOT", ROOT / "data"))


def workspace_root() -> Path:
    """Where saved datasets live: ``$RETENTION_WORKSPACE`` or ``data/workspace``."""
    return Path(os.environ.get("RETENTION_WORKSPACE", ROOT / "data" / "workspace"))


@st.cache_resource
def connection() -> duckdb.DuckDBPyConnection:
    return connect()


def cursor() -> duckdb.DuckDBPyConnection:
    return connection().cursor()


def workspace() -> Workspace:
    """The shared workspace acting for this session's user (the owner in local mode; the signed-in user,
    or nobody, in shared mode): every write the pages make is checked against that user's role."""
    return _workspace(str(workspace_root())).as_user(state.get(state.SIGNED_IN))


@st.cache_resource(show_spinner=False)
def _workspace(root: str) -> Workspace:
    """Opened once per server: migrations run, old folders are adopted, a brand-new workspace gets the
    bundled demo datasets (never again once any dataset was saved: a deleted sample stays deleted)."""
    ws = Workspace(root, actor=SYSTEM)
    if ws.is_new():
        tables = {}
        for kind, name in (("orders", "orders.csv"), ("events", "events.csv"),
                           ("subscriptions", "subscriptions.csv"), ("survey", "survey.csv")):
            if (SAMPLE_DIR / name).exists():
                tables[kind] = load_file(SAMPLE_DIR / name, kind=kind, con=cursor())
        if tables:
            ws.save("Sample shop", tables, slug=SAMPLE_SLUG)
        if UCI_ORDERS.exists():
            ws.save("UCI Online Retail", {"orders": load_file(UCI_ORDERS, kind="orders", con=cursor())}, slug=UCI_SLUG)
    ws.sweep()
    return ws.as_user(None)


def datasets() -> list[DatasetInfo]:
    return workspace().datasets()


def version(slug: str) -> str:
    """The version of ``slug`` the pages show, as its folder (cache key: immutable, never reused, unique
    across workspaces): the one a link pins (``?v=``), else the newest; "" when the dataset is gone.

    A pinned version that does not exist is reported by the sidebar (links never lie); here it falls
    to the newest so that helper calls made before that check still have a table to read.
    """
    found = versions(slug)
    pinned = state.pinned_version()
    chosen = next((v for v in found if v.version == pinned), found[0] if found else None)
    return chosen.folder if chosen else ""


def versions(slug: str):
    return workspace().versions(slug)


def table_path(slug: str, kind: str, ver: str = "") -> Path:
    """The Parquet file of ``kind`` in the version folder ``ver`` (see :func:`version`)."""
    path = workspace().root / ver / f"{kind}.parquet" if ver else None
    return path if path is not None and path.exists() else workspace().path(slug, kind)


def settings(slug: str, ver: object = None):
    """The dataset's saved settings (:class:`~retention_core.ingest.settings.DatasetSettings`).

    Read from the workspace's SQLite on every call (about a millisecond), not cached: saving settings does not
    make a new data version, so a cache keyed by the version would serve another workspace's or an older
    setting (``ver`` is accepted for the callers and ignored)."""
    return workspace().settings(slug)


def save_settings(slug: str, chosen) -> None:
    """Save a dataset's settings (every page reads them on its next run); the core checks the editor role."""
    workspace().save_settings(slug, chosen)


# Tables and core results are shared objects (cache_resource), not copies: cache_data unpickles a fresh
# copy on every hit, ~1 s per rerun for a 10M-row table. Safe because nothing mutates them: polars frames
# are immutable and the core returns frozen dataclasses, frames and tuples.
@st.cache_resource(show_spinner=False, max_entries=8)  # a 10M-row table is ~0.5 GB: a few filter sets
def table(slug: str, kind: str, filters: Filters, ver: str) -> pl.DataFrame:
    """The filtered table (DuckDB applies the filters)."""
    return query(cursor(), table_path(slug, kind, ver), kind, filters)  # type: ignore[arg-type]


def filtered(slug: str, kind: str, filters: Filters) -> pl.DataFrame:
    return table(slug, kind, filters, version(slug))


@st.cache_data(show_spinner=False)
def segments(slug: str, kind: str, ver: str) -> dict[str, list[str]]:
    """Segment columns of a table with their values."""
    path = table_path(slug, kind, ver)
    if not path.exists():
        return {}
    con = cursor()
    columns = _segment_columns(con, path, kind)
    # every property column is kept in the table; the sidebar offers the ones the load chose as segments
    offered = next((d.reports.get(kind, {}).get("segments") for d in workspace().datasets() if d.slug == slug), None)
    if offered is not None:
        columns = [c for c in columns if c in offered]
    return {c: _segment_values(con, path, c) for c in columns}


@st.cache_data(show_spinner=False)
def bounds(slug: str, kind: str, ver: str):
    path = table_path(slug, kind, ver)
    return date_bounds(cursor(), path, kind) if path.exists() else None


def load_upload(upload, kind: str | None, mapping: tuple[tuple[str, str], ...], date_order: str | None,
                sheet: str | None = None, date_range: tuple | None = None) -> LoadResult:
    """Validate an uploaded file (Streamlit's ``UploadedFile``), cached by its upload id and the options.

    The id, not the bytes, is the cache key: hashing a few hundred MB on every rerun of the Data page
    cost about a second each time.
    """
    return _load_upload(upload.file_id, upload.name, kind, mapping, date_order, sheet, date_range, upload)


@st.cache_data(show_spinner=False, max_entries=8)
def _load_upload(file_id: str, name: str, kind: str | None, mapping: tuple[tuple[str, str], ...],
                 date_order: str | None, sheet: str | None, date_range: tuple | None, _upload) -> LoadResult:
    import tempfile

    suffix = Path(name).suffix
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(_upload.getvalue())
        return load_file(path, kind=kind, mapping=dict(mapping) or None, date_order=date_order,  # type: ignore[arg-type]
                         file_name=name, con=cursor(), sheet=sheet, date_range=date_range)


def upload_sheets(upload) -> list[str]:
    """The sheets of an uploaded workbook ([] for anything else, or a workbook that cannot be read)."""
    return _upload_sheets(upload.file_id, upload.name, upload)


@st.cache_data(show_spinner=False, max_entries=16)
def _upload_sheets(file_id: str, name: str, _upload) -> list[str]:
    import tempfile

    content = _upload.getvalue()
    if content[:4] != b"PK\x03\x04":
        return []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.xlsx"
        path.write_bytes(content)
        try:
            return excel_sheets(path, file=name)
        except InputError:
            return []  # load_upload reports the unreadable workbook


def load_server_path(relative: str, kind: str | None, mapping: tuple[tuple[str, str], ...],
                     date_order: str | None, date_range: tuple | None = None) -> LoadResult:
    """Validate a file or Parquet folder under :func:`data_root` (cached by path, its mtime, options)."""
    path = server_source(data_root(), relative, exclude=workspace_root())
    return _load_path(str(path), source_version(path), kind, mapping, date_order, relative.strip(), date_range)


@st.cache_data(show_spinner=False, max_entries=8)
def _load_path(path: str, version: float, kind: str | None, mapping: tuple[tuple[str, str], ...],
               date_order: str | None, name: str, date_range: tuple | None = None) -> LoadResult:
    return load_file(Path(path), kind=kind, mapping=dict(mapping) or None, date_order=date_order,  # type: ignore[arg-type]
                     file_name=name, con=cursor(), date_range=date_range)


@st.cache_resource(show_spinner=False, max_entries=256)
def _result(module: str, name: str, slug: str, kind: str, filters: Filters, ver: str,
            options: tuple[tuple[str, object], ...]):
    import importlib

    fn = getattr(importlib.import_module(module), name)
    return fn(table(slug, kind, filters, ver), **dict(options))


_OVERVIEW = "retention_core.value.overview"
_SEGMENTS = "retention_core.value.segments"


@st.cache_resource(show_spinner=False, max_entries=64)
def _value_overview(slug: str, kind: str, filters: Filters, ver: str, model: tuple[tuple[str, object], ...]):
    """``value_overview`` for the model settings ``model``, from parts cached on their own keys.

    The fits (the expensive part) are keyed by the time unit (and the calibration end for the holdout
    check) only, the per-customer table and the monthly period table by the data only: changing the
    horizon, discount rate or margin re-evaluates the predictions and the three LTVs, not the fits.
    """
    from retention_core.errors import NotEnoughDataError
    from retention_core.value.overview import default_calibration_day, value_overview

    options = dict(model)
    rows = table(slug, kind, filters, ver)
    unit = options.get("time_unit", "week")
    fitted = _result(_OVERVIEW, "fit_value_model", slug, kind, filters, ver, (("end", None), ("time_unit", unit)))
    cal = options.get("calibration_end") or default_calibration_day(fitted.first, fitted.last)
    check = (None if cal is None or cal == fitted.end
             else _result(_OVERVIEW, "fit_value_model", slug, kind, filters, ver, (("end", cal), ("time_unit", unit))))
    customers = _result(_SEGMENTS, "customer_table", slug, kind, filters, ver, ())
    try:  # the Overview's own month table when the windows agree (the compact table is shared in any case)
        month_metrics = _with_periods("retention_core.retention.flows", "period_metrics", slug, kind, filters, ver, "month",
                                (("window", options.get("window", 1)),))
    except NotEnoughDataError:
        month_metrics = None  # value_overview reports why the formula is missing
    horizon = int(options.get("horizon", 12))
    curve = None if fitted.model is None else _purchase_curve(slug, kind, filters, ver, unit, _curve_months(horizon))
    return value_overview(rows, fitted=fitted, check=check, customers=customers.frame, month_metrics=month_metrics,  # type: ignore[arg-type]
                          curve=curve, **options)


def _curve_months(horizon: int) -> int:
    """The purchase curve is made for the horizon rounded up to 12, 24, 36, 60 or 120 months, so that
    stepping the horizon within that reuses it (each month of the curve costs ~15 ms at 100k customers)."""
    return next((m for m in (12, 24, 36, 60, 120) if horizon <= m), horizon)


@st.cache_resource(show_spinner=False, max_entries=16)
def _purchase_curve(slug: str, kind: str, filters: Filters, ver: str, unit: str, months: int):
    from retention_core.value.clv import purchase_curve

    fitted = _result(_OVERVIEW, "fit_value_model", slug, kind, filters, ver, (("end", None), ("time_unit", unit)))
    return purchase_curve(fitted.model.summary, fitted.model.bgnbd, months=months)


def value_overview(slug: str, kind: str, filters: Filters, model: dict):
    """The Customer value page's overview for the model settings ``model`` (``ui.activity.value_model``),
    cached by dataset version, filters and settings; its fits are shared between settings (see
    :func:`_value_overview`)."""
    return _value_overview(slug, kind, filters, version(slug), tuple(sorted(model.items())))


@st.cache_resource(show_spinner=False, max_entries=64)
def _with_model(module: str, name: str, slug: str, kind: str, filters: Filters, ver: str,
                model: tuple[tuple[str, object], ...], options: tuple[tuple[str, object], ...]):
    import importlib

    fn = getattr(importlib.import_module(module), name)
    overview = _value_overview(slug, kind, filters, ver, model)
    customers = _result(_SEGMENTS, "customer_table", slug, kind, filters, ver, ())
    return fn(table(slug, kind, filters, ver), clv=overview.predictions, customers=customers, **dict(options))


def result_with_model(fn, slug: str, kind: str, filters: Filters, model: dict, **options):
    """``fn(filtered table, clv=<the CLV predictions for model>, customers=<customer_table>, **options)``,
    cached like :func:`result`.

    For the lists that rank customers by predicted value (at risk, lapsed): the fitted model comes
    from :func:`value_overview`'s cache (the same ``model`` options) and the per-customer table
    (``customer_table``) from :func:`result`'s, so moving a threshold filters that table only.
    """
    return _with_model(fn.__module__, fn.__name__, slug, kind, filters, version(slug),
                       tuple(sorted(model.items())), tuple(sorted(options.items())))


@st.cache_resource(show_spinner=False, max_entries=16)
def compact_table(slug: str, kind: str, filters: Filters, ver: str, grain: str):
    """The compact customer × period table (SPEC §9's heavy step) for the dataset, filters and grain.

    Without filters it is the one stored with the saved version (read, not computed: opening a
    dataset never groups its orders again); with filters, or for a version saved before compact
    tables existed, the engine (``$RETENTION_ENGINE``) computes it from the filtered table.
    """
    if not filters.active:
        stored = load_compact(table_path(slug, kind, ver).parent / "compact" / kind, kind, grain)  # that version's
        if stored is not None:
            return stored
    return compact(table(slug, kind, filters, ver), grain=grain)  # type: ignore[arg-type]


@st.cache_resource(show_spinner=False, max_entries=64)
def _with_periods(module: str, name: str, slug: str, kind: str, filters: Filters, ver: str, grain: str,
                  options: tuple[tuple[str, object], ...]):
    import importlib

    fn = getattr(importlib.import_module(module), name)
    periods = compact_table(slug, kind, filters, ver, grain)
    # these two need nothing but a saved compact table (it knows its data end): opening a dataset then never
    # loads its orders for them; anything else (drill-down lists) gets the filtered table as before
    compact_only = periods.saved and name in ("period_metrics", "cohort_matrix")
    rows = None if compact_only else table(slug, kind, filters, ver)
    return fn(rows, grain=grain, periods=periods, **dict(options))


def result_with_periods(fn, slug: str, kind: str, filters: Filters, grain: str, **options):
    """``fn(filtered table, grain=grain, periods=<its compact table>, **options)``, cached like :func:`result`.

    For period metrics and cohort matrices: the customer × period table (SPEC §9's heavy step) is
    made once per dataset, filters and grain, so switching a cohort view or the activity window only
    redoes the light part.
    """
    return _with_periods(fn.__module__, fn.__name__, slug, kind, filters, version(slug), grain,
                         tuple(sorted(options.items())))


_COHORTS = "retention_core.retention.cohorts"


def _counts_answer(filters: Filters, options: dict) -> bool:
    """Whether the stored weekly/monthly event counts answer these event-retention options (see
    ``event_retention_from_counts``): the whole log, UTC, Monday weeks, no breakdown, no filter, no data end."""
    from retention_core.retention.cohorts import COUNTED_GRAINS

    return (not filters.active and options.get("grain", "week") in COUNTED_GRAINS
            and (options.get("grain", "week") != "week" or options.get("week_start", "monday") == "monday")
            and options.get("time_zone", "UTC") == "UTC" and not options.get("breakdown")
            and not options.get("start_where") and not options.get("return_where") and options.get("date_to") is None)


@st.cache_resource(show_spinner=False, max_entries=8)
def _event_counts(slug: str, kind: str, ver: str, grain: str):
    """The version's stored event counts at ``grain`` and the log's last day, or None (not stored)."""
    from retention_core.engine import stored_data_end

    folder = table_path(slug, kind, ver).parent / "compact" / kind
    end = stored_data_end(folder, kind)
    counts = load_compact(folder, kind, grain) if end is not None else None
    return None if counts is None else (counts, end)


@st.cache_resource(show_spinner=False, max_entries=64)
def _event_retention(slug: str, kind: str, filters: Filters, ver: str, options: tuple[tuple[str, object], ...]):
    o = dict(options)
    stored = _event_counts(slug, kind, ver, o.get("grain", "week")) if _counts_answer(filters, o) else None
    if stored is None:
        return _result(_COHORTS, "event_retention", slug, kind, filters, ver, options)
    from retention_core.retention.cohorts import event_retention_from_counts

    counts, end = stored
    chosen = ("start_event", "return_event", "grain", "type", "date_from", "cumulative", "min_occurrences")
    return event_retention_from_counts(counts, data_end=end, **{k: o[k] for k in chosen if k in o})


def event_retention(slug: str, kind: str, filters: Filters, **options):
    """``event_retention(events, **options)``, cached like :func:`result`; read from the saved version's
    stored weekly/monthly user × period × event counts when they answer the options (SPEC §9: opening a
    saved dataset does not regroup its events), else computed from the events."""
    return _event_retention(slug, kind, filters, version(slug), tuple(sorted(options.items())))


def result(fn, slug: str, kind: str, filters: Filters, **options):
    """``fn(filtered table, **options)`` for a core function, cached by dataset version, filters and options.

    Options must be hashable (dates, strings, numbers, tuples, frozen dataclasses).
    """
    return _result(fn.__module__, fn.__name__, slug, kind, filters, version(slug), tuple(sorted(options.items())))
