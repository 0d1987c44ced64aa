"""Settings saved with a dataset (issue 10 §4): set once on the Data page, read by every page and the CLI.

A dataset's currency sign, gross margin, activity-window override, week start and time zone belong to
the data, not to a link or a page: "which currency" and "what margin" have one answer per shop, so every
page shows the same money and the same profit. :class:`DatasetSettings` is frozen and validated on
construction; the workspace keeps it as the ``settings`` entry of the dataset's metadata
(:meth:`retention_core.ingest.store.Workspace.settings` / ``save_settings``).

* ``currency`` — the sign money is shown with (``""`` = none); at most :data:`MAX_CURRENCY` characters.
* ``margin`` — gross margin in (0, 1], used for profit LTV, CLV and the what-if profit (SPEC §4.4: default 1.0).
* ``window_days`` — override of the purchase cycle in days (SPEC §4.1); ``None`` = the rule measured
  from the data. Kept in days so it means the same in every grain (90 days = 3 months = 13 weeks).
* ``week_start`` — ``"monday"``: SPEC §4 defines weeks as ISO weeks; no other start is offered.
* ``time_zone`` — the IANA zone the file's timestamps are in (``None`` = as written in the file); a
  zone-qualified date-time from the CLI (``…Z``) is compared in UTC.
* ``cac`` and ``retention_cost`` — what acquiring a customer costs and what keeping one costs a month, in the
  dataset's currency (SPEC §6: "margin, CAC and retention cost are inputs, saved with the dataset"); What-if
  starts from them. 0 = not known.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any, TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from retention_core.errors import ParameterError

CURRENCIES: tuple[str, ...] = ("", "₽", "$", "€", "£", "₸", "₴", "¥")
"""Signs offered on the Data page (any other short sign is accepted too)."""
MAX_CURRENCY = 5
WEEK_STARTS: tuple[str, ...] = ("monday",)
MAX_WINDOW_DAYS = 366
MAX_COST = 1e9  # CAC and retention cost: the What-if inputs' range


class SettingsJSON(TypedDict):
    currency: str
    margin: float
    window_days: int | None
    week_start: str
    time_zone: str | None
    cac: float
    retention_cost: float


@dataclass(frozen=True)
class DatasetSettings:
    """One dataset's settings (see the module docstring); invalid values raise :class:`ParameterError`.

    Examples
    --------
    >>> DatasetSettings(currency="₽", margin=0.3, window_days=90)
    DatasetSettings(currency='₽', margin=0.3, window_days=90, week_start='monday', time_zone=None, cac=0.0, retention_cost=0.0)
    >>> DatasetSettings(margin=1.5)
    Traceback (most recent call last):
    ...
    retention_core.errors.ParameterError: margin=1.5 is not allowed; expected a gross margin in (0, 1], e.g. 0.3 for 30 %
    """

    currency: str = ""
    margin: float = 1.0
    window_days: int | None = None
    week_start: str = "monday"
    time_zone: str | None = None
    cac: float = 0.0
    retention_cost: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.currency, str) or len(self.currency) > MAX_CURRENCY or any(
            unicodedata.category(ch).startswith(("C", "Z")) and ch != " " for ch in self.currency
        ) or self.currency != self.currency.strip():
            raise ParameterError("currency", self.currency, f"a currency sign of at most {MAX_CURRENCY} characters")
        if isinstance(self.margin, bool) or not isinstance(self.margin, int | float) or not (
            math.isfinite(self.margin) and 0 < self.margin <= 1
        ):
            raise ParameterError("margin", self.margin, "a gross margin in (0, 1], e.g. 0.3 for 30 %")
        object.__setattr__(self, "margin", float(self.margin))
        if self.window_days is not None and (
            isinstance(self.window_days, bool) or not isinstance(self.window_days, int)
            or not 1 <= self.window_days <= MAX_WINDOW_DAYS
        ):
            raise ParameterError("window_days", self.window_days,
                                 f"a whole number of days in 1 … {MAX_WINDOW_DAYS}, or none for the purchase cycle")
        for name in ("cac", "retention_cost"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not (
                math.isfinite(value) and 0 <= value <= MAX_COST
            ):
                raise ParameterError(name, value, "an amount in the dataset's currency, 0 … 1e9 (0 = not known)")
            object.__setattr__(self, name, float(value))
        if self.week_start not in WEEK_STARTS:
            raise ParameterError("week_start", self.week_start, "monday (weeks are ISO weeks, SPEC §4)")
        if self.time_zone is not None:
            if not isinstance(self.time_zone, str) or self.time_zone not in available_timezones():
                raise ParameterError("time_zone", self.time_zone, "an IANA time zone such as Europe/Moscow or UTC")
            try:
                ZoneInfo(self.time_zone)
            except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed but unreadable
                raise ParameterError("time_zone", self.time_zone, "an IANA time zone such as Europe/Moscow") from exc

    def to_json(self) -> SettingsJSON:
        return asdict(self)  # type: ignore[return-value]

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> DatasetSettings:
        """Settings from their JSON form; missing keys take the defaults, unknown keys are ignored.

        Examples
        --------
        >>> DatasetSettings.from_json({"currency": "$", "margin": 0.4, "later_key": 1}).margin
        0.4
        >>> DatasetSettings.from_json(None) == DatasetSettings()
        True
        """
        if not data:
            return cls()
        if not isinstance(data, dict):
            raise ParameterError("settings", data, "an object with currency, margin, window_days, week_start, time_zone")
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


DEFAULT_SETTINGS = DatasetSettings()

__all__ = ["CURRENCIES", "DEFAULT_SETTINGS", "MAX_COST", "MAX_WINDOW_DAYS", "WEEK_STARTS", "DatasetSettings", "SettingsJSON"]
