"""Paths (SPEC §5): the most frequent sequences of up to D events after a start event (or before an
end event), and the links of a Sankey diagram of them.

Definitions: each user's events in order of ``(occurred_at, seq)``. The anchor is the user's
*first* occurrence of the start (end) event; the path is the anchor followed by the next ``depth``
events (or the ``depth`` events before it, then the anchor). Consecutive repeats are kept
(``view → view → cart`` is its own path: a repeated view is behaviour worth seeing). Users without
the anchor event have no path. A user whose log ends sooner has a shorter path.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from retention_core.errors import ColumnNotFoundError, ParameterError
from retention_core.runs import sort_runs

OTHER = "other"
ARROW = " → "
_REQUIRED = ("user_id", "event", "occurred_at")


@dataclass(frozen=True)
class Paths:
    """``sequences``: the top paths plus an ``other`` row; ``links``: Sankey links (see :func:`top_paths`)."""

    sequences: pl.DataFrame
    links: pl.DataFrame


def top_paths(
    events: pl.DataFrame,
    *,
    start_event: str | None = None,
    end_event: str | None = None,
    depth: int = 4,
    top: int = 10,
) -> Paths:
    """The ``top`` most frequent paths of up to ``depth`` events after ``start_event`` (or before ``end_event``).

    share(path) = users(path) / users with the anchor event. Paths beyond the ``top`` most frequent
    are summed into one row ``other``. Links count users moving from one event to the next, per
    step; at each step, events outside that step's ``top`` most frequent are shown as ``other``.

    Parameters
    ----------
    events
        Canonical events frame (``user_id``, ``event``, ``occurred_at``, ``seq`` if present).
    start_event, end_event
        Exactly one of them: the anchor event.
    depth
        Events after (before) the anchor, ≥ 1.
    top
        Paths listed individually (and nodes per step in the links), ≥ 1.

    Returns
    -------
    Paths
        ``sequences``: ``path`` (String, events joined by " → ", or ``other``), ``events``
        (List[String], null for ``other``), ``users`` (Int64), ``share`` (Float64), most frequent
        first (ties by path). ``links``: ``source``, ``target`` (String nodes ``"step i: event"``,
        i = offset from the anchor: 0 is the anchor, negative before it), ``source_step``,
        ``target_step`` (Int32), ``source_event``, ``target_event``, ``value`` (Int64 users).

    Raises
    ------
    ParameterError
        Neither or both anchors given, or ``depth`` / ``top`` below 1.
    ColumnNotFoundError
        A required column is missing.

    Examples
    --------
    a: visit → view → cart; b: visit → view → view; c: visit → cart; d never visits.

    >>> ev = pl.DataFrame({"user_id": ["a", "a", "a", "b", "b", "b", "c", "c", "d"],
    ...     "event": ["visit", "view", "cart", "visit", "view", "view", "visit", "cart", "view"],
    ...     "occurred_at": [datetime(2024, 1, 1, h) for h in (1, 2, 3, 1, 2, 3, 1, 2, 1)]})
    >>> p = top_paths(ev, start_event="visit", depth=2, top=2)
    >>> p.sequences.select("path", "users").rows()
    [('visit → cart', 1), ('visit → view → cart', 1), ('other', 1)]
    >>> p.links.filter(pl.col("source_step") == 0).select("source", "target", "value").rows()
    [('step 0: visit', 'step 1: view', 2), ('step 0: visit', 'step 1: cart', 1)]
    """
    if (start_event is None) == (end_event is None):
        raise ParameterError("start_event/end_event", (start_event, end_event), "exactly one of start_event or end_event")
    for name, value in (("depth", depth), ("top", top)):
        if not isinstance(value, int) or value < 1:
            raise ParameterError(name, value, "an integer of at least 1")
    for column in _REQUIRED:
        if column not in events.columns:
            raise ColumnNotFoundError.from_missing(column, events.columns, role="events")

    anchor = start_event if start_event is not None else end_event
    steps = _path_steps(events, anchor, depth, after=start_event is not None)
    return Paths(_sequences(steps, top), _links(steps, top))


def _path_steps(events: pl.DataFrame, anchor: str | None, depth: int, *, after: bool) -> pl.DataFrame:
    """One row per (user, step) of each user's path: ``user_id``, ``step`` (offset), ``event``."""
    seq = pl.col("seq") if "seq" in events.columns else pl.int_range(pl.len())
    rows = sort_runs(
        events.select("user_id", "event", "occurred_at", _seq=seq)
        .filter(pl.col("user_id").is_not_null() & pl.col("occurred_at").is_not_null() & pl.col("event").is_not_null()),
        "user_id", ["occurred_at", "_seq"],
    ).with_row_index("_pos")
    first = (pl.col("user_id") != pl.col("user_id").shift(1)).fill_null(True)
    rows = rows.with_columns(_i=pl.col("_pos") - pl.when(first).then(pl.col("_pos")).forward_fill())
    anchors = rows.filter(pl.col("event") == anchor).group_by("user_id").agg(_a=pl.col("_i").min())
    offset = pl.col("_i").cast(pl.Int64) - pl.col("_a").cast(pl.Int64)
    keep = offset.is_between(0, depth) if after else offset.is_between(-depth, 0)
    return (
        rows.join(anchors, on="user_id")
        .filter(keep)
        .select("user_id", step=offset.cast(pl.Int32), event=pl.col("event").cast(pl.String))
        .sort("user_id", "step")
    )


