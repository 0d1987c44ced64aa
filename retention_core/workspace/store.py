"""Saved datasets with immutable versions (SPEC §7.1).

Layout of a workspace folder::

    workspace.sqlite3          metadata: datasets, versions, accounts, notes, annotations, audit (db.py)
    <slug>/v-<id>/<kind>.parquet   one folder per version, never changed after it is published
    <slug>/.tmp-<id>/          a save in progress (never listed; swept when old)

A save writes the new version's Parquet files into ``.tmp-<id>``, fsyncs them, renames the folder to
``v-<id>`` and then publishes it with **one** SQLite transaction (the dataset row, the version row and
the audit row together). Listing reads only the database, so a save killed at any moment leaves the
previous versions as they were and nothing half-written listed: before the commit the new folder is an
unreferenced orphan, after it the version is whole. Kinds the save does not bring are carried from the
current version by hard links (the files are immutable, so sharing them is safe).
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from retention_core.errors import ColumnNotFoundError, ParameterError, check_choice
from retention_core.ingest.load import LoadResult
from retention_core.ingest.roles import KINDS
from retention_core.ingest.store import slugify
from retention_core.workspace import accounts, audit, notes
from retention_core.workspace.db import connect_db, migrate, transaction
from retention_core.workspace.members import TeamMixin
from retention_core.workspace.roles import OWNER, SYSTEM, Action, Actor, require

# The steps of a save, in order (a test hooks each boundary to kill the process there).
SAVE_STEPS = ("begin", "staged", "written", "synced", "renamed", "publishing", "committed")
_step_hook: Callable[[str], None] | None = None
SWEEP_AGE_SECONDS = 3600.0  # a staging folder older than this belongs to a save that died


def set_step_hook(hook: Callable[[str], None] | None) -> None:
    """Call ``hook(step)`` at every boundary of :data:`SAVE_STEPS` (tests kill the process there)."""
    global _step_hook
    _step_hook = hook


def _step(name: str) -> None:
    if _step_hook is not None:
        _step_hook(name)


@dataclass(frozen=True)
class DatasetInfo:
    """A saved dataset: its folder name (``slug``), display name, kinds and summaries of its current version."""

    slug: str
    name: str
    created: str
    kinds: tuple[str, ...]
    reports: dict[str, dict]
    version: int = 0
    saved_at: str = ""
    saved_by: str = ""
    deleted_at: str | None = None
    deleted_by: str | None = None


@dataclass(frozen=True)
class VersionInfo:
    """One published version: number, who saved it and when, kinds with their validation summaries."""

    slug: str
    version: int
    saved_at: str
    saved_by: str
    kinds: tuple[str, ...]
    reports: dict[str, dict]
    restored_from: int | None
    folder: str = ""  # relative to the workspace root; unique and never reused (a cache key)

    @property
    def rows(self) -> dict[str, int]:
        """Rows saved per kind."""
        return {k: int(self.reports[k]["rows"]) for k in self.kinds}


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _report(result: LoadResult) -> dict:
    r = result.report
    return {"file": r.file, "rows_read": r.rows_read, "rows_accepted": r.rows_accepted,
            "rows_rejected": r.rows_rejected, "duplicates": r.duplicates, "columns": r.columns,
            "segments": list(r.segments), "rows": result.frame.height}


class Workspace(TeamMixin):
    """The saved datasets of a team, their versions and the metadata around them.

    ``actor`` is the user every call acts for: in local mode (no accounts) the owner; in shared mode
    the signed-in user (:meth:`as_user`), whose role each write method checks (:func:`roles.require`).
    """

    def __init__(self, root: str | Path, *, actor: Actor | None = None) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._actor = actor
        with self._db() as con:
            migrate(con)
        self._migrate_folders()

    # --- plumbing ------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        con = connect_db(self.root)  # one short-lived connection per call: safe across server threads
        try:
            yield con
        finally:
            con.close()

    def as_user(self, actor: Actor | None) -> Workspace:
        """The same workspace acting for ``actor`` (no re-migration; cheap)."""
        view = object.__new__(Workspace)
        view.root, view._actor = self.root, actor
        return view

    @property
    def mode(self) -> str:
        """``"local"`` (no accounts: one owner) or ``"shared"`` (accounts exist; everyone signs in)."""
        with self._db() as con:
            return "shared" if accounts.count(con) else "local"

    @property
    def actor(self) -> Actor:
        """Who calls act for: the given user; with none, the owner in local mode and nobody in shared mode."""
        if self._actor is not None:
            return self._actor
        return OWNER if self.mode == "local" else Actor("anonymous", None)

    def require(self, action: Action) -> Actor:
        """Check the acting user may do ``action`` (raises PermissionDeniedError); returns the user."""
        actor = self.actor
        require(actor, action)
        return actor

    def record(self, action: str, target: str = "", **detail: object) -> None:
        """Add an event to the audit log (sign-in, a customer list exported …) for the acting user."""
        actor = self.require("read") if action not in ("sign_in", "sign_in_failed") else self.actor
        with self._db() as con, transaction(con):
            audit.record(con, actor.name, action, target, **detail)

    # --- reading -------------------------------------------------------------------------------------------

    _LIST = """SELECT d.slug, d.name, d.created_at, d.deleted_at, d.deleted_by, v.number, v.saved_at, v.saved_by, v.kinds,
                      v.reports
               FROM datasets d JOIN versions v ON v.slug = d.slug
                AND v.number = (SELECT max(number) FROM versions WHERE slug = d.slug)"""

    @staticmethod
    def _info(row: sqlite3.Row) -> DatasetInfo:
        return DatasetInfo(row["slug"], row["name"], row["created_at"], tuple(json.loads(row["kinds"])),
                           json.loads(row["reports"]), row["number"], row["saved_at"], row["saved_by"],
                           row["deleted_at"], row["deleted_by"])

    def datasets(self) -> list[DatasetInfo]:
        """Published datasets not in the trash, oldest first, each with its current (newest) version."""
        with self._db() as con:
            rows = con.execute(self._LIST + " WHERE d.deleted_at IS NULL ORDER BY d.created_at, d.rowid").fetchall()
        return [self._info(r) for r in rows]

    def trash(self) -> list[DatasetInfo]:
        """Deleted datasets an admin can restore, most recently deleted first."""
        with self._db() as con:
            rows = con.execute(self._LIST + " WHERE d.deleted_at IS NOT NULL ORDER BY d.deleted_at DESC").fetchall()
        return [self._info(r) for r in rows]

    def is_new(self) -> bool:
        """True until the first dataset is saved (deleted ones count: the sample is not put back)."""
        with self._db() as con:
            return con.execute("SELECT count(*) FROM datasets").fetchone()[0] == 0

    def get(self, slug: str) -> DatasetInfo:
        """The dataset ``slug`` (current version).

        Raises
        ------
        ColumnNotFoundError
            No such dataset: the message names the closest one; a deleted one says it is in the trash.
        """
        for d in self.datasets():
            if d.slug == slug:
                return d
        trashed = [d for d in self.trash() if d.slug == slug]
        if trashed:
            msg = f'dataset "{trashed[0].name}" was deleted on {trashed[0].deleted_at.replace("T", " ")} (in the trash; an admin can restore it)'
            raise ColumnNotFoundError(msg, missing=slug, available=[d.slug for d in self.datasets()], role="dataset",
                                      file=None, suggestion=None, deleted=True)
        live = self.datasets()
        names = {d.slug: d.name for d in live}
        close = difflib.get_close_matches(slug, [*names, *names.values()], n=1, cutoff=0.5)
        nearest = next((s for s, n in names.items() if close and close[0] in (s, n)), None)
        msg = f'no dataset "{slug}"; saved datasets: {", ".join(names.values()) or "(none)"}'
        if nearest:
            msg += f'; did you mean "{names[nearest]}" ({nearest})?'
        raise ColumnNotFoundError(msg, missing=slug, available=list(names), role="dataset", file=None,
                                  suggestion=nearest)

    def find(self, text: str) -> str | None:
        """The slug of the dataset (live or in the trash) whose slug or display name is ``text``."""
        for d in [*self.datasets(), *self.trash()]:
            if text in (d.slug, d.name):
                return d.slug
        return None

    def exists(self, slug: str) -> bool:
        return any(d.slug == slug for d in self.datasets())

    def versions(self, slug: str) -> list[VersionInfo]:
        """Every published version of a dataset, newest first."""
        with self._db() as con:
            rows = con.execute("SELECT * FROM versions WHERE slug = ? ORDER BY number DESC", (slug,)).fetchall()
        return [VersionInfo(slug, r["number"], r["saved_at"], r["saved_by"], tuple(json.loads(r["kinds"])),
                            json.loads(r["reports"]), r["restored_from"], r["folder"]) for r in rows]

    def version_info(self, slug: str, version: int | None = None) -> VersionInfo:
        """One version (the current one when ``version`` is None).

        Raises
        ------
        ColumnNotFoundError
            The dataset does not exist (see :meth:`get`).
        ParameterError
            The dataset has no such version; the message lists the versions and the nearest one.
        """
        info = self.get(slug)
        found = self.versions(slug)
        if version is None:
            return found[0]
        for v in found:
            if v.version == version:
                return v
        nearest = min(found, key=lambda v: (abs(v.version - version), -v.version)).version
        numbers = sorted(v.version for v in found)
        raise ParameterError("version", version, f"a version of {info.name}: {', '.join(map(str, numbers))} (nearest: {nearest})")

    def _folder(self, slug: str, version: int | None) -> Path | None:
        with self._db() as con:
            if version is None:
                row = con.execute("SELECT folder FROM versions WHERE slug = ? ORDER BY number DESC LIMIT 1", (slug,)).fetchone()
            else:
                row = con.execute("SELECT folder FROM versions WHERE slug = ? AND number = ?", (slug, version)).fetchone()
        return self.root / row["folder"] if row else None

    def path(self, slug: str, kind: str, version: int | None = None) -> Path:
        """The Parquet file of ``kind`` in a version (the current one by default).

        A kind the version lacks gives a path that does not exist under the dataset's folder, so
        ``ingest.query`` says which dataset has no such table.
        """
        folder = self._folder(slug, version)
        path = folder / f"{kind}.parquet" if folder else None
        return path if path is not None and path.exists() else self.root / slug / f"{kind}.parquet"

    # --- saving --------------------------------------------------------------------------------------------

    def _new_slug(self, con: sqlite3.Connection, name: str) -> str:
        base = slugify(name)
        taken = {r[0] for r in con.execute("SELECT slug FROM datasets").fetchall()}
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        return f"{base}-{n}"

    def save(self, name: str, tables: dict[str, LoadResult], *, slug: str | None = None,
             source: str = "save") -> DatasetInfo:
        """Publish a new version of a dataset (created when new); kinds not in ``tables`` carry over.

        ``slug`` names the dataset to add a version to; without it the dataset is the one whose slug
        the name gives (a new one when there is none, or when that one is in the trash). ``source`` is
        the audit action (``"save"``, or ``"upload"`` when the tables come from an upload).

        Raises
        ------
        PermissionDeniedError
            The acting user is not an editor.
        ColumnNotFoundError
            ``slug`` names no dataset (or one in the trash).
        """
        actor = self.require("upload" if source == "upload" else "save")
        for kind in tables:
            check_choice("kind", kind, KINDS)
        _step("begin")
        with self._db() as con:
            if slug is None:
                live = con.execute("SELECT slug FROM datasets WHERE slug = ? AND deleted_at IS NULL",
                                   (slugify(name),)).fetchone()
                slug = live["slug"] if live else self._new_slug(con, name)
            elif slug in {d.slug for d in self.trash()}:
                self.get(slug)  # says it was deleted (a save does not bring it back; restore does)
        base = self._folder(slug, None)
        base_info = self.versions(slug)[0] if base else None
        vid = uuid.uuid4().hex[:16]
        dataset_dir = self.root / slug
        dataset_dir.mkdir(parents=True, exist_ok=True)
        staging, final = dataset_dir / f".tmp-{vid}", dataset_dir / f"v-{vid}"
        kinds = list(base_info.kinds) if base_info else []
        reports = dict(base_info.reports) if base_info else {}
        try:
            staging.mkdir()
            _step("staged")
            self._write(staging, tables, base, kinds)
            for kind, result in tables.items():
                reports[kind] = _report(result)
                if kind not in kinds:
                    kinds.append(kind)
            _step("written")
            for f in staging.iterdir():
                _fsync(f)
            _step("synced")
            staging.rename(final)
            _fsync(dataset_dir)
            _step("renamed")
            number = self._publish(slug, name, final, kinds, reports, actor, source, restored_from=None)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            with self._db() as con:  # never remove a folder a committed version points to
                if not con.execute("SELECT 1 FROM versions WHERE folder = ?", (self._rel(final),)).fetchone():
                    shutil.rmtree(final, ignore_errors=True)
            raise
        _step("committed")
        return replace(self.get(slug), version=number)

    def _write(self, staging: Path, tables: dict[str, LoadResult], base: Path | None, kinds: list[str]) -> None:
        """Write the new version's files: the new tables, and hard links to the kinds carried over.

        The one place that fills a version folder: anything a version keeps beside its tables (e.g.
        compact tables) belongs here, before the folder is synced and published.
        """
        for kind, result in tables.items():
            result.frame.write_parquet(staging / f"{kind}.parquet")
        if base is not None:
            for kind in kinds:
                if kind not in tables:
                    _link(base / f"{kind}.parquet", staging / f"{kind}.parquet")
                    if (base / "compact" / kind).is_dir():  # what a version keeps beside a table goes with it
                        _link_tree(base / "compact" / kind, staging / "compact" / kind)

    def _rel(self, folder: Path) -> str:
        return folder.relative_to(self.root).as_posix()

    def _publish(self, slug: str, name: str, folder: Path, kinds: list[str], reports: dict, actor: Actor,
                 action: str, *, restored_from: int | None) -> int:
        """The one atomic step: dataset row (when new), version row and audit row in one transaction."""
        with self._db() as con, transaction(con):
            stamp = audit.now()
            exists = con.execute("SELECT deleted_at FROM datasets WHERE slug = ?", (slug,)).fetchone()
            if exists is None:
                con.execute("INSERT INTO datasets (slug, name, created_at, created_by) VALUES (?, ?, ?, ?)",
                            (slug, name, stamp, actor.name))
            elif exists["deleted_at"] is not None:
                msg = f"dataset {slug} was deleted while it was being saved; nothing was published"
                raise ColumnNotFoundError(msg, missing=slug, available=[], role="dataset", deleted=True)
            number = con.execute("SELECT coalesce(max(number), 0) + 1 FROM versions WHERE slug = ?", (slug,)).fetchone()[0]
            con.execute("INSERT INTO versions (slug, number, folder, saved_at, saved_by, kinds, reports, restored_from)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (slug, number, self._rel(folder), stamp, actor.name, json.dumps(kinds),
                         json.dumps(reports, ensure_ascii=False), restored_from))
            rows = {k: reports[k]["rows"] for k in kinds}
            audit.record(con, actor.name, action, slug, version=number, rows=rows,
                         **({"restored_from": restored_from} if restored_from else {}))
            _step("publishing")  # inside the transaction: every row written, COMMIT not yet
        return int(number)

    def rollback(self, slug: str, version: int) -> DatasetInfo:
        """Make an older version current again, as a new version (history stays append-only)."""
        actor = self.require("rollback")
        old = self.version_info(slug, version)
        source = self._folder(slug, version)
        assert source is not None
        vid = uuid.uuid4().hex[:16]
        staging, final = self.root / slug / f".tmp-{vid}", self.root / slug / f"v-{vid}"
        try:
            _link_tree(source, staging)  # every file of the old version, shared (immutable)
            staging.rename(final)
            _fsync(final.parent)
            number = self._publish(slug, self.get(slug).name, final, list(old.kinds), old.reports, actor,
                                   "rollback", restored_from=version)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            shutil.rmtree(final, ignore_errors=True)
            raise
        return replace(self.get(slug), version=number)

    # --- names, trash --------------------------------------------------------------------------------------

    def rename(self, slug: str, name: str) -> DatasetInfo:
        """Change a dataset's display name (its slug, and so its links, stay)."""
        actor = self.require("rename")
        old = self.get(slug)
        new = notes.check_text("name", name, 200)
        with self._db() as con, transaction(con):
            con.execute("UPDATE datasets SET name = ? WHERE slug = ?", (new, slug))
            audit.record(con, actor.name, "rename", slug, old=old.name, new=new)
        return self.get(slug)

    def delete(self, slug: str) -> None:
        """Move a dataset to the trash (admin); its versions stay on disk until the trash is emptied."""
        actor = self.require("delete")
        self.get(slug)
        with self._db() as con, transaction(con):
            con.execute("UPDATE datasets SET deleted_at = ?, deleted_by = ? WHERE slug = ?", (audit.now(), actor.name, slug))
            audit.record(con, actor.name, "delete", slug)

    def restore(self, slug: str) -> DatasetInfo:
        """Bring a dataset back from the trash (admin)."""
        actor = self.require("restore")
        if slug not in {d.slug for d in self.trash()}:
            raise ColumnNotFoundError.from_missing(slug, [d.slug for d in self.trash()], role="deleted dataset")
        with self._db() as con, transaction(con):
            con.execute("UPDATE datasets SET deleted_at = NULL, deleted_by = NULL WHERE slug = ?", (slug,))
            audit.record(con, actor.name, "restore", slug)
        return self.get(slug)

    def sweep(self, *, min_age_seconds: float = SWEEP_AGE_SECONDS) -> int:
        """Remove staging and unpublished version folders older than ``min_age_seconds`` (saves that died).

        Returns how many folders were removed. Young ones are left: they may belong to a save in
        another process that has not committed yet.
        """
        with self._db() as con:
            published = {r[0] for r in con.execute("SELECT folder FROM versions").fetchall()}
        removed = 0
        cutoff = time.time() - min_age_seconds
        for folder in [*self.root.glob("*/.tmp-*"), *self.root.glob("*/v-*")]:
            if self._rel(folder) in published or folder.stat().st_mtime > cutoff:
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        return removed

    # --- the folders of earlier releases -------------------------------------------------------------------

    def _migrate_folders(self) -> None:
        """Adopt ``<slug>/meta.json`` folders of earlier releases as version 1 (once; crash-safe).

        The Parquet files are hard-linked into a version folder that is published with the dataset in
        one transaction; only then is ``meta.json`` renamed, so a kill anywhere re-runs or skips cleanly.
        Dot folders (interrupted saves of earlier releases) are never adopted.
        """
        for meta_path in sorted(self.root.glob("*/meta.json")):
            folder = meta_path.parent
            if folder.name.startswith("."):
                continue
            with self._db() as con:
                done = con.execute("SELECT 1 FROM datasets WHERE slug = ?", (folder.name,)).fetchone()
            if not done:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
                kinds = [k for k in meta.get("kinds", []) if (folder / f"{k}.parquet").exists()]
                if not kinds:
                    continue
                vid = uuid.uuid4().hex[:16]
                staging, final = folder / f".tmp-{vid}", folder / f"v-{vid}"
                staging.mkdir()
                for kind in kinds:
                    _link(folder / f"{kind}.parquet", staging / f"{kind}.parquet")
                staging.rename(final)
                with self._db() as con, transaction(con):
                    created = str(meta.get("created", audit.now()))
                    con.execute("INSERT INTO datasets (slug, name, created_at, created_by, settings) VALUES (?, ?, ?, ?, ?)",
                                (folder.name, meta.get("name", folder.name), created, SYSTEM.name,
                                 json.dumps(meta["settings"]) if meta.get("settings") else None))
                    con.execute("INSERT INTO versions (slug, number, folder, saved_at, saved_by, kinds, reports)"
                                " VALUES (?, 1, ?, ?, ?, ?, ?)",
                                (folder.name, self._rel(final), created, "migrated", json.dumps(kinds),
                                 json.dumps({k: meta["reports"][k] for k in kinds}, ensure_ascii=False)))
                    audit.record(con, SYSTEM.name, "migrate", folder.name, version=1)
            meta_path.rename(folder / "meta.json.migrated")
            for kind in KINDS:
                (folder / f"{kind}.parquet").unlink(missing_ok=True)


def _link_tree(source: Path, target: Path) -> None:
    """A folder's files shared into ``target`` (hard links; copies where links are not possible)."""
    shutil.copytree(source, target, copy_function=_link)


def _link(source: Path | str, target: Path | str) -> None:
    """Share an immutable file (hard link; a copy where the file system has none)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
