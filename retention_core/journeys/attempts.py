"""Funnel attempt matching (SPEC §5): one row per attempt, for the ordered, strict and any modes.

This is the heavy, columnar half of :mod:`retention_core.journeys.funnels`; that module validates the
:class:`~retention_core.journeys.funnels.FunnelSpec` and turns the attempts into the user and step tables.

Event order (SPEC §5 "events of one user ordered by timestamp, ties: file order"). Each user's events
are put in one total order by ``(occurred_at, rank, seq)``: ``rank`` is the index of the first funnel
step whose filter the event matches (events matching no step come last) and ``seq`` is file order.
So two *different* steps sharing a timestamp count as in order whatever their file order (SPEC:
"two different steps may share a timestamp and still count as in order"), while occurrences of
the *same* step event keep file order, which makes "a strictly later occurrence" well defined and
guarantees that one event never satisfies two steps (matched positions strictly increase).

Every engine returns one row per attempt: ``aid`` (row index), ``uid`` (dense user number), ``idx``
(row of the events frame where the attempt starts), ``furthest`` (Int32, 1-based index of the furthest
step reached: for ``any`` the number of distinct steps completed), ``void`` (Boolean) and
``at_1..at_k`` (Int64 microseconds or null: when funnel row j was reached). No Python loop runs per
user or per event; the loops below are over the k funnel steps.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from retention_core.journeys.spec import FunnelSpec, step_predicate
from retention_core.properties import all_of

_U32_MAX = 2**32 - 1
_X_BIT = 1 << 30  # in the mask: an exclusion event (step bits are 0..19)
_X_FIRST = 20  # bit of the i-th distinct exclusion event: 20 + i (at most 10)


def _us(window: timedelta) -> int:
    """A duration in whole microseconds (the unit of ``t``), exactly."""
    return window // timedelta(microseconds=1)


def sorted_rows(events: pl.DataFrame, spec: FunnelSpec, *, keep_all: bool) -> pl.DataFrame:
    """Events of interest in the funnel's total order, one row per event.

    Columns: ``uid`` (UInt32, dense user number), ``t`` (Int64 µs), ``m`` (UInt32 bit mask: bit j−1
    set when the event matches step j), ``x`` (Boolean, an exclusion event), ``idx`` (UInt32, row of
    ``events``), ``tie_end`` (UInt32, last row with the same user and timestamp). The row number is
    the event's position. ``keep_all`` keeps every event (strict mode needs the full sequence);
    otherwise only step and exclusion events are kept. Rows with a null user, event or time are
    dropped: they cannot be placed in a sequence.

    Users are grouped by a 64-bit hash of ``user_id`` (sorting strings is several times slower);
    a second, independent hash verifies that no two users share the first one, and on a
    collision the exact sort by ``user_id`` is used instead.
    """
    k = len(spec.steps)
    preds = [step_predicate(s, spec.where) for s in spec.steps]
    bits = [pl.when(p).then(pl.lit(1 << j, pl.UInt32)).otherwise(pl.lit(0, pl.UInt32)) for j, p in enumerate(preds)]
    for i, name in enumerate(spec.exclusion_events):  # global filters apply to exclusion events too
        excluded = ((pl.col("event") == name) & all_of(spec.where)).fill_null(False)
        bit = _X_BIT | (1 << (_X_FIRST + i))
        bits.append(pl.when(excluded).then(pl.lit(bit, pl.UInt32)).otherwise(pl.lit(0, pl.UInt32)))
    has_nulls = any(events[c].null_count() for c in ("user_id", "event", "occurred_at"))
    complete = pl.col("user_id").is_not_null() & pl.col("occurred_at").is_not_null() & pl.col("event").is_not_null()
    seq = pl.col("seq").cast(pl.Int64) if "seq" in events.columns else pl.int_range(pl.len(), dtype=pl.Int64)
    rows = (
        events.lazy()
        .select(
            h1=pl.col("user_id").hash(seed=0),
            h2=pl.col("user_id").hash(seed=7),
            t=pl.col("occurred_at").cast(pl.Datetime("us")).cast(pl.Int64),
            m=pl.sum_horizontal(bits).cast(pl.UInt32),
            seq=seq,
            idx=pl.int_range(pl.len(), dtype=pl.UInt32),
            ok=complete if has_nulls else pl.lit(True),
        )
        .filter(pl.col("ok") & (pl.lit(keep_all) | (pl.col("m") != 0)))
        .drop("ok")
        .collect()
    )
    rows = _sort_events(rows, k)
    collided = rows.select(((pl.col("h1") == pl.col("h1").shift(1)) & (pl.col("h2") != pl.col("h2").shift(1))).any()).item()
    if collided:  # astronomically rare
        rows = _exact_user_order(rows, events, k)
    new_user = (pl.col("h1") != pl.col("h1").shift(1)).fill_null(True)
    last_of_tie = ((pl.col("uid") != pl.col("uid").shift(-1)) | (pl.col("t") != pl.col("t").shift(-1))).fill_null(True)
    return (
        rows.select(uid=(new_user.cum_sum() - 1).cast(pl.UInt32), t="t", m="m", idx="idx")
        .with_row_index("pos")
        .with_columns(
            tie_end=pl.when(last_of_tie).then(pl.col("pos")).backward_fill(),
            x=(pl.col("m") & _X_BIT) != 0,
        )
        .select("pos", "uid", "t", "m", "x", "idx", "tie_end")
    )


def _rank(k: int) -> pl.Expr:
    """Index of the first step an event matches (its lowest set bit), k when it matches none."""
    return pl.min_horizontal((pl.col("m") & ((1 << _X_FIRST) - 1)).bitwise_trailing_zeros(), pl.lit(k)).cast(pl.Int64)


def _sort_events(rows: pl.DataFrame, k: int) -> pl.DataFrame:
    """Sort by (user hash, t, rank, seq).

    Fast paths when the rows already come in ``seq`` (file) order, the usual case: one stable
    sort by the user hash groups them. If every user's timestamps are then non-decreasing — a
    chronological export — only rows sharing a user and timestamp can be out of (rank) order;
    those few are sorted and put back in place. Otherwise a second stable sort on the UInt128 key
    ``h1 · 2⁶⁴ + (t − t_min) · 32 + rank`` (spans under ~9 000 years) finishes it. One-key sorts
    are about twice as fast as a four-key one.
    """
    if rows.height == 0:
        return rows.drop("seq")
    t_min, t_max = rows["t"].min(), rows["t"].max()
    if (t_max - t_min) >= 2**58 or not rows["seq"].is_sorted():
        return rows.sort(pl.col("h1"), pl.col("t"), _rank(k), pl.col("seq")).drop("seq")
    rows = rows.drop("seq")
    grouped = rows.sort("h1", maintain_order=True)  # stable: each user's rows stay in file order
    same_user = pl.col("h1") == pl.col("h1").shift(1)
    if not grouped.select((~same_user | (pl.col("t") >= pl.col("t").shift(1))).fill_null(True).all()).item():
        key = pl.col("h1").cast(pl.UInt128) * (2**64) + ((pl.col("t") - t_min) * 32 + _rank(k)).cast(pl.UInt128)
        return grouped.sort(key, maintain_order=True)
    # A chronological export: only rows sharing a user and timestamp may need reordering by rank.
    tie_prev = (same_user & (pl.col("t") == pl.col("t").shift(1))).fill_null(False)
    if not grouped.select((tie_prev & (_rank(k) < _rank(k).shift(1))).any()).item():
        return grouped
    ties = (
        grouped.select(_tie=tie_prev | tie_prev.shift(-1).fill_null(False), _g=(~tie_prev).cum_sum(), _r=_rank(k))
        .with_row_index("_p")
        .filter(pl.col("_tie"))
    )
    reordered = ties.sort("_g", "_r", maintain_order=True)  # stable: file order among equal ranks
    perm = pl.int_range(grouped.height, dtype=pl.UInt32, eager=True).scatter(ties["_p"], reordered["_p"])
    return grouped[perm]


def _exact_user_order(rows: pl.DataFrame, events: pl.DataFrame, k: int) -> pl.DataFrame:
    """The same order keyed by the user id itself (used when two users' hashes collide).

    ``rows`` is already in (t, rank, seq) order within each hash, so a stable sort by (user, t,
    rank) keeps file order among ties.
    """
    return (
        rows.with_columns(user=events["user_id"].gather(rows["idx"]))
        .sort(pl.col("user"), pl.col("t"), _rank(k), maintain_order=True)
        .with_columns(h1=pl.col("user").rank("dense").cast(pl.UInt64))
        .drop("user")
    )


def _bit(j: int) -> pl.Expr:
    return (pl.col("m") & (1 << j)) != 0


def _date_ok(t: pl.Expr, date_from: date | None, date_to: date | None) -> pl.Expr:
    ok = pl.lit(True)
    if date_from is None and date_to is None:
        return ok
    d = t.cast(pl.Datetime("us")).dt.date()
    if date_from is not None:
        ok = ok & (d >= date_from)
    if date_to is not None:
        ok = ok & (d <= date_to)
    return ok


def _null_series(n: int) -> pl.Series:
    return pl.repeat(None, n, dtype=pl.Int64, eager=True)


def _next_match(left: pl.DataFrame, cand: pl.DataFrame, *, strict_after: bool) -> pl.DataFrame:
    """For each left row, the first candidate at a position after ``cur`` (``cpos``, ``cuid``, ``ct``).

    Positions are global over the sorted rows, so the next candidate may belong to the next user;
    callers compare ``cuid`` with ``uid``.
    """
    return left.join_asof(
        cand, left_on="cur", right_on="cpos", strategy="forward", allow_exact_matches=not strict_after
    )


def _candidates(rows: pl.DataFrame, j: int) -> pl.DataFrame:
    return rows.filter(_bit(j)).select(cpos="pos", cuid="uid", ct="t")


def _void(attempts: pl.DataFrame, rows: pl.DataFrame, spec: FunnelSpec, start_pos: pl.Series) -> pl.Series:
    """Attempts voided by an exclusion event (module docs of :mod:`~retention_core.journeys.funnels`).

    For an exclusion on steps a..b (``Exclusion.span``), the attempt must have reached step a; the
    lower end is step a's tie group (an exclusion at exactly step a's timestamp is not after it).
    ``between`` (default): void when an exclusion lies strictly before the last step reached among
    a+1..b. ``posthog``: void when it lies strictly before step b, or, when step b was not reached,
    no later than t(a) + window. One as-of join per exclusion: the first exclusion event after the
    lower end. With ``order="any"`` the range is the whole funnel: from the attempt's start.
    """
    n = attempts.height
    void = pl.repeat(False, n, dtype=pl.Boolean, eager=True)
    if not spec.exclusions or n == 0:
        return void
    k = len(spec.steps)
    window_us = _us(spec.window)
    tie_end = rows["tie_end"]
    for x in spec.exclusions:
        a, b = x.span(k)
        bit = 1 << (_X_FIRST + spec.exclusion_events.index(x.event))
        xs = rows.filter((pl.col("m") & bit) != 0).select(cpos="pos", cuid="uid", ct="t")
        if xs.height == 0:
            continue
        if spec.order == "any":
            lo_pos, lo_t = start_pos, pl.col("at_1")
            reached = [pl.col(f"at_{j}") for j in range(2, k + 1)]
        else:
            lo_pos, lo_t = attempts[f"p_{a}"], pl.col(f"at_{a}")
            reached = [pl.col(f"at_{j}") for j in range(a + 1, b + 1)]
        if spec.exclusion_rule == "between":
            hi, inclusive = pl.max_horizontal(reached), pl.lit(False)
        else:
            end = pl.col(f"at_{k if spec.order == 'any' else b}")
            hi, inclusive = pl.coalesce(end, lo_t + window_us), end.is_null()
        probe = (
            attempts.select("uid", hi=hi, inclusive=inclusive)
            .with_columns(lo=lo_pos)
            .with_row_index("_r")
            .filter(pl.col("lo").is_not_null() & pl.col("hi").is_not_null())
        )
        probe = probe.with_columns(cur=tie_end.gather(probe["lo"].cast(pl.UInt32)))
        if not probe["cur"].is_sorted():  # a later step's places need not grow from one attempt to the next
            probe = probe.sort("cur")
        hit = probe.join_asof(xs, left_on="cur", right_on="cpos", strategy="forward", allow_exact_matches=False)
        inside = pl.when(pl.col("inclusive")).then(pl.col("ct") <= pl.col("hi")).otherwise(pl.col("ct") < pl.col("hi"))
        rows_void = hit.filter(((pl.col("cuid") == pl.col("uid")) & inside).fill_null(False))["_r"]
        void = void.scatter(rows_void, True) if rows_void.len() else void
    return void


def ordered_attempts(rows: pl.DataFrame, spec: FunnelSpec) -> pl.DataFrame:
    """Attempts of an ordered funnel: each occurrence of step 1 starts one.

    Greedy matching is exact here: from the attempt's current position, the next step is matched by
    its *earliest* later occurrence. Any valid chain s1 < p2 < … < pj can be replaced step by step by
    the greedy one (greedy position ≤ the chain's position at every step, by induction), whose
    timestamps are no later, so if some chain reaches step j within the window so does the greedy
    chain, and the greedy chain is the first (earliest) chain reaching that far. A per-step window
    is checked on the greedy chain: step j must come within its window of the moment step j−1 was
    matched (the reported ``seconds_to_step_j``). Optional steps never change which required steps
    are matched: after the required chain is known, an optional step is matched by its earliest
    occurrence after the previous matched step and before the next required step's match.
    """
    k = len(spec.steps)
    window_us = _us(spec.window)
    required = [j for j in range(k) if not spec.steps[j].optional]
    starts = rows.filter(_bit(0) & _date_ok(pl.col("t"), spec.date_from, spec.date_to))
    att = starts.select("uid", "idx", start="pos", t0="t", tie_end0="tie_end").with_row_index("aid")
    n = att.height
    at = {j: _null_series(n) for j in range(k)}
    pos = {j: _null_series(n) for j in range(k)}
    at[0], pos[0] = att["t0"], att["start"].cast(pl.Int64)

    alive = att.select("aid", "uid", "t0", cur="start", tcur="t0")
    for j in required[1:]:
        if alive.height == 0:
            break
        hit = _next_match(alive, _candidates(rows, j), strict_after=True)
        ok = (pl.col("cuid") == pl.col("uid")) & (pl.col("ct") - pl.col("t0") <= window_us)
        if spec.steps[j].window is not None:
            ok = ok & (pl.col("ct") - pl.col("tcur") <= _us(spec.steps[j].window))
        alive = hit.filter(ok).select("aid", "uid", "t0", cur="cpos", tcur="ct")
        at[j].scatter(alive["aid"], alive["tcur"])
        pos[j].scatter(alive["aid"], alive["cur"].cast(pl.Int64))

    for j in range(1, k):  # optional steps, in funnel order, against the fixed required chain
        if not spec.steps[j].optional:
            continue
        prev = j - 1
        nxt = next((r for r in required if r > j), None)
        # the previous matched step: the nearest matched one among j−1, j−2, … back to a required step
        back = [prev]
        while spec.steps[back[-1]].optional:
            back.append(back[-1] - 1)
        base = pl.DataFrame({"aid": att["aid"], "uid": att["uid"], "t0": att["t0"]}).with_columns(
            cur=pl.coalesce([pos[b] for b in back]),
            tcur=pl.coalesce([at[b] for b in back]),
            upper=pos[nxt] if nxt is not None else _null_series(n),
        )
        base = base.filter(pl.col("cur").is_not_null()).with_columns(pl.col("cur").cast(pl.UInt32))
        if base.height == 0:
            continue
        hit = _next_match(base, _candidates(rows, j), strict_after=True)
        ok = (
            (pl.col("cuid") == pl.col("uid"))
            & (pl.col("ct") - pl.col("t0") <= window_us)
            & (pl.col("upper").is_null() | (pl.col("cpos").cast(pl.Int64) < pl.col("upper")))
        )
        if spec.steps[j].window is not None:
            ok = ok & (pl.col("ct") - pl.col("tcur") <= _us(spec.steps[j].window))
        got = hit.filter(ok)
        at[j].scatter(got["aid"], got["ct"])
        pos[j].scatter(got["aid"], got["cpos"].cast(pl.Int64))

    reached_req = [pl.when(at[j].is_not_null()).then(pl.lit(j + 1, pl.Int32)) for j in required]
    out = att.select("aid", "uid", "idx").with_columns(
        [at[j].alias(f"at_{j + 1}") for j in range(k)] + [pos[j].alias(f"p_{j + 1}") for j in range(k)]
    ).with_columns(furthest=pl.max_horizontal(reached_req) if reached_req else pl.lit(1, pl.Int32))
    return out.with_columns(void=_void(out, rows, spec, att["start"]))


def strict_attempts(rows: pl.DataFrame, spec: FunnelSpec) -> pl.DataFrame:
    """Attempts of a strict funnel: steps 1..j must be consecutive in the user's full event sequence.

    ``rows`` must hold every event (``sorted_rows(..., keep_all=True)``); step j of the attempt
    starting at position p is the event at position p + j − 1 (``shift(-(j−1))``). Exclusions never
    void a strict attempt: no event lies between consecutive events. Per-step windows apply as in
    the ordered mode.
    """
    k = len(spec.steps)
    window_us = _us(spec.window)
    reached = _bit(0) & _date_ok(pl.col("t"), spec.date_from, spec.date_to)
    cols: list[pl.Expr] = [pl.when(reached).then(pl.col("t")).alias("at_1")]
    furthest = pl.when(reached).then(pl.lit(1, pl.Int32))
    for j in range(1, k):
        tj, tprev = pl.col("t").shift(-j), pl.col("t").shift(-(j - 1))
        step_ok = (pl.col("uid").shift(-j) == pl.col("uid")) & ((pl.col("m").shift(-j) & (1 << j)) != 0)
        step_ok = step_ok & (tj - pl.col("t") <= window_us)
        if spec.steps[j].window is not None:
            step_ok = step_ok & (tj - tprev <= _us(spec.steps[j].window))
        reached = reached & step_ok.fill_null(False)
        cols.append(pl.when(reached).then(tj).alias(f"at_{j + 1}"))
        furthest = pl.when(reached).then(pl.lit(j + 1, pl.Int32)).otherwise(furthest)
    att = rows.select("uid", "idx", "pos", *cols, furthest=furthest).filter(pl.col("furthest").is_not_null())
    places = [pl.when(pl.col(f"at_{j + 1}").is_not_null()).then(pl.col("pos").cast(pl.Int64) + j).alias(f"p_{j + 1}")
              for j in range(k)]  # step j of the attempt is the event j − 1 places after its start
    att = att.with_columns(places).drop("pos").with_row_index("aid")
    return att.with_columns(void=_void(att, rows, spec, att["p_1"]))


def any_attempts(rows: pl.DataFrame, spec: FunnelSpec) -> pl.DataFrame:
    """Attempts of an any-order funnel: each step occurrence starts one, its window [t0, t0 + window].

    The steps completed are those with an occurrence in the window (each step once; the spec
    guarantees no event can match two steps). Funnel row j is reached at the moment the j-th
    distinct step was completed, so ``at_j`` is the j-th smallest first-occurrence time and
    ``furthest`` the number of steps completed. Occurrences at exactly t0 but earlier in file order
    count (found from the start of the tie group).
    """
    k = len(spec.steps)
    window_us = _us(spec.window)
    first_of_tie = ((pl.col("uid") != pl.col("uid").shift(1)) | (pl.col("t") != pl.col("t").shift(1))).fill_null(True)
    starts = rows.with_columns(tie0=pl.when(first_of_tie).then(pl.col("pos")).forward_fill()).filter(
        ((pl.col("m") & ((1 << _X_FIRST) - 1)) != 0) & _date_ok(pl.col("t"), spec.date_from, spec.date_to)
    )
    att = starts.select("uid", "idx", "tie0", "pos", t0="t").with_row_index("aid")
    probe = att.select("aid", "uid", "t0", cur="tie0")
    firsts, places = [], []
    for j in range(k):
        hit = _next_match(probe, _candidates(rows, j), strict_after=False)
        ok = (pl.col("cuid") == pl.col("uid")) & (pl.col("ct") - pl.col("t0") <= window_us)
        got = hit.select(pl.when(ok).then(pl.col("ct")).alias(f"f{j}"), pl.when(ok).then(pl.col("cpos").cast(pl.Int64)).alias(f"p_{j + 1}"))
        firsts.append(got[f"f{j}"])
        places.append(got[f"p_{j + 1}"])  # by step identity (at_j are sorted, places are not)
    times = _sorted_columns(pl.DataFrame(firsts))
    out = att.select("aid", "uid", "idx").with_columns(
        [times[f"f{j}"].alias(f"at_{j + 1}") for j in range(k)] + places
    ).with_columns(furthest=pl.sum_horizontal([pl.col(f"at_{j + 1}").is_not_null() for j in range(k)]).cast(pl.Int32))
    return out.with_columns(void=_void(out, rows, spec, att["pos"]))


def _sorted_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Sort each row's values across the columns ``f0..f(k−1)``, nulls last.

    An odd–even transposition network: k rounds of compare-exchanges between neighbouring columns
    (a few column-wide min/max per round; much faster than per-row ``list.sort``).
    """
    k = frame.width
    big = pl.lit(2**63 - 1, pl.Int64)
    frame = frame.select(pl.col(f"f{j}").fill_null(big) for j in range(k))
    for r in range(k):
        swaps = {}
        for i in range(r % 2, k - 1, 2):
            a, b = pl.col(f"f{i}"), pl.col(f"f{i + 1}")
            swaps[f"f{i}"], swaps[f"f{i + 1}"] = pl.min_horizontal(a, b), pl.max_horizontal(a, b)
        if swaps:
            frame = frame.with_columns(**swaps)
    return frame.select(pl.when(pl.col(f"f{j}") != big).then(pl.col(f"f{j}")).alias(f"f{j}") for j in range(k))


def best_attempts(attempts: pl.DataFrame, rule: str = "between") -> pl.DataFrame:
    """Each user's counted attempt.

    ``between`` (default): the furthest among non-void attempts, the first such on ties; a void
    attempt is ignored and the user counts at their best clean one. Attempts come sorted by user.
    With K = uid · 32 + furthest (0 when void), a running maximum of K stays within the current user
    (earlier users have smaller K), so the user's maximum is the running maximum at their last row,
    and their counted attempt is the first row where K reaches it. Streaming column operations, no
    group-by.

    ``posthog``: the furthest step is taken over *all* attempts, void ones included; the counted
    attempt is the first clean attempt reaching it, and a user whose furthest step was reached only by
    void attempts is not counted at all (no falling back to a shorter clean attempt).
    """
    if not attempts["uid"].is_sorted():
        attempts = attempts.sort("uid", "aid")
    if rule == "posthog":
        top = pl.col("furthest").max().over("uid")
        kept = attempts.filter((pl.col("furthest") == top) & ~pl.col("void") & (pl.col("furthest") > 0))
        return kept.filter(pl.col("uid").is_first_distinct())
    key = pl.col("uid").cast(pl.Int64) * 32 + pl.when(pl.col("void")).then(0).otherwise(pl.col("furthest").cast(pl.Int64))
    last = (pl.col("uid") != pl.col("uid").shift(-1)).fill_null(True)
    user_max = pl.when(last).then(pl.col("_run")).backward_fill()
    first_reach = pl.col("_run").shift(1).fill_null(-1) < pl.col("_k")
    return (
        attempts.with_columns(_k=key)
        .with_columns(_run=pl.col("_k").cum_max())
        .filter((pl.col("_k") == user_max) & first_reach & (pl.col("_k") % 32 > 0))
        .drop("_k", "_run")
    )
