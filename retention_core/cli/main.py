"""``python -m retention_core <command> PATH [options]``: JSON on stdout (SPEC §8).

Bad input exits with code 2 and one line on stderr, never a traceback. Key names are stable.
Filters (``--from``, ``--to``, ``--where COL=VALUE``) go through the same DuckDB query layer as the app.
Shared argument helpers live in :mod:`retention_core.cli.args`; the commands in one module per concept (``retention``, ``journeys``, ``value``, ``whatif``, ``survival``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from retention_core.cli.args import COMMANDS, PATH_ARG, command, date_arg, jsonable, load_options
from retention_core.engine import ENGINES, using
from retention_core.errors import RetentionError
from retention_core.ingest import KINDS, load_file
from retention_core.ingest.rejections import rejection_summary


@command("validate", "read a file and report rows read/accepted/rejected with reasons",
         lambda p: p.add_argument("--kind", choices=KINDS))
def _validate(ns: argparse.Namespace) -> dict:
    result = load_file(ns.path, kind=ns.kind, sheet=ns.sheet, **load_options(ns))
    return {**result.report.to_json(result.rejected), **rejection_summary(result).to_json()}  # additive keys


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
        if PATH_ARG.get(name, "required") != "none":
            sp.add_argument("path", type=Path, nargs=None if PATH_ARG.get(name, "required") == "required" else "?",
                            help="the export file (CSV/TSV/…, Parquet or XLSX), or a folder of Parquet files read as one table")
            sp.add_argument("--sheet", default=None, help="the sheet of an XLSX workbook (default: the first)")
            sp.add_argument("--allow-dates", nargs=2, type=date_arg, metavar=("FROM", "TO"), default=None,
                            help="accept rows dated FROM … TO (within 1900-01-01 … 2200-12-31; default 1970-01-01 … a year from today)")
            sp.add_argument("--timezone", default="UTC",
                            help="convert timestamps written with an offset to this IANA zone (default UTC)")
        sp.add_argument("--engine", choices=ENGINES, default=None,
                        help="who runs the heavy step (orders → customer × period): duckdb (embedded) or spark "
                             "($RETENTION_SPARK_MASTER, default local[2]); default $RETENTION_ENGINE or duckdb")
        add_args(sp)
    return p


def _register_all() -> None:
    """Import the modules that register the analysis commands (kept apart to keep this file small)."""
    import retention_core.cli.journeys  # noqa: F401
    import retention_core.cli.retention  # noqa: F401
    import retention_core.cli.survival  # noqa: F401
    import retention_core.cli.team  # noqa: F401
    import retention_core.cli.value  # noqa: F401
    import retention_core.cli.whatif  # noqa: F401


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (0 ok, 2 bad input or options)."""
    p = parser()
    try:
        ns = p.parse_args(argv)
    except SystemExit as exc:  # argparse printed its one-line usage error
        return int(exc.code or 0)
    try:
        _, fn, _ = COMMANDS[ns.command]
        with using(ns.engine):
            out = fn(ns)
    except RetentionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (OSError, duckdb.Error) as exc:
        where = getattr(ns, "path", None) or getattr(ns, "dataset", None) or ns.command
        print(f"error: {where}: {exc}".splitlines()[0], file=sys.stderr)
        return 2
    try:
        json.dump(jsonable(out), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:  # `… | head`: the reader left; not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep the interpreter from failing at exit
    return 0


__all__ = ["main", "parser"]
