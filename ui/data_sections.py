"""The Data page's team sections (SPEC §7.1): saved datasets with their versions, rename, roll back,
delete with confirmation into the trash, restore, and the audit log for admins.

A button is drawn only for a role that may use it; the workspace (``cache.workspace()``, acting for
the session's user) checks the role again, so a forged click is refused by the core.
"""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import streamlit as st

from retention_core.errors import RetentionError
from retention_core.workspace import DatasetInfo
from ui import cache, i18n, state, team, widgets
from ui.i18n import t
from ui.text import plain


def _done(message: str) -> None:
    state.put(state.FLASH, message)


def _call(fn, *args) -> None:
    """A button's action: the core call, its flash message or its error (a refused role is an error too)."""
    try:
        fn(*args)
    except RetentionError as exc:
        state.put(state.FLASH_ERROR, i18n.error(exc))


def _rollback(slug: str, version: int) -> None:
    info = cache.workspace().rollback(slug, version)
    _done(t("team.rolled_back", name=plain(info.name), version=version, new=info.version))


def _rename(slug: str) -> None:
    info = cache.workspace().rename(slug, state.get(f"{state.RENAME_TO}_{slug}") or "")
    _done(t("team.renamed", name=plain(info.name)))


def _delete(slug: str, name: str) -> None:
    cache.workspace().delete(slug)
    state.put(state.CONFIRM_DELETE, None)
    if state.dataset() == slug:  # the sidebar moves on (a link to it would say it was deleted)
        rest = [d.slug for d in cache.datasets()]
        state.select_dataset(rest[0] if rest else None)
        state.pin_version(None)
    _done(t("team.deleted", name=plain(name)))


def _restore(slug: str) -> None:
    info = cache.workspace().restore(slug)
    _done(t("team.restored", name=plain(info.name)))


def _history(info: DatasetInfo) -> None:
    versions = cache.versions(info.slug)
    table = pl.DataFrame({
        t("team.col_version"): [v.version for v in versions],
        t("team.col_saved_at"): [v.saved_at.replace("T", " ") for v in versions],
        t("team.col_saved_by"): [v.saved_by for v in versions],
        t("team.col_rows"): [" · ".join(f"{t('kind.' + k)}: {i18n.num(n)}" for k, n in v.rows.items()) for v in versions],
        t("team.col_restored_from"): [v.restored_from for v in versions],
    }, strict=False)
    widgets.grid(table, hide_index=True, key=f"team_history_{info.slug}")
    for v in versions[:10]:
        c1, c2 = st.columns(2)
        if c1.button(t("team.open", version=v.version), key=f"team_open_{info.slug}_{v.version}",
                     icon=":material/history:", on_click=team.open_version, args=(info.slug, v.version)):
            st.switch_page("pages/overview.py")  # the pin is in the link from there on (?ds=…&v=…)
        if v.version != info.version and team.can("rollback"):
            c2.button(t("team.rollback", version=v.version), key=f"team_rollback_{info.slug}_{v.version}",
                      on_click=_call, args=(_rollback, info.slug, v.version))


def saved_datasets() -> None:
    """Every saved dataset: name, current version, counts; its versions, rename and delete by role."""
    error = state.pop(state.FLASH_ERROR)
    if error:
        st.error(error, icon=":material/lock:")
    for info in cache.datasets():
        c1, c2, c3 = st.columns([4, 4, 1])
        c1.text(f"{widgets.dataset_name(info.slug)} · v{info.version} · {i18n.moment(info.saved_at)}")  # plain text
        c2.caption(" · ".join(f"{t('kind.' + k)}: {i18n.num(info.reports[k]['rows'])}" for k in info.kinds))
        if team.can("delete"):
            c3.button(t("team.delete"), key=f"delete_{info.slug}", on_click=state.put,
                      args=(state.CONFIRM_DELETE, info.slug))
        if state.get(state.CONFIRM_DELETE) == info.slug:
            st.warning(t("team.delete_confirm", name=plain(info.name)), icon=":material/delete:")
            y, n = st.columns([1, 1])
            y.button(t("team.delete_yes"), key=f"delete_yes_{info.slug}", type="primary",
                     on_click=_call, args=(_delete, info.slug, info.name))
            n.button(t("team.cancel"), key=f"delete_no_{info.slug}", on_click=state.put,
                     args=(state.CONFIRM_DELETE, None))
        with st.expander(t("team.history")):
            _history(info)
            if team.can("rename"):
                r1, r2 = st.columns([3, 1])
                r1.text_input(t("team.rename"), value=info.name, key=f"{state.RENAME_TO}_{info.slug}")
                r2.button(t("team.rename_button"), key=f"team_rename_{info.slug}", on_click=_call,
                          args=(_rename, info.slug))


