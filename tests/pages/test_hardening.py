"""SPEC §10 in the app: no link makes a traceback (each bad value is clamped or ignored with a notice),
and user text (file names, headers, dataset names, segment values, event names) never renders as a live
Markdown image or link on any page."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from retention_core.ingest import load_file
from retention_core.workspace import Workspace
from tests.pages.conftest import ROOT, metric
from ui import state
from ui.text import plain

PAGES = ("pages/overview.py", "pages/cohorts.py", "pages/value.py", "pages/journeys.py", "pages/whatif.py",
         "pages/review.py", "pages/data.py")


def opened(params: dict, page: str = "pages/overview.py", timeout: int = 90) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.query_params.update(params)
    if page != "pages/overview.py":
        at.switch_page(page)  # the link opens this page directly
    return at.run()


def notices(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if w.icon == ":material/link_off:"]


# --- the links of issue 11, one test each -------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["nan", "1e309", "-inf", "2.5", "abc"])
def test_a_bad_whole_number_in_a_link_falls_back_with_a_notice(workspace, bad):
    at = opened({"w": bad})
    assert not at.exception, at.exception
    assert at.number_input(key="w").value is None  # empty: the purchase-cycle rule
    assert any("“w”" in n and "default" in n for n in notices(at))


def test_a_window_longer_than_the_grain_allows_falls_back_with_a_notice(workspace):
    at = opened({"w": "99"})  # months: at most 12
    assert not at.exception
    assert at.number_input(key="w").value is None
    assert any("“w”" in n for n in notices(at))


def test_a_huge_number_is_clamped_with_a_notice(workspace):
    at = opened({"k": "99999"}, "pages/cohorts.py")
    assert not at.exception
    assert at.number_input(key="k").value == 120
    assert any("nearest allowed value" in n for n in notices(at))


def test_dates_outside_the_datasets_range_fall_back_to_the_whole_range(workspace):
    at = opened({"from": "1990-01-01", "to": "1990-02-01"})
    assert not at.exception, at.exception
    assert at.date_input(key="from").value is None and at.date_input(key="to").value is None
    assert len(notices(at)) == 2
    whole = opened({})
    assert metric(at, "Customers") == metric(whole, "Customers")


def test_a_huge_path_depth_is_clamped_on_the_journeys_page(workspace):
    at = opened({"path_depth": "99999", "jtab": "paths"}, "pages/journeys.py")
    assert not at.exception, at.exception
    assert at.slider(key="path_depth").value == 6
    assert any("path_depth" in n for n in notices(at))


def test_a_10_kb_value_and_an_unknown_choice_are_ignored(workspace):
    at = opened({"grain": "fortnight", "ds": "x" * 10_000, "lang": "ru"})
    assert not at.exception
    assert at.selectbox(key="grain").value == "month"
    assert len(notices(at)) == 2 and all("по умолчанию" in n for n in notices(at))  # in the link's language


def test_a_notice_shows_the_value_as_plain_text(workspace):
    at = opened({"grain": "![f](http://127.0.0.1:9/p.png)"})
    assert not at.exception
    assert not live_links(notices(at))


# --- fuzz: any value for any key, on any page ---------------------------------------------------------------

VALUES = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "1e309", "-1", "0", "99999", "1.5", "", "true", "0001-01-01",
                     "9999-12-31", "2024-02-30", "x" * 10_000, "![f](http://127.0.0.1:9/p.png)", "customers", "day",
                     "visit", "purchase", "add_to_cart", "web", "2d", "device=mobile", "sample-shop"]),
    st.text(max_size=30),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
KEYS = st.sampled_from([*state.URL_KEYS, "seg_channel", "win_visit", "where_visit"])


@pytest.mark.slow
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(params=st.dictionaries(KEYS, st.one_of(VALUES, st.lists(VALUES, max_size=25)), min_size=1, max_size=6),
       page=st.sampled_from(PAGES))
def test_fuzzed_links_never_raise(workspace, params, page):
    at = opened(params, page, timeout=180)
    assert not at.exception, (params, page, at.exception)


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(key=KEYS, values=st.lists(VALUES, max_size=3))
def test_parse_param_returns_a_usable_value_or_skips(key, values):
    value, change = state.parse_param(key, values)
    assert change in (None, "ignored", "clamped")
    if value is state.SKIP:
        return
    if isinstance(value, float):
        assert value == value and abs(value) != float("inf")
    if key in state.URL_RANGES and not isinstance(value, list):
        low, high = state.URL_RANGES[key]
        assert low <= value <= high
    if key in state.URL_CHOICES:
        assert value in state.URL_CHOICES[key]
    if isinstance(value, date):
        assert state.EARLIEST <= value <= state.LATEST
    if isinstance(value, list):
        assert len(value) <= state.ITEM_LIMITS.get(key, state.MAX_ITEMS)


def test_more_funnel_steps_than_the_builder_takes_are_cut_with_a_notice(workspace):
    steps = ["visit", "product_view", "add_to_cart", "checkout", "purchase"] * 5  # 25 > 20
    at = opened({"steps": steps}, "pages/journeys.py")
    assert not at.exception, at.exception
    assert len(at.multiselect(key="steps").value) <= 20
    assert any("“steps”" in n for n in notices(at))


# --- user text is text ----------------------------------------------------------------------------------------

HOST = "127.0.0.1:9"
IMAGE = f"x![f](http://{HOST}/p.png)"
_MD = MarkdownIt("gfm-like")  # CommonMark + GitHub tables, strikethrough and autolinks, as Streamlit renders


def live_links(texts: list[str]) -> list[str]:
    """The texts whose Markdown renders to an image or a link to the test host."""
    return [t for t in texts if "<img" in (html := _MD.render(t)) or f'href="http://{HOST}' in html]


def markdown_texts(at: AppTest) -> list[str]:
    """Every text of the page that Streamlit renders as Markdown: bodies, titles, widget labels, help."""
    found: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", None) not in ("text", "code"):  # st.text/st.code: plain
            for name in ("body", "label", "help", "placeholder"):
                value = getattr(proto, name, None)
                if isinstance(value, str) and value:
                    found.append(value)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


@pytest.fixture
def hostile(workspace):
    """A saved dataset whose name, headers, segment values and event names are Markdown images."""
    tmp = workspace.parent / "hostile"
    tmp.mkdir()
    orders = tmp / "orders.csv"
    rows = [f"C{i % 7},2024-{1 + i % 12:02d}-{1 + i % 27:02d},{10 + i}.5,{IMAGE if i % 2 else 'web'}" for i in range(120)]
    orders.write_text(f"customer_id,order_date,amount,{IMAGE}\n" + "\n".join(rows) + "\n", encoding="utf-8")
    events = tmp / "events.csv"
    steps = ["visit", IMAGE, "purchase"]
    lines = [f"U{i % 9},{steps[i % 3]},2024-01-{1 + i % 27:02d} 10:{i % 60:02d}:00,{IMAGE}" for i in range(90)]
    events.write_text(f"user_id,event,timestamp,{IMAGE}\n" + "\n".join(lines) + "\n", encoding="utf-8")
    tables = {"orders": load_file(orders, kind="orders"), "events": load_file(events, kind="events")}
    Workspace(workspace).save(IMAGE, tables, slug="hostile")
    return "hostile"


def test_no_page_renders_user_text_as_a_live_image_or_link(hostile):
    for page in PAGES:
        at = opened({"ds": hostile, "steps": ["visit", IMAGE, "purchase"]}, page, timeout=180)
        assert not at.exception, (page, at.exception)
        texts = markdown_texts(at)
        assert texts, page
        assert not live_links(texts), (page, live_links(texts))


def test_data_page_messages_keep_file_names_and_headers_as_text(workspace):
    at = opened({}, "pages/data.py")
    ambiguous = f"customer_id,{IMAGE},amount\na,01/02/2024,1\nb,03/04/2024,2\n".encode()
    at.file_uploader(key="upload").set_value((IMAGE + ".csv", ambiguous, "text/csv")).run()
    assert not at.exception
    assert at.warning, "the ambiguous-date warning names the header"
    texts = markdown_texts(at)
    at.text_input(key="upload_name").set_value(IMAGE)
    at.button[0].click()
    at.run()
    assert not at.exception and at.success  # "Saved <name>", and the saved-datasets list
    texts += markdown_texts(at)
    missing = f"customer_id,{IMAGE}\na,1\n".encode()
    at.file_uploader(key="upload").set_value((IMAGE + "2.csv", missing, "text/csv")).run()
    assert not at.exception and at.error
    texts += markdown_texts(at)
    assert any(plain(IMAGE) in t for t in texts)  # the names are there, escaped
    assert not live_links(texts), live_links(texts)
