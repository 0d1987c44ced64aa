"""The team around the datasets (SPEC §7.1): accounts, sign-in, the audit log, notes, annotations and
per-dataset settings — the part of :class:`~retention_core.workspace.store.Workspace` that is not about
versions. A mixin: it uses the workspace's ``_db``, ``require``, ``actor`` and ``get``; every write checks
the acting user's role and is audited in the same transaction.
"""

from __future__ import annotations

import sqlite3
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import polars as pl

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.ingest.settings import DatasetSettings
from retention_core.workspace import accounts, audit, notes, settings_store
from retention_core.workspace.db import transaction
from retention_core.workspace.roles import Action, Actor, require

if TYPE_CHECKING:
    from retention_core.workspace.store import DatasetInfo


class TeamMixin:
    """Accounts, audit, notes, annotations and settings of a workspace (mixed into ``Workspace``)."""

    if TYPE_CHECKING:
        def _db(self) -> AbstractContextManager[sqlite3.Connection]: ...
        def require(self, action: Action) -> Actor: ...
        @property
        def actor(self) -> Actor: ...
        def get(self, slug: str) -> DatasetInfo: ...

    # --- accounts ------------------------------------------------------------------------------------------

    def users(self) -> list[accounts.UserInfo]:
        """Every account (admin)."""
        self.require("accounts")
        with self._db() as con:
            return accounts.users(con)

    def add_user(self, name: str, role: str, password: str | None = None) -> accounts.UserInfo:
        """Create an account (admin; in local mode the owner creates the first one, which starts shared mode).

        Without a password the account signs in through the identity provider only (its name is the e-mail).
        """
        actor = self.require("accounts")
        name, role = accounts.check_name(name), accounts.check_role(role)
        digest = accounts.hash_password(password) if password is not None else None
        with self._db() as con, transaction(con):
            if con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise ParameterError("user", name, "a name no account has yet")
            if accounts.count(con) == 0 and role != "admin":
                raise ParameterError("role", role, "admin for the first account (someone must manage the others)")
            con.execute("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                        (name, role, digest, audit.now()))
            audit.record(con, actor.name, "user_add", name, role=role)
        return next(u for u in self.users_unchecked() if u.name == name)

    def users_unchecked(self) -> list[accounts.UserInfo]:
        with self._db() as con:
            return accounts.users(con)

    def _known(self, con: sqlite3.Connection, name: str) -> None:
        names = [r[0] for r in con.execute("SELECT name FROM users").fetchall()]
        if name not in names:
            raise ColumnNotFoundError.from_missing(name, names, role="user")

    def remove_user(self, name: str) -> None:
        """Delete an account (admin). The last admin stays while other accounts exist."""
        actor = self.require("accounts")
        with self._db() as con, transaction(con):
            self._known(con, name)
            others = accounts.count(con) - 1
            if others and accounts.admins_left(con, without=name) == 0:
                raise ParameterError("user", name, "another account first made admin (the last admin cannot leave)")
            con.execute("DELETE FROM users WHERE name = ?", (name,))
            audit.record(con, actor.name, "user_remove", name)

    def set_role(self, name: str, role: str) -> None:
        """Change an account's role (admin). The last admin cannot be demoted."""
        actor = self.require("accounts")
        role = accounts.check_role(role)
        with self._db() as con, transaction(con):
            self._known(con, name)
            if role != "admin" and accounts.admins_left(con, without=name) == 0:
                raise ParameterError("role", role, "admin (the last admin cannot be demoted)")
            con.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))
            audit.record(con, actor.name, "user_role", name, role=role)

    def set_password(self, name: str, password: str) -> None:
        """Set an account's password (admin, or the user for themself)."""
        actor = self.actor
        if actor.name != name:
            self.require("accounts")
        digest = accounts.hash_password(password)
        with self._db() as con, transaction(con):
            self._known(con, name)
            con.execute("UPDATE users SET password_hash = ? WHERE name = ?", (digest, name))
            audit.record(con, actor.name, "user_password", name)

    def authenticate(self, name: str, password: str) -> Actor | None:
        """The account's :class:`Actor` when the password is right, else None; both are audited."""
        with self._db() as con:
            role = accounts.verify(con, name, password)
            with transaction(con):
                audit.record(con, name.strip()[:200], "sign_in" if role else "sign_in_failed", "", method="password")
        return Actor(name.strip(), role) if role else None

    def refresh(self, actor: Actor) -> Actor:
        """The user with the role their account has now (None when the account is gone or never existed)."""
        with self._db() as con:
            row = con.execute("SELECT role FROM users WHERE name = ?", (actor.name,)).fetchone()
        return Actor(actor.name, row["role"] if row else None)

    def identify(self, email: str) -> Actor:
        """The :class:`Actor` of a user the identity provider signed in (role None if no account has that e-mail)."""
        name = accounts.check_name(email)
        with self._db() as con:
            row = con.execute("SELECT role FROM users WHERE name = ?", (name,)).fetchone()
            with transaction(con):
                audit.record(con, name, "sign_in", "", method="oidc", known=bool(row))
        return Actor(name, row["role"] if row else None)

    # --- audit ---------------------------------------------------------------------------------------------

    def audit_log(self, *, limit: int | None = None) -> pl.DataFrame:
        """The audit log, newest first (admin): at (UTC), actor, action, target, detail."""
        self.require("audit")
        with self._db() as con:
            return audit.read(con, limit=limit)

    # --- notes and annotations -----------------------------------------------------------------------------

    def notes(self, slug: str, week: object = None) -> pl.DataFrame:
        """Notes of a dataset (one week's when ``week`` is a date): id, week, text, author, created_at, updated_at."""
        self.require("read")
        with self._db() as con:
            return notes.notes(con, slug, week)  # type: ignore[arg-type]

    def add_note(self, slug: str, week: object, text: str) -> int:
        """Add a note to a dataset's week (any signed-in role); returns its id."""
        actor = self.require("note")
        self.get(slug)
        day, body = notes.check_day("week", week), notes.check_text("text", text, notes.MAX_TEXT)  # type: ignore[arg-type]
        with self._db() as con, transaction(con):
            stamp = audit.now()
            cur = con.execute("INSERT INTO notes (slug, week, text, author, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                              (slug, day.isoformat(), body, actor.name, stamp, stamp))
            audit.record(con, actor.name, "note_add", slug, week=day.isoformat())
            return int(cur.lastrowid or 0)

    def _own(self, con: sqlite3.Connection, table: str, item: int, actor: Actor) -> sqlite3.Row:
        row = con.execute(f"SELECT slug, author FROM {table} WHERE id = ?", (item,)).fetchone()  # table: a constant
        if row is None:
            raise ParameterError("id", item, f"the id of an existing {table[:-1]}")
        if row["author"] != actor.name:
            require(actor, "delete")  # someone else's note or annotation: admins only
        return row

    def edit_note(self, note_id: int, text: str) -> None:
        """Change a note's text (its author, or an admin)."""
        actor = self.require("note")
        body = notes.check_text("text", text, notes.MAX_TEXT)
        with self._db() as con, transaction(con):
            row = self._own(con, "notes", note_id, actor)
            con.execute("UPDATE notes SET text = ?, updated_at = ? WHERE id = ?", (body, audit.now(), note_id))
            audit.record(con, actor.name, "note_edit", row["slug"], id=note_id)

    def delete_note(self, note_id: int) -> None:
        """Remove a note (its author, or an admin)."""
        actor = self.require("note")
        with self._db() as con, transaction(con):
            row = self._own(con, "notes", note_id, actor)
            con.execute("DELETE FROM notes WHERE id = ?", (note_id,))
            audit.record(con, actor.name, "note_delete", row["slug"], id=note_id)

    def annotations(self, slug: str) -> pl.DataFrame:
        """Dated annotations of a dataset: id, date, label, author, created_at."""
        self.require("read")
        with self._db() as con:
            return notes.annotations(con, slug)

    def add_annotation(self, slug: str, day: object, label: str) -> int:
        """Mark a date of a dataset ("promo started"; editors); returns its id."""
        actor = self.require("annotate")
        self.get(slug)
        when, text = notes.check_day("date", day), notes.check_text("label", label, notes.MAX_LABEL)  # type: ignore[arg-type]
        with self._db() as con, transaction(con):
            cur = con.execute("INSERT INTO annotations (slug, day, label, author, created_at) VALUES (?, ?, ?, ?, ?)",
                              (slug, when.isoformat(), text, actor.name, audit.now()))
            audit.record(con, actor.name, "annotation_add", slug, date=when.isoformat())
            return int(cur.lastrowid or 0)

    def delete_annotation(self, annotation_id: int) -> None:
        """Remove an annotation (editors their own, admins any)."""
        actor = self.require("annotate")
        with self._db() as con, transaction(con):
            row = self._own(con, "annotations", annotation_id, actor)
            con.execute("DELETE FROM annotations WHERE id = ?", (annotation_id,))
            audit.record(con, actor.name, "annotation_delete", row["slug"], id=annotation_id)

    # --- settings per dataset ------------------------------------------------------------------------------

    def settings(self, slug: str) -> DatasetSettings:
        """The dataset's saved settings (defaults when none were saved; :mod:`retention_core.ingest.settings`).

        Raises
        ------
        ColumnNotFoundError
            No dataset ``slug`` (with the closest names; a deleted one says it is in the trash).
        """
        return DatasetSettings.from_json(self.settings_json(slug))

    def save_settings(self, slug: str, settings: DatasetSettings) -> None:
        """Save ``settings`` with the dataset (editors; replaced whole in one transaction, audited)."""
        if not isinstance(settings, DatasetSettings):
            raise ParameterError("settings", settings, "a DatasetSettings")
        self.save_settings_json(slug, dict(settings.to_json()))

    def settings_json(self, slug: str) -> dict:
        """The dataset's stored settings (``{}`` when none)."""
        self.get(slug)
        with self._db() as con:
            return settings_store.read(con, slug)

    def save_settings_json(self, slug: str, values: dict) -> None:
        """Store a dataset's settings (editors)."""
        actor = self.require("settings")
        self.get(slug)
        with self._db() as con, transaction(con):
            settings_store.write(con, slug, values)
            audit.record(con, actor.name, "settings", slug)
