"""``python -m retention_core <command> PATH [options]``: JSON on stdout (SPEC §8).

Bad input exits with code 2 and one line on stderr, never a traceback. Key names are stable.
Filters (``--from``, ``--to``, ``--where COL=VALUE``) go through the same DuckDB query layer as the app.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from retention_core.errors import ParameterError, RetentionError
from retention_core.ingest import KINDS, Filters, LoadResult, Workspace, connect, load_file, query

Command = Callable[[argparse.Namespace], dict]
COMMANDS: dict[str, tuple[str, Command, Callable[[argparse.ArgumentParser], None]]] = {}


def command(name: str, help: str, args: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    """Register a subcommand: ``fn(ns) -> dict`` printed as JSON."""

    def wrap(fn: Command) -> Command:
        COMMANDS[name] = (help, fn, args)
        return fn

    return wrap


def date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (expected YYYY-MM-DD)") from exc


def _where(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"'{text}' is not COL=VALUE")
    col, value = text.split("=", 1)
    return col.strip(), value


def filter_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--from", dest="date_from", type=date_arg, help="first date, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=date_arg, help="last date, YYYY-MM-DD (inclusive)")
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
        ws = Workspace(tmp)
        info = ws.save("cli", {result.report.kind: result})
        rows = query(con, ws.path(info.slug, result.report.kind), result.report.kind, f)
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


@command("validate", "read a file and report rows read/accepted/rejected with reasons",
         lambda p: p.add_argument("--kind", choices=KINDS))
def _validate(ns: argparse.Namespace) -> dict:
    result = load_file(ns.path, kind=ns.kind, sheet=ns.sheet)
    return result.report.to_json(result.rejected)


class _OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line on stderr and exit code 2."""

    def error(self, message: str):  # type: ignore[override]
        print(f"error: {self.prog}: {message}", file=sys.stderr)
        raise SystemExit(2)


def parser() -> argparse.ArgumentParser:
    _register_all()
    p = _OneLineParser(prog="python -m retention_core", description="Retention analytics from an export.")
    sub = p.add_subparsers(dest="command", required=True)
    for name, (help, _, add_args) in COMMANDS.items():
        sp = sub.add_parser(name, help=help)
        sp.add_argument("path", type=Path, help="the export file (CSV/TSV/…, Parquet or XLSX), or a folder of Parquet files read as one table")
        sp.add_argument("--sheet", default=None, help="the sheet of an XLSX workbook (default: the first)")
        add_args(sp)
    return p


def _register_all() -> None:
    """Import the modules that register the analysis commands (kept apart to keep this file small)."""
    import retention_core.cli_commands  # noqa: F401


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 2 bad input or options)."""
    p = parser()
    try:
        ns = p.parse_args(argv)
    except SystemExit as exc:  # argparse printed its one-line usage error
        return int(exc.code or 0)
    try:
        _, fn, _ = COMMANDS[ns.command]
        out = fn(ns)
    except RetentionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, duckdb.Error) as exc:
        print(f"error: {ns.path}: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    try:
        json.dump(jsonable(out), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `… | head`: the reader left; not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter from failing at exit
    return 0


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


__all__ = ["COMMANDS", "ParameterError", "command", "filter_args", "filters_from", "jsonable", "load", "main"]
