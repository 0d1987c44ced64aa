"""Sending a report by e-mail (SPEC §7.1): SMTP settings from the environment or the secrets file.

Settings: ``RETENTION_SMTP_HOST`` (required), ``RETENTION_SMTP_PORT`` (default 587 with STARTTLS, 465
with SSL, 25 without), ``RETENTION_SMTP_USER`` / ``RETENTION_SMTP_PASSWORD`` (optional login),
``RETENTION_SMTP_TLS`` (``starttls`` default, ``ssl`` or ``none``), ``RETENTION_SMTP_FROM`` (default the
user, else ``retention@localhost``). Each may instead be given in ``.streamlit/secrets.toml``
under ``[smtp]`` (``host``, ``port``, ``user``, ``password``, ``tls``, ``from``); the environment wins.
"""

from __future__ import annotations

import smtplib
import ssl
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Literal, get_args

from retention_core.errors import ParameterError, RetentionError

Tls = Literal["starttls", "ssl", "none"]
SECRETS = Path(__file__).resolve().parents[1] / ".streamlit" / "secrets.toml"


class MailError(RetentionError):
    """The SMTP server could not be reached or refused the message (the report file is still written)."""

    code = "mail_error"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    tls: Tls
    sender: str


def smtp_settings(env: Mapping[str, str], secrets_file: Path = SECRETS) -> SmtpSettings:
    """SMTP settings from ``env`` (``RETENTION_SMTP_*``), falling back to ``[smtp]`` in the secrets file.

    Raises
    ------
    ParameterError
        No host configured, a port that is not a number, or an unknown TLS mode.
    """
    file: dict = {}
    if secrets_file.exists():
        file = tomllib.loads(secrets_file.read_text(encoding="utf-8")).get("smtp", {})

    def get(name: str) -> str | None:
        value = env.get(f"RETENTION_SMTP_{name.upper()}") or file.get(name)
        return None if value in (None, "") else str(value)

    host = get("host")
    if host is None:
        raise ParameterError("RETENTION_SMTP_HOST", None, "the SMTP server's host name (or [smtp] host in .streamlit/secrets.toml)")
    tls = get("tls") or "starttls"
    if tls not in get_args(Tls):
        raise ParameterError("RETENTION_SMTP_TLS", tls, get_args(Tls))
    port_text = get("port") or {"starttls": "587", "ssl": "465", "none": "25"}[tls]
    if not port_text.isdigit():
        raise ParameterError("RETENTION_SMTP_PORT", port_text, "a port number")
    user = get("user")
    return SmtpSettings(host, int(port_text), user, get("password"), tls, get("from") or user or "retention@localhost")  # type: ignore[arg-type]


def send_report(settings: SmtpSettings, *, to: Sequence[str], subject: str, body: str, file_name: str,
                page: str, timeout: float = 30.0) -> str:
    """Send ``body`` as the text of a message with the HTML report attached; returns the Message-ID.

    Raises
    ------
    MailError
        The server is unreachable, refuses the login or a recipient.
    """
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.sender, ", ".join(to), subject
    msg["Date"], msg["Message-ID"] = formatdate(localtime=True), make_msgid(domain="retention.local")
    msg.set_content(body)
    msg.add_attachment(page.encode("utf-8"), maintype="text", subtype="html", filename=file_name,
                       params={"charset": "utf-8"})  # bytes: the attachment is the file, byte for byte
    try:
        if settings.tls == "ssl":
            server: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout,
                                                    context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        with server:
            if settings.tls == "starttls":
                server.starttls(context=ssl.create_default_context())
            if settings.user and settings.password:
                server.login(settings.user, settings.password)
            server.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        msg_text = f"could not send the report to {', '.join(to)} via {settings.host}:{settings.port}: {text}"
        raise MailError(msg_text, host=settings.host, port=settings.port) from exc
    return str(msg["Message-ID"])
