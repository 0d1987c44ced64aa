"""The weekly report goes out by itself (SPEC §7.1): ``report --dataset … --review week --lang ru
--mail-to`` through a real SMTP server (aiosmtpd) started by the test, and the failures a cron job meets."""

from __future__ import annotations

import email
import json
import os
import socket
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from retention_core.ingest import load_file
from retention_core.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def workspace(tmp_path) -> Path:
    root = tmp_path / "ws"
    Workspace(root).save("Sample shop", {"orders": load_file(REPO / "data" / "sample" / "orders.csv", kind="orders")})
    return root


def _cli(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "retention_core", *argv], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO), **env}, cwd=REPO, timeout=300)


def test_the_monday_report_arrives_in_russian_with_the_report_attached(smtp, workspace, tmp_path):
    inbox, port = smtp
    out = tmp_path / "weekly.html"
    env = {"RETENTION_SMTP_HOST": "127.0.0.1", "RETENTION_SMTP_PORT": str(port), "RETENTION_SMTP_TLS": "none",
           "RETENTION_SMTP_FROM": "retention@shop.example"}
    done = _cli("report", "--dataset", "Sample shop", "--review", "week", "--lang", "ru", "--out", str(out),
                "--mail-to", "team@shop.example", "--workspace", str(workspace), env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["dataset"], result["version"], result["lang"]) == ("sample-shop", 1, "ru")
    (sender, rcpts, raw), = inbox.messages
    assert (sender, rcpts) == ("retention@shop.example", ["team@shop.example"])
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["Subject"].startswith("Еженедельный обзор: Sample shop: период с ")
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Еженедельный обзор: Sample shop")
    assert "Выручка:" in body and "к предыдущему периоду" in body and "Связаться:" in body
    assert body.strip() == result["summary"].strip()
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "weekly.html"
    page = attachment.get_content()
    assert page == out.read_text(encoding="utf-8")
    assert '<html lang="ru">' in page and "С кем связаться" in page and "plotly" in page  # opens offline
    log = Workspace(workspace).audit_log()
    assert log["action"].to_list()[0] == "report"


def test_an_unreachable_smtp_server_is_one_line_and_exit_2(workspace, tmp_path):
    env = {"RETENTION_SMTP_HOST": "127.0.0.1", "RETENTION_SMTP_PORT": str(_free_port()), "RETENTION_SMTP_TLS": "none"}
    done = _cli("report", "--dataset", "Sample shop", "--review", "week", "--lang", "ru",
                "--out", str(tmp_path / "r.html"), "--mail-to", "team@shop.example", "--workspace", str(workspace), env=env)
    assert done.returncode == 2
    assert done.stderr.startswith("error: could not send the report to team@shop.example via 127.0.0.1:")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_mail_without_smtp_settings_fails_before_any_work(workspace, tmp_path):
    env = {k: "" for k in os.environ if k.startswith("RETENTION_SMTP_")}
    done = _cli("report", "--dataset", "Sample shop", "--review", "week", "--out", str(tmp_path / "r.html"),
                "--mail-to", "team@shop.example", "--workspace", str(workspace), env=env)
    assert done.returncode == 2 and "RETENTION_SMTP_HOST" in done.stderr
    assert not (tmp_path / "r.html").exists()


def test_a_deleted_dataset_is_named_not_replaced(workspace, tmp_path):
    Workspace(workspace).delete("sample-shop")
    done = _cli("report", "--dataset", "Sample shop", "--review", "week", "--out", str(tmp_path / "r.html"),
                "--workspace", str(workspace), env={})
    assert done.returncode == 2 and 'dataset "Sample shop" was deleted on' in done.stderr
