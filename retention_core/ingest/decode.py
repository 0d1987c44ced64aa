"""Text encodings of uploaded exports (SPEC §2): UTF-8, UTF-8 with BOM, UTF-16, Windows-1251.

DuckDB 2.0 here reads UTF-8 only (no ``encodings`` extension offline, see docs/platform.md), so any
other encoding is decoded in Python (C-speed ``bytes.decode``) and handed to DuckDB as UTF-8.
"""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer

from retention_core.errors import InputError

_SAMPLE = 64 * 1024
_NON_ASCII = re.compile(rb"[\x80-\xff]")


@dataclass(frozen=True)
class Decoded:
    """Where the UTF-8 text of a file is, and what it was."""

    path: Path  # a UTF-8 file DuckDB can read (the original when it already was UTF-8)
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "windows-1251", …
    rewritten: bool
    # UTF-8 with a few undecodable bytes: physical line -> position of its first bad byte in the line (from 1);
    # DuckDB rejects those lines ("INVALID ENCODING"), raw.py names the byte
    bad_bytes: dict[int, int] = field(default_factory=dict)


_SURROGATE = re.compile("[\udc80-\udcff]")


def invalid_utf8(raw: bytes) -> tuple[int, int, dict[int, int]]:
    """(valid non-ASCII characters, invalid bytes, {line: position of its first invalid byte in the line, from 1}).

    Undecodable bytes become lone surrogates (``surrogateescape``), which valid UTF-8 never holds,
    so one C-speed decode and a regex find them all (lines are named for the first 10,000).

    Examples
    --------
    >>> invalid_utf8("a,b\\nПё,1\\n".encode() + b"x\\xff,2\\n")
    (2, 1, {3: 2})
    """
    text = raw.decode("utf-8", errors="surrogateescape")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    bad = [m.start() for m in _SURROGATE.finditer(text)]
    lines: dict[int, int] = {}
    line, last = 1, 0
    for pos in bad[:10_000]:
        line += text.count("\n", last, pos)
        last = pos
        start = text.rfind("\n", 0, pos) + 1
        lines.setdefault(line, len(text[start:pos].encode("utf-8", errors="surrogateescape")) + 1)
    return non_ascii - len(bad), len(bad), lines


def _mostly_utf8(raw: bytes) -> dict[int, int] | None:
    """The bad lines of a UTF-8 file with a few undecodable bytes; None when the file is in another encoding.

    UTF-8 when its valid non-ASCII characters outnumber the bad bytes, or when the bad bytes (at most
    100) each stand alone among ASCII — a stray byte, not Windows-1251 text, whose letters come in runs.
    """
    valid, bad, lines = invalid_utf8(raw)
    if bad == 0 or bad > 10_000:
        return None
    stray = valid == 0 and bad <= 100 and re.search(rb"[\x80-\xff]{2}", raw) is None
    return lines if valid > bad or stray else None


def detect_encoding(raw: bytes, *, file: str) -> str:
    """Name the encoding of a text export from its bytes.

    BOMs decide first; then valid UTF-8; then Windows-1251 when its non-ASCII letters read as Cyrillic;
    then charset-normalizer's best guess. NUL bytes without a UTF-16 BOM mean a binary file.

    Examples
    --------
    >>> detect_encoding("клиент;сумма".encode("cp1251"), file="x.csv")
    'windows-1251'
    >>> detect_encoding(codecs.BOM_UTF8 + b"a,b", file="x.csv")
    'utf-8-sig'
    >>> detect_encoding(b"PK\\x03\\x04\\x00\\x00", file="x.csv")
    Traceback (most recent call last):
    ...
    retention_core.errors.InputError: x.csv: this is not a text table (binary content); expected CSV/TSV text, Parquet or XLSX
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = raw[:_SAMPLE]
    # UTF-16 without BOM: every other byte NUL in ASCII-heavy text.
    if head and head[1::2].count(0) > 0.4 * len(head) / 2 and head[0::2].count(0) < 0.05 * len(head) / 2:
        return "utf-16-le"
    if b"\x00" in head:
        msg = f"{file}: this is not a text table (binary content); expected CSV/TSV text, Parquet or XLSX"
        raise InputError(msg, file=file, reason="binary")
    if raw.isascii():  # plain ASCII is UTF-8; checking is much cheaper than decoding
        return "utf-8"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # judge the non-ASCII part: an export can be plain ASCII for thousands of lines before its first name
    first = _NON_ASCII.search(raw)
    if first is not None and first.start() >= _SAMPLE // 2:
        head = raw[first.start() - 1024:first.start() + _SAMPLE]
    text = head.decode("cp1251", errors="replace")
    non_ascii = [c for c in text if ord(c) > 127 and c.isalpha()]  # letters: € « » № nbsp say nothing
    if non_ascii and sum("\u0400" <= c <= "\u04ff" for c in non_ascii) / len(non_ascii) > 0.8:
        return "windows-1251"
    best = charset_normalizer.from_bytes(head).best()
    return best.encoding if best is not None else "latin-1"


def to_utf8(path: Path, *, file: str, workdir: Path) -> Decoded:
    """Return a UTF-8 version of ``path`` (the file itself when it already is plain UTF-8)."""
    raw = path.read_bytes()
    compressed = raw[:2] == b"\x1f\x8b"
    if compressed:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            msg = f"{file}: the gzip archive is damaged; compress the export again"
            raise InputError(msg, file=file, reason="unreadable") from exc
    if not raw or raw.isspace():  # stops at the first non-space byte: no copy of a large file
        msg = f"{file}: the file is empty; expected a header row and data rows"
        raise InputError(msg, file=file, reason="empty")
    encoding = detect_encoding(raw, file=file)
    if encoding not in ("utf-8", "utf-8-sig", "utf-16", "utf-16-le"):
        bad_lines = _mostly_utf8(raw)  # a UTF-8 file with a few bad bytes: reject those lines, keep the rest
        if bad_lines:
            if not compressed:
                return Decoded(path=path, encoding="utf-8", rewritten=False, bad_bytes=bad_lines)
            out = workdir / (path.stem + ".utf8.csv")
            out.write_bytes(raw)
            return Decoded(path=out, encoding="utf-8", rewritten=True, bad_bytes=bad_lines)
    if encoding == "utf-8" and not compressed:
        return Decoded(path=path, encoding=encoding, rewritten=False)
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        msg = f"{file}: cannot decode the text as {encoding}; save it as UTF-8 and upload again"
        raise InputError(msg, file=file, reason="encoding") from exc
    text = text.lstrip("\ufeff")
    if not text.strip():  # a BOM and nothing else
        msg = f"{file}: the file is empty; expected a header row and data rows"
        raise InputError(msg, file=file, reason="empty")
    out = workdir / (path.stem + ".utf8.csv")
    out.write_text(text, encoding="utf-8", newline="")
    return Decoded(path=out, encoding="windows-1251" if encoding == "cp1251" else encoding, rewritten=True)
