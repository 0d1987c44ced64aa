"""The pandas peer: monthly metrics (window 1) + the customers/on cohort grid as an analyst writes them.

Plain pandas idioms (read_csv with parse_dates, groupby/agg, merge on (customer, month ± 1),
pivot-free long grid); no tuning. ``tests/test_bench_reference.py`` checks it against the product.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _months(ts: pd.Series) -> pd.Series:
    return (ts.dt.year - 1970) * 12 + ts.dt.month - 1


def run(orders: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``orders``: customer_id, ordered_at (datetime64), amount."""
    df = orders.assign(p=_months(orders["ordered_at"]), is_order=orders["amount"] >= 0)
    cp = df.groupby(["customer_id", "p"], as_index=False).agg(n=("is_order", "sum"), rev=("amount", "sum"))
    first = cp[cp["n"] > 0].groupby("customer_id", as_index=False)["p"].min().rename(columns={"p": "first"})
    cp = cp.merge(first, on="customer_id", how="left")
    cp["active"] = cp["n"] > 0
    act = cp.loc[cp["active"], ["customer_id", "p"]]
    cp = cp.merge(act.assign(p=act["p"] + 1, was_active=True), on=["customer_id", "p"], how="left")
    cp = cp.merge(act.assign(p=act["p"] - 1, stays=True), on=["customer_id", "p"], how="left")
    cp["was_active"] = cp["was_active"].fillna(False).astype(bool)
    cp["stays"] = cp["stays"].fillna(False).astype(bool)
    cp["is_new"] = cp["first"] == cp["p"]
    here = cp.groupby("p").agg(revenue=("rev", "sum"), orders=("n", "sum"), e=("active", "sum"), new=("is_new", "sum"))
    here["retained"] = cp[cp["active"] & cp["was_active"]].groupby("p").size()
    here["rev_new"] = cp[cp["is_new"]].groupby("p")["rev"].sum()
    here["rev_s_now"] = cp[cp["was_active"]].groupby("p")["rev"].sum()
    a = cp[cp["active"]]
    prev = pd.DataFrame({"s": a.groupby("p").size(), "rev_s_prev": a.groupby("p")["rev"].sum(),
                         "rev_churned_prev": a[~a["stays"]].groupby("p")["rev"].sum()})
    prev.index = prev.index + 1
    grid = pd.RangeIndex(int(cp["p"].min()), int(cp["p"].max()) + 1, name="p")
    t = here.reindex(grid).join(prev, how="left").fillna(0)
    s, e, new, ret = t["s"], t["e"], t["new"], t["retained"]
    nz = lambda x: x.where(x != 0)  # noqa: E731 - a ratio with denominator 0 is null
    metrics = pd.DataFrame({
        "period_start": pd.to_datetime({"year": 1970 + grid // 12, "month": grid % 12 + 1, "day": 1}).to_numpy(),
        "customers_start": s.to_numpy(), "new_customers": new.to_numpy(), "customers_end": e.to_numpy(),
        "retained": ret.to_numpy(), "reactivated": (e - new - ret).to_numpy(), "churned": (s - ret).to_numpy(),
        "crr": ((e - new) / nz(s)).to_numpy(), "retention_rate": (ret / nz(s)).to_numpy(),
        "churn_rate": ((s - ret) / nz(s)).to_numpy(), "revenue": t["revenue"].to_numpy(), "orders": t["orders"].to_numpy(),
        "aov": (t["revenue"] / nz(t["orders"])).to_numpy(), "arpu": (t["revenue"] / nz(e)).to_numpy(),
        "repeat_revenue_share": ((t["revenue"] - t["rev_new"]) / nz(t["revenue"])).to_numpy(),
        "revenue_churn_rate": (t["rev_churned_prev"] / nz(t["rev_s_prev"])).to_numpy(),
        "nrr": (t["rev_s_now"] / nz(t["rev_s_prev"])).to_numpy(),
    })
    act = act.merge(first, on="customer_id")
    act["age"] = act["p"] - act["first"]
    size = first.groupby("first").size().rename("size")
    cells = act.groupby(["first", "age"]).size().rename("n")
    last = int(cp["p"].max())
    idx = pd.MultiIndex.from_tuples([(c, k) for c in size.index for k in range(0, last - c + 1)], names=["first", "age"])
    grid_c = cells.reindex(idx, fill_value=0).reset_index().merge(size.reset_index(), on="first")
    cohorts = pd.DataFrame({
        "cohort": pd.to_datetime({"year": 1970 + grid_c["first"] // 12, "month": grid_c["first"] % 12 + 1, "day": 1}),
        "size": grid_c["size"], "age": grid_c["age"].astype(np.int32), "value": grid_c["n"] / grid_c["size"],
    })
    return metrics, cohorts


def from_csv(path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the benchmark CSV as an analyst does and compute both tables."""
    orders = pd.read_csv(path, usecols=["customer_id", "order_date", "amount"], parse_dates=["order_date"])
    return run(orders.rename(columns={"order_date": "ordered_at"}))