def _sequences(steps: pl.DataFrame, top: int) -> pl.DataFrame:
    paths = steps.group_by("user_id", maintain_order=True).agg(events=pl.col("event"))
    total = paths.height
    counts = (
        paths.group_by("events")
        .agg(users=pl.len().cast(pl.Int64))
        .with_columns(path=pl.col("events").list.join(ARROW))
        .sort(["users", "path"], descending=[True, False])
    )
    head = counts.head(top)
    rest = counts.slice(top)
    parts = [head.select("path", "events", "users")]
    if rest.height:
        parts.append(
            pl.DataFrame(
                {"path": [OTHER], "events": [None], "users": [int(rest["users"].sum())]},
                schema={"path": pl.String, "events": pl.List(pl.String), "users": pl.Int64},
            )
        )
    out = pl.concat(parts)
    return out.with_columns(share=pl.col("users") / total if total else pl.lit(None, pl.Float64))


def _links(steps: pl.DataFrame, top: int) -> pl.DataFrame:
    ranked = (
        steps.group_by("step", "event")
        .agg(n=pl.len())
        .with_columns(r=pl.col("n").rank("ordinal", descending=True).over("step"))
        .sort("step", "n", "event", descending=[False, True, False])
    )
    # ties in count: alphabetical order decides which events keep their own node
    ranked = ranked.with_columns(r=pl.int_range(pl.len()).over("step"))
    keep = ranked.filter(pl.col("r") < top).select("step", "event", _keep=pl.lit(True))
    node = (
        steps.join(keep, on=["step", "event"], how="left")
        .with_columns(event=pl.when(pl.col("_keep")).then(pl.col("event")).otherwise(pl.lit(OTHER)))
        .drop("_keep")
        .sort("user_id", "step")
    )
    same_user = pl.col("user_id") == pl.col("user_id").shift(-1)
    pairs = node.with_columns(target_step=pl.col("step").shift(-1), target_event=pl.col("event").shift(-1)).filter(same_user)
    links = (
        pairs.group_by(source_step="step", source_event="event", target_step="target_step", target_event="target_event")
        .agg(value=pl.len().cast(pl.Int64))
        .sort(["source_step", "value", "source_event", "target_event"], descending=[False, True, False, False])
    )
    label = lambda s, e: pl.format("step {}: {}", pl.col(s), pl.col(e))  # noqa: E731
    return links.select(
        source=label("source_step", "source_event"),
        target=label("target_step", "target_event"),
        source_step=pl.col("source_step").cast(pl.Int32),
        target_step=pl.col("target_step").cast(pl.Int32),
        source_event="source_event",
        target_event="target_event",
        value="value",
    )
