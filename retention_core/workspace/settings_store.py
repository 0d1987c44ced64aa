"""Per-dataset settings as JSON in the ``datasets`` table (the dataclass lives in ingest/settings.py)."""

from __future__ import annotations

import json
import sqlite3


def read(con: sqlite3.Connection, slug: str) -> dict:
    row = con.execute("SELECT settings FROM datasets WHERE slug = ?", (slug,)).fetchone()
    return json.loads(row["settings"]) if row and row["settings"] else {}


def write(con: sqlite3.Connection, slug: str, values: dict) -> None:
    con.execute("UPDATE datasets SET settings = ? WHERE slug = ?", (json.dumps(values, ensure_ascii=False, sort_keys=True), slug))
