"""The heavy steps as one engine query (SPEC §9): DuckDB embedded by default, Spark when the data outgrows it.

Orders → one row per customer × period (:func:`customer_periods`) and events → one row per user ×
period × event (:func:`event_counts`) are defined once as SQL (:mod:`retention_core.engine.sql`) and
run by DuckDB (over a polars frame, a CSV file, a Parquet file or folder, a saved version's Parquet)
or by Spark (``local[2]`` or a cluster through Spark Connect, :mod:`retention_core.engine.spark`).
Only the compact table comes back, as a polars frame; everything after it is the same polars code
for both engines.

Which engine: the ``engine=`` argument, else ``$RETENTION_ENGINE`` (``duckdb`` | ``spark``), else
DuckDB. Spark's master comes from ``$RETENTION_SPARK_MASTER`` (default ``local[2]``; a
``sc://host:15002`` URL connects to a Spark Connect server).

A saved dataset keeps its compact tables beside its Parquet (:func:`store_compact`, called by
``Workspace.save``), so opening it reads a few MB instead of grouping every order again
(:func:`load_compact`).

This package uses only the shared ground (periods, errors): ``ingest`` calls it when it saves and
``retention`` when it needs a compact table.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl

from retention_core.engine import sql as _sql
from retention_core.errors import check_choice
from retention_core.periods import GRAINS, Grain, validate_grain

ENGINES: tuple[str, ...] = ("duckdb", "spark")
ENGINE_ENV = "RETENTION_ENGINE"
STORED_GRAINS: tuple[str, ...] = tuple(g for g in GRAINS if g != "day")
"""Grains whose orders compact tables a save stores (the day table is nearly as large as the orders)."""
STORED_EVENT_GRAINS: tuple[str, ...] = ("week", "month")
"""Grains whose event counts a save stores (the grains of event retention's defaults)."""

_CORE = {
    "orders": ("customer_id", "ordered_at", "amount"),
    "events": ("user_id", "event", "occurred_at"),
}
_DATE = {"orders": "ordered_at", "events": "occurred_at"}
_COMPACT_SCHEMA = {
    "period": pl.Int32, "orders": pl.Int64, "revenue": pl.Decimal(38, 6),
    "first_period": pl.Int32, "last_purchase": pl.Int32, "next_purchase": pl.Int32, "lapse_age": pl.Int32,
}
_EVENTS_SCHEMA = {"user_id": pl.String, "period": pl.Int32, "event": pl.String, "events": pl.Int64}


_chosen: list[str] = []  # engines chosen by :func:`using`, innermost last


@contextmanager
def using(name: str | None) -> Iterator[None]:
    """Within the block, heavy steps without an explicit ``engine=`` run on ``name`` (None: no change).

    The CLI's ``--engine`` wraps the command in this, so every number of that command (metrics,
    cohorts, reports, what-if baselines) comes from the chosen engine.

    Examples
    --------
    >>> with using("spark"):
    ...     engine_name()
    'spark'
    """
    if name is None:
        yield
        return
    check_choice("engine", name, ENGINES)
    _chosen.append(name)
    try:
        yield
    finally:
        _chosen.pop()


def engine_name(name: str | None = None) -> str:
    """The engine to use: ``name`` if given, else the one of :func:`using`, else ``$RETENTION_ENGINE``,
    else ``duckdb`` (checked).

    Examples
    --------
    >>> engine_name("spark")
    'spark'
    >>> engine_name("polars")
    Traceback (most recent call last):
    ...
    retention_core.errors.ParameterError: engine='polars' is not allowed; expected duckdb, spark
    """
    chosen = name or (_chosen[-1] if _chosen else "") or os.environ.get(ENGINE_ENV, "").strip().lower() or "duckdb"
    check_choice("engine", chosen, ENGINES)
    return chosen


@dataclass(frozen=True)
class Source:
    """What a heavy step reads: a polars frame, or a file / folder / URI an engine reads itself.

    ``fmt`` is ``frame``, ``parquet`` (a file, a folder of files, or for Spark any URI such as
    ``s3a://lake/orders/``) or ``csv``. ``columns`` maps a canonical name (``customer_id``,
    ``ordered_at``, ``amount``; ``user_id``, ``event``, ``occurred_at``) to the header in the file
    when they differ.
    """

    fmt: str
    frame: pl.DataFrame | None = field(default=None, compare=False)
    path: str | None = None
    columns: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str:
        return dict(self.columns).get(name, name)


def source(obj: pl.DataFrame | Source | str | Path, *, columns: dict[str, str] | None = None) -> Source:
    """A :class:`Source` for a frame, a Parquet file or folder, a CSV file, or a URI (Spark).

    Examples
    --------
    >>> source("lake/orders.csv", columns={"ordered_at": "order_date"}).header("ordered_at")
    'order_date'
    >>> source("s3a://lake/orders/").fmt
    'parquet'
    """
    if isinstance(obj, Source):
        return obj
    cols = tuple(sorted((columns or {}).items()))
    if isinstance(obj, pl.DataFrame):
        return Source("frame", frame=obj.rename({v: k for k, v in cols}) if cols else obj)
    text = str(obj)
    csv = Path(text).suffix.lower() in {".csv", ".tsv", ".txt"} and "://" not in text
    return Source("csv" if csv else "parquet", path=text, columns=cols)


@dataclass(frozen=True)
class Compact:
    """The compact customer × period table of orders, with the grain it was made for.

    ``frame`` columns: ``customer_id`` (the input's dtype: String for canonical orders), ``period`` (Int32 period index), ``orders`` (Int64:
    rows with amount ≥ 0), ``revenue`` (Decimal(38, 6): Σ amount, refunds included, exact),
    ``first_period`` (Int32: the customer's first period with an order; null for refunds only),
    ``last_purchase`` / ``next_purchase`` (Int32: the nearest period before / after with an order;
    null when none), ``lapse_age`` (Int32: ``period − last_purchase``). Row order unspecified.
    ``data_end`` is the last day in the orders (the default analysis end), ``engine`` who made it,
    ``saved`` whether it was read from a saved version (:func:`load_compact`) rather than computed now.
    """

    frame: pl.DataFrame
    grain: Grain
    data_end: date | None = None
    engine: str = "duckdb"
    saved: bool = False

    @property
    def computed_by(self) -> str:
        """Who computed the table, for a caption: ``duckdb`` / ``spark <master>``, ``(saved)`` when read
        from a saved version.

        Examples
        --------
        >>> Compact(pl.DataFrame(), "month", None, "duckdb", saved=True).computed_by
        'duckdb (saved)'
        """
        who = self.engine
        if who == "spark":
            from retention_core.engine.spark import master

            who = f"spark {master()}"
        return f"{who} (saved)" if self.saved else who


def _run(sql: str, src: Source, kind: str, engine: str) -> pl.DataFrame:
    if engine == "spark":
        from retention_core.engine import spark

        return spark.run(_sql.for_dialect(sql, "spark"), src, _CORE[kind])
    from retention_core.engine import duck

    return duck.run(sql, src, _CORE[kind])


def _data_end(src: Source, kind: str, engine: str) -> date | None:
    if src.frame is not None:
        return src.frame.select(pl.col(_DATE[kind]).max().cast(pl.Date)).item()
    return _run(_sql.data_end_sql(_DATE[kind]), src, kind, engine).item()


def customer_periods(orders: pl.DataFrame | Source | str | Path, *, grain: Grain = "month",
                     engine: str | None = None) -> Compact:
    """Orders → the compact customer × period table (:class:`Compact`), computed by one SQL query.

    Parameters
    ----------
    orders
        Canonical orders (``customer_id``, ``ordered_at``, ``amount``) as a polars frame, or a
        :func:`source` / path the engine reads itself.
    grain
        Period grain (SPEC §4).
    engine
        ``duckdb`` or ``spark`` (default: :func:`engine_name`).

    Examples
    --------
    a: 10 in Jan, a refund in Feb, 5 in Apr; b: a refund only.

    >>> orders = pl.DataFrame({"customer_id": ["a", "a", "a", "b"], "amount": [10.0, -4.0, 5.0, -1.0],
    ...     "ordered_at": [date(2024, 1, 5), date(2024, 2, 1), date(2024, 4, 9), date(2024, 2, 3)]})
    >>> c = customer_periods(orders)
    >>> c.frame.sort("customer_id", "period").select("customer_id", "period", "orders", "first_period",
    ...     "last_purchase", "next_purchase", "lapse_age").rows()
    [('a', 648, 1, 648, None, 651, None), ('a', 649, 0, 648, 648, 651, 1), ('a', 651, 1, 648, 648, None, 3), ('b', 649, 0, None, None, None, None)]
    >>> c.frame["revenue"].sum(), c.data_end, c.engine
    (Decimal('10.000000'), datetime.date(2024, 4, 9), 'duckdb')
    """
    validate_grain(grain)
    name = engine_name(engine)
    src = source(orders)
    frame = _run(_sql.customer_periods_sql(grain), src, "orders", name)
    frame = frame.cast(_COMPACT_SCHEMA).select("customer_id", *_COMPACT_SCHEMA)  # type: ignore[arg-type]
    return Compact(frame, grain, _data_end(src, "orders", name), name)


def event_counts(events: pl.DataFrame | Source | str | Path, *, grain: Grain = "month",
                 engine: str | None = None) -> pl.DataFrame:
    """Events → one row per user × period × event with ``events`` (Int64), by one SQL query.

    Examples
    --------
    >>> ev = pl.DataFrame({"user_id": ["u", "u", "u"], "event": ["open", "open", "buy"],
    ...     "occurred_at": [datetime(2024, 1, 1, 9), datetime(2024, 1, 2, 9), datetime(2024, 2, 1, 9)]})
    >>> event_counts(ev).sort("period", "event").rows()
    [('u', 648, 'open', 2), ('u', 649, 'buy', 1)]
    """
    validate_grain(grain)
    frame = _run(_sql.event_counts_sql(grain), source(events), "events", engine_name(engine))
    return frame.cast(_EVENTS_SCHEMA).select(list(_EVENTS_SCHEMA))  # type: ignore[arg-type]


def compact_tables(parquet_path: str | Path, kind: str, *, grains: tuple[str, ...] = STORED_GRAINS,
                   engine: str | None = None) -> dict[str, Compact | pl.DataFrame]:
    """Every stored grain's compact table of a saved table: ``{grain: Compact}`` for orders,
    ``{grain: event counts}`` for events, ``{}`` for the other kinds."""
    if kind == "orders":
        return {g: customer_periods(Path(parquet_path), grain=g, engine=engine) for g in grains}  # type: ignore[arg-type]
    if kind == "events":
        return {g: event_counts(Path(parquet_path), grain=g, engine=engine) for g in grains}  # type: ignore[arg-type]
    return {}


def _compact_file(folder: Path, kind: str, grain: str) -> Path:
    return folder / f"{kind}.{grain}.parquet"


def store_compact(parquet_path: str | Path, kind: str, folder: str | Path) -> list[Path]:
    """Compute :func:`compact_tables` of a saved table and write them into ``folder`` (a version's
    ``compact/``): one Parquet per grain plus ``<kind>.json`` (data end, engine). Always DuckDB, the
    embedded engine: a save must not depend on a cluster. Returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    grains = STORED_EVENT_GRAINS if kind == "events" else STORED_GRAINS
    tables = compact_tables(parquet_path, kind, grains=grains, engine="duckdb")
    data_end = _data_end(source(Path(parquet_path)), kind, "duckdb") if kind == "events" and tables else None
    for grain, table in tables.items():
        frame = table.frame if isinstance(table, Compact) else table
        data_end = table.data_end if isinstance(table, Compact) else data_end
        path = _compact_file(folder, kind, grain)
        frame.write_parquet(path, statistics=False)
        written.append(path)
    if tables:
        meta = folder / f"{kind}.json"
        meta.write_text(json.dumps({"data_end": data_end.isoformat() if data_end else None, "engine": "duckdb",
                                    "grains": list(tables)}), encoding="utf-8")
        written.append(meta)
    return written


def stored_data_end(folder: str | Path, kind: str) -> date | None:
    """The last day of the data a version's stored compact tables of ``kind`` were made from (None when
    not stored: no tables, or event counts saved before the day was stored with them)."""
    meta = Path(folder) / f"{kind}.json"
    if not meta.exists():
        return None
    value = json.loads(meta.read_text(encoding="utf-8")).get("data_end")
    return date.fromisoformat(value) if value else None


def load_compact(folder: str | Path, kind: str, grain: str) -> Compact | pl.DataFrame | None:
    """The stored compact table of ``kind`` for ``grain`` (None when the version has none for it)."""
    path = _compact_file(Path(folder), kind, grain)
    meta = Path(folder) / f"{kind}.json"
    if not path.exists() or not meta.exists():
        return None
    info = json.loads(meta.read_text(encoding="utf-8"))
    frame = pl.read_parquet(path)
    if kind != "orders":
        return frame
    end = date.fromisoformat(info["data_end"]) if info.get("data_end") else None
    return Compact(frame, grain, end, info.get("engine", "duckdb"), saved=True)  # type: ignore[arg-type]


__all__ = ["ENGINES", "ENGINE_ENV", "STORED_GRAINS", "Compact", "Source", "compact_tables", "customer_periods",
           "engine_name", "event_counts", "load_compact", "source", "store_compact", "stored_data_end", "using"]
