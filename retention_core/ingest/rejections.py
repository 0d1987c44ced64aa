"""What the rejected rows cost: rows and revenue per reason, and duplicates apart (SPEC §3, issue 13).

A file where a quarter of the lines have no customer id (the UCI export) loses that revenue from every
total; the Data page and ``validate`` say so up front, grouped by reason, with a warning above
:data:`WARN_SHARE`. Exact duplicates are not errors in the data — they are counted once — so they are
reported next to the rejections, never among them.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from retention_core.ingest.load import CODE, LoadResult
from retention_core.ingest.parse import detect_number_format, parse_number

WARN_SHARE = 0.05  # more than 5 % of rows or of revenue rejected: a warning above the report
DUPLICATE = "duplicate"


@dataclass(frozen=True)
class RejectionSummary:
    """Counts and shares of one load (shares are fractions; null when their denominator is 0).

    ``rows_read = rows_accepted + rows_invalid + duplicates``; ``by_reason`` has one row per reason code
    among the invalid rows (duplicates left out): ``reason_code, rows, row_share, revenue, revenue_share``,
    most rows first. ``revenue`` is the amount the rejected rows carry where it can be read (orders only),
    ``revenue_share`` its part of accepted + rejected revenue.
    """

    rows_read: int
    rows_accepted: int
    rows_invalid: int
    duplicates: int
    row_share: float | None
    revenue_rejected: float | None
    revenue_share: float | None
    by_reason: pl.DataFrame

    @property
    def warn(self) -> bool:
        """More than :data:`WARN_SHARE` of the rows or of the revenue was rejected."""
        return any(s is not None and s > WARN_SHARE for s in (self.row_share, self.revenue_share))

    def to_json(self) -> dict:
        """Additive keys for the ``validate`` JSON (SPEC §8)."""
        return {
            "rows_invalid": self.rows_invalid,
            "rejected_share": self.row_share,
            "rejected_revenue": self.revenue_rejected,
            "rejected_revenue_share": self.revenue_share,
            "rejected_warning": self.warn,
            "rejected_by_reason": self.by_reason.to_dicts(),
        }


def _amount(result: LoadResult) -> pl.Expr | None:
    """The amount of a rejected row read from its raw cells (quantity × price for line-level exports)."""
    rep, rej = result.report, result.rejected
    cols = rep.columns

    def number(role: str) -> pl.Expr | None:
        header = cols.get(role)
        if header is None or header not in rej.columns:
            return None
        fmt = detect_number_format(rej[header].cast(pl.String))
        return parse_number(pl.col(header).cast(pl.String), fmt)

    if rep.line_level:
        qty, price = number("quantity"), number("unit_price")
        return qty * price if qty is not None and price is not None else None
    return number("amount")


def rejection_summary(result: LoadResult) -> RejectionSummary:
    """Group a load's rejected rows by reason with counts and shares of rows and revenue.

    Examples
    --------
    4 rows read: 2 accepted (10 + 30), 1 without a customer (amount 60), 1 duplicate ⇒ 1 invalid row is
    1/4 = 25 % of the rows and 60 / (40 + 60) = 60 % of the revenue.

    >>> import io, duckdb
    >>> from retention_core.ingest import load_file
    >>> csv = b"customer_id,order_date,amount\\na,2024-01-01,10\\nb,2024-01-02,30\\n,2024-01-03,60\\nb,2024-01-02,30\\n"
    >>> import tempfile, pathlib; p = pathlib.Path(tempfile.mkdtemp()) / "o.csv"; _ = p.write_bytes(csv)
    >>> s = rejection_summary(load_file(p, con=duckdb.connect()))
    >>> s.rows_invalid, s.duplicates, s.row_share, s.revenue_rejected, s.revenue_share, s.warn
    (1, 1, 0.25, 60.0, 0.6, True)
    >>> s.by_reason.select("reason_code", "rows").row(0)
    ('customer_id_empty', 1)
    """
    rep, rej = result.report, result.rejected
    invalid = rej.filter(pl.col(CODE).fill_null("") != DUPLICATE)
    amount = _amount(result) if rep.kind == "orders" else None
    with_amount = invalid.with_columns((amount if amount is not None else pl.lit(None, pl.Float64)).alias("__amount"))
    by = (with_amount.group_by(pl.col(CODE).fill_null("rejected").alias("reason_code"))
          .agg(pl.len().alias("rows"), pl.col("__amount").sum().alias("revenue"))
          .sort(["rows", "reason_code"], descending=[True, False]))
    accepted_revenue = float(result.frame["amount"].sum()) if rep.kind == "orders" and "amount" in result.frame.columns else None
    rejected_revenue = float(with_amount["__amount"].sum()) if amount is not None else None
    total = (accepted_revenue or 0.0) + (rejected_revenue or 0.0)
    read = rep.rows_read
    by = by.with_columns((pl.col("rows") / read if read else pl.lit(None, pl.Float64)).alias("row_share"),
                         (pl.col("revenue") / total if total > 0 and amount is not None
                          else pl.lit(None, pl.Float64)).alias("revenue_share"))
    return RejectionSummary(
        rows_read=read, rows_accepted=rep.rows_accepted, rows_invalid=invalid.height,
        duplicates=rej.height - invalid.height, row_share=invalid.height / read if read else None,
        revenue_rejected=rejected_revenue,
        revenue_share=rejected_revenue / total if rejected_revenue is not None and total > 0 else None,
        by_reason=by.select("reason_code", "rows", "row_share", "revenue", "revenue_share"),
    )
