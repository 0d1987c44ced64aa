"""Every page in both languages in a real Chromium at 1280 px (issue 13): no "Page not found" pop-up on any
path, no tile cut off, no chart title under a legend; a screenshot of each is saved for a person to look at.
The HTML report is opened in Chromium and printed to PDF with ``--print-to-pdf``; its pages become PNGs
(``pdftoppm``, Debian package poppler-utils) next to the screenshots."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import datetime

import pytest

from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS, ROOT, SHOTS, serve
from tests.pages.test_locale import _data_words
from tests.pages.texts import english_words

pytestmark = pytest.mark.browser

DATA_WORDS = _data_words() | {"c"}  # customer ids like C04963 in the lists
PATHS = ("", "overview", "cohorts", "value", "journeys", "whatif", "review", "data")
NOT_FOUND = ("Page not found", "Страница не найдена")

_CLIPPED_TILES = """() => [...document.querySelectorAll('[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] *,'
  + ' [data-testid="stMetricValue"], [data-testid="stMetricValue"] *, [data-testid="stPageLink"] *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 || getComputedStyle(e).textOverflow === 'ellipsis'
               && e.scrollWidth > e.clientWidth).map(e => e.innerText)"""
# A row of choices (st.segmented_control / pills) running past its column: "День | Неделя | Мес" under the next input.
_CLIPPED_CHOICES = """() => [...document.querySelectorAll('[data-testid="stButtonGroup"]')].flatMap(g => {
  const edge = g.getBoundingClientRect().right;  // a button past it runs under the next column
  return [...g.querySelectorAll('button')].filter(b => b.getBoundingClientRect().right > edge + 1).map(b => b.innerText);
})"""
# The text a reader sees: icon ligatures (":material/download:" renders as the word "download") and
# Streamlit's screen-reader "Skip to content" link are not text on the screen.
_READ_TEXT = """() => { const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode, el = node.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(el.tagName)) continue;
    if (!el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // visually hidden screen-reader text ("add icon")  // display:none (e.g. the date picker's screen-reader description, see docs/platform.md)
    const style = getComputedStyle(el);
    if (style.fontFamily.includes('Material')) continue;  // an icon ligature, drawn as a symbol
    if (parseFloat(style.fontSize) === 0) continue;  // replaced on screen by CSS text (the uploader's chrome)
    const link = el.closest('a');
    if (link && link.textContent.trim().startsWith('Skip to')) continue;  // Streamlit's screen-reader link
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  return out.join(String.fromCharCode(10)); }"""
_OVERLAPS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p => {
  const t = p.querySelector('.gtitle'), l = p.querySelector('.legend');
  if (!t || !l) return [];
  const a = t.getBoundingClientRect(), b = l.getBoundingClientRect();
  const hit = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  return hit ? [t.textContent] : [];
})"""


def _settle(page) -> None:
    """Wait until the script run is over: a page title is drawn, nothing is loading, and the main area's text
    stays the same for 1.5 s (a run draws in steps; a screenshot mid-run shows skeletons)."""
    page.get_by_test_id("stMain").wait_for()
    previous, deadline = None, time.monotonic() + 120
    while time.monotonic() < deadline:
        page.wait_for_timeout(1500)
        busy = page.evaluate("""() => !!document.querySelector('[data-testid=stSkeleton], [data-testid=stSpinner]')
            || !document.querySelector('[data-testid=stMain] h1')""")
        text = page.get_by_test_id("stMain").inner_text()
        if not busy and text == previous:
            return
        previous = text
    pytest.fail("the page did not settle within 120 s")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_every_page_in_both_languages(server, browser, lang):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU" if lang == "ru" else "en-US")
    page = context.new_page()
    page.set_default_timeout(60_000)
    problems = []
    try:
        for path in PATHS:
            page.goto(f"{server}/{path}?lang={lang}")
            _settle(page)
            body = page.inner_text("body")
            if any(x in body for x in NOT_FOUND):
                problems.append((path, "page not found pop-up"))
            if lang == "ru":  # what a Russian user reads: no English word outside the allow-list and their data
                words = english_words(page.evaluate(_READ_TEXT).splitlines(), DATA_WORDS)
                if words:
                    problems.append((path, "english", sorted(words)[:20]))
            if page.get_by_test_id("stException").count():
                problems.append((path, "exception"))
            clipped = page.evaluate(_CLIPPED_TILES) + page.evaluate(_CLIPPED_CHOICES)
            if clipped:
                problems.append((path, "clipped tiles", clipped))
            overlaps = page.evaluate(_OVERLAPS)
            if overlaps:
                problems.append((path, "title under legend", overlaps))
            SHOTS.mkdir(exist_ok=True)
            page.set_viewport_size({"width": 1280, "height": 3200})  # the main area scrolls: a tall window shows it
            page.wait_for_timeout(1500)
            page.screenshot(path=str(SHOTS / f"page_{path or 'root'}_{lang}.png"))
            page.set_viewport_size({"width": 1280, "height": 900})
    finally:
        context.close()
    assert problems == []


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_report_opens_in_chromium_and_prints_to_pdf(browser, tmp_path, lang):
    import duckdb

    from retention_core.ingest import load_file
    from retention_core.report import html_report

    with duckdb.connect() as con:
        orders = load_file(ROOT / "data/sample/orders.csv", kind="orders", con=con).frame
    path = tmp_path / f"report_{lang}.html"
    path.write_text(html_report(orders, lang=lang, generated=datetime(2026, 1, 5, 9, 30)), encoding="utf-8")
    assert path.stat().st_size < 3_000_000
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3")
        assert page.locator(".js-plotly-plot").count() == 3  # every chart drawn by the partial bundle
        assert page.evaluate(_OVERLAPS) == []
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"report_{lang}.png"), full_page=True)
    finally:
        context.close()
    assert errors == []
    pdf = tmp_path / f"report_{lang}.pdf"
    subprocess.run([str(CHROMIUM), "--headless", *LAUNCH_ARGS, "--no-pdf-header-footer", "--virtual-time-budget=8000",
                    f"--print-to-pdf={pdf}", path.as_uri()], check=True, capture_output=True, timeout=120)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 50_000
    if not shutil.which("pdfinfo") and os.environ.get("CI"):
        pytest.fail("no pdfinfo: .ci/run installs Debian's poppler-utils so CI checks the PDF's pages")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        assert 4 <= pages <= 8  # a page per section (tiles + trend, flow, cohorts, table), nothing spilling wide
        assert "841.92 x 594.96 pts (A4)" in info  # A4 landscape
    if shutil.which("pdftoppm"):
        for old in SHOTS.glob(f"report_{lang}_pdf-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(SHOTS / f"report_{lang}_pdf")], check=True,
                       timeout=120)


