"""Team notes and annotations (SPEC §7.1) on top of the workspace API (``retention_core.workspace``).

A note belongs to a dataset and a week (the Weekly review); an annotation to a dataset and a date, drawn
on every time chart of that dataset (:func:`mark`, called by ``widgets.dated``). The role checks live in
the workspace: viewers may write notes, editors annotate, authors or admins delete; buttons a user may
not use are left out, and a forged call is refused by the core. Texts are shown as typed (``st.text``).
"""

from __future__ import annotations

from datetime import date

import polars as pl
import streamlit as st

from retention_core.charts.annotations import with_annotations
from retention_core.errors import RetentionError
from ui import cache, i18n, state, team, widgets
from ui.i18n import t


def annotations() -> pl.DataFrame | None:
    """The chosen dataset's annotations (None without a dataset)."""
    slug = state.dataset()
    if not slug:
        return None
    try:
        return cache.workspace().annotations(slug)
    except RetentionError:
        return None  # e.g. signed out in shared mode: charts simply carry no markers


def mark(fig):
    """The figure with the dataset's annotations as markers (a chart without dates is left as it is)."""
    return with_annotations(fig, annotations())


def _flash() -> None:
    """A refused or invalid write (from a button's callback) shows once, here."""
    message = state.pop(state.NOTES_FLASH)
    if message:
        st.error(message, icon=":material/error:")


def _mine(author: str) -> bool:
    actor = cache.workspace().actor
    return actor.name == author or actor.can("delete")


def _add_annotation(slug: str) -> None:
    day, label = state.get(state.ANNOTATION_DATE), state.get(state.ANNOTATION_LABEL) or ""
    try:
        cache.workspace().add_annotation(slug, day, label)
        state.put(state.ANNOTATION_LABEL, "")
    except RetentionError as exc:
        state.put(state.NOTES_FLASH, i18n.error(exc))


def _delete_annotation(item: int) -> None:
    try:
        cache.workspace().delete_annotation(item)
    except RetentionError as exc:
        state.put(state.NOTES_FLASH, i18n.error(exc))


def annotations_section() -> None:
    """An expander under a page's time charts: the dataset's annotations, and (editors) a form to add one."""
    slug = state.dataset()
    marks = annotations()
    if not slug or marks is None:
        return
    with st.expander(t("notes.annotations", n=marks.height), icon=":material/bookmark:"):
        st.caption(t("notes.annotations_help"))
        _flash()
        for item, day, label, author in marks.select("id", "date", "label", "author").iter_rows():
            c = st.columns([1.2, 4, 1.5, 0.8], vertical_alignment="center")
            c[0].text(i18n.day(day))
            c[1].text(label)
            c[2].text(author)
            if team.can("annotate") and _mine(author):
                c[3].button(t("notes.delete"), key=f"{state.ANNOTATION_DELETE_PREFIX}{item}", on_click=_delete_annotation,
                            args=(item,), icon=":material/delete:")
        if not team.can("annotate"):
            st.caption(t("notes.annotate_role"))
            return
        c = st.columns([1.2, 4, 1.5], vertical_alignment="bottom")
        state.default(state.ANNOTATION_DATE, date.today())
        c[0].date_input(t("notes.date"), key=state.ANNOTATION_DATE, format=widgets.DATE_FORMAT[state.lang()])
        c[1].text_input(t("notes.label"), key=state.ANNOTATION_LABEL, max_chars=200, placeholder=t("notes.label_hint"))
        c[2].button(t("notes.add_annotation"), key=state.ANNOTATION_ADD, on_click=_add_annotation, args=(slug,),
                    icon=":material/add:")


def _add_note(slug: str, week: date) -> None:
    try:
        cache.workspace().add_note(slug, week, state.get(state.NOTE_TEXT) or "")
        state.put(state.NOTE_TEXT, "")
    except RetentionError as exc:
        state.put(state.NOTES_FLASH, i18n.error(exc))


def _delete_note(item: int) -> None:
    try:
        cache.workspace().delete_note(item)
    except RetentionError as exc:
        state.put(state.NOTES_FLASH, i18n.error(exc))


def notes_section(week: date) -> None:
    """The Weekly review's notes for the dataset and the week starting ``week`` (what the team decided)."""
    slug = state.dataset()
    if not slug:
        return
    st.subheader(t("notes.title", week=i18n.day(week)))
    _flash()
    found = cache.workspace().notes(slug, week)
    if found.height == 0:
        st.caption(t("notes.none"))
    for item, text, author, updated in found.select("id", "text", "author", "updated_at").iter_rows():
        with st.container(border=True):
            st.text(text)
            c = st.columns([5, 1], vertical_alignment="center")
            c[0].text(t("notes.by", author=author, when=updated.replace("T", " ")[:16]))
            if _mine(author):
                c[1].button(t("notes.delete"), key=f"{state.NOTE_DELETE_PREFIX}{item}", on_click=_delete_note,
                            args=(item,), icon=":material/delete:")
    if not team.can("note"):
        return
    st.text_area(t("notes.new"), key=state.NOTE_TEXT, max_chars=5000, placeholder=t("notes.new_hint"))
    st.button(t("notes.add"), key=state.NOTE_ADD, on_click=_add_note, args=(slug, week), icon=":material/add:")
