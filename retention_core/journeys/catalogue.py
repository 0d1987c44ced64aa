"""What an event log holds, for building a funnel (SPEC §5): event names, a suggested funnel, properties.

A user's events are taken in order of ``(occurred_at, seq)`` (``seq`` missing: row order), and an
event's *first position* for a user is the 0-based index of that user's first occurrence of it.
"""

from __future__ import annotations

import polars as pl

from retention_core.errors import ColumnNotFoundError, ParameterError

BASE_COLUMNS = ("user_id", "event", "occurred_at", "seq")
_REQUIRED = ("user_id", "event", "occurred_at")


def _check(events: pl.DataFrame) -> None:
    for column in _REQUIRED:
        if column not in events.columns:
            raise ColumnNotFoundError.from_missing(column, events.columns, role="events")


def _first_positions(events: pl.DataFrame) -> pl.DataFrame:
    """One row per (user, event): ``user_id``, ``event``, ``position`` (first position, UInt32)."""
    seq = pl.col("seq") if "seq" in events.columns else pl.int_range(pl.len())
    return (
        events.select("user_id", "event", "occurred_at", _seq=seq)
        .filter(pl.col("user_id").is_not_null() & pl.col("event").is_not_null() & pl.col("occurred_at").is_not_null())
        .sort("user_id", "occurred_at", "_seq")
        .with_columns(position=pl.int_range(pl.len(), dtype=pl.UInt32).over("user_id"))
        .group_by("user_id", "event")
        .agg(pl.col("position").min())
    )


def event_catalogue(events: pl.DataFrame) -> pl.DataFrame:
    """Event names with how often they occur and where they typically come in a user's sequence.

    occurrences(e) = rows with event e; users(e) = distinct users with e; median_first_position(e)
    = median over users(e) of the first position of e (0 = the user's first event).

    Returns
    -------
    pl.DataFrame
        ``event`` (String), ``occurrences`` (Int64), ``users`` (Int64), ``median_first_position``
        (Float64); most frequent first (ties by event name).

    Raises
    ------
    ColumnNotFoundError
        ``user_id``, ``event`` or ``occurred_at`` is missing.

    Examples
    --------
    a: visit, view, view; b: visit, buy. view is first seen at position 1 (a), buy at 1 (b).

    >>> ev = pl.DataFrame({"user_id": ["a", "a", "a", "b", "b"],
    ...     "event": ["visit", "view", "view", "visit", "buy"],
    ...     "occurred_at": [datetime(2024, 1, 1, h) for h in (1, 2, 3, 1, 2)]})
    >>> event_catalogue(ev).rows()
    [('view', 2, 1, 1.0), ('visit', 2, 2, 0.0), ('buy', 1, 1, 1.0)]
    """
    _check(events)
    firsts = _first_positions(events).group_by("event").agg(
        users=pl.len().cast(pl.Int64), median_first_position=pl.col("position").median().cast(pl.Float64)
    )
    counts = events.filter(pl.col("event").is_not_null()).group_by("event").agg(occurrences=pl.len().cast(pl.Int64))
    return (
        counts.join(firsts, on="event", how="left")
        .with_columns(pl.col("users").fill_null(0))
        .select("event", "occurrences", "users", "median_first_position")
        .sort(["occurrences", "event"], descending=[True, False])
    )


