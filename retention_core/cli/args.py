"""What every subcommand shares: the command registry, argument types, filters, loading and JSON.

``main`` (the frame) and the concept modules (the analyses) both import this module and never each other's
helpers, so there is no import circle.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import polars as pl

from retention_core.ingest import Filters, LoadResult, connect, load_file, query
from retention_core.periods import GRAINS, period_start

Command = Callable[[argparse.Namespace], dict]
COMMANDS: dict[str, tuple[str, Command, Callable[[argparse.ArgumentParser], None]]] = {}
PathArg = Literal["required", "optional", "none"]
PATH_ARG: dict[str, PathArg] = {}  # commands whose PATH is optional (report --dataset) or absent (datasets)


def command(name: str, help: str, args: Callable[[argparse.ArgumentParser], None] = lambda p: None, *,
            path: PathArg = "required"):
    """Register a subcommand: ``fn(ns) -> dict`` printed as JSON; ``path`` says whether it reads a PATH."""

    def wrap(fn: Command) -> Command:
        COMMANDS[name] = (help, fn, args)
        PATH_ARG[name] = path
        return fn

    return wrap


def date_arg(text: str) -> date:
    """A date or a date-time (SPEC §8): ``2024-01-10`` → a ``date`` (the whole day);
    ``2024-01-10 00:00:00`` / ``2024-01-10T00:00:00`` → a naive ``datetime``; with a zone
    (``2024-01-10T00:00:00Z``, ``+03:00``) → that instant in UTC, naive (the data's timestamps are naive).

    A date-only ``--to`` therefore means the end of that day; a date-time ``--to`` is that instant, inclusive.

    Examples
    --------
    >>> date_arg("2024-01-10"), date_arg("2024-01-10 00:00:00"), date_arg("2024-01-10T03:00:00+03:00")
    (datetime.date(2024, 1, 10), datetime.datetime(2024, 1, 10, 0, 0), datetime.datetime(2024, 1, 10, 0, 0))
    >>> date_arg("2024-01-10T00:00:00Z")
    datetime.datetime(2024, 1, 10, 0, 0)
    """
    value = text.strip()
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a date or date-time (expected YYYY-MM-DD, 'YYYY-MM-DD HH:MM:SS' or "
            "YYYY-MM-DDTHH:MM:SSZ)") from exc
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def day_of(value: date | None) -> date | None:
    """The calendar day of a date or date-time (None stays None)."""
    return value.date() if isinstance(value, datetime) else value


def _where(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"'{text}' is not COL=VALUE")
    col, value = text.split("=", 1)
    return col.strip(), value


def filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", type=date_arg,
                   help="first date or date-time: YYYY-MM-DD, 'YYYY-MM-DD HH:MM:SS', YYYY-MM-DDTHH:MM:SSZ")
    p.add_argument("--to", dest="date_to", type=date_arg,
                   help="last date (the whole day) or date-time (that instant), inclusive")
    p.add_argument("--where", action="append", type=_where, default=[], metavar="COL=VALUE",
                   help="keep rows whose segment column COL equals VALUE (repeat for more values/columns)")


def filters_from(ns: argparse.Namespace) -> Filters:
    grouped: dict[str, list[str]] = {}
    for col, value in getattr(ns, "where", []) or []:
        grouped.setdefault(col, []).append(value)
    return Filters(date_from=getattr(ns, "date_from", None), date_to=getattr(ns, "date_to", None),
                   segments=tuple((c, tuple(v)) for c, v in grouped.items()))


def load(ns: argparse.Namespace, kind: str | None = None) -> tuple[LoadResult, pl.DataFrame]:
    """Read PATH as ``kind`` and apply the filters through DuckDB; returns the load result and the rows."""
    con = connect()
    result = load_file(ns.path, kind=kind or getattr(ns, "kind", None), con=con, sheet=ns.sheet)  # type: ignore[arg-type]
    f = filters_from(ns)
    if not f.active:
        return result, result.frame
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{result.report.kind}.parquet"
        result.frame.write_parquet(path)
        rows = query(con, path, result.report.kind, f)
    return result, rows


def jsonable(value):
    """JSON-safe values: dates as ISO strings, NaN/inf as null, numpy/polars scalars as Python."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return jsonable(value.item())
    return value


def positive_int(name: str) -> Callable[[str], int]:
    def conv(text: str) -> int:
        try:
            value = int(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number") from exc
        if value < 1:
            raise argparse.ArgumentTypeError(f"{name} must be at least 1")
        return value

    return conv


def grain_arg(p: argparse.ArgumentParser, default: str) -> None:
    p.add_argument("--period", choices=GRAINS, default=default, help=f"period grain (default {default})")


def history(ns: argparse.Namespace) -> argparse.Namespace:
    """The same options without the date range: history is needed to know who is new."""
    return argparse.Namespace(**{**vars(ns), "date_from": None, "date_to": None})


def in_range(table: pl.DataFrame, column: str, ns: argparse.Namespace) -> pl.DataFrame:
    """Rows whose period overlaps --from/--to (a period counts when any of its days is inside)."""
    f = filters_from(ns)
    out = table
    if f.date_to:
        out = out.filter(pl.col(column) <= day_of(f.date_to))
    if f.date_from:
        out = out.filter(pl.col(column) >= pl.lit(day_of(f.date_from)).pipe(lambda e: period_start(e, ns.period)))
    return out


__all__ = ["COMMANDS", "PATH_ARG", "command", "date_arg", "day_of", "grain_arg", "history", "in_range", "filter_args", "filters_from", "jsonable", "load", "positive_int"]
