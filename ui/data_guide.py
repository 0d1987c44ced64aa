"""Data page for a new user and a messy file (pages/data.py): the columns each kind of export needs with
templates, the validation summary (reasons, shares, duplicates apart), rejected rows and the preview in the UI language."""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from retention_core import export
from retention_core.ingest import KINDS, LoadResult
from retention_core.ingest.raw import FILE, LINE
from retention_core.ingest.rejections import WARN_SHARE, rejection_summary
from retention_core.ingest.roles import ROLES
from ui import cache, i18n, state, widgets
from ui.i18n import t

# Example rows of the templates: two customers, one repeat; the headers come from the catalogue
# (``template.<role>``), chosen so that column detection recognises them in both languages.
EXAMPLES: dict[str, dict[str, list]] = {
    "orders": {"customer_id": ["C001", "C002", "C001"], "ordered_at": [date(2025, 1, 5), date(2025, 1, 9), date(2025, 2, 2)],
               "amount": [1250.5, 990.0, 2100.0], "order_id": ["1001", "1002", "1003"], "quantity": [2, 1, 3],
               "channel": ["site", "shop", "site"]},
    "subscriptions": {"customer_id": ["C001", "C002"], "started_at": [date(2025, 1, 1), date(2025, 2, 1)],
                      "ended_at": [None, date(2025, 6, 1)], "mrr": [19.0, 49.0], "plan": ["basic", "pro"]},
    "events": {"user_id": ["U01", "U01", "U02"], "event": ["visit", "purchase", "visit"],
               "occurred_at": [date(2025, 1, 5), date(2025, 1, 5), date(2025, 1, 6)], "source": ["ads", "ads", "email"]},
    "survey": {"customer_id": ["C001", "C002"], "score": [9, 6], "answered_at": [date(2025, 1, 20), date(2025, 2, 3)],
               "channel": ["site", "shop"]},
}


def template(kind: str) -> tuple[pl.DataFrame, dict[str, str]]:
    """The example table of ``kind`` and its headers in the UI language."""
    frame = pl.DataFrame(EXAMPLES[kind])
    return frame, {c: t(f"template.{c}") for c in frame.columns}


