"""English and Russian UI text and per-language number/date formatting (SPEC §7).

Pages never show a raw column name or a hard-coded sentence: they call :func:`t` with a key from a
catalogue in ``ui/strings/`` and format numbers with :func:`num`, :func:`money`, :func:`pct`.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
from datetime import date, datetime
from functools import cache

import ui.strings
from retention_core.errors import RetentionError
from ui import state

LANGS = ("en", "ru")
LANG_NAMES = {"en": "English", "ru": "Русский"}


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """All catalogues merged: ``{"en": {...}, "ru": {...}}`` (a test checks both have the same keys)."""
    merged: dict[str, dict[str, str]] = {"en": {}, "ru": {}}
    for mod in pkgutil.iter_modules(ui.strings.__path__):
        m = importlib.import_module(f"ui.strings.{mod.name}")
        merged["en"].update(m.EN)
        merged["ru"].update(m.RU)
    return merged


MISSING: set[tuple[str, str]] = set()  # (language, key) asked for and not in that catalogue; tests assert none


def t(key: str, **fields: object) -> str:
    """The text for ``key`` in the current language, with ``{fields}`` filled in (a missing key is recorded in
    :data:`MISSING` and shown as the English text, else as the key)."""
    lang = state.lang()
    text = catalogue()[lang].get(key)
    if text is None:
        MISSING.add((lang, key))
        text = catalogue()["en"].get(key) or key
    return text.format(**fields) if fields else text


def known(key: str, fallback: str) -> str:
    """The text for ``key`` when the catalogue has it, else ``fallback`` (a user's column name, an audit action
    written by a newer version): not a missing key, so nothing is recorded in :data:`MISSING`."""
    return t(key) if key in catalogue()["en"] else fallback


def _group(x: float, decimals: int, lang: str) -> str:
    x = round(x, decimals) + 0.0  # -0.0000001 shows as "0", not "-0" (float noise in a difference)
    s = f"{x:,.{decimals}f}"
    if lang == "ru":
        s = s.replace(",", "\u202f").replace(".", ",")
    return s


def plus(text: str, x: float | None) -> str:
    """'+' before a positive change; none before one that shows as zero ("+0" would claim a gain)."""
    return "+" + text if x is not None and x > 0 and any(c in "123456789" for c in text) else text


def num(x: float | int | None, decimals: int = 0) -> str:
    """A number with the language's grouping: ``1,234.5`` (en), ``1 234,5`` (ru); '—' for null."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return _group(float(x), decimals, state.lang())


def money(x: float | None, decimals: int = 0) -> str:
    """Money with the dataset's currency sign when one is set (``1 234 ₽`` / ``$1,234``)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    sign = state.currency()
    body = num(x, decimals)
    if not sign:
        return body
    return f"{body}\u00a0{sign}" if state.lang() == "ru" or sign in ("₽", "руб.") else f"{sign}{body}"


def pct(x: float | None, decimals: int = 1, *, signed: bool = False) -> str:
    """A fraction as a percentage: 0.0375 → ``3.8%`` (en) / ``3,8 %`` (ru); '—' for null."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    body = _group(x * 100, decimals, state.lang())
    if signed:
        body = plus(body, x)
    return f"{body}\u00a0%" if state.lang() == "ru" else f"{body}%"


def points(x: float | None, decimals: int = 1) -> str:
    """A change of a ratio in percentage points: 0.012 → ``+1.2 pp`` / ``+1,2 п.п.``."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    body = plus(_group(x * 100, decimals, state.lang()), x)
    return f"{body} п.п." if state.lang() == "ru" else f"{body} pp"


def day(d: date | datetime | None) -> str:
    """A date: ``2024-12-31`` (en, ISO) / ``31.12.2024`` (ru)."""
    if d is None:
        return "—"
    return d.strftime("%d.%m.%Y") if state.lang() == "ru" else d.strftime("%Y-%m-%d")


def error(exc: RetentionError) -> str:
    """A core error for the user: the translated template for its code when there is one, else its text."""
    key = f"error.{exc.code}"
    template = catalogue()[state.lang()].get(key)
    if template is None:
        return str(exc)
    return template.format(detail=str(exc), **{k: v for k, v in exc.fields.items() if isinstance(v, str | int)})


MOMENT_FORMAT = {"en": "%Y-%m-%d %H:%M", "ru": "%d.%m.%Y %H:%M"}  # a date-time to the minute (strftime)


def moment(iso: str | datetime | None) -> str:
    """A date-time to the minute: ``2024-12-31 10:30`` (en) / ``31.12.2024 10:30`` (ru); ISO text is accepted."""
    if iso is None:
        return "—"
    d = datetime.fromisoformat(iso) if isinstance(iso, str) else iso
    return d.strftime(MOMENT_FORMAT[state.lang()])
