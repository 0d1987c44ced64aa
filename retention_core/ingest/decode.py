"""Text encodings of uploaded exports (SPEC §2): UTF-8, UTF-8 with BOM, UTF-16, Windows-1251.

DuckDB 2.0 here reads UTF-8 only (no ``encodings`` extension offline, see docs/platform.md), so any
other encoding is decoded in Python (C-speed ``bytes.decode``) and handed to DuckDB as UTF-8.
"""

from __future__ import annotations

import codecs
import gzip
import re
from dataclasses import dataclass
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
        except (OSError, EOFError) as exc:
            msg = f"{file}: the gzip archive is damaged; compress the export again"
            raise InputError(msg, file=file, reason="unreadable") from exc
    if not raw or raw.isspace():  # stops at the first non-space byte: no copy of a large file
        msg = f"{file}: the file is empty; expected a header row and data rows"
        raise InputError(msg, file=file, reason="empty")
    encoding = detect_encoding(raw, file=file)
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