def columns_guide() -> None:
    """Which columns each kind of export needs (required, optional) and a template to start from."""
    with st.expander(t("data.guide"), icon=":material/table_view:", expanded=state.dataset() == cache.SAMPLE_SLUG):
        st.caption(t("data.guide_caption"))
        for kind, tab in zip(KINDS, st.tabs([t(f"kind.{k}") for k in KINDS]), strict=True):
            required, optional = ROLES[kind]
            with tab:
                c = st.columns([2, 2, 1])
                c[0].markdown(f"**{t('data.required')}**\n\n" + "\n".join(f"- {t(f'role.{r}')}" for r in required))
                extra = [t(f"role.{r}") for r in optional] + [t("data.segments_any")]
                c[1].markdown(f"**{t('data.optional')}**\n\n" + "\n".join(f"- {x}" for x in extra))
                frame, headers = template(kind)
                lang = state.lang()
                with c[2]:
                    st.download_button(t("data.template_csv"), export.to_csv(frame, convention=lang, headers=headers), file_name=f"template_{kind}_{lang}.csv", mime="text/csv",
                        key=f"template_{kind}_csv", icon=":material/download:")
                    st.download_button(t("data.template_xlsx"), export.to_xlsx(frame, convention=lang, headers=headers,
                                                                                sheet=kind), file_name=f"template_{kind}_{lang}.xlsx",
                        key=f"template_{kind}_xlsx", icon=":material/download:",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def reason_text(frame: pl.DataFrame, headers: tuple[str, ...]) -> pl.Expr:
    """The reason of each rejected row in the UI language: a template per reason code (the role's name and the
    cell's value), the core's own words in English and for codes without a template."""
    if state.lang() == "en":
        return pl.col("reason")
    codes = frame["reason_code"].drop_nulls().unique().to_list() if "reason_code" in frame.columns else []
    cells = [pl.when(pl.col("column") == h).then(pl.col(h)) for h in headers if h in frame.columns]
    value = pl.coalesce(cells) if cells else pl.lit(None, pl.String)
    first = pl.col("reason").str.extract(r"line (\d+)")
    out = pl.col("reason")
    texts = i18n.catalogue()["ru"]
    for code in codes:
        role, what = _split(code)
        if code == "duplicate":
            text = _fill(t("reason.duplicate", line="\0"), first.fill_null("?"))
        elif f"reason.{code}" in texts:
            text = _fill(t(f"reason.{code}", value="\0"), value.fill_null(""))
        elif what and f"role.{role}" in texts:
            text = _fill(t(f"reason.{what}", role=t(f"role.{role}"), value="\0"), value.fill_null(""))
        else:
            continue
        out = pl.when(pl.col("reason_code") == code).then(text).otherwise(out)
    return out


_PER_ROLE = ("empty", "invalid", "out_of_range")  # the core's codes ``<role>_<what>`` (ingest/checks.py)


def _split(code: str) -> tuple[str, str | None]:
    """``ordered_at_out_of_range`` → (``ordered_at``, ``out_of_range``); a code of no role → (code, None)."""
    for what in _PER_ROLE:
        if code.endswith(f"_{what}"):
            return code.removesuffix(f"_{what}"), what
    return code, None


def _fill(template: str, value: pl.Expr) -> pl.Expr:
    """A translated template whose one ``\0`` placeholder is each row's ``value`` (columnar)."""
    before, mark, after = template.partition("\0")
    if not mark:  # a template without the value (e.g. "the end date is before the start date")
        return pl.lit(template)
    return pl.concat_str([pl.lit(before), value, pl.lit(after)])


def summary(result: LoadResult) -> None:
    """Counts (duplicates apart from rejections), the warning above 5 %, and the reasons with their shares."""
    s = rejection_summary(result)
    c = st.columns(4)
    widgets.tile(c[0], t("data.rows_read"), i18n.num(s.rows_read))
    widgets.tile(c[1], t("data.rows_accepted"), i18n.num(s.rows_accepted))
    widgets.tile(c[2], t("data.rows_rejected"), i18n.num(s.rows_invalid), help=t("data.rows_rejected_help"))
    widgets.tile(c[3], t("data.duplicates"), i18n.num(s.duplicates), help=t("data.duplicates_help"))
    if s.warn:
        st.warning(t("data.rejected_warning", share=i18n.pct(s.row_share), revenue=i18n.pct(s.revenue_share),
                     limit=i18n.pct(WARN_SHARE, 0)), icon=":material/warning:")
    if s.by_reason.height:
        st.markdown(f"**{t('data.by_reason')}**")
        names = {code: _reason_name(code) for code in s.by_reason["reason_code"].to_list()}  # one per reason
        shown = s.by_reason.select(pl.col("reason_code").replace(names).alias("reason"), "rows", "row_share", "revenue",
                                   "revenue_share")
        widgets.table(shown, names={"reason": t("data.col_reason"), "rows": t("data.col_rows_rejected"),
                                    "row_share": t("data.col_row_share"), "revenue": t("data.col_revenue"),
                                    "revenue_share": t("data.col_revenue_share")},
                      percent=("row_share", "revenue_share"), hide_empty=True)


def _reason_name(code: str) -> str:
    """A reason code's name for the summary table (one value per reason, so a short loop over codes)."""
    texts = i18n.catalogue()["en"]
    role, what = _split(code)
    if f"reason.name.{code}" in texts:
        return t(f"reason.name.{code}")
    if what and f"role.{role}" in texts:
        return t(f"reason.name.{what}", role=t(f"role.{role}"))
    return code


def rejected_rows(result: LoadResult, name: str) -> None:
    """The rejected rows (first 200 on screen, all in the download) with headers and reasons in the UI language."""
    export_frame = result.rejected_export()
    frame = result.rejected.rename({LINE: "line", FILE: "file"}, strict=False)
    shown = frame.with_columns(reason_text(frame, result.report.headers).alias("reason")).drop("reason_code")
    shown = shown.select(export_frame.columns)
    names = {"line": t("data.col_line"), "file": t("data.col_file"), "column": t("data.col_column"),
             "reason": t("data.col_reason"), "raw_line": t("data.col_raw_line")}
    widgets.grid(widgets.labelled(shown.head(200), **names), hide_index=True, key="rejected_table")
    widgets.download(export_frame, f"{name}.rejected.csv", shown=shown, names=names, label=t("data.rejected_download"),
                     key="rejected_download")


def preview(result: LoadResult) -> None:
    """The first rows as loaded, with the roles' names as headers (no internal column names)."""
    frame = result.frame.head(20)
    names = {c: i18n.known(f"role.{c}", widgets.segment_label(c)) for c in frame.columns}
    widgets.table(frame, names=names, dates=tuple(c for c, d in frame.schema.items() if d == pl.Date))
