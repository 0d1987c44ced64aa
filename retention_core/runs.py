"""Hash first, exact after: per-key runs and repeated keys, cheaply and exactly.

Per-customer flows (metrics) and per-user paths walk a table row by row with ``shift``: they need
each key's rows next to each other and in order inside the run, but not the keys in any order.
Sorting on the key's 64-bit hash instead of the string is much cheaper (10M customer-periods: 1.6 s
instead of 3.5 s on two cores). Two keys with one hash would interleave, so the result is checked
(one hash run holding two keys) and only then sorted on the key as well — exact either way.

Finding repeated keys (duplicate orders at load time) works the same way: sorting 10M 64-bit hashes
and comparing neighbours takes 0.2 s where polars' ``is_duplicated`` on the strings takes 1–3.5 s;
only the rows whose hash repeats (usually none) are compared on the key itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl


def key_hash(key: pl.Expr) -> pl.Expr:
    """The 64-bit hash of a key expression (a function so tests can force collisions)."""
    return key.hash()


def repeated_rows(frame: pl.DataFrame, key: Sequence[str]) -> pl.DataFrame:
    """The rows of ``frame`` whose ``key`` (one or more columns) occurs more than once, in frame order.

    Nulls compare equal (two rows with the same columns, some empty, are repeats).

    Examples
    --------
    >>> df = pl.DataFrame({"id": ["a", "b", "a", None, None], "x": [1, 2, 1, 3, 3]})
    >>> repeated_rows(df, ["id"])["x"].to_list()
    [1, 1, 3, 3]
    >>> repeated_rows(df, ["id", "x"]).height
    4
    """
    if frame.height < 2:
        return frame.head(0)
    k = pl.struct(list(key)) if len(key) > 1 else pl.col(key[0])
    h = frame.select(key_hash(k).alias("h"))["h"]
    ordered = h.sort()
    shared = ordered.filter((ordered == ordered.shift(1)) | (ordered == ordered.shift(-1))).unique()
    if shared.len() == 0:
        return frame.head(0)  # no two hashes equal ⇒ no two keys equal
    candidates = frame.filter(h.is_in(shared.implode()))
    return candidates.filter(pl.struct(list(key)).is_duplicated())


def sort_runs(frame: pl.DataFrame, key: str, by: Sequence[str]) -> pl.DataFrame:
    """``frame`` with each ``key``'s rows contiguous and sorted by ``by`` within the run.

    Parameters
    ----------
    frame
        Any frame with the columns ``key`` and ``by``.
    key
        The column whose rows must be contiguous (customer or user id).
    by
        Columns ordering the rows inside one key's run.

    Returns
    -------
    pl.DataFrame
        The same rows and columns; runs appear in hash order (no meaning).

    Examples
    --------
    >>> df = pl.DataFrame({"id": ["b", "a", "b", "a"], "p": [2, 2, 1, 1]})
    >>> out = sort_runs(df, "id", ["p"])
    >>> sorted(out.partition_by("id", maintain_order=True), key=lambda f: f["id"][0])[0]["p"].to_list()
    [1, 2]
    >>> (out["id"] != out["id"].shift(1)).sum()  # each id forms one run: one change between two runs
    1
    """
    h, k = pl.col("_run_hash"), pl.col(key)
    rows = frame.with_columns(key_hash(k).alias("_run_hash")).sort("_run_hash", *by)
    if rows.select(((h == h.shift(1)) & (k != k.shift(1))).any()).item():
        rows = rows.sort("_run_hash", key, *by)
    return rows.drop("_run_hash")
