"""The workspace's metadata database: SQLite in WAL mode, schema migrations by number (SPEC §7.1).

Versions, accounts, notes, annotations, the audit log and per-dataset settings live in one file,
``<workspace>/workspace.sqlite3``. WAL lets the server's readers and a CLI writer work at once; every
write is one short ``BEGIN IMMEDIATE`` transaction (a busy timeout waits for the other writer).
``PRAGMA user_version`` is the schema number; :data:`MIGRATIONS` are applied in order, each in its own
transaction, so a database from any earlier release is brought up to date on open.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DB_NAME = "workspace.sqlite3"

# Append only: a released migration is never edited (a database that ran it would not run it again).
MIGRATIONS: tuple[str, ...] = (
    # 1: datasets and their immutable versions; accounts; audit
    """
    CREATE TABLE datasets (
        slug TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        deleted_at TEXT,
        deleted_by TEXT
    );
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        slug TEXT NOT NULL REFERENCES datasets(slug),
        number INTEGER NOT NULL,
        folder TEXT NOT NULL UNIQUE,
        saved_at TEXT NOT NULL,
        saved_by TEXT NOT NULL,
        kinds TEXT NOT NULL,
        reports TEXT NOT NULL,
        restored_from INTEGER,
        UNIQUE (slug, number)
    );
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
        password_hash TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX audit_at ON audit(at);
    """,
    # 2: notes per dataset and week, dated annotations per dataset
    """
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        slug TEXT NOT NULL REFERENCES datasets(slug),
        week TEXT NOT NULL,
        text TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX notes_slug_week ON notes(slug, week);
    CREATE TABLE annotations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        slug TEXT NOT NULL REFERENCES datasets(slug),
        day TEXT NOT NULL,
        label TEXT NOT NULL,
        author TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX annotations_slug ON annotations(slug, day);
    """,
    # 3: per-dataset settings (JSON of ingest.settings.DatasetSettings)
    """
    ALTER TABLE datasets ADD COLUMN settings TEXT;
    """,
)


def connect_db(root: Path) -> sqlite3.Connection:
    """Open the workspace database (created and migrated when needed); autocommit, transactions explicit."""
    con = sqlite3.connect(root / DB_NAME, timeout=30.0, isolation_level=None)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA busy_timeout = 30000")
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = FULL")  # a committed version survives a power cut, not only a kill
    con.execute("PRAGMA foreign_keys = ON")
    return con


def schema_version(con: sqlite3.Connection) -> int:
    return int(con.execute("PRAGMA user_version").fetchone()[0])


def migrate(con: sqlite3.Connection) -> int:
    """Apply the migrations this database has not run yet; returns the schema number now.

    Each migration runs in one ``BEGIN IMMEDIATE`` transaction together with its ``user_version``
    bump, and the number is re-read inside it, so two processes opening a new workspace at once
    apply each migration exactly once.
    """
    while True:
        if schema_version(con) >= len(MIGRATIONS):
            return schema_version(con)
        with transaction(con):
            current = schema_version(con)
            if current >= len(MIGRATIONS):
                continue
            for statement in MIGRATIONS[current].split(";"):
                if statement.strip():
                    con.execute(statement)
            con.execute(f"PRAGMA user_version = {current + 1}")


@contextmanager
def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (``BEGIN IMMEDIATE``: takes the write lock up front, no upgrade deadlock)."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
