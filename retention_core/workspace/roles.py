"""Who may do what (SPEC §7.1): roles, the actions they allow, the acting user.

viewer: reads, exports, writes notes; editor: also uploads, saves, renames, rolls back, annotates,
changes settings; admin: also deletes, restores from the trash, manages accounts, reads the audit log.
Every write method of :class:`~retention_core.workspace.store.Workspace` calls :func:`require` with its
action, so a forged call from a page is refused by the core, not only hidden in the UI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from retention_core.errors import ParameterError, PermissionDeniedError

Role = Literal["viewer", "editor", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
Action = Literal[
    "read", "export", "note", "upload", "save", "rename", "rollback", "annotate", "settings",
    "delete", "restore", "accounts", "audit",
]
ACTIONS: tuple[Action, ...] = get_args(Action)
# The lowest role allowed each action (roles are ordered viewer < editor < admin).
NEEDS: dict[Action, Role] = {
    "read": "viewer", "export": "viewer", "note": "viewer",
    "upload": "editor", "save": "editor", "rename": "editor", "rollback": "editor", "annotate": "editor",
    "settings": "editor",
    "delete": "admin", "restore": "admin", "accounts": "admin", "audit": "admin",
}


@dataclass(frozen=True)
class Actor:
    """The user a workspace call acts for. ``role`` None: signed in but not given a role yet."""

    name: str
    role: Role | None

    def __post_init__(self) -> None:
        if self.role is not None and self.role not in ROLES:
            raise ParameterError("role", self.role, ROLES)

    def can(self, action: Action) -> bool:
        """Whether this user's role allows ``action``.

        Examples
        --------
        >>> Actor("ann", "editor").can("rollback"), Actor("ann", "editor").can("delete")
        (True, False)
        """
        if action not in NEEDS:
            raise ParameterError("action", action, ACTIONS)
        return self.role is not None and ROLES.index(self.role) >= ROLES.index(NEEDS[action])


OWNER = Actor("owner", "admin")  # local mode: the one user of a loopback-only server
SYSTEM = Actor("system", "admin")  # first start (the bundled sample), migrations


def require(actor: Actor, action: Action) -> None:
    """Raise :class:`PermissionDeniedError` unless ``actor`` may do ``action``.

    Examples
    --------
    >>> require(Actor("vic", "viewer"), "delete")
    Traceback (most recent call last):
    ...
    retention_core.errors.PermissionDeniedError: vic (viewer) may not delete; it needs the admin role — ask an admin
    """
    if not actor.can(action):
        raise PermissionDeniedError(actor.name, actor.role, action, NEEDS[action])
