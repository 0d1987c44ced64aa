"""Error classes of the core (STYLE: Errors).

Every error the core raises on purpose is a :class:`RetentionError` (a ``ValueError``) with a stable
``code`` and keyword fields, so the UI can translate it (``ui/i18n``) and the CLI can print one line.
The English message is built here; translations use ``code`` and ``fields``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any


class RetentionError(ValueError):
    """Base of every error the core raises on purpose.

    Parameters
    ----------
    message
        Full English sentence: where, what was found, what was expected, what to try.
    **fields
        Structured details (file, line, column, value, allowed …) for translation.
    """

    code = "retention_error"

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    def __str__(self) -> str:
        return self.message


class InputError(RetentionError):
    """A file cannot be read at all (empty, binary, no recognisable columns, bad cell in a strict read)."""

    code = "input_error"

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: str | None = None,
        value: str | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(message, file=file, line=line, column=column, value=value, **fields)
        self.file, self.line, self.column, self.value = file, line, column, value


class ColumnNotFoundError(RetentionError):
    """A required column (or one named by the user) is not in the data."""

    code = "column_not_found"

    @classmethod
    def from_missing(
        cls, missing: str, available: Iterable[str], *, role: str | None = None, file: str | None = None
    ) -> ColumnNotFoundError:
        """Build the error with a "did you mean …" hint from the closest available names.

        Examples
        --------
        >>> str(ColumnNotFoundError.from_missing("amout", ["amount", "date"]))
        'column "amout" not found; available: amount, date; did you mean "amount"?'
        """
        available = list(available)
        close = difflib.get_close_matches(missing, available, n=1, cutoff=0.6)
        where = f"{file}: " if file else ""
        what = f"{role} column" if role else "column"
        msg = f'{where}{what} "{missing}" not found; available: {", ".join(available) or "(none)"}'
        if close:
            msg += f'; did you mean "{close[0]}"?'
        return cls(msg, missing=missing, available=available, role=role, file=file, suggestion=close[0] if close else None)


class ParameterError(RetentionError):
    """An option has a value outside what it allows."""

    code = "parameter_error"

    def __init__(self, param: str, value: Any, allowed: Sequence[Any] | str) -> None:
        allowed_text = allowed if isinstance(allowed, str) else ", ".join(map(str, allowed))
        msg = f"{param}={value!r} is not allowed; expected {allowed_text}"
        super().__init__(msg, param=param, value=value, allowed=allowed)
        self.param, self.value, self.allowed = param, value, allowed


class NotEnoughDataError(RetentionError):
    """The data is valid but too thin for the computation asked (e.g. almost no repeat buyers)."""

    code = "not_enough_data"


class ConvergenceError(RetentionError):
    """A model fit did not converge to a usable optimum."""

    code = "convergence_error"


def check_choice(param: str, value: Any, allowed: Sequence[Any]) -> None:
    """Raise :class:`ParameterError` unless ``value`` is one of ``allowed``.

    Examples
    --------
    >>> check_choice("grain", "month", ("day", "month"))
    >>> check_choice("grain", "fortnight", ("day", "month"))
    Traceback (most recent call last):
    ...
    retention_core.errors.ParameterError: grain='fortnight' is not allowed; expected day, month
    """
    if value not in allowed:
        raise ParameterError(param, value, allowed)


_ACTION_TEXT = {"note": "write notes", "annotate": "add annotations", "settings": "change dataset settings",
                "accounts": "manage accounts", "audit": "read the audit log", "rollback": "roll back",
                "read": "read", "export": "export"}


class PermissionDeniedError(RetentionError):
    """The signed-in user's role does not allow the action (SPEC §7.1: every write is checked in the core).

    A caller shows "ask an admin" instead of a data error, hence its own class.
    """

    code = "permission_denied"

    def __init__(self, user: str, role: str | None, action: str, needed: str) -> None:
        who = f"{user} ({role})" if role else f"{user} (no role)"
        msg = f"{who} may not {_ACTION_TEXT.get(action, action)}; it needs the {needed} role — ask an admin"
        super().__init__(msg, user=user, role=role, action=action, needed=needed)
        self.user, self.role, self.action, self.needed = user, role, action, needed