def suggested_steps(
    events: pl.DataFrame, *, max_steps: int = 5, candidates: int = 15, nested_share: float = 0.9
) -> tuple[str, ...]:
    """A typical funnel of the log: the longest chain of events, each done after the previous one.

    Event b *follows* a when at least ``nested_share`` of users(b) had their first a before their
    first b. Among the ``candidates`` events with the most users, the chain is the longest path of
    "follows" links (ties: more users over the chain), taken in order of median first position and
    cut to ``max_steps``. Without such a chain of two events: the ``max_steps`` events with the most
    users, in order of median first position.

    Returns
    -------
    tuple[str, ...]
        Event names (fewer than 2 only when the log has fewer than 2 event names).

    Raises
    ------
    ParameterError
        ``max_steps`` < 2, ``candidates`` < 2, or ``nested_share`` not in (0.5, 1].
    ColumnNotFoundError
        ``user_id``, ``event`` or ``occurred_at`` is missing.

    Examples
    --------
    Everyone visits first; a and b view, a then buys; c and d search (more users than buy, but
    neither buyer searched first). Chain: visit → view → buy.

    >>> ev = pl.DataFrame({"user_id": ["a", "a", "a", "b", "b", "c", "c", "d", "d"],
    ...     "event": ["visit", "view", "buy", "visit", "view", "visit", "search", "visit", "search"],
    ...     "occurred_at": [datetime(2024, 1, 1, h) for h in (1, 2, 3, 1, 2, 1, 2, 1, 2)]})
    >>> suggested_steps(ev)
    ('visit', 'view', 'buy')
    """
    _check(events)
    if not isinstance(max_steps, int) or max_steps < 2:
        raise ParameterError("max_steps", max_steps, "an integer of at least 2")
    if not isinstance(candidates, int) or candidates < 2:
        raise ParameterError("candidates", candidates, "an integer of at least 2")
    if not 0.5 < nested_share <= 1:
        raise ParameterError("nested_share", nested_share, "a share above 0.5 and at most 1")
    firsts = _first_positions(events)
    top = (
        firsts.group_by("event")
        .agg(users=pl.len(), median=pl.col("position").median())
        .sort(["users", "event"], descending=[True, False])
        .head(candidates)
        .sort(["median", "users", "event"], descending=[False, True, False])  # the chain's direction
    )
    names: list[str] = top["event"].to_list()
    users = dict(zip(names, top["users"].to_list(), strict=True))
    wide = firsts.filter(pl.col("event").is_in(names)).group_by("user_id").agg(
        pl.col("position").filter(pl.col("event") == e).min().alias(str(i)) for i, e in enumerate(names)
    )
    pairs = [(i, j) for i in range(len(names)) for j in range(i + 1, len(names))]
    before = wide.select((pl.col(str(i)) < pl.col(str(j))).sum().alias(f"{i}-{j}") for i, j in pairs).row(0) if pairs else ()
    follows = {(i, j) for (i, j), n in zip(pairs, before, strict=True) if n >= nested_share * users[names[j]]}
    # Longest chain over the (at most `candidates`) event names; the loop is over names, not rows.
    best: list[tuple[int, int, list[int]]] = []  # per name: (length, users on the chain, chain)
    for j in range(len(names)):
        options = [(best[i][0] + 1, best[i][1] + users[names[j]], [*best[i][2], j]) for i in range(j) if (i, j) in follows]
        best.append(max(options, key=lambda o: (o[0], o[1]), default=(1, users[names[j]], [j])))
    chain = max(best, key=lambda o: (o[0], o[1]), default=(0, 0, []))[2]
    if len(chain) < 2:
        frequent = top.sort(["users", "event"], descending=[True, False]).head(max_steps)["event"].to_list()
        return tuple(n for n in names if n in frequent)
    return tuple(names[i] for i in chain[:max_steps])


def event_properties(events: pl.DataFrame, *, max_values: int = 50) -> dict[str, list[str]]:
    """Property columns of an event log with their most frequent values (for breakdowns and step filters).

    Property columns are all columns but ``user_id``, ``event``, ``occurred_at`` and ``seq``; values
    are compared as text (as :class:`~retention_core.journeys.spec.FunnelStep` filters do), most
    frequent first (ties by value), nulls left out, at most ``max_values`` per column.

    Raises
    ------
    ParameterError
        ``max_values`` < 1.

    Examples
    --------
    >>> ev = pl.DataFrame({"user_id": ["a", "b", "c"], "event": ["visit"] * 3,
    ...     "occurred_at": [datetime(2024, 1, 1)] * 3, "device": ["mobile", "desktop", "mobile"]})
    >>> event_properties(ev)
    {'device': ['mobile', 'desktop']}
    """
    if not isinstance(max_values, int) or max_values < 1:
        raise ParameterError("max_values", max_values, "an integer of at least 1")
    out: dict[str, list[str]] = {}
    for column in (c for c in events.columns if c not in BASE_COLUMNS):  # a loop over columns
        values = (
            events.select(pl.col(column).cast(pl.String).alias("value"))
            .drop_nulls()
            .group_by("value")
            .agg(n=pl.len())
            .sort(["n", "value"], descending=[True, False])
            .head(max_values)
        )
        out[column] = values["value"].to_list()
    return out
