"""Notes and annotations as a team uses them (SPEC §7.1): a note per dataset and week on the Weekly review,
dated annotations added under the time charts and drawn on them, the roles that may write each."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from retention_core.errors import PermissionDeniedError
from retention_core.workspace import Actor, Workspace
from tests.pages.test_team import _signed_in, shared  # noqa: F401 — the shared-mode fixture and sign-in
from ui import state

TYPED = "Call **Ann** <b>today</b> [link](http://x)"  # shown exactly as typed, no Markdown, no HTML


def _chart(at: AppTest, key: str) -> dict:
    for chart in at.get("plotly_chart"):
        if chart.proto.id.endswith(f"-{key}"):
            return json.loads(chart.proto.spec)
    raise AssertionError(f"no chart {key!r}")


def test_a_note_for_the_week_is_kept_and_shown_as_typed(app, workspace):
    at = app.switch_page("pages/review.py").run()
    assert not at.exception
    title = next(s.value for s in at.subheader if s.value.startswith("Team notes for the week from"))
    assert any(c.value == "No notes for this week yet." for c in at.caption)
    at.text_area(key=state.NOTE_TEXT).input(TYPED)
    at.button(key=state.NOTE_ADD).click().run()
    assert not at.exception
    assert TYPED in [x.value for x in at.text]
    stored = Workspace(workspace).notes("sample-shop")
    assert stored["text"].to_list() == [TYPED]
    week = stored["week"][0]
    assert week.weekday() == 0 and title.endswith(week.isoformat())  # a Monday: the review's week
    at.button(key=f"{state.NOTE_DELETE_PREFIX}{stored['id'][0]}").click().run()
    assert Workspace(workspace).notes("sample-shop").height == 0


def test_an_annotation_is_drawn_on_every_time_chart(app, workspace):
    at = app.run()
    at.date_input(key=state.ANNOTATION_DATE).set_value(date(2024, 6, 15))
    at.text_input(key=state.ANNOTATION_LABEL).input("promo <started>")
    at.button(key=state.ANNOTATION_ADD).click().run()
    assert not at.exception
    assert Workspace(workspace).annotations("sample-shop")["label"].to_list() == ["promo <started>"]
    for key in ("overview_trend", "overview_flow"):
        layout = _chart(at, key)["layout"]
        assert [s["x0"] for s in layout["shapes"]] == ["2024-06-15"], key
        assert [a["text"] for a in layout["annotations"]] == ["promo &lt;started&gt;"], key
    at.switch_page("pages/cohorts.py").run()
    assert [s["x0"] for s in _chart(at, "cohorts_trend")["layout"]["shapes"]] == ["2024-06-15"]
    assert "shapes" not in _chart(at, "cohorts_curve")["layout"]  # ages, not dates: no markers


def test_viewers_write_notes_but_do_not_annotate(shared):  # noqa: F811
    at = _signed_in("vic")
    assert not [b for b in at.button if b.key == state.ANNOTATION_ADD]  # the form is left out …
    assert any(c.value == "Editors and admins can add annotations." for c in at.caption)
    viewer = Workspace(shared).as_user(Actor("vic", "viewer"))
    with pytest.raises(PermissionDeniedError):  # … and the core refuses a forged call
        viewer.add_annotation("sample-shop", date(2024, 6, 15), "forged")
    at.switch_page("pages/review.py").run()
    at.text_area(key=state.NOTE_TEXT).input("viewer's note")
    at.button(key=state.NOTE_ADD).click().run()
    assert not at.exception
    assert Workspace(shared).as_user(Actor("ada", "admin")).notes("sample-shop")["author"].to_list() == ["vic"]


def test_editors_annotate(shared):  # noqa: F811
    at = _signed_in("eve")
    at.date_input(key=state.ANNOTATION_DATE).set_value(date(2024, 6, 15))
    at.text_input(key=state.ANNOTATION_LABEL).input("price change")
    at.button(key=state.ANNOTATION_ADD).click().run()
    assert not at.exception
    assert Workspace(shared).as_user(Actor("ada", "admin")).annotations("sample-shop")["author"].to_list() == ["eve"]


