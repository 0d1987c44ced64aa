"""Sign-in, the signed-in user, and links that must not lie (SPEC §7.1).

Local mode (no accounts in the workspace, no ``[auth]`` in secrets): nothing to sign in; the owner acts.
Shared mode: :func:`gate` shows the sign-in screen until the session is signed in — with the identity
provider (``st.login``, OIDC) when ``[auth]`` is configured, else with a product account — and stops
the run there. The signed-in user is kept in the session (``state.SIGNED_IN``); ``cache.workspace()``
acts for that user, so every write a page makes is checked by the core against the user's role.
"""

from __future__ import annotations

import difflib

import streamlit as st

from retention_core.workspace import Actor
from ui import cache, state
from ui.i18n import t


def oidc_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` has an ``[auth]`` section (then sign-in is ``st.login``)."""
    if not st.secrets.load_if_toml_exists():
        return False
    return bool(st.secrets.get("auth"))


def _provider() -> str | None:
    """The named provider of ``[auth.<name>]`` when the section holds only named providers."""
    section = st.secrets.get("auth") or {}
    if "client_id" in section:
        return None
    named = [k for k, v in section.items() if isinstance(v, dict) or hasattr(v, "keys")]
    return named[0] if named else None


def shared() -> bool:
    return oidc_configured() or cache.workspace().mode == "shared"


def signed_in() -> bool:
    """Local mode, or a session signed in with a role (the navigation is shown only then)."""
    if not shared():
        return True
    actor: Actor | None = state.get(state.SIGNED_IN)
    return actor is not None and actor.role is not None


def gate() -> None:
    """Before navigation: in shared mode make sure the session is signed in with a role, else stop the run."""
    if not shared():
        state.put(state.SIGNED_IN, None)
        return
    base = cache.workspace().as_user(None)
    actor: Actor | None = state.get(state.SIGNED_IN)
    if actor is None and oidc_configured() and st.user.is_logged_in:
        email = st.user.get("email") or st.user.get("sub")
        state.put(state.SIGNED_IN, base.identify(str(email)))
        st.rerun()  # draw the navigation for the signed-in user
    if actor is not None:
        actor = base.refresh(actor)  # a role changed or an account removed since sign-in counts now
        state.put(state.SIGNED_IN, actor)
    if actor is None:
        _sign_in_screen()
        st.stop()
    if actor.role is None:
        st.warning(t("team.no_role", name=actor.name), icon=":material/lock:")
        st.button(t("team.sign_out"), on_click=sign_out, key="team_sign_out_norole")
        st.stop()


def _sign_in_screen() -> None:
    st.title(t("team.sign_in_title"))
    st.caption(t("team.sign_in_intro"))
    if oidc_configured():
        provider = _provider()
        st.button(t("team.sign_in_oidc"), type="primary", key="team_oidc",
                  on_click=st.login, args=(provider,) if provider else ())
        return
    with st.form("sign_in", border=False):
        name = st.text_input(t("team.user"), key=state.SIGN_IN_NAME)
        password = st.text_input(t("team.password"), type="password", key=state.SIGN_IN_PASSWORD)
        if st.form_submit_button(t("team.sign_in"), type="primary"):
            actor = cache.workspace().as_user(None).authenticate(name, password)
            if actor is None:
                st.error(t("team.sign_in_failed"), icon=":material/error:")
            else:
                state.put(state.SIGNED_IN, actor)
                st.rerun()


def sign_out() -> None:
    state.put(state.SIGNED_IN, None)
    if oidc_configured() and st.user.is_logged_in:
        st.logout()


def user_box() -> None:
    """The sidebar's last lines: who is signed in, with which role, and the sign-out button."""
    actor: Actor | None = state.get(state.SIGNED_IN)
    if actor is None:
        st.sidebar.caption(t("team.local_mode"))
        return
    st.sidebar.caption(t("team.signed_in_as", name=actor.name, role=t(f"team.role.{actor.role}")))
    st.sidebar.button(t("team.sign_out"), on_click=sign_out, key="team_sign_out", icon=":material/logout:")


def can(action: str) -> bool:
    """Whether this session's user may do ``action`` (to leave out buttons; the core checks again)."""
    return cache.workspace().actor.can(action)  # type: ignore[arg-type]


# --- links never lie ----------------------------------------------------------------------------------------


def _open(slug: str | None, version: int | None = None) -> None:
    if slug is not None:
        state.select_dataset(slug)
    state.pin_version(version)


def check_link(slugs: list[str], names: dict[str, str]) -> None:
    """Before the dataset picker is drawn: a dataset or version the link names that is gone stops the run
    with a plain message and a way to the closest thing — never other data in its place."""
    chosen = state.dataset()
    if chosen and chosen not in slugs:
        trashed = {d.slug: d for d in cache.workspace().trash()}
        if chosen in trashed:
            d = trashed[chosen]
            st.error(t("team.dataset_deleted", name=d.name, when=(d.deleted_at or "").replace("T", " ")),
                     icon=":material/delete:")
        else:
            st.error(t("team.dataset_missing", name=chosen), icon=":material/link_off:")
        by_text = {**{s: s for s in slugs}, **{n: s for s, n in names.items()}}
        close = difflib.get_close_matches(chosen, list(by_text), n=1, cutoff=0.5)
        if close:
            st.button(t("team.open_nearest", name=names[by_text[close[0]]]), on_click=_open,
                      args=(by_text[close[0]],), key="team_open_nearest", type="primary")
        st.page_link("pages/data.py", label=t("team.open_data_page"), icon=":material/upload_file:")
        st.stop()
    pinned = state.pinned_version()
    if chosen and pinned is not None:
        versions = [v.version for v in cache.versions(chosen)]
        if pinned not in versions:
            nearest = min(versions, key=lambda v: (abs(v - pinned), -v))
            st.error(t("team.version_missing", version=pinned, name=names[chosen],
                       versions=", ".join(map(str, sorted(versions)))), icon=":material/link_off:")
            st.button(t("team.open_version", version=nearest), on_click=_open, args=(chosen, nearest),
                      key="team_open_version", type="primary")
            st.button(t("team.open_newest"), on_click=_open, args=(chosen, None), key="team_open_newest")
            st.stop()


def version_caption(slug: str) -> None:
    """Under the dataset picker: which version is shown, saved when and by whom; unpin when pinned."""
    found = cache.versions(slug)
    if not found:
        return
    pinned = state.pinned_version()
    shown = next((v for v in found if v.version == pinned), found[0])
    when = shown.saved_at.replace("T", " ")
    if pinned is not None:
        st.sidebar.caption(t("team.version_pinned", version=shown.version, count=found[0].version, when=when,
                             who=shown.saved_by))
        st.sidebar.button(t("team.follow_newest"), on_click=_open, args=(None, None), key="team_follow_newest")
    else:
        st.sidebar.caption(t("team.version_current", version=shown.version, when=when, who=shown.saved_by))


def unpin() -> None:
    """The dataset picker changed: a version number belongs to the dataset it was pinned on."""
    state.pin_version(None)


def audited(frame_fn, what: str):
    """Wrap a download's data callable so that clicking it writes ``export_customers`` to the audit log.

    The workspace and dataset are taken now (at draw time); the click may be served outside the run.
    """
    ws, slug = cache.workspace(), state.dataset() or ""

    def data() -> bytes:
        payload = frame_fn()
        ws.record("export_customers", slug, list=what)
        return payload

    return data
