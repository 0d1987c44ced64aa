"""The audit log (SPEC §7.1): who signed in, uploaded, saved, rolled back, deleted, restored, exported a
customer list, changed an account — one row per event, written in the same transaction as the change."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime

import polars as pl

AUDIT_COLUMNS = ("at", "actor", "action", "target", "detail")


def now() -> str:
    """The current UTC time as ISO text (seconds), the one clock of the metadata."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def record(con: sqlite3.Connection, actor: str, action: str, target: str = "", **detail: object) -> None:
    """Append one event (call inside the transaction of the change it describes)."""
    text = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str) if detail else ""
    con.execute("INSERT INTO audit (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                (now(), actor, action, target, text))


def read(con: sqlite3.Connection, *, limit: int | None = None) -> pl.DataFrame:
    """Events, newest first: at (UTC), actor, action, target, detail (JSON text)."""
    sql = "SELECT at, actor, action, target, detail FROM audit ORDER BY id DESC"
    rows = con.execute(sql + (" LIMIT ?" if limit else ""), (limit,) if limit else ()).fetchall()
    return pl.DataFrame([tuple(r) for r in rows], schema=dict.fromkeys(AUDIT_COLUMNS, pl.String), orient="row")
