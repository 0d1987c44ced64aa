"""``save``, ``datasets``, ``users`` (SPEC §8, §7.1): JSON out, exit 2 with one line on bad input, roles."""

from __future__ import annotations

import json

import pytest

from retention_core.cli.main import main
from retention_core.workspace import Workspace

ORDERS = "customer_id,order_date,amount\na,2024-01-01,10\nb,2024-01-02,20\nc,,5\n"


@pytest.fixture
def run(capsys, tmp_path):
    def call(*argv: str) -> tuple[int, dict | None, str]:
        code = main([*argv, "--workspace", str(tmp_path / "ws")])
        out, err = capsys.readouterr()
        return code, json.loads(out) if out.strip() else None, err

    return call


def test_save_publishes_a_version_with_its_counts(run, write_file):
    path = write_file("orders.csv", ORDERS)
    code, out, _ = run("save", str(path), "--dataset", "My shop")
    assert code == 0
    assert out == {"dataset": "my-shop", "name": "My shop", "version": 1, "kind": "orders",
                   "rows_read": 3, "rows_accepted": 2, "rows_rejected": 1}
    code, out, _ = run("save", str(path), "--dataset", "My shop")
    assert out["version"] == 2
    code, out, _ = run("save", str(path), "--dataset", "my-shop")  # the slug names the same dataset
    assert (out["dataset"], out["version"]) == ("my-shop", 3)


@pytest.mark.parametrize("content", ["x,y\n1,2\n", "customer_id,order_date,amount\n,,\n", b"\x00\x01binary"])
def test_bad_input_exits_2_with_one_line_and_publishes_nothing(run, write_file, tmp_path, content):
    path = write_file("bad.csv", content)
    code, out, err = run("save", str(path), "--dataset", "Shop")
    assert (code, out) == (2, None)
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert "bad.csv" in err and str(tmp_path) not in err.replace(str(path), "bad.csv")
    assert Workspace(tmp_path / "ws").datasets() == []


def test_datasets_lists_every_version_with_who_and_when(run, write_file):
    path = write_file("orders.csv", ORDERS)
    run("save", str(path), "--dataset", "Shop")
    run("save", str(path), "--dataset", "Shop")
    code, out, _ = run("datasets")
    assert code == 0
    (d,) = out["datasets"]
    assert (d["name"], d["slug"]) == ("Shop", "shop")
    assert [v["version"] for v in d["versions"]] == [2, 1]
    assert all(v["saved_by"] == "owner" and v["rows"] == {"orders": 2} and v["kinds"] == ["orders"] and v["saved_at"]
               for v in d["versions"])


def test_shared_mode_needs_a_signed_in_user_and_honours_roles(run, write_file, monkeypatch):
    path = write_file("orders.csv", ORDERS)
    monkeypatch.setenv("RETENTION_NEW_PASSWORD", "admin-password")
    code, out, _ = run("users", "add", "root", "--role", "admin")
    assert code == 0 and out["mode"] == "shared" and out["users"][0]["name"] == "root"
    code, _, err = run("datasets")
    assert code == 2 and "pass --user NAME" in err
    monkeypatch.setenv("RETENTION_PASSWORD", "wrong-password")
    code, _, err = run("datasets", "--user", "root")
    assert code == 2 and "sign-in failed for root" in err
    monkeypatch.setenv("RETENTION_PASSWORD", "admin-password")
    monkeypatch.setenv("RETENTION_NEW_PASSWORD", "viewer-password")
    code, out, _ = run("users", "add", "vic", "--role", "viewer", "--user", "root")
    assert {u["name"]: u["role"] for u in out["users"]} == {"root": "admin", "vic": "viewer"}
    monkeypatch.setenv("RETENTION_PASSWORD", "viewer-password")
    code, _, err = run("save", str(path), "--dataset", "Shop", "--user", "vic")
    assert code == 2 and "vic (viewer) may not save; it needs the editor role" in err
    code, out, _ = run("datasets", "--user", "vic")
    assert (code, out) == (0, {"datasets": []})
    code, _, err = run("users", "list", "--user", "vic")
    assert code == 2 and "may not manage accounts" in err
    monkeypatch.setenv("RETENTION_PASSWORD", "admin-password")
    code, out, _ = run("users", "set-role", "vic", "editor", "--user", "root")
    assert {u["name"]: u["role"] for u in out["users"]}["vic"] == "editor"
    monkeypatch.setenv("RETENTION_PASSWORD", "viewer-password")
    code, out, _ = run("save", str(path), "--dataset", "Shop", "--user", "vic")
    assert code == 0 and out["version"] == 1
    monkeypatch.setenv("RETENTION_PASSWORD", "admin-password")
    code, out, _ = run("users", "remove", "vic", "--user", "root")
    assert [u["name"] for u in out["users"]] == ["root"]
    code, out, _ = run("datasets", "--user", "root")
    assert out["datasets"][0]["versions"][0]["saved_by"] == "vic"
