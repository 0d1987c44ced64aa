"""Data: upload, column mapping, validation report, saved datasets."""

import streamlit as st

from retention_core.errors import RetentionError
from retention_core.ingest import KINDS
from retention_core.ingest.options import WIDEST_DATES
from retention_core.ingest.roles import ROLES
from ui import cache, data_guide, data_sections, i18n, routing, state, team, widgets
from ui.data_settings import settings_section
from ui.i18n import t
from ui.text import plain

routing.in_frame()

st.title(t("data.title"))
flash = state.pop(state.FLASH)
if flash:
    st.success(flash, icon=":material/check_circle:")
    if state.pop(state.FLASH_SAVED):  # straight on to the numbers (the link keeps the new dataset)
        st.page_link("pages/overview.py", label=t("data.open_overview"), icon=":material/dashboard:",
                     query_params={"ds": state.dataset()})
st.caption(t("data.intro"))
data_guide.columns_guide()

source = kind = order = dates = None
if team.can("upload"):  # viewers get no upload controls; the core refuses their saves anyway
    c1, c2 = st.columns(2)
    kind_choice = c1.selectbox(t("data.kind"), ["auto", *KINDS], key=state.UPLOAD_KIND,
                               format_func=lambda k: t("data.kind_auto") if k == "auto" else t(f"kind.{k}"))
    order_choice = c2.selectbox(t("data.date_order"), ["auto", "dmy", "mdy"], key=state.DATE_ORDER,
                                format_func=lambda o: t(f"data.date_order_{o}"))
    source = st.radio(t("data.source"), ["upload", "server"], key=state.DATA_SOURCE, horizontal=True,
                      format_func=lambda x: t(f"data.source_{x}"), label_visibility="collapsed")
    wide = st.toggle(t("data.wide_dates"), key=state.WIDE_DATES, help=t("data.wide_dates_help"))
    kind = None if kind_choice == "auto" else kind_choice
    order = None if order_choice == "auto" else order_choice
    dates = WIDEST_DATES if wide else None
else:
    st.info(t("team.upload_needs_editor"), icon=":material/lock:")
result = name = None
try:
    if source == "upload":
        uploaded = st.file_uploader(t("data.upload"), key=state.UPLOAD,
                                    type=["csv", "tsv", "txt", "gz", "parquet", "xlsx", "xls"],
                                    help=t("data.upload_limit_help", mb=st.get_option("server.maxUploadSize")))
        if uploaded is not None:
            name = uploaded.name
            state.new_source(uploaded.file_id)
            sheets = cache.upload_sheets(uploaded)
            sheet = st.selectbox(t("data.sheet"), sheets, key=state.UPLOAD_SHEET) if len(sheets) > 1 else None
            result = cache.load_upload(uploaded, kind, state.mapping(), order, sheet, dates)
    elif source == "server":
        relative = st.text_input(t("data.server_path"), key=state.SERVER_PATH, placeholder="orders_parquet/",
                                 help=t("data.server_path_help", root=cache.data_root()))
        if relative.strip():
            name = relative.strip().rstrip("/").rsplit("/", 1)[-1]
            state.new_source("path:" + relative.strip())
            with st.spinner(t("common.loading")):
                result = cache.load_server_path(relative, kind, state.mapping(), order, dates)
except RetentionError as exc:
    widgets.show_error(exc)
    st.caption(t("data.nothing_saved"))

if result is not None:
    rep = result.report
    st.subheader(t("data.columns"))
    required, optional = ROLES[rep.kind]
    cols = st.columns(4)
    for i, role in enumerate(r for r in (*required, *optional) if not (r == "amount" and rep.line_level)):
        options = ["", *rep.headers]
        current = rep.columns.get(role, "")
        cols[i % 4].selectbox(t(f"role.{role}"), options, index=options.index(current),
                              key=state.MAPPING_PREFIX + role, format_func=lambda h: h or t("data.not_used"))
    if rep.segments:
        st.caption(t("data.segments_found", names=plain(", ".join(rep.segments))))

    st.subheader(t("data.report"))
    data_guide.summary(result)
    if rep.line_level:
        st.info(t("data.orders_grouped", lines=i18n.num(rep.rows_accepted), orders=i18n.num(rep.orders)))
    if rep.ids_normalised:
        st.caption(t("data.ids_normalised", n=i18n.num(rep.ids_normalised)))
    if rep.timezone_converted:
        st.caption(t("data.timezone_converted", n=i18n.num(rep.timezone_converted), zone=plain(rep.timezone)))
    if rep.encoding:
        st.caption(t("data.encoding", encoding=plain(rep.encoding), delimiter=plain(rep.delimiter or "")))
    for warning in rep.warnings:
        st.warning(plain(warning))
    if rep.rows_rejected:
        st.markdown(f"**{t('data.rejected')}**")
        data_guide.rejected_rows(result, name)
    else:
        st.success(t("data.all_good"))
    st.markdown(f"**{t('data.preview')}**")
    data_guide.preview(result)

    st.subheader(t("data.save"))
    infos = cache.datasets()
    targets = ["", *[d.slug for d in infos]]
    names = {d.slug: d.name for d in infos}
    with st.form("save_form", border=False):
        title = st.text_input(t("data.save_name"), value=name.rsplit(".", 1)[0], key=state.UPLOAD_NAME)
        target = st.selectbox(t("data.save_target"), targets, key=state.UPLOAD_TARGET,
                              format_func=lambda s: t("data.save_into", name=names[s]) if s else t("data.save_new"))
        if st.form_submit_button(t("data.save"), type="primary"):
            try:
                info = cache.workspace().save(names.get(target, title) if target else title, {rep.kind: result},
                                              slug=target or None, source="upload")
            except RetentionError as exc:
                widgets.show_error(exc)
            else:
                state.put(state.FLASH, t("data.saved", name=plain(info.name), rows=i18n.num(result.frame.height)))
                state.put(state.PENDING_DATASET, info.slug)
                state.pin_version(None)  # the page shows the version just saved
                state.put(state.FLASH_SAVED, True)
                st.rerun()

settings_section()

st.subheader(t("data.saved_list"))
data_sections.saved_datasets()
data_sections.trash()
data_sections.accounts()
data_sections.audit()
