"""A team in real browsers (SPEC §7.1): two signed-in contexts with different roles against one
`streamlit run`, and an end-to-end OIDC sign-in through ``st.login`` against a provider on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from retention_core.errors import PermissionDeniedError
from retention_core.ingest import load_file
from retention_core.workspace import Actor, Workspace
from tests.browser.conftest import ROOT, _free_port, serve, shot
from tests.browser.oidc_provider import Provider

pytestmark = pytest.mark.browser
PASSWORDS = {"ada": "admin-password", "vic": "viewer-password"}


def _shared_workspace(root: Path) -> Workspace:
    ws = Workspace(root)
    orders = load_file(ROOT / "data" / "sample" / "orders.csv", kind="orders")
    ws.save("Sample shop", {"orders": orders}, slug="sample-shop")
    ws.save("Sample shop", {"orders": orders}, slug="sample-shop")  # two versions: something to roll back to
    ws.add_user("ada", "admin", PASSWORDS["ada"])
    ws.as_user(Actor("ada", "admin")).add_user("vic", "viewer", PASSWORDS["vic"])
    return ws


def _context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    return context, page


def _sign_in(page, url: str, user: str, path: str = "/") -> None:
    page.goto(f"{url}{path}")
    page.get_by_role("textbox", name="Name").fill(user)
    page.get_by_role("textbox", name="Password").fill(PASSWORDS[user])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {user}")).to_be_visible()


def test_a_viewer_has_no_delete_upload_or_rollback_and_the_core_refuses_a_forged_call(browser, tmp_path):
    ws = _shared_workspace(tmp_path / "ws")
    with serve(tmp_path / "ws", tmp_path) as (url, _):
        admin_ctx, admin = _context(browser)
        viewer_ctx, viewer = _context(browser)
        try:
            _sign_in(admin, url, "ada")
            _sign_in(viewer, url, "vic")
            for page in (admin, viewer):  # within the session (a reload is a new session: sign in again)
                page.get_by_test_id("stSidebarNav").get_by_text("Data", exact=True).click()
            expect(admin.get_by_role("button", name="Delete")).to_have_count(1)
            expect(admin.get_by_text("Export file")).to_be_visible()  # the uploader's label
            expect(viewer.get_by_text("Uploading and saving data needs the editor role")).to_be_visible()
            viewer.get_by_text("Versions").first.click()
            expect(viewer.get_by_text("Open version 1")).to_be_visible()  # the history is there, read-only
            expect(viewer.get_by_role("button", name="Delete")).to_have_count(0)
            expect(viewer.get_by_role("button", name="Roll back to version 1")).to_have_count(0)
            expect(viewer.get_by_text("Export file")).to_have_count(0)
            expect(viewer.get_by_role("button", name="Browse files")).to_have_count(0)
            shot(viewer, "team_viewer_data")
            # the same actions forged past the page, straight at the core, as this viewer
            as_viewer = ws.as_user(Actor("vic", "viewer"))
            for forged in (lambda: as_viewer.delete("sample-shop"), lambda: as_viewer.rollback("sample-shop", 1),
                           lambda: as_viewer.save("x", {"orders": load_file(ROOT / "data" / "sample" / "orders.csv")},
                                                  source="upload")):
                with pytest.raises(PermissionDeniedError):
                    forged()
            # the admin deletes (with the confirmation); the viewer's next view says it is gone, not other data
            admin.get_by_role("button", name="Delete").click()
            admin.get_by_role("button", name="Yes, move to the trash").click()
            expect(admin.get_by_role("button", name="Restore")).to_be_visible()
            _sign_in(viewer, url, "vic", "/?ds=sample-shop")  # a shared link opened afresh
            expect(viewer.get_by_text("which was deleted on")).to_be_visible()
            expect(viewer.get_by_test_id("stMetric")).to_have_count(0)
        finally:
            admin_ctx.close()
            viewer_ctx.close()
    assert [d.slug for d in Workspace(tmp_path / "ws").trash()] == ["sample-shop"]


def test_oidc_sign_in_through_st_login_against_a_provider_on_loopback(browser, tmp_path):
    root = tmp_path / "ws"
    ws = _shared_workspace(root)
    ws.as_user(Actor("ada", "admin")).add_user("kim@example.com", "editor")  # an identity-provider account
    idp = Provider(client_id="retention", client_secret="s3cret", email="kim@example.com", name="Kim").start()
    port = _free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-cookie-secret-for-the-test-only"\n'
        'client_id = "retention"\nclient_secret = "s3cret"\n'
        f'server_metadata_url = "{idp.issuer}/.well-known/openid-configuration"\n', encoding="utf-8")
    try:
        with serve(root, tmp_path, "--secrets.files", str(secrets), port=port) as (url, _):
            context, page = _context(browser)
            try:
                page.goto(f"{url}/")
                page.get_by_role("button", name="Sign in with your company account").click()
                expect(page.get_by_text("Signed in as kim@example.com · editor")).to_be_visible()
                page.get_by_test_id("stMetric").first.wait_for()
                shot(page, "team_oidc_signed_in")
            finally:
                context.close()
    finally:
        idp.stop()
    assert ["/.well-known/openid-configuration", "/authorize", "/token"] == [
        p for p in dict.fromkeys(idp.requests) if p in ("/.well-known/openid-configuration", "/authorize", "/token")]
    log = Workspace(root).as_user(Actor("ada", "admin")).audit_log()
    signed = log.filter((log["action"] == "sign_in") & (log["actor"] == "kim@example.com"))
    assert signed.height >= 1 and '"method": "oidc"' in signed["detail"][0]