def trash() -> None:
    """Deleted datasets with a restore button (admins only)."""
    if not team.can("restore"):
        return
    st.subheader(t("team.trash"))
    gone = cache.workspace().trash()
    if not gone:
        st.caption(t("team.trash_empty"))
    for d in gone:
        c1, c2 = st.columns([8, 1])
        c1.text(f"{d.name} · " + t("team.deleted_on", when=(d.deleted_at or "").replace("T", " "), who=d.deleted_by or ""))
        c2.button(t("team.restore"), key=f"team_restore_{d.slug}", on_click=_call, args=(_restore, d.slug))


def audit() -> None:
    """The audit log (admins only), newest first, with a CSV download of the whole log."""
    if not team.can("audit"):
        return
    st.subheader(t("team.audit"))
    st.caption(t("team.audit_intro"))
    log = cache.workspace().audit_log()
    actions = {a: _action(a) for a in log["action"].unique().to_list()}  # one per kind of event
    names = {d.slug: d.name for d in cache.datasets()} | {cache.SAMPLE_SLUG: widgets.dataset_name(cache.SAMPLE_SLUG)}
    shown = log.head(500)
    shown = shown.with_columns(
        pl.col("at").str.to_datetime().dt.strftime(i18n.MOMENT_FORMAT[state.lang()]),
        pl.col("action").replace(actions),
        pl.when(pl.col("action").str.starts_with("user_")).then(pl.col("target"))  # an account, not a dataset
        .otherwise(pl.col("target").replace(names)),  # a dataset by its name (the sample's in the reader's language)
        pl.Series("detail", [_detail(x or "") for x in shown["detail"].to_list()], dtype=pl.String),  # ≤ 500 rows
    ).rename({"at": t("team.col_at"), "actor": t("team.col_actor"), "action": t("team.col_action"),
              "target": t("team.col_target"), "detail": t("team.col_detail")})
    widgets.grid(shown, hide_index=True, key="team_audit")
    widgets.download(log, "audit_log.csv", shown=log.with_columns(pl.col("action").replace(actions)),
                     names=dict(zip(log.columns, shown.columns, strict=True)), label=t("team.audit_download"),
                     key="team_audit_download")


def _action(action: str) -> str:
    """An audit action in the reader's language (``save`` → "сохранение")."""
    return i18n.known(f"team.action.{action}", action)


def _detail(text: str) -> str:
    """An audit event's JSON detail as a line for a reader: "version: 3; rows: Orders 22 190"."""
    if not text:
        return ""
    try:
        detail = json.loads(text)
    except ValueError:
        return text
    if not isinstance(detail, dict):
        return text
    parts = []
    for key, value in detail.items():
        if key == "rows" and isinstance(value, dict):
            value = ", ".join(f"{i18n.known(f'kind.{kind}', kind)} {i18n.num(n)}" for kind, n in value.items())
        elif key in ("week", "date") and isinstance(value, str):
            value = i18n.day(date.fromisoformat(value))
        elif key == "role":
            value = i18n.known(f"team.role.{value}", str(value))
        elif key == "method":
            value = t("team.by_password") if value == "password" else t("team.by_provider")
        elif isinstance(value, bool):
            value = t("common.yes") if value else t("common.no")
        elif isinstance(value, int):
            value = i18n.num(value)
        parts.append(f"{i18n.known(f'team.detail.{key}', key)}: {value}")
    return "; ".join(parts)


def _set_role(name: str) -> None:
    role = state.get(f"{state.ACCOUNT_ROLE}_{name}")
    cache.workspace().set_role(name, role)
    _done(t("team.role_set", name=plain(name), role=t(f"team.role.{role}")))


def _remove_user(name: str) -> None:
    cache.workspace().remove_user(name)
    _done(t("team.user_removed", name=plain(name)))


def accounts() -> None:
    """Accounts and their roles (admins only); new accounts and passwords are made with the CLI."""
    if not team.can("accounts") or cache.workspace().mode != "shared":
        return
    st.subheader(t("team.accounts"))
    st.caption(t("team.accounts_intro"))
    roles = ["viewer", "editor", "admin"]
    for user in cache.workspace().users():
        c1, c2, c3, c4 = st.columns([3, 2, 1, 1])
        c1.text(f"{user.name} · " + t("team.by_password" if user.has_password else "team.by_provider"))
        key = f"{state.ACCOUNT_ROLE}_{user.name}"
        state.default(key, user.role)
        c2.selectbox(t("team.role"), roles, key=key, format_func=lambda r: t(f"team.role.{r}"),
                     label_visibility="collapsed")
        c3.button(t("team.set_role"), key=f"team_set_role_{user.name}", on_click=_call, args=(_set_role, user.name))
        c4.button(t("team.remove_user"), key=f"team_remove_{user.name}", on_click=_call, args=(_remove_user, user.name))
