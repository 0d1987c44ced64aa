"""What-if in a real browser (issue 10): on a shop whose CRR is near 100 %, +5 and +10 points give
different, larger-is-larger answers, and the backtest is shown beside the projection."""

from __future__ import annotations

import pytest

from retention_core.ingest import load_file
from retention_core.retention.activity import activity_window
from retention_core.whatif.measure import measure_baseline
from retention_core.workspace import Workspace
from tests.browser.conftest import serve, shot
from tests.core.whatif.shops import loyal_club_shop

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def loyal_server(tmp_path_factory):
    """`streamlit run` on a loopback port with a workspace holding the loyal-club shop; stopped by its pid."""
    root = tmp_path_factory.mktemp("ws_loyal")
    csv = root.parent / "loyal_club.csv"
    loyal_club_shop().rename({"ordered_at": "order_date"}).write_csv(csv)
    Workspace(root).save("Loyal club", {"orders": load_file(csv, kind="orders")}, slug="loyal-club")
    with serve(root, tmp_path_factory.mktemp("log_loyal")) as (url, _):
        yield url, csv


def _revenue_difference(page) -> float:
    tile = page.get_by_test_id("stMetric").filter(has=page.get_by_text("Revenue difference", exact=True)).first
    text = tile.get_by_test_id("stMetricValue").inner_text()
    return float(text.replace(",", "").replace("+", "").replace("−", "-"))


def test_plus_5_and_plus_10_differ_when_crr_is_near_100_percent(loyal_server, page):
    url, csv = loyal_server
    orders = load_file(csv, kind="orders").frame
    b = measure_baseline(orders, window=activity_window(orders, grain="month"))
    assert abs(b.crr - 1.0) < 0.03 and b.retention_rate < 0.95  # the case: CRR ≈ 100 %, r well below
    got = {}
    for points in (5, 10):
        page.goto(f"{url}/whatif?ds=loyal-club&wi_crr={points}")
        page.get_by_text("this model projected the next", exact=False).first.wait_for()  # the backtest, beside it
        got[points] = _revenue_difference(page)
        # the rate the lever moves is shown beside it, before → after
        after = min(b.retention_rate + points / 100, 1.0)
        r_now, r_after = f"{b.retention_rate * 100:.1f}%", f"{after * 100:.1f}%"
        page.get_by_text(f"r (kept from last month) {r_now} → {r_after}", exact=False).first.wait_for()
        if b.retention_rate + points / 100 > 1:  # a cut lever says so, with the change actually applied
            applied = f"+{(1 - b.retention_rate) * 100:.1f} pp"
            page.get_by_text(f"the model applies {applied}", exact=False).first.wait_for()
        shot(page, f"whatif_loyal_plus_{points}")
    assert 0 < got[5] < got[10]
