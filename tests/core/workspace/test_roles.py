"""Roles in the core (SPEC §7.1): every write is checked by the workspace API, whoever calls it."""

from __future__ import annotations

from datetime import date

import pytest

from retention_core.errors import ParameterError, PermissionDeniedError
from retention_core.ingest import load_file
from retention_core.workspace import NEEDS, ROLES, Actor, Workspace

ORDERS = "customer_id,order_date,amount\na,2024-01-01,10\nb,2024-01-02,20\n"


@pytest.fixture
def shared(tmp_path, write_file):
    """A shared-mode workspace: one dataset with two versions, one note, one annotation, one account each role."""
    ws = Workspace(tmp_path / "ws")
    orders = load_file(write_file("o.csv", ORDERS))
    ws.save("Shop", {"orders": orders})
    ws.save("Shop", {"orders": orders})
    ws.add_user("ada", "admin", "admin-password")  # the owner makes the first admin: shared mode from here
    admin = ws.as_user(Actor("ada", "admin"))
    admin.add_user("eve", "editor", "editor-password")
    admin.add_user("vic", "viewer", "viewer-password")
    admin.add_note("shop", date(2024, 1, 1), "admin's note")
    admin.add_annotation("shop", date(2024, 1, 1), "admin's mark")
    return ws, orders


def _actions(ws: Workspace, orders):
    """One call per write path, each undoable enough to run in any order."""
    return {
        "upload": lambda: ws.save("Shop", {"orders": orders}, slug="shop", source="upload"),
        "save": lambda: ws.save("Shop", {"orders": orders}, slug="shop"),
        "rename": lambda: ws.rename("shop", "Shop"),
        "rollback": lambda: ws.rollback("shop", 1),
        "annotate": lambda: ws.add_annotation("shop", date(2024, 1, 2), "mark"),
        "settings": lambda: ws.save_settings_json("shop", {}),
        "note": lambda: ws.add_note("shop", date(2024, 1, 1), "a note"),
        "delete": lambda: (ws.delete("shop"), ws.restore("shop")),
        "accounts": lambda: (ws.add_user("tmp", "viewer", "temp-password"), ws.remove_user("tmp")),
        "audit": lambda: ws.audit_log(),
    }


@pytest.mark.parametrize("role", ROLES)
def test_each_role_may_do_exactly_what_its_rank_allows(shared, role):
    ws, orders = shared
    me = ws.as_user(Actor("someone", role))
    allowed = {a for a, r in NEEDS.items() if ROLES.index(r) <= ROLES.index(role)}
    for action, call in _actions(me, orders).items():
        if action in allowed:
            call()
        else:
            with pytest.raises(PermissionDeniedError, match=f"someone \\({role}\\) may not"):
                call()
    versions = ws.versions("shop")
    expected = 2 + (3 if role in ("editor", "admin") else 0)  # upload, save, rollback each add a version
    assert len(versions) == expected


def test_a_signed_out_caller_in_shared_mode_can_write_nothing(shared):
    ws, orders = shared
    anonymous = ws.as_user(None)
    assert anonymous.mode == "shared" and anonymous.actor.role is None
    for call in _actions(anonymous, orders).values():
        with pytest.raises(PermissionDeniedError):
            call()


def test_local_mode_acts_as_the_owner(tmp_path, write_file):
    ws = Workspace(tmp_path / "ws")
    assert ws.mode == "local" and ws.actor.name == "owner" and ws.actor.role == "admin"
    ws.save("Shop", {"orders": load_file(write_file("o.csv", ORDERS))})
    ws.delete("shop")


def test_others_notes_and_marks_are_theirs(shared):
    ws, _ = shared
    note_id = int(ws.as_user(Actor("ada", "admin")).notes("shop")["id"][0])
    mark_id = int(ws.as_user(Actor("ada", "admin")).annotations("shop")["id"][0])
    with pytest.raises(PermissionDeniedError):
        ws.as_user(Actor("vic", "viewer")).edit_note(note_id, "changed by a viewer")
    with pytest.raises(PermissionDeniedError):
        ws.as_user(Actor("eve", "editor")).delete_annotation(mark_id)
    ws.as_user(Actor("ada", "admin")).delete_annotation(mark_id)


def test_passwords_are_argon2_hashes_and_sign_in_is_audited(shared):
    ws, _ = shared
    import sqlite3

    with sqlite3.connect(ws.root / "workspace.sqlite3") as db:
        (digest,) = db.execute("SELECT password_hash FROM users WHERE name = 'vic'").fetchone()
    assert digest.startswith("$argon2id$") and "viewer-password" not in digest
    assert ws.authenticate("vic", "viewer-password") == Actor("vic", "viewer")
    assert ws.authenticate("vic", "wrong-password") is None
    assert ws.authenticate("nobody", "viewer-password") is None
    log = ws.as_user(Actor("ada", "admin")).audit_log()
    assert log.select("actor", "action").head(3).rows() == [("nobody", "sign_in_failed"), ("vic", "sign_in_failed"), ("vic", "sign_in")]


def test_account_changes_keep_one_admin(shared):
    ws, _ = shared
    admin = ws.as_user(Actor("ada", "admin"))
    with pytest.raises(ParameterError, match="last admin"):
        admin.set_role("ada", "viewer")
    with pytest.raises(ParameterError, match="last admin"):
        admin.remove_user("ada")
    admin.set_role("vic", "editor")
    assert {u.name: u.role for u in admin.users()} == {"ada": "admin", "eve": "editor", "vic": "editor"}
    with pytest.raises(ParameterError, match="at least 8 characters"):
        admin.add_user("short", "viewer", "1234")
    with pytest.raises(ParameterError, match="a name no account has yet"):
        admin.add_user("eve", "viewer", "another-password")


def test_the_first_account_must_be_an_admin(tmp_path):
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(ParameterError, match="admin for the first account"):
        ws.add_user("vic", "viewer", "viewer-password")
    assert ws.mode == "local"


def test_identity_provider_users_get_their_account_role_or_none(shared):
    ws, _ = shared
    ws.as_user(Actor("ada", "admin")).add_user("kim@example.com", "editor")
    assert ws.identify("kim@example.com") == Actor("kim@example.com", "editor")
    stranger = ws.identify("who@example.com")
    assert stranger.role is None and not stranger.can("read")


def test_the_audit_log_records_every_write(shared):
    ws, orders = shared
    admin = ws.as_user(Actor("ada", "admin"))
    admin.rollback("shop", 1)
    admin.delete("shop")
    admin.restore("shop")
    admin.record("export_customers", "shop", rows=12)
    actions = admin.audit_log()["action"].to_list()
    for action in ("save", "user_add", "note_add", "annotation_add", "rollback", "delete", "restore", "export_customers"):
        assert action in actions
    assert admin.audit_log(limit=1)["action"].to_list() == ["export_customers"]
