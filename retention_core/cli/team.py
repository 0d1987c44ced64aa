"""Team commands of ``python -m retention_core`` (SPEC §7.1, §8): ``save``, ``datasets``, ``users``.

They act on the workspace the app uses (``--workspace``, else ``$RETENTION_WORKSPACE``, else the
repository's ``data/workspace``). In local mode (no accounts) the caller is the owner; in shared mode
``--user NAME`` signs in with the password in ``$RETENTION_PASSWORD`` (never on the command line, where
``ps`` would show it) and the account's role applies exactly as in the app.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from retention_core.cli.args import command
from retention_core.errors import InputError, ParameterError, RetentionError
from retention_core.ingest import KINDS, load_file
from retention_core.workspace import OWNER, ROLES, Workspace

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "data" / "workspace"
PASSWORD_ENV = "RETENTION_PASSWORD"
NEW_PASSWORD_ENV = "RETENTION_NEW_PASSWORD"


class SignInError(RetentionError):
    """The command line could not sign in (shared mode without --user, or a wrong password)."""

    code = "sign_in_failed"


def workspace_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workspace", type=Path, default=None,
                   help="the workspace folder (default: $RETENTION_WORKSPACE or data/workspace)")
    p.add_argument("--user", default=None, help=f"shared mode: the account to act as (password in ${PASSWORD_ENV})")


def open_workspace(ns: argparse.Namespace) -> Workspace:
    """The workspace acting for the caller: the owner in local mode, the signed-in account in shared mode."""
    root = ns.workspace or Path(os.environ.get("RETENTION_WORKSPACE", DEFAULT_ROOT))
    ws = Workspace(root)
    if ws.mode == "local":
        return ws.as_user(OWNER)  # stays the owner for this run, even after it adds the first account
    if not ns.user:
        msg = f"this workspace has accounts (shared mode): pass --user NAME and put the password in ${PASSWORD_ENV}"
        raise SignInError(msg)
    actor = ws.authenticate(ns.user, os.environ.get(PASSWORD_ENV, ""))
    if actor is None:
        msg = f"sign-in failed for {ns.user}: wrong name or password (the password is read from ${PASSWORD_ENV})"
        raise SignInError(msg, user=ns.user)
    return ws.as_user(actor)


def find_dataset(ws: Workspace, name: str) -> str | None:
    """The slug of the dataset called ``name`` (by slug or display name), None when there is none."""
    for d in ws.datasets():
        if name in (d.slug, d.name):
            return d.slug
    return None


def _save_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", required=True, help="the dataset to add a version to (created when new)")
    p.add_argument("--kind", choices=KINDS, help="detected from the headers when omitted")
    workspace_args(p)


@command("save", "validate a file and publish it as a new version of a dataset", _save_args)
def _save(ns: argparse.Namespace) -> dict:
    ws = open_workspace(ns)
    ws.require("save")  # refuse before reading a large file
    result = load_file(ns.path, kind=ns.kind, sheet=ns.sheet)
    rep = result.report
    if rep.rows_accepted == 0:
        msg = f"{ns.path.name}: no row was accepted ({rep.rows_rejected} rejected); nothing was saved — run validate to see why"
        raise InputError(msg, file=ns.path.name, reason="nothing_accepted")
    info = ws.save(ns.dataset, {rep.kind: result}, slug=find_dataset(ws, ns.dataset))
    return {"dataset": info.slug, "name": info.name, "version": info.version, "kind": rep.kind,
            "rows_read": rep.rows_read, "rows_accepted": rep.rows_accepted, "rows_rejected": rep.rows_rejected}


@command("datasets", "list the saved datasets with every version, its counts and who saved it when",
         workspace_args, path="none")
def _datasets(ns: argparse.Namespace) -> dict:
    ws = open_workspace(ns)
    ws.require("read")
    return {"datasets": [
        {"name": d.name, "slug": d.slug, "created": d.created,
         "versions": [{"version": v.version, "saved_at": v.saved_at, "saved_by": v.saved_by, "rows": v.rows,
                       "kinds": list(v.kinds), "restored_from": v.restored_from} for v in ws.versions(d.slug)]}
        for d in ws.datasets()]}


def _users_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("op", choices=("add", "remove", "list", "set-role", "set-password"))
    p.add_argument("name", nargs="?", help="the account (a name, or the e-mail the identity provider gives)")
    p.add_argument("role_arg", nargs="?", metavar="ROLE", help="set-role: the new role")
    p.add_argument("--role", choices=ROLES, default=None, help="add: the account's role")
    workspace_args(p)


@command("users", f"manage accounts: add NAME --role R (password from ${NEW_PASSWORD_ENV}; none: sign-in by the "
                  "identity provider only), remove NAME, list, set-role NAME ROLE, set-password NAME",
         _users_args, path="none")
def _users(ns: argparse.Namespace) -> dict:
    ws = open_workspace(ns)
    if ns.op != "list" and not ns.name:
        raise ParameterError("name", None, f"an account name after '{ns.op}'")
    if ns.op == "add":
        if ns.role is None:
            raise ParameterError("--role", None, ROLES)
        ws.add_user(ns.name, ns.role, os.environ.get(NEW_PASSWORD_ENV) or None)
    elif ns.op == "remove":
        ws.remove_user(ns.name)
    elif ns.op == "set-role":
        role = ns.role_arg or ns.role
        if role is None:
            raise ParameterError("role", None, ROLES)
        ws.set_role(ns.name, role)
    elif ns.op == "set-password":
        password = os.environ.get(NEW_PASSWORD_ENV)
        if not password:
            raise ParameterError(NEW_PASSWORD_ENV, None, "the new password in this environment variable")
        ws.set_password(ns.name, password)
    return {"mode": ws.mode, "users": [{"name": u.name, "role": u.role, "password": u.has_password,
                                        "created_at": u.created_at} for u in ws.users()]}


def write_page(out: Path, page: str) -> None:
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{out}: cannot write the report ({exc.strerror})", file=str(out)) from exc


def team_report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", default=None, help="a saved dataset (name or slug) instead of PATH")
    p.add_argument("--version", type=int, default=None, help="with --dataset: that version (default: the newest)")
    p.add_argument("--review", choices=("week", "month"), default=None,
                   help="the weekly (or monthly) review: what changed, customers to contact, team notes")
    p.add_argument("--lang", choices=("en", "ru"), default="en", help="language of the review")
    p.add_argument("--mail-to", action="append", default=[], metavar="ADDR",
                   help="send the report to ADDR (repeat for more; SMTP settings from RETENTION_SMTP_* or secrets)")
    workspace_args(p)


def team_report(ns: argparse.Namespace) -> dict:
    """``report --dataset NAME [--version V] [--review week --lang ru] --out F.html [--mail-to ADDR]``."""
    from retention_core.ingest import connect, query
    from retention_core.mail import send_report, smtp_settings
    from retention_core.report import html_report
    from retention_core.retention.activity import activity_window
    from retention_core.weekly import weekly_report

    ws = open_workspace(ns)
    ws.require("export")
    settings = smtp_settings(os.environ) if ns.mail_to else None  # a bad SMTP setup fails before any work
    slug = find_dataset(ws, ns.dataset)
    if slug is None:
        ws.get(ws.find(ns.dataset) or ns.dataset)  # raises: deleted (in the trash) or not found, naming the nearest
    version = ws.version_info(slug, ns.version)  # type: ignore[arg-type]
    if "orders" not in version.kinds:
        raise InputError(f"{ns.dataset}: version {version.version} has no orders table to report on",
                         file=ns.dataset, reason="no_orders")
    rows = query(connect(), ws.path(slug, "orders", version.version), "orders")  # type: ignore[arg-type]
    name = ws.get(slug).name  # type: ignore[arg-type]
    if ns.review:
        report = weekly_report(rows, dataset=name, version=version.version, lang=ns.lang, grain=ns.review,
                               notes=ws.notes(slug), annotations=ws.annotations(slug),  # type: ignore[arg-type]
                               window_override=ns.window)
        page, subject, summary = report.html, report.subject, report.summary
    else:
        window = activity_window(rows, grain=ns.period, override=ns.window)
        page = html_report(rows, title=ns.title or None, grain=ns.period, window=window, lang=ns.lang,
                           annotations=ws.annotations(slug))  # type: ignore[arg-type]
        subject, summary = f"Retention report: {name}", f"Retention report: {name} (version {version.version})"
    write_page(ns.out, page)
    sent = None
    if settings is not None:
        sent = send_report(settings, to=ns.mail_to, subject=subject, body=summary, file_name=ns.out.name, page=page)
    ws.record("report", slug, version=version.version, mailed_to=len(ns.mail_to))  # type: ignore[arg-type]
    return {"out": str(ns.out), "bytes": len(page.encode("utf-8")), "dataset": slug, "version": version.version,
            "review": ns.review, "lang": ns.lang, "mailed_to": ns.mail_to or None, "message_id": sent,
            "summary": summary}
