"""Options of a load, checked: the dates rows may hold and the time zone.

SPEC §10: dates outside 1970-01-01 … today + 1 year are rejected unless the caller widens the range
(at most 1900 … 2200: years like 0001 or 9999 break every period computation); timestamps with an
offset are converted to one IANA zone.
"""

from __future__ import annotations

import zoneinfo
from datetime import date

from retention_core.errors import ParameterError
from retention_core.ingest.checks import default_date_range

WIDEST_DATES = (date(1900, 1, 1), date(2200, 12, 31))  # how far a caller may widen the allowed dates


def check_date_range(date_range: tuple[date, date] | None) -> tuple[date, date]:
    """The dates rows may hold: ``date_range`` checked, or 1970-01-01 … today + 1 year.

    Raises
    ------
    ParameterError
        Not two dates in order within 1900-01-01 … 2200-12-31.
    """
    if date_range is None:
        return default_date_range()
    lo, hi = date_range
    if not (isinstance(lo, date) and isinstance(hi, date) and WIDEST_DATES[0] <= lo <= hi <= WIDEST_DATES[1]):
        raise ParameterError("date_range", f"{lo} … {hi}", f"two dates in order within {WIDEST_DATES[0]} … {WIDEST_DATES[1]}")
    return lo, hi


def check_timezone(timezone: str) -> str:
    """``timezone`` when it is an IANA zone name (``UTC``, ``Europe/Moscow``)."""
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ParameterError("timezone", timezone, "an IANA time-zone name such as UTC or Europe/Moscow") from exc
    return timezone


__all__ = ["WIDEST_DATES", "check_date_range", "check_timezone"]
