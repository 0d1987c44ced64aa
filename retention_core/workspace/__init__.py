"""The team's workspace (SPEC §7.1): saved datasets with immutable versions, accounts and roles, notes,
annotations and the audit log, in SQLite (WAL) beside one Parquet folder per version.

``Workspace`` is the one entry: every write method checks the acting user's role (``roles.require``).
"""

from retention_core.workspace.accounts import UserInfo
from retention_core.workspace.roles import ACTIONS, NEEDS, OWNER, ROLES, SYSTEM, Action, Actor, Role, require
from retention_core.workspace.store import SAVE_STEPS, DatasetInfo, VersionInfo, Workspace, set_step_hook

__all__ = ["ACTIONS", "NEEDS", "OWNER", "ROLES", "SAVE_STEPS", "SYSTEM", "Action", "Actor", "DatasetInfo", "Role",
           "UserInfo", "VersionInfo", "Workspace", "require", "set_step_hook"]
