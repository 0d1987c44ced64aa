"""The bundled sample shop (retention_core.sample): deterministic, believable, ingest-shaped files.

Shape checks are computed straight from the written CSVs with plain polars, as an analyst would.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest

from retention_core.errors import ParameterError
from retention_core.sample import _main, generate_sample

END = date(2025, 12, 15)
STEPS = ["visit", "product_view", "add_to_cart", "checkout", "purchase"]
COMMITTED = Path(__file__).resolve().parents[2] / "data" / "sample"


def _digests(paths: dict[str, Path]) -> dict[str, str]:
    return {kind: hashlib.sha256(path.read_bytes()).hexdigest() for kind, path in paths.items()}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pl.DataFrame]:
    paths = generate_sample(tmp_path_factory.mktemp("shop"), seed=3, customers=3_000)
    return {
        "orders": pl.read_csv(paths["orders"], schema_overrides={"order_id": pl.String}, try_parse_dates=True),
        "events": pl.read_csv(paths["events"], try_parse_dates=True),
        "subscriptions": pl.read_csv(paths["subscriptions"], try_parse_dates=True),
        "survey": pl.read_csv(paths["survey"], try_parse_dates=True),
    }


def _purchases(orders: pl.DataFrame) -> pl.DataFrame:
    """Orders that count as orders (SPEC §4.1: refunds are not orders), with their month."""
    return orders.filter(pl.col("amount") >= 0).with_columns(month=pl.col("order_date").dt.date().dt.truncate("1mo"))


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    a = _digests(generate_sample(tmp_path / "a", seed=11, customers=500, years=1))
    b = _digests(generate_sample(tmp_path / "b", seed=11, customers=500, years=1))
    c = _digests(generate_sample(tmp_path / "c", seed=12, customers=500, years=1))
    assert a == b
    assert all(a[kind] != c[kind] for kind in a)


def test_files_have_the_friendly_headers(shop: dict[str, pl.DataFrame]) -> None:
    assert shop["orders"].columns == ["order_id", "customer_id", "order_date", "amount", "channel", "region", "category"]
    assert shop["events"].columns == ["user_id", "event", "timestamp", "source", "device"]
    assert shop["subscriptions"].columns == ["customer_id", "start_date", "end_date", "mrr", "plan"]
    assert shop["survey"].columns == ["customer_id", "score", "date", "channel"]
    # order and event times carry a time of day, not just midnight
    assert shop["orders"]["order_date"].dtype == pl.Datetime("us")
    assert shop["orders"]["order_date"].dt.hour().n_unique() > 12


def test_customers_and_span(shop: dict[str, pl.DataFrame]) -> None:
    orders = shop["orders"]
    assert orders["customer_id"].n_unique() == 3_000
    months = _purchases(orders)["month"].unique().sort()
    # 3 years of months: 2023-01 … 2025-12, every month has orders
    assert months.to_list() == pl.date_range(date(2023, 1, 1), date(2025, 12, 1), "1mo", eager=True).to_list()
    # the last month is incomplete: data stops on 15 December
    assert orders["order_date"].max().date() == END
    assert orders["order_date"].min() >= datetime(2023, 1, 1)
    assert {"organic", "paid_search", "social", "email", "referral"} == set(orders["channel"])
    assert orders["region"].n_unique() == 6 and 4 <= orders["category"].n_unique() <= 6


def test_december_peak_and_summer_dip(shop: dict[str, pl.DataFrame]) -> None:
    monthly = _purchases(shop["orders"]).group_by("month").agg(orders=pl.len())
    complete = monthly.filter(pl.col("month") < date(2025, 12, 1))
    december = complete.filter(pl.col("month").dt.month() == 12)["orders"].mean()
    summer = complete.filter(pl.col("month").dt.month().is_in([6, 7, 8]))["orders"].mean()
    assert december > 1.4 * summer
    assert december > 1.3 * complete["orders"].mean()


def test_cohort_retention_decays_like_a_shop(shop: dict[str, pl.DataFrame]) -> None:
    bought = _purchases(shop["orders"]).select("customer_id", "month").unique()
    age = (pl.col("month").dt.year() * 12 + pl.col("month").dt.month()) - (
        pl.col("cohort").dt.year() * 12 + pl.col("cohort").dt.month())
    ages = bought.with_columns(cohort=pl.col("month").min().over("customer_id")).with_columns(age=age)
    # cohorts of 2023-01 … 2024-11 (all have reached age 12 in complete months)
    old = ages.filter(pl.col("cohort") < date(2024, 12, 1))
    size = old.filter(pl.col("age") == 0).height
    month1 = old.filter(pl.col("age") == 1).height / size
    month12 = old.filter(pl.col("age") == 12).height / size
    assert 0.18 <= month1 <= 0.35
    assert 0.03 <= month12 <= 0.12
    # a third or more of the customers never order again
    per_customer = _purchases(shop["orders"]).group_by("customer_id").len()
    assert 0.3 <= (per_customer["len"] == 1).mean() <= 0.7


def test_amounts_refunds_and_free_orders(shop: dict[str, pl.DataFrame]) -> None:
    orders = shop["orders"]
    sales = orders.filter(~pl.col("order_id").str.starts_with("R"))
    refunds = orders.filter(pl.col("order_id").str.starts_with("R"))
    assert 35 <= sales["amount"].mean() <= 55
    assert (sales["amount"] == 0).sum() > 0 and (sales["amount"] >= 0).all()
    assert 0.01 <= refunds.height / sales.height <= 0.03
    assert (refunds["amount"] < 0).all()
    # each refund R<id> follows order <id> of the same customer and returns at most its amount
    matched = refunds.with_columns(pl.col("order_id").str.slice(1)).join(
        sales, on="order_id", suffix="_sale")
    assert matched.height == refunds.height
    assert (matched["customer_id"] == matched["customer_id_sale"]).all()
    assert (matched["order_date"] > matched["order_date_sale"]).all()
    assert (-matched["amount"] <= matched["amount_sale"]).all()
    # electronics baskets are dearer than books
    by_cat = sales.group_by("category").agg(pl.col("amount").mean())
    assert by_cat.filter(category="electronics")["amount"].item() > 2 * by_cat.filter(category="books")["amount"].item()


def test_funnel_drops_off_step_by_step(shop: dict[str, pl.DataFrame]) -> None:
    events = shop["events"]
    users = [events.filter(event=step)["user_id"].n_unique() for step in STEPS]
    assert users[0] == events["user_id"].n_unique()  # everybody visits
    assert users == sorted(users, reverse=True) and users[-1] > 0
    assert 0.05 <= users[-1] / users[0] <= 0.2
    assert {"search", "wishlist", "support_chat"} <= set(events["event"])
    # several sessions per user, over the last ~6 months, ids shared with the orders file
    assert events.filter(event="visit").height > 1.5 * users[0]
    assert events["timestamp"].min() >= datetime(2025, 6, 1) and events["timestamp"].max().date() <= END
    shared = set(events["user_id"]) & set(shop["orders"]["customer_id"])
    assert len(shared) > 0.3 * users[0]
    # desktop converts better than mobile
    share = events.group_by("device").agg(
        pl.col("user_id").filter(pl.col("event") == "purchase").n_unique() / pl.col("user_id").n_unique())
    assert share.filter(device="desktop")["user_id"].item() > share.filter(device="mobile")["user_id"].item()


def test_subscriptions_end_after_start_with_upgrades(shop: dict[str, pl.DataFrame]) -> None:
    subs = shop["subscriptions"]
    ended = subs.filter(pl.col("end_date").is_not_null())
    assert (ended["end_date"] >= ended["start_date"]).all()
    assert subs["end_date"].null_count() > 0 and ended.height > 0
    assert subs["start_date"].max() <= END and ended["end_date"].max() <= END
    assert set(subs["plan"]) == {"basic", "pro", "team"}
    # an upgrade is a second row starting when the first ends, at a higher price
    upgrades = subs.join(subs, left_on=["customer_id", "end_date"], right_on=["customer_id", "start_date"],
                         suffix="_next")
    assert upgrades.height > 0
    assert (upgrades["mrr_next"] > upgrades["mrr"]).all()


def test_survey_scores_and_promoters_retain_better(shop: dict[str, pl.DataFrame]) -> None:
    survey = shop["survey"]
    assert survey.height == 450 and survey["customer_id"].is_unique().all()
    assert survey["score"].dtype == pl.Int64 and survey["score"].is_between(0, 10).all()
    assert survey["date"].max() <= END
    later = survey.join(_purchases(shop["orders"]), on="customer_id").filter(
        pl.col("order_date").dt.date() > pl.col("date"))["customer_id"].unique()
    came_back = survey.with_columns(back=pl.col("customer_id").is_in(later.implode()))
    promoters = came_back.filter(pl.col("score") >= 9)["back"].mean()
    detractors = came_back.filter(pl.col("score") <= 6)["back"].mean()
    assert promoters > detractors + 0.1


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"customers": 10}, "customers=10 is not allowed"),
    ({"years": 0}, "years=0 is not allowed"),
])
def test_bad_sizes_raise(tmp_path: Path, kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        generate_sample(tmp_path, **kwargs)


def test_command_line_writes_files_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _main([str(tmp_path), "--customers", "300", "--years", "1"]) == 0
    assert "orders" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == [
        "events.csv", "orders.csv", "subscriptions.csv", "survey.csv"]
    assert _main([str(tmp_path), "--customers", "5"]) == 2
    assert "customers=5" in capsys.readouterr().err


def test_committed_sample_matches_the_defaults(tmp_path: Path) -> None:
    committed = {kind: COMMITTED / f"{kind}.csv" for kind in ("orders", "events", "subscriptions", "survey")}
    assert _digests(generate_sample(tmp_path)) == _digests(committed)
