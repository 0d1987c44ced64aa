"""Product accounts (SPEC §7.1 shared mode without an identity provider): names, roles, argon2 hashes.

Passwords are hashed with argon2id (``argon2-cffi``, its default parameters); a wrong name costs the
same time as a wrong password (a dummy hash is verified), so sign-in does not reveal which names exist.
An account without a password is signed in by the identity provider only (``st.login``, by e-mail).
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from retention_core.errors import ParameterError
from retention_core.workspace.roles import ROLES, Role

_HASHER = PasswordHasher()


@lru_cache(maxsize=1)
def _dummy() -> str:
    """A hash to verify against for unknown names (same cost as a real account); made on the first sign-in,
    not at import: every CLI command and app start imports this module (an argon2 hash is ~0.3 s)."""
    return _HASHER.hash("not a password of anyone")

MIN_PASSWORD = 8


@dataclass(frozen=True)
class UserInfo:
    name: str
    role: Role
    has_password: bool
    created_at: str


def check_name(name: str) -> str:
    """An account name as stored: stripped, NFC, 1–200 printable characters."""
    text = unicodedata.normalize("NFC", name.strip())
    if not text or len(text) > 200 or any(unicodedata.category(c).startswith("C") for c in text):
        raise ParameterError("user", name, "1–200 printable characters (a name or an e-mail)")
    return text


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise ParameterError("role", role, ROLES)
    return role  # type: ignore[return-value]


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise ParameterError("password", "…", f"at least {MIN_PASSWORD} characters")
    return _HASHER.hash(password)


def verify(con: sqlite3.Connection, name: str, password: str) -> Role | None:
    """The account's role when ``password`` is right, else None (same cost for unknown names)."""
    row = con.execute("SELECT role, password_hash FROM users WHERE name = ?", (name.strip(),)).fetchone()
    stored = row["password_hash"] if row and row["password_hash"] else _dummy()
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return row["role"] if row and row["password_hash"] else None


def users(con: sqlite3.Connection) -> list[UserInfo]:
    rows = con.execute("SELECT name, role, password_hash IS NOT NULL AS p, created_at FROM users ORDER BY name")
    return [UserInfo(r["name"], r["role"], bool(r["p"]), r["created_at"]) for r in rows.fetchall()]


def admins_left(con: sqlite3.Connection, *, without: str) -> int:
    row = con.execute("SELECT count(*) FROM users WHERE role = 'admin' AND name <> ?", (without,)).fetchone()
    return int(row[0])


def count(con: sqlite3.Connection) -> int:
    return int(con.execute("SELECT count(*) FROM users").fetchone()[0])
