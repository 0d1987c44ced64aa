"""Notes per dataset and week, dated annotations per dataset (SPEC §7.1), as polars frames.

Texts are stored as typed; showing them as plain text is the reader's job (SPEC §10).
"""

from __future__ import annotations

import sqlite3
from datetime import date

import polars as pl

from retention_core.errors import ParameterError

MAX_TEXT = 5000
MAX_LABEL = 200
NOTE_SCHEMA = {"id": pl.Int64, "week": pl.Date, "text": pl.String, "author": pl.String,
               "created_at": pl.String, "updated_at": pl.String}
ANNOTATION_SCHEMA = {"id": pl.Int64, "date": pl.Date, "label": pl.String, "author": pl.String,
                     "created_at": pl.String}


def check_text(param: str, text: str, limit: int) -> str:
    value = text.strip()
    if not value or len(value) > limit:
        raise ParameterError(param, text[:40], f"1–{limit} characters")
    return value


def check_day(param: str, value: date) -> date:
    if not isinstance(value, date):
        raise ParameterError(param, value, "a date")
    return value


def notes(con: sqlite3.Connection, slug: str, week: date | None = None) -> pl.DataFrame:
    """Notes of a dataset (of one week when given), oldest first: id, week, text, author, created_at, updated_at."""
    sql = "SELECT id, week, text, author, created_at, updated_at FROM notes WHERE slug = ?"
    params: list[object] = [slug]
    if week is not None:
        sql += " AND week = ?"
        params.append(week.isoformat())
    rows = [tuple(r) for r in con.execute(sql + " ORDER BY week, id", params).fetchall()]
    frame = pl.DataFrame(rows, schema={**NOTE_SCHEMA, "week": pl.String}, orient="row")
    return frame.with_columns(pl.col("week").str.to_date())


def annotations(con: sqlite3.Connection, slug: str) -> pl.DataFrame:
    """Annotations of a dataset by date: id, date, label, author, created_at."""
    sql = "SELECT id, day, label, author, created_at FROM annotations WHERE slug = ? ORDER BY day, id"
    rows = [tuple(r) for r in con.execute(sql, (slug,)).fetchall()]
    frame = pl.DataFrame(rows, schema={**ANNOTATION_SCHEMA, "date": pl.String}, orient="row")
    return frame.with_columns(pl.col("date").str.to_date())
