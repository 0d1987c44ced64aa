"""Load an export into a canonical frame plus a validation report (SPEC §2–3).

``rows_read = rows_accepted + rows_rejected`` always: every data record of the file is either in the
canonical frame (or, for line-level exports, folded into an order there) or in the rejected table
with its line number, raw values and a reason. Exact duplicates are rejected with reason
``duplicate`` ("counted once") so they are both reported and counted once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from retention_core.errors import InputError, check_choice
from retention_core.ingest.checks import Check, date_check, number_check, text_check
from retention_core.ingest.raw import FILE, LINE, RawTable, connect, read_raw
from retention_core.ingest.roles import KINDS, ROLES, Kind, detect_kind, detect_roles, normalise
from retention_core.ingest.typed import TypedRead, read_typed
from retention_core.runs import repeated_rows

REASON = "reason"
CODE = "reason_code"
COLUMN = "column"
MAX_SEGMENT_VALUES = 200


@dataclass(frozen=True)
class ValidationReport:
    """What was read, what was accepted, what was rejected and why (SPEC §3, §8 ``validate``)."""

    file: str
    kind: Kind
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    duplicates: int
    columns: dict[str, str]
    segments: tuple[str, ...]
    encoding: str | None
    delimiter: str | None
    formats: dict[str, str]
    warnings: tuple[str, ...]
    headers: tuple[str, ...] = ()
    line_level: bool = False
    orders: int | None = None  # orders after grouping lines (line-level exports)
    reason_counts: dict[str, int] = field(default_factory=dict)
    properties: tuple[str, ...] = ()  # every non-role column, kept in the canonical frame (SPEC §2)

    def to_json(self, rejected: pl.DataFrame, *, limit: int = 100) -> dict:
        """The SPEC §8 ``validate`` JSON (first ``limit`` rejected rows)."""
        where = [pl.col(FILE).alias("file")] if FILE in rejected.columns else []  # a folder of Parquet files
        first = rejected.head(limit).select(
            *where, pl.col(LINE).alias("line"), pl.col(COLUMN).alias("column"), pl.col(REASON).alias("reason")
        )
        return {
            "kind": self.kind,
            "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted,
            "rows_rejected": self.rows_rejected,
            "columns": dict(self.columns),
            "properties": list(self.properties),
            "segments": list(self.segments),
            "rejected": first.to_dicts(),
            "duplicates": self.duplicates,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class LoadResult:
    """The canonical frame (docs/data-model.md), the report, and the rejected rows."""

    frame: pl.DataFrame
    report: ValidationReport
    rejected: pl.DataFrame  # __line, column, reason_code, reason, then the raw columns as text

    def rejected_export(self) -> pl.DataFrame:
        """Rejected rows as a user downloads them: line, column, reason, then the original cells."""
        out = self.rejected.rename({LINE: "line", FILE: "file"}, strict=False).drop(CODE)
        if "raw_line" in out.columns and out["raw_line"].null_count() == out.height:
            out = out.drop("raw_line")  # only malformed lines have a raw text line
        return out


def _checks(kind: Kind, roles: dict[str, str], frame: pl.DataFrame, date_order: str | None):
    required, _ = ROLES[kind]
    checks: list[Check] = []
    formats: dict[str, str] = {}
    warnings: list[str] = []
    for role, header in roles.items():
        need = role in required or (kind == "orders" and role in ("quantity", "unit_price") and "amount" not in roles)
        if role in ("customer_id", "user_id", "event", "order_id", "plan"):
            checks.append(text_check(role, header, required=need))
        elif role in ("amount", "quantity", "unit_price", "mrr", "score"):
            check, nf = number_check(role, header, frame, required=need)
            checks.append(check)
            formats[role] = f"decimal '{nf.decimal}'"
        else:
            check, df = date_check(role, header, frame, required=need, date_order=date_order)
            checks.append(check)
            formats[role] = df.family if df else "unknown"
            if df and df.ambiguous:
                warnings.append(
                    f'column "{header}": dates like 01/02/2024 could be day-first or month-first; '
                    "read as day-first (choose the date order to change it)"
                )
    if kind == "survey" and "score" in roles:
        score = pl.col("__v_score")
        bad = (score < 0) | (score > 10) | (score != score.round(0))
        out = pl.lit("score ") + pl.col(roles["score"]) + pl.lit(" is not a whole number from 0 to 10")
        checks.append(Check("score_range", roles["score"], None, pl.when(bad).then(out), "score_range", condition=bad))
    if kind == "subscriptions" and "ended_at" in roles:
        bad = pl.col("__v_ended_at") < pl.col("__v_started_at")
        reason = pl.when(bad).then(pl.lit("end date is before the start date"))
        checks.append(Check("end_before_start", roles["ended_at"], None, reason, "end_before_start", condition=bad))
    return checks, formats, warnings


def _segment_columns(frame: pl.DataFrame, roles: dict[str, str]) -> tuple[list[str], list[str]]:
    """``(kept, offered)``: every non-role column is kept (SPEC §2: events keep *any* properties; a
    ``browser`` column on a 4-row file or a numeric ``plan`` is a property like any other); the
    sidebar offers as segments only the kept columns with 1..200 distinct values that are not mostly
    numbers and not nearly unique per row (ids, free text). Nothing is dropped by the second rule."""
    used = set(roles.values())
    kept = [c for c in frame.columns if c not in used and not c.startswith("__")]
    if not kept or frame.height == 0:
        return kept, []
    sample = frame.head(5000)
    text = [pl.col(c).cast(pl.String).str.strip_chars() for c in kept]
    stats = sample.select(
        *[e.n_unique().alias(f"u{i}") for i, e in enumerate(text)],
        *[e.str.contains(r"^-?[\d\s.,]+$").mean().alias(f"n{i}") for i, e in enumerate(text)],
    ).row(0, named=True)
    # nearly unique per row (ids, free text) is not a segment; a small file's few values still are
    limit = max(MAX_SEGMENT_VALUES if sample.height <= 10 else 2, min(MAX_SEGMENT_VALUES, sample.height // 2 or 1))
    offer = [c for i, c in enumerate(kept) if 1 <= stats[f"u{i}"] <= limit and (stats[f"n{i}"] or 0) < 0.9]
    uniques = frame.select(pl.col(c).n_unique() for c in offer).row(0) if offer else ()
    return kept, [c for c, n in zip(offer, uniques, strict=True) if n <= MAX_SEGMENT_VALUES]


_CANONICAL = {
    "orders": ("customer_id", "ordered_at", "amount", "order_id", "quantity"),
    "subscriptions": ("customer_id", "started_at", "ended_at", "mrr", "plan"),
    "events": ("user_id", "event", "occurred_at", "seq"),
    "survey": ("customer_id", "score", "answered_at"),
}


def _property_names(kept: list[str], kind: str) -> list[str]:
    """Canonical names of the kept columns: normalised headers, made unique (``plan`` beside a
    subscriptions' ``plan`` role becomes ``plan_2``) so no column replaces another."""
    taken = set(_CANONICAL.get(kind, ()))
    out = []
    for header in kept:
        base = normalise(header) or "column"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        out.append(name)
    return out


def _offered_names(kept: list[str], offered: list[str], kind: str) -> tuple[str, ...]:
    names = dict(zip(kept, _property_names(kept, kind), strict=True))
    return tuple(names[c] for c in offered)


def validate(raw: RawTable, *, kind: Kind | None = None, mapping: dict[str, str] | None = None,
             date_order: str | None = None) -> LoadResult:
    """Turn a :class:`RawTable` into a :class:`LoadResult` for ``kind`` (detected when None)."""
    frame = raw.frame
    headers = [c for c in frame.columns if c not in (LINE, FILE)]
    kind = kind or detect_kind(headers)
    check_choice("kind", kind, KINDS)
    roles = detect_roles(frame, kind, mapping)
    required, _ = ROLES[kind]
    line_level = kind == "orders" and "amount" not in roles and {"quantity", "unit_price"} <= roles.keys()
    missing = [r for r in required if r not in roles and not (r == "amount" and line_level)]
    if missing:
        words = ", ".join(missing)
        msg = (f"{raw.file}: cannot find the {words} column for {kind} data among: {', '.join(headers)}; "
               "name the column in the mapping or rename it in the file")
        raise InputError(msg, file=raw.file, reason="no_columns", missing=missing, available=headers)
    if frame.height == 0 and raw.structural.height == 0:
        msg = f"{raw.file}: the file has column names but no data rows"
        raise InputError(msg, file=raw.file, reason="no_rows")

    checks, formats, warnings = _checks(kind, roles, frame, date_order)
    parsed = _parse(frame, checks)
    if line_level:
        # a cancellation line (negative quantity, or an order id like C536379) is a refund: negative amount
        qty = pl.col("__v_quantity")
        cancel = qty < 0
        if "order_id" in roles:
            cancel = cancel | pl.col("__v_order_id").str.contains(r"^C\d").fill_null(False)
        amount = qty * pl.col("__v_unit_price")
        parsed = parsed.with_columns(
            pl.when(cancel).then(-amount.abs()).otherwise(amount).alias("__v_amount"),
            pl.when(cancel).then(-qty.abs()).otherwise(qty).alias("__v_quantity"),
        )
    kept, segments = _segment_columns(frame, roles)
    parsed = _mark_duplicates(parsed, kind, roles, headers, line_level)

    good = _accepted(parsed)
    canonical = _canonical(good, kind, roles, kept, line_level)
    rejected = _rejected(parsed.filter(pl.col(REASON).is_not_null()), raw, headers)
    counts = dict(rejected.group_by(CODE).len().iter_rows()) if rejected.height else {}
    report = ValidationReport(
        file=raw.file, kind=kind, rows_read=frame.height + raw.structural.height, rows_accepted=good.height,
        rows_rejected=rejected.height, duplicates=int(counts.get("duplicate", 0)), columns=dict(roles),
        segments=_offered_names(kept, segments, kind), properties=tuple(_property_names(kept, kind)), encoding=raw.encoding, delimiter=raw.delimiter,
        formats=formats, warnings=tuple(warnings), headers=tuple(headers), line_level=line_level,
        orders=canonical.height if kind == "orders" else None, reason_counts={str(k): int(v) for k, v in counts.items()},
    )
    return LoadResult(canonical, report, rejected)


def _parse(frame: pl.DataFrame, checks: list[Check]) -> pl.DataFrame:
    """Parse every role column and give failing rows a reason, in two passes (see :class:`Check`).

    The fast pass parses all rows with each check's cheapest expression; the rows it cannot vouch for
    (usually few) are parsed again in full and get their reason, code and column. Rows stay in file
    order.
    """
    parsing = [c for c in checks if c.value is not None]
    fast = frame.with_columns([(c.fast if c.fast is not None else c.value).alias(f"__v_{c.role}") for c in parsing])
    suspect = pl.any_horizontal([c.suspect() for c in checks]) if checks else pl.lit(False)
    fast = fast.with_columns(suspect.alias("__suspect"))
    none = pl.lit(None, dtype=pl.String)
    if not fast["__suspect"].any():  # the usual clean file: no filtered copies of every column
        return fast.drop("__suspect").with_columns(none.alias(REASON), none.alias(CODE), none.alias(COLUMN))
    clean = fast.filter(~pl.col("__suspect")).with_columns(none.alias(REASON), none.alias(CODE), none.alias(COLUMN))
    closer = fast.filter(pl.col("__suspect"))
    if closer.height:
        closer = closer.with_columns([c.value.alias(f"__v_{c.role}") for c in parsing if c.fast is not None])
        failed = [c.reason.is_not_null() for c in checks]
        closer = closer.with_columns(
            pl.coalesce([c.reason for c in checks]).alias(REASON),
            pl.coalesce([pl.when(f).then(pl.lit(c.code)) for c, f in zip(checks, failed, strict=True)]).alias(CODE),
            pl.coalesce([pl.when(f).then(pl.lit(c.header)) for c, f in zip(checks, failed, strict=True)]).alias(COLUMN),
        )
        clean = pl.concat([clean, closer.select(clean.columns)]).sort(LINE)
    return clean.drop("__suspect")


def _accepted(parsed: pl.DataFrame) -> pl.DataFrame:
    """The rows without a reason (the frame itself when all are: no copy of a clean file)."""
    return parsed if parsed[REASON].null_count() == parsed.height else parsed.filter(pl.col(REASON).is_null())


def _duplicate_groups(rows: pl.DataFrame, kind: str, roles: dict[str, str], headers: list[str], line_level: bool):
    """(rows, key columns, reason text) to look for repeats in: by order id where orders have one
    (order-level exports), the rows without an id — and every other kind — on all columns."""
    if kind == "orders" and "order_id" in roles and not line_level:
        has_id = pl.col("__v_order_id").is_not_null()
        return [(rows.filter(has_id), ["__v_order_id"], "order id repeats"), (rows.filter(~has_id), headers, None)]
    return [(rows, headers, None)]


def _mark_duplicates(parsed: pl.DataFrame, kind: str, roles: dict[str, str], headers: list[str], line_level: bool):
    """Reject exact duplicates among otherwise-good rows: same order id (order-level), else all columns.

    A row with an empty order id is compared on all columns (empty ids are not one shared order).
    Hash-based (:func:`~retention_core.runs.repeated_rows`): only rows whose key occurs more than once
    are looked at to find the first line.
    """
    parsed = parsed.with_row_index("__row")  # file order; a line number alone repeats across a folder's files
    dups = []
    for rows, key, what in _duplicate_groups(_accepted(parsed), kind, roles, headers, line_level):
        repeated = repeated_rows(rows, key)
        if not repeated.height:
            continue
        first = pl.col("__row").min().over(key)
        where = pl.lit(" line ") + pl.col(LINE).sort_by("__row").first().over(key).cast(pl.String)
        if FILE in repeated.columns:
            where = pl.lit(" ") + pl.col(FILE).sort_by("__row").first().over(key) + where
        text = pl.lit(what or "exact duplicate of") + where + pl.lit("; counted once")
        marked = repeated.with_columns(first.alias("__first"), text.alias("__dup_reason"))  # windows before the filter
        dups.append(marked.filter(pl.col("__row") != pl.col("__first")).select("__row", "__dup_reason"))
    if not dups:
        return parsed.drop("__row")
    marks = pl.concat(dups)
    out = parsed.join(marks, on="__row", how="left", maintain_order="left").drop("__row")
    is_dup = pl.col("__dup_reason").is_not_null()
    return out.with_columns(
        pl.when(is_dup).then(pl.col("__dup_reason")).otherwise(pl.col(REASON)).alias(REASON),
        pl.when(is_dup).then(pl.lit("duplicate")).otherwise(pl.col(CODE)).alias(CODE),
        pl.when(is_dup).then(pl.lit(None, pl.String)).otherwise(pl.col(COLUMN)).alias(COLUMN),
    ).drop("__dup_reason")


def _canonical(good: pl.DataFrame, kind: str, roles: dict[str, str], segments: list[str], line_level: bool) -> pl.DataFrame:
    names = _property_names(segments, kind)
    seg = [pl.col(s).cast(pl.String).str.strip_chars().fill_null("").replace("", "(none)").alias(n)
           for s, n in zip(segments, names, strict=True)]
    if kind == "orders":
        cols = [
            pl.col("__v_customer_id").alias("customer_id"),
            pl.col("__v_ordered_at").alias("ordered_at"),
            pl.col("__v_amount").alias("amount"),
            (pl.col("__v_order_id") if "order_id" in roles else pl.lit(None, pl.String)).alias("order_id"),
            (pl.col("__v_quantity") if "quantity" in roles else pl.lit(None, pl.Float64)).alias("quantity"),
        ]
        out = good.select(*cols, *seg)
        if line_level and "order_id" in roles:
            seg_names = names
            out = (
                out.group_by("order_id", "customer_id", maintain_order=True)
                .agg(pl.col("ordered_at").min(), pl.col("amount").sum(), pl.col("quantity").sum(),
                     *[pl.col(s).first() for s in seg_names])
                .select("customer_id", "ordered_at", "amount", "order_id", "quantity", *seg_names)
            )
        return out.with_columns(pl.col("ordered_at").cast(pl.Datetime("us")), pl.col("amount").cast(pl.Float64))
    if kind == "subscriptions":
        return good.select(
            pl.col("__v_customer_id").alias("customer_id"),
            pl.col("__v_started_at").cast(pl.Date).alias("started_at"),
            (pl.col("__v_ended_at").cast(pl.Date) if "ended_at" in roles else pl.lit(None, pl.Date)).alias("ended_at"),
            (pl.col("__v_mrr") if "mrr" in roles else pl.lit(None, pl.Float64)).alias("mrr"),
            (pl.col("__v_plan") if "plan" in roles else pl.lit(None, pl.String)).alias("plan"),
            *seg,
        )
    if kind == "events":
        return good.select(
            pl.col("__v_user_id").alias("user_id"),
            pl.col("__v_event").alias("event"),
            pl.col("__v_occurred_at").cast(pl.Datetime("us")).alias("occurred_at"),
            pl.int_range(0, pl.len(), dtype=pl.UInt32).alias("seq"),
            *seg,
        )
    return good.select(
        (pl.col("__v_customer_id") if "customer_id" in roles else pl.lit(None, pl.String)).alias("customer_id"),
        pl.col("__v_score").cast(pl.Int8).alias("score"),
        pl.col("__v_answered_at").cast(pl.Date).alias("answered_at"),
        *seg,
    )


def _rejected(bad: pl.DataFrame, raw: RawTable, headers: list[str]) -> pl.DataFrame:
    where = [pl.col(FILE)] if FILE in bad.columns else []  # a folder of Parquet files: which file
    cells = bad.select(*where, pl.col(LINE), pl.col(COLUMN), pl.col(CODE), pl.col(REASON), *[pl.col(h) for h in headers])
    structural = raw.structural.select(
        pl.col(LINE), pl.lit("malformed_line").alias(CODE), pl.col("reason").alias(REASON),
        pl.col("raw").alias("raw_line"),
    )
    return pl.concat([cells, structural], how="diagonal_relaxed").sort([*([FILE] if where else []), LINE])


def _from_typed(t: TypedRead, file: str) -> LoadResult | None:
    """A :class:`LoadResult` for a clean file read with types; None when it has repeated rows.

    Rows equal as text are equal typed, so "no repeats typed" means none in the file; repeats go to
    the general path, which names their lines.
    """
    frame, kind, roles, headers = t.frame, t.kind, t.roles, list(t.headers)
    if any(repeated_rows(rows, key).height for rows, key, _ in _duplicate_groups(frame, kind, roles, headers, False)):
        return None
    kept, segments = _segment_columns(frame, roles)
    canonical = _canonical(frame, kind, roles, kept, line_level=False)
    text = {c: pl.String for c in (COLUMN, CODE, REASON, *headers, "raw_line")}
    rejected = pl.DataFrame(schema={**({FILE: pl.String} if t.folder else {}), LINE: pl.Int64, **text})
    report = ValidationReport(
        file=file, kind=kind, rows_read=frame.height, rows_accepted=frame.height, rows_rejected=0, duplicates=0,
        columns=dict(roles), segments=_offered_names(kept, segments, kind), properties=tuple(_property_names(kept, kind)),
        encoding=t.encoding,
        delimiter=t.delimiter, formats=t.formats, warnings=(), headers=tuple(headers), line_level=False,
        orders=canonical.height if kind == "orders" else None, reason_counts={},
    )
    return LoadResult(canonical, report, rejected)


def load_file(path: str | Path, *, kind: Kind | None = None, mapping: dict[str, str] | None = None,
              date_order: str | None = None, file_name: str | None = None,
              con: duckdb.DuckDBPyConnection | None = None, typed: bool = True,
              sheet: str | None = None) -> LoadResult:
    """Read and validate one export file (CSV/TSV/…, Parquet or XLSX) into a :class:`LoadResult`.

    A clean UTF-8 export of orders or events is first read by DuckDB with types
    (:mod:`~retention_core.ingest.typed`, ~3× faster on large files); whatever that path cannot vouch
    for — and ``typed=False`` — goes through the general text path. Both give the same result.
    ``sheet`` names the sheet of a workbook (default: the first).

    Raises
    ------
    InputError
        The file cannot be read at all (empty, binary, no recognisable columns, no data rows).
    ColumnNotFoundError
        A header named in ``mapping`` is not in the file.
    """
    path = Path(path)
    own = con is None
    if con is None:
        con = connect()
    file = file_name or path.name
    try:
        if typed and path.exists():
            fast = read_typed(path, file=file, kind=kind, mapping=mapping, con=con)
            result = _from_typed(fast, file) if fast is not None else None
            if result is not None:
                return result
        raw = read_raw(path, file=file, con=con, sheet=sheet)
    finally:
        if own:
            con.close()
    return validate(raw, kind=kind, mapping=mapping, date_order=date_order)