def test_a_russian_owner_goes_from_upload_to_report_without_english(browser, tmp_path):
    """Issue 13's 'done when', as a person does it in Chromium: a Windows-1251 export with a bad line is uploaded
    in the Russian UI, saved, and its Overview's HTML report downloaded — every screen on the way and the report
    itself show no English word outside the allow-list; the rejected rows open as columns in Russian Excel."""
    import csv
    import io

    path = tmp_path / "выгрузка_1с.csv"
    path.write_bytes(("Клиент;Дата заказа;Сумма, руб.\n" + "".join(
        f"Клиент {i % 40};{1 + i % 28:02d}.{1 + i // 28 % 12:02d}.2024;{100 + i},50 руб.\n" for i in range(400))
        + ";01.02.2024;1\n").encode("cp1251"))
    (tmp_path / "ws").mkdir()
    seen: dict[str, dict[str, str]] = {}
    # its own server and workspace: saving a dataset must not change what the other browser tests open
    with serve(tmp_path / "ws", tmp_path) as (server, _):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ru-RU")
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            page.goto(f"{server}/data?lang=ru")
            page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
            page.get_by_text("Отчёт о проверке").wait_for()
            _settle(page)
            seen["upload"] = english_words(page.evaluate(_READ_TEXT).splitlines(), DATA_WORDS)
            page.get_by_role("button", name="Скачать отклонённые строки (CSV)").click()
            with page.expect_download() as info:
                page.get_by_role("button", name="CSV для Excel").click()
            rows = list(csv.reader(io.StringIO(info.value.path().read_bytes().decode("utf-8-sig")), delimiter=";"))
            assert rows[0][:3] == ["Строка", "Столбец", "Причина"]
            assert rows[1][:3] == ["402", "Клиент", "Клиент: пустое значение"]
            page.keyboard.press("Escape")
            page.get_by_label("Название набора").fill("Магазин Иванова")
            page.get_by_role("button", name="Сохранить", exact=True).click()
            page.get_by_text("Сохранено «Магазин Иванова»").wait_for()
            page.goto(f"{server}/?lang=ru")
            _settle(page)
            seen["overview"] = english_words(page.evaluate(_READ_TEXT).splitlines(), DATA_WORDS)
            page.get_by_role("button", name="Подготовить отчёт").click()
            with page.expect_download() as info:
                page.get_by_role("button", name="Скачать отчёт").click()
            assert info.value.suggested_filename == "retention_report.html"
            info.value.save_as(tmp_path / "report.html")
            report = context.new_page()
            report.goto((tmp_path / "report.html").as_uri())
            report.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3")
            assert "Отчёт" in report.inner_text("body")
            seen["report"] = english_words(report.evaluate(_READ_TEXT).splitlines(), DATA_WORDS)
        finally:
            context.close()
    assert seen == {"upload": {}, "overview": {}, "report": {}}
