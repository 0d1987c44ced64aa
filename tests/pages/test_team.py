"""Team use of the app (SPEC §7.1) through AppTest: sign-in, each role × each action allowed or refused,
and links to a dataset or version that is gone."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from retention_core.ingest import load_file
from retention_core.workspace import Actor, Workspace
from tests.pages.conftest import ROOT, metric
from ui import state

PASSWORDS = {"ada": "admin-password", "eve": "editor-password", "vic": "viewer-password"}
ROLE_OF = {"ada": "admin", "eve": "editor", "vic": "viewer"}


@pytest.fixture
def shared(workspace):
    """The seeded workspace in shared mode: an account per role; the sample has two versions."""
    ws = Workspace(workspace)
    ws.add_user("ada", "admin", PASSWORDS["ada"])
    admin = ws.as_user(Actor("ada", "admin"))
    admin.add_user("eve", "editor", PASSWORDS["eve"])
    admin.add_user("vic", "viewer", PASSWORDS["vic"])
    orders = load_file(ROOT / "data" / "sample" / "orders.csv", kind="orders")
    admin.save("Sample shop", {"orders": orders}, slug="sample-shop")
    return workspace


def _signed_in(user: str, password: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    at.text_input(key="_sign_in_name").input(user)
    at.text_input(key="_sign_in_password").input(password or PASSWORDS[user])
    at.button[0].click().run()  # the form's submit button
    assert not at.exception
    return at


def _data_page(at: AppTest) -> AppTest:
    at.switch_page("pages/data.py").run()
    assert not at.exception
    return at


def _keys(at: AppTest, prefix: str) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith(prefix)]


def test_shared_mode_shows_only_the_sign_in_until_signed_in(shared):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Sign in"
    assert not at.metric and not at.sidebar.selectbox  # no data, no dataset picker
    at = _signed_in("vic", "not-the-password")
    assert at.error[0].value == "Wrong name or password."
    assert not at.metric
    at = _signed_in("vic")
    assert metric(at, "Customers")  # the Overview, for a signed-in viewer
    assert any("Signed in as vic · viewer" in c.value for c in at.sidebar.caption)
    log = Workspace(shared).as_user(Actor("ada", "admin")).audit_log()
    assert log.filter(log["actor"] == "vic")["action"].to_list()[:2] == ["sign_in", "sign_in_failed"]


@pytest.mark.parametrize("user", ["vic", "eve", "ada"])
def test_each_role_sees_exactly_the_controls_it_may_use(shared, user):
    role = ROLE_OF[user]
    at = _data_page(_signed_in(user))
    editor, admin = role in ("editor", "admin"), role == "admin"
    assert bool(at.get("file_uploader")) == editor  # upload
    assert bool(_keys(at, "team_rollback_sample-shop")) == editor  # roll back
    assert bool(_keys(at, "team_rename_")) == editor  # rename
    assert bool(_keys(at, "delete_")) == admin  # delete
    assert bool(_keys(at, "team_restore_")) == admin or not Workspace(shared).trash()  # restore (none in trash yet)
    assert any(s.value == "Audit log" for s in at.subheader) == admin  # audit
    assert any(s.value == "Trash" for s in at.subheader) == admin
    if not editor:
        assert any(i.value.startswith("Uploading and saving data needs the editor role") for i in at.info)


@pytest.mark.parametrize("user", ["vic", "eve"])
def test_a_forged_delete_is_refused_by_the_core(shared, user):
    """The confirm button is drawn from session state; forging that state does not get past the core."""
    at = _data_page(_signed_in(user))
    at.session_state["_confirm_delete"] = "sample-shop"
    at.run()
    at.button(key="delete_yes_sample-shop").click().run()
    assert not at.exception
    assert any("may not delete; it needs the admin role" in e.value for e in at.error)
    assert "sample-shop" in [d.slug for d in Workspace(shared).datasets()]


def test_an_editor_rolls_back_and_renames(shared):
    at = _data_page(_signed_in("eve"))
    at.button(key="team_rollback_sample-shop_1").click().run()
    assert not at.exception
    assert any("back to the content of version 1 (saved as version 3)" in s.value for s in at.success)
    at.text_input(key="_rename_to_sample-shop").input("Demo shop")
    at.button(key="team_rename_sample-shop").click().run()
    assert [d.name for d in Workspace(shared).datasets() if d.slug == "sample-shop"] == ["Demo shop"]
    assert [v.saved_by for v in Workspace(shared).versions("sample-shop")][:1] == ["eve"]


def test_an_admin_deletes_with_confirmation_and_restores(shared):
    at = _data_page(_signed_in("ada"))
    at.button(key="delete_sample-shop").click().run()
    assert "sample-shop" in [d.slug for d in Workspace(shared).datasets()]  # the first click only asks
    assert at.warning[0].value.startswith("Move “Sample shop” to the trash?")
    at.button(key="delete_yes_sample-shop").click().run()
    assert "sample-shop" not in [d.slug for d in Workspace(shared).datasets()]
    at.button(key="team_restore_sample-shop").click().run()
    assert not at.exception
    assert "sample-shop" in [d.slug for d in Workspace(shared).datasets()]
    actions = Workspace(shared).as_user(Actor("ada", "admin")).audit_log()["action"].to_list()
    assert actions[:2] == ["restore", "delete"]


def test_a_removed_account_is_signed_out_on_its_next_click(shared):
    at = _signed_in("eve")
    assert at.metric
    Workspace(shared).as_user(Actor("ada", "admin")).remove_user("eve")
    at.run()
    assert not at.metric
    assert "no one has given you access" in at.warning[0].value


# --- links never lie (local mode) ---------------------------------------------------------------------------


def test_a_link_to_a_deleted_dataset_says_so_and_shows_no_other_data(app, workspace):
    Workspace(workspace).delete("sample-shop")
    app.query_params["ds"] = "sample-shop"
    at = app.run()
    assert not at.exception
    assert "which was deleted on" in at.error[0].value
    assert not at.metric  # no silent fallback to another dataset


def test_a_mistyped_dataset_offers_the_nearest(app):
    app.query_params["ds"] = "sampel-shop"
    at = app.run()
    assert "names a dataset “sampel-shop” that is not here" in at.error[0].value
    assert not at.metric
    at.button(key="team_open_nearest").click().run()
    assert metric(at, "Customers")
    assert at.query_params["ds"] in ("sample-shop", ["sample-shop"])


def test_a_link_pins_a_version_and_a_missing_one_offers_the_nearest(app, workspace):
    ws = Workspace(workspace)
    small = load_file(ROOT / "tests" / "data" / "orders_utf8_bom_rub.csv", kind="orders")
    ws.save("Sample shop", {"orders": small}, slug="sample-shop")  # version 2: a different table
    app.query_params.update({"ds": "sample-shop", "v": "1"})
    at = app.run()
    assert any(c.value.startswith("Version 1 of 2, pinned by the link") for c in at.sidebar.caption)
    pinned = metric(at, "Customers")
    latest = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    latest.query_params["ds"] = "sample-shop"
    latest.run()
    assert metric(latest, "Customers") != pinned  # the pin really shows the old version
    missing = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    missing.query_params.update({"ds": "sample-shop", "v": "7"})
    missing.run()
    assert "version 7 of “Sample shop”, which does not exist (it has versions 1, 2)" in missing.error[0].value
    assert not missing.metric
    missing.button(key="team_open_version").click().run()
    assert metric(missing, "Customers") == metric(latest, "Customers")  # version 2, the nearest to 7


def test_downloading_a_customer_list_is_in_the_audit_log(shared, downloads):
    at = _signed_in("vic")
    at.switch_page("pages/review.py").run()
    assert not at.exception
    assert "customers_at_risk.csv" in downloads  # the fixture clicks every download, as a user would
    log = Workspace(shared).as_user(Actor("ada", "admin")).audit_log()
    exports = log.filter((log["action"] == "export_customers") & (log["actor"] == "vic"))
    assert {"at_risk", "lapsed"} <= {d.split('"list": "')[1].split('"')[0] for d in exports["detail"]}
    assert set(exports["target"]) == {"sample-shop"}


def test_an_editor_uploads_and_saves_a_new_version(shared):
    at = _data_page(_signed_in("eve"))
    csv = b"customer_id,order_date,amount\nz1,2024-01-01,10\nz2,2024-01-08,20\n"
    at.file_uploader(key="upload").set_value(("orders.csv", csv, "text/csv")).run()
    next(b for b in at.button if b.label == "Save").click().run()
    assert not at.exception
    newest = Workspace(shared).versions("orders")[0]
    assert (newest.version, newest.saved_by, newest.rows["orders"]) == (1, "eve", 2)
    log = Workspace(shared).as_user(Actor("ada", "admin")).audit_log()
    assert log.select("actor", "action", "target").row(0) == ("eve", "upload", "orders")


def test_an_admin_manages_roles_and_no_one_else_sees_accounts(shared):
    at = _data_page(_signed_in("ada"))
    assert any(s.value == "Accounts" for s in at.subheader)
    at.selectbox(key="_account_role_vic").set_value("editor")
    at.button(key="team_set_role_vic").click().run()
    assert not at.exception
    assert {u.name: u.role for u in Workspace(shared).as_user(Actor("ada", "admin")).users()}["vic"] == "editor"
    at.selectbox(key="_account_role_ada").set_value("viewer")
    at.button(key="team_set_role_ada").click().run()
    assert any("last admin cannot be demoted" in e.value for e in at.error)  # refused by the core, said plainly
    editor = _data_page(_signed_in("eve"))
    assert not any(s.value == "Accounts" for s in editor.subheader)


def test_opening_an_old_version_from_the_history_pins_it(app, workspace):
    ws = Workspace(workspace)
    small = load_file(ROOT / "tests" / "data" / "orders_utf8_bom_rub.csv", kind="orders")
    ws.save("Sample shop", {"orders": small}, slug="sample-shop")
    at = app.run()
    newest = metric(at, "Customers")
    at.switch_page("pages/data.py").run()
    at.button(key="team_open_sample-shop_1").click().run()
    assert not at.exception
    assert metric(at, "Customers") != newest  # the Overview of version 1
    assert at.query_params.get("v") in ("1", ["1"]) and at.query_params.get("ds") in ("sample-shop", ["sample-shop"])
    assert any(c.value.startswith("Version 1 of 2, pinned by the link") for c in at.sidebar.caption)


def test_the_audit_log_reads_as_sentences_in_the_readers_language(shared, downloads):
    """The admin reads what happened in Russian: the action translated, the JSON detail as a line with
    Russian number grouping — not ``save`` and ``{"rows": {"orders": 22190}, "version": 1}``."""
    at = _signed_in("ada")
    at.session_state[state.LANG] = "ru"  # the language switch (a RU link before sign-in trips AppTest's format_func)
    at = _data_page(at)
    table = next(d.value for d in at.dataframe if "Что" in d.value.columns)
    saves = table[(table["Что"] == "сохранение") & (table["Набор / учётная запись"] == "UCI Online Retail")]
    orders = Workspace(shared).as_user(Actor("ada", "admin")).versions("uci-online-retail")[0].rows["orders"]
    assert saves["Подробности"].to_list() == [f"строк: Заказы {orders:,}; версия: 1".replace(",", "\u202f")]
    assert "вход" in table["Что"].to_list()  # ada's own sign-in
    assert "Демо-магазин" in table["Набор / учётная запись"].to_list()  # the bundled sample, by its Russian name
    assert table["Когда (UTC)"].str.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d").all()
    assert not any("{" in str(d) for d in table["Подробности"].to_list())
    header, *lines = downloads["audit_log.csv"].decode("utf-8-sig").splitlines()  # the whole log, for Excel
    assert header == "Когда (UTC);Кто;Что;Набор / учётная запись;Подробности"
    assert any(";сохранение;" in line for line in lines)
