"""The whole network's relationship graph, in memory, loaded once per process
and kept in step with the database one committed event at a time.

Warm intros, who-to-ask and context nudges must answer while a page loads, over
100,000 members and a million connections; joins over the connection table
cannot. So the process loads `domain.graph.RelationshipGraph` once, on first
use (`index()`), with plain column selects streamed straight off the driver's
cursor (no ORM objects), and then follows what commits.

It follows through the event bus (`marketplace.events`): the services that
change what the graph shows publish events -- a connection changed or warmed
(`network/connections`, `network/interactions`), help given, IOUs owed,
tags and availability edited, contexts posted or closed, two members flagged
as a review ring -- and this module subscribes to them when it is imported.
An event this worker committed carries the new values and is applied as it
is (`apply_connection`, `apply_interaction`, `apply_tags`, `apply_help`,
`apply_owed`, `apply_availability`, `apply_context`, `withdraw_context`; a
flagged ring is read back, since the help to recount is in the database);
one another worker committed names only the rows, which are re-read from
the database. Events of a rolled-back
transaction or savepoint never arrive: the graph never shows what the database
does not hold.

Each apply sets absolute values from the row (warmth and its time, status),
so applying twice is harmless. One lock guards the graph: queries take it too
(they run in milliseconds), so no reader sees half a change. Nothing outside
the network package imports this module: the others publish events, and read
the graph through the network's services (`graph_views`, `nudges`, ...).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, func, literal_column, or_, select

from marketplace import events
from marketplace.adapters.clock import Clock, system_clock
from marketplace.db import get_engine, read_only_engine
from marketplace.domain.contexts import ContextBoard, ContextSignal
from marketplace.domain.graph import Candidate, Nudge, RelationshipGraph, WarmPath
from marketplace.domain.strength import ordered_pair
from marketplace.market import reputation
from marketplace.models import (
    Connection,
    Context,
    ContextTag,
    Engagement,
    Iou,
    Member,
    MemberTag,
)
from marketplace.settings import get_settings

ACCEPTED = "accepted"
CONNECTION = Connection.__table__
STREAM_BATCH = 50_000
_lock = threading.RLock()
log = logging.getLogger(__name__)


@dataclass
class NetworkIndex:
    """The in-memory graph, the open contexts, and how long loading took."""

    graph: RelationshipGraph
    contexts: ContextBoard
    load_seconds: float = 0.0


_index: NetworkIndex | None = None


# --------------------------------------------------------------------------- loading


def index() -> NetworkIndex:
    """The process-wide index, loaded from the database on first use."""
    global _index
    current = _index
    if current is not None:
        return current
    with _lock:
        if _index is None:
            engine = get_engine()
            # Hear the other workers before loading, so that each of their
            # changes is in the snapshot or arrives afterwards (re-reading
            # one twice is harmless).
            events.follow_other_workers(engine)
            _index = load_index(engine)
        return _index


def use_index(replacement: NetworkIndex | None) -> None:
    """Install an index (a benchmark's, a test's), or drop it (None) so the
    next use loads afresh -- after pointing the app at another database."""
    global _index
    with _lock:
        _index = replacement


def lock() -> threading.RLock:
    """Hold it while reading several things off the graph, so no change lands
    half-way through (the query functions here take it themselves)."""
    return _lock


def is_loaded() -> bool:
    return _index is not None


def load_index(
    engine: Engine | None = None,
    *,
    half_life_days: float | None = None,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> NetworkIndex:
    """Read the graph from the database: accepted connections with their
    warmth, members' tags, availability, help given and received, open IOUs
    and open contexts. Bulk reads only; nothing is written."""
    started = time.perf_counter()
    say = progress or (lambda _message: None)
    half_life = half_life_days or get_settings().graph_half_life_days
    graph, board = RelationshipGraph(half_life), ContextBoard()
    # One read-only snapshot: edges, tags and contexts agree with each other.
    with read_only_engine(engine).connect() as conn, conn.begin():
        edges = graph.add_edges(_stream(conn, _edges_query(conn.dialect.name)))
        say(f"{edges:,} connections in {time.perf_counter() - started:.1f}s")
        _load_tags(conn, graph)
        _load_people(conn, graph)
        _load_rings(conn, graph)
        say(f"tags and give/get history in {time.perf_counter() - started:.1f}s")
        for signal in _open_contexts(conn, today or date.today()):
            board.put(signal)
    return NetworkIndex(graph, board, time.perf_counter() - started)


def _stream(conn, statement) -> Iterator[tuple]:
    """Rows of a Core select as plain tuples off the driver's cursor: no
    result objects, and on PostgreSQL a server-side cursor so a million rows
    never sit in memory at once. Only for ints, floats and text."""
    sql = str(statement.compile(conn, compile_kwargs={"literal_binds": True}))
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        cursor = raw.cursor(name=f"graph_load_{uuid.uuid4().hex[:8]}")
        cursor.itersize = STREAM_BATCH
    else:
        cursor = raw.cursor()
    try:
        cursor.execute(sql)
        while batch := cursor.fetchmany(STREAM_BATCH):
            yield from batch
    finally:
        cursor.close()


def _epoch_seconds(column, dialect: str):
    """A timestamp column as POSIX seconds (a float), computed by the database."""
    if dialect == "postgresql":
        return literal_column(
            f"CAST(EXTRACT(EPOCH FROM {column.name}) AS double precision)"
        )
    return (func.julianday(column) - 2440587.5) * 86400.0


def _edges_query(dialect: str):
    c = CONNECTION.c
    return select(
        c.requester_id, c.addressee_id, c.warmth, _epoch_seconds(c.warmth_at, dialect)
    ).where(c.status == ACCEPTED)


def _load_tags(conn, graph: RelationshipGraph, only: int | None = None) -> None:
    """Active members' tags: a suspended member matches no request, so no
    suggestion names them (accounts/moderation.py)."""
    t, m = MemberTag.__table__.c, Member.__table__.c
    active = select(m.id).where(m.status == "active")
    query = (
        select(t.member_id, t.kind, t.tag)
        .where(t.kind.in_(("give", "background")), t.member_id.in_(active))
        .order_by(t.member_id)
    )
    if only is not None:
        graph.set_tags(only, (), ())  # a member whose last tag went has no rows
        query = query.where(t.member_id == only)
    member, give, background = None, [], []
    for member_id, kind, tag in _stream(conn, query):
        if member_id != member:
            if member is not None:
                graph.set_tags(member, give, background)
            member, give, background = member_id, [], []
        (give if kind == "give" else background).append(tag)
    if member is not None:
        graph.set_tags(member, give, background)


def _load_people(conn, graph: RelationshipGraph) -> None:
    """Availability, help given and received, and open IOUs between pairs."""
    m = Member.__table__.c
    away = select(m.id, m.availability).where(m.availability != "open")
    for member_id, availability in conn.execute(away):
        graph.set_availability(member_id, availability)
    e = Engagement.__table__.c
    given = _help_per(conn, e.helper_id)
    got = _help_per(conn, e.asker_id)
    for member_id in given.keys() | got.keys():
        graph.set_give_counts(member_id, given.get(member_id, 0), got.get(member_id, 0))
    i = Iou.__table__.c
    owed = select(i.debtor_id, i.creditor_id, func.count()).where(i.status == "open")
    for debtor, creditor, count in conn.execute(
        owed.group_by(i.debtor_id, i.creditor_id)
    ):
        graph.set_owed(debtor, creditor, count)


def _helped():
    """SQL: engagements that count as help given -- confirmed, or disputed
    and released to the helper: the same moves that call `apply_help`
    (market/engagements.py)."""
    e = Engagement.__table__.c
    return (e.status == "confirmed") | (
        (e.status == "resolved") & (e.resolution == "release")
    )


def _help_per(conn, member_column) -> dict[int, int]:
    """Help given (received) per helper (or per asker)."""
    query = select(member_column, func.count()).where(_helped())
    return dict(conn.execute(query.group_by(member_column)).all())


def _help_of(conn, members: Collection[int]) -> dict[int, tuple[int, int]]:
    """Help each member gave and received, leaving out what went between
    them and anyone they are a flagged ring with (two statements however
    many members: a confirmed engagement recounts both parties)."""
    ids = sorted(set(members))
    if not ids:
        return {}
    partners: dict[int, set[int]] = {member_id: set() for member_id in ids}
    for a, b in conn.execute(reputation.ring_pairs_query(ids)).all():
        partners.setdefault(a, set()).add(b)
        partners.setdefault(b, set()).add(a)
    e = Engagement.__table__.c
    per_pair = (
        select(e.helper_id, e.asker_id, func.count())
        .where(_helped(), or_(e.helper_id.in_(ids), e.asker_id.in_(ids)))
        .group_by(e.helper_id, e.asker_id)
    )
    given = dict.fromkeys(ids, 0)
    got = dict.fromkeys(ids, 0)
    for helper, asker, count in conn.execute(per_pair):
        if helper in given and asker not in partners[helper]:
            given[helper] += count
        if asker in got and helper not in partners[asker]:
            got[asker] += count
    return {member_id: (given[member_id], got[member_id]) for member_id in ids}


def _ring_partners(conn, member_id: int) -> set[int]:
    rows = conn.execute(reputation.ring_pairs_query(member_id)).all()
    return {b if a == member_id else a for a, b in rows}


def _load_rings(conn, graph: RelationshipGraph) -> None:
    """Flagged pairs (market/reputation.py): their tie is muted, and their
    give counts are re-read without their help to each other."""
    members: set[int] = set()
    for a, b in conn.execute(reputation.ring_pairs_query()).all():
        graph.mute(a, b)
        members |= {a, b}
    for member_id, counts in _help_of(conn, members).items():
        graph.set_give_counts(member_id, *counts)


def _open_contexts(conn, today: date, only: int | None = None) -> list[ContextSignal]:
    c, m, t = Context.__table__.c, Member.__table__.c, ContextTag.__table__.c
    is_open = (c.status == "open") & (or_(c.ends_on.is_(None), c.ends_on >= today))
    if only is not None:
        is_open &= c.id == only
    rows = conn.execute(
        select(
            c.id, c.member_id, m.display_name, c.kind, c.title, c.starts_on, c.ends_on
        )
        .join(Member.__table__, m.id == c.member_id)
        .where(is_open)
    ).all()
    tags: dict[int, set[str]] = {}
    for context_id, tag in conn.execute(
        select(t.context_id, t.tag).join(Context.__table__).where(is_open)
    ):
        tags.setdefault(context_id, set()).add(tag)
    return [
        ContextSignal(
            id=row.id,
            member_id=row.member_id,
            owner_name=row.display_name,
            kind=row.kind,
            title=row.title,
            tags=frozenset(tags.get(row.id, ())),
            starts_on=row.starts_on,
            ends_on=row.ends_on,
        )
        for row in rows
    ]


# --------------------------------------------------------------------------- changes


def _change(work: Callable[[RelationshipGraph, ContextBoard], None]) -> None:
    """Apply one change to the loaded index; before loading there is nothing
    to keep in step (the load will read the change from the database)."""
    with _lock:
        if _index is not None:
            work(_index.graph, _index.contexts)


def apply_connection(
    requester_id: int,
    addressee_id: int,
    status: str,
    warmth: float = 0.0,
    warmth_at: datetime | None = None,
) -> None:
    """Bring one connection's edge in line with its row: accepted adds it (or
    resets its warmth cache); any other status (declined, removed, blocked,
    ...) takes it out."""
    if status == ACCEPTED:
        _change(lambda g, _: g.add_edge(requester_id, addressee_id, warmth, warmth_at))
    else:
        _change(lambda g, _: g.remove_edge(requester_id, addressee_id))


def apply_interaction(a: int, b: int, warmth: float, warmth_at: datetime) -> None:
    """Set the warmth cache of the connection a-b (after an interaction),
    if they are connected."""

    def work(graph: RelationshipGraph, _board) -> None:
        if graph.has_edge(a, b):
            graph.add_edge(a, b, warmth, warmth_at)

    _change(work)


def apply_tags(
    member_id: int, expertise: Iterable[str], background: Iterable[str]
) -> None:
    expertise, background = list(expertise), list(background)
    _change(lambda g, _: g.set_tags(member_id, expertise, background))


def apply_help(helper_id: int, asker_id: int) -> None:
    """One more confirmed engagement: the helper gave, the asker received."""
    _change(lambda g, _: g.record_help(helper_id, asker_id))


def apply_owed(debtor_id: int, creditor_id: int, open_ious: int) -> None:
    _change(lambda g, _: g.set_owed(debtor_id, creditor_id, open_ious))


def apply_availability(member_id: int, availability: str) -> None:
    _change(lambda g, _: g.set_availability(member_id, availability))


def apply_context(signal: ContextSignal) -> None:
    """A context posted or edited: nudges see it from now on."""
    _change(lambda _, board: board.put(signal))


def withdraw_context(context_id: int) -> None:
    """A context closed or deleted: no more nudges about it."""
    _change(lambda _, board: board.remove(context_id))


# --------------------------------------------------------------- following events


def _follow(event: events.Event) -> None:
    """Bring the loaded graph in line with one committed event: apply the
    values this worker committed, re-read the rows another worker did."""
    apply, reread = _FOLLOWS[event.topic]
    try:
        if event.local:
            apply(event)
        else:
            _reread(reread, event.ids())
    except Exception:
        # The transaction has committed: the database is right and only the
        # copy is wrong. Drop it; the next query loads it afresh.
        log.exception("graph index: %s did not apply; reloading", event.topic)
        use_index(None)


def _start_afresh(_event: events.Event) -> None:
    """Bulk changes, or a feed that dropped: load the graph again when next used."""
    use_index(None)


def _reread(reread: Callable[..., None], ids: tuple[int, ...]) -> None:
    """Reads under the graph lock, so a change this worker commits meanwhile
    applies after the read, never under it."""
    with _lock:
        current = _index
        if current is None:
            return  # the next load reads it anyway
        with read_only_engine().connect() as conn, conn.begin():
            reread(conn, current, *ids)


def _reread_pair(conn, current: NetworkIndex, a: int, b: int) -> None:
    """The connection a-b (edge and warmth) and the open IOUs both ways."""
    low, high = ordered_pair(a, b)
    edge = conn.execute(
        _edges_query(conn.dialect.name)
        .where(between(low, high))
        .order_by(CONNECTION.c.id)
        .limit(1)
    ).first()
    graph = current.graph
    if edge is None:
        graph.remove_edge(a, b)
    else:
        graph.add_edges([tuple(edge)])
    i = Iou.__table__.c
    for debtor, creditor in ((a, b), (b, a)):
        count = conn.execute(
            select(func.count()).where(
                i.status == "open", i.debtor_id == debtor, i.creditor_id == creditor
            )
        ).scalar_one()
        graph.set_owed(debtor, creditor, count)


def _reread_member(conn, current: NetworkIndex, member_id: int) -> None:
    """A member's give and background tags and availability."""
    graph = current.graph
    _load_tags(conn, graph, only=member_id)
    m = Member.__table__.c
    availability = conn.execute(
        select(m.availability).where(m.id == member_id)
    ).scalar_one_or_none()
    graph.set_availability(member_id, availability or "open")


def _reread_help(conn, current: NetworkIndex, *members: int) -> None:
    for member_id, counts in _help_of(conn, members).items():
        current.graph.set_give_counts(member_id, *counts)


def _reread_ring(conn, current: NetworkIndex, a: int, b: int) -> None:
    """A pair just flagged: mute their tie, recount their help."""
    if b in _ring_partners(conn, a):
        current.graph.mute(a, b)
    _reread_help(conn, current, a, b)


def _reread_context(conn, current: NetworkIndex, context_id: int) -> None:
    found = _open_contexts(conn, date.today(), only=context_id)
    if found:
        current.contexts.put(found[0])
    else:
        current.contexts.remove(context_id)


# What each topic changes: applied from the event's own values when this
# worker committed it, or re-read from the rows its key ids name.
_FOLLOWS: dict[str, tuple[Callable[[events.Event], None], Callable[..., None]]] = {
    "connections.changed": (
        lambda e: apply_connection(
            e["requester_id"],
            e["addressee_id"],
            e["status"],
            e.get("warmth", 0.0),
            e.get("warmth_at"),
        ),
        _reread_pair,
    ),
    "connections.warmed": (
        lambda e: apply_interaction(
            e["requester_id"], e["addressee_id"], e["warmth"], e["warmth_at"]
        ),
        _reread_pair,
    ),
    "ious.changed": (
        lambda e: apply_owed(e["debtor_id"], e["creditor_id"], e["open_ious"]),
        _reread_pair,
    ),
    "profiles.edited": (
        lambda e: apply_availability(e["member_id"], e["availability"]),
        _reread_member,
    ),
    "profiles.tags_replaced": (
        lambda e: apply_tags(e["member_id"], e["expertise"], e["background"]),
        _reread_member,
    ),
    "help.given": (lambda e: apply_help(e["helper_id"], e["asker_id"]), _reread_help),
    # suspended or back: their tags leave the graph or return (_load_tags)
    "members.suspended": (
        lambda e: _reread(_reread_member, e.ids()),
        _reread_member,
    ),
    # read back even here: the help to recount is in the database
    "reviews.ring_flagged": (lambda e: _reread(_reread_ring, e.ids()), _reread_ring),
    "contexts.posted": (lambda e: apply_context(e["signal"]), _reread_context),
    "contexts.closed": (lambda e: withdraw_context(e["context_id"]), _reread_context),
}
for _topic in _FOLLOWS:
    events.subscribe(_topic, _follow)
events.subscribe(events.DATA_REPLACED, _start_afresh)
events.subscribe(events.MISSED, _start_afresh)


def _after_fork() -> None:
    """A forked worker starts with no graph and a lock no other thread of the
    parent can be holding."""
    global _index, _lock
    _index, _lock = None, threading.RLock()


os.register_at_fork(after_in_child=_after_fork)


# --------------------------------------------------------------------------- warmth


def warmth_half_life() -> float:
    """How fast warmth fades: the loaded graph's (a benchmark may load one
    with its own), else the configured one. Warmth written to the database
    decays at the same rate as the graph's."""
    current = _index
    return (
        current.graph.half_life_days if current else get_settings().graph_half_life_days
    )


def between(low: int, high: int):
    """SQL: the connection rows of the pair, whoever asked."""
    c = CONNECTION.c
    return or_(
        (c.requester_id == low) & (c.addressee_id == high),
        (c.requester_id == high) & (c.addressee_id == low),
    )


# --------------------------------------------------------------------------- queries


def warm_paths(
    source: int,
    target: int,
    clock: Clock = system_clock,
    max_hops: int = 3,
    k: int = 3,
    avoid: Collection[int] = (),
) -> list[WarmPath]:
    """The warmest intro paths from source to target, none through a member
    in `avoid` (see RelationshipGraph)."""
    graph = index().graph
    with _lock:
        return graph.warm_paths(source, target, clock.now(), max_hops, k, avoid)


def intro_paths(
    source: int,
    target: int,
    clock: Clock = system_clock,
    k: int = 3,
    avoid: Collection[int] = (),
) -> list[WarmPath]:
    """The ways to ask for an intro, through mutual connections first (see
    RelationshipGraph.intro_paths)."""
    graph = index().graph
    with _lock:
        return graph.intro_paths(source, target, clock.now(), k, avoid)


def within_two_degrees(a: int, b: int) -> bool:
    """Whether b is a's connection or a connection of one (from memory)."""
    graph = index().graph
    with _lock:
        return graph.within_two_degrees(a, b)


def mutual_connections(a: int, b: int, clock: Clock = system_clock) -> list[int]:
    graph = index().graph
    with _lock:
        return graph.mutual_connections(a, b, clock.now())


def who_to_ask(
    member_id: int,
    tags: Iterable[str],
    clock: Clock = system_clock,
    limit: int = 10,
    exclude: Collection[int] = (),
) -> list[Candidate]:
    """First- and second-degree members ranked for help with these tags."""
    graph = index().graph
    with _lock:
        return graph.who_to_ask(member_id, tags, clock.now(), limit, exclude)


def who_else_to_ask(
    member_id: int,
    tags: Iterable[str],
    clock: Clock = system_clock,
    limit: int = 5,
    exclude: Collection[int] = (),
) -> list[Candidate]:
    """Members beyond two degrees ranked for help with these tags."""
    graph = index().graph
    with _lock:
        return graph.who_else_to_ask(member_id, tags, clock.now(), limit, exclude)


def context_nudges(
    member_id: int,
    clock: Clock = system_clock,
    limit: int = 10,
    skip: Collection[str] = (),
    exclude: Collection[int] = (),
) -> list[Nudge]:
    """Open contexts within two degrees that fit the member's expertise;
    `skip` holds the nudge keys the member dismissed or snoozed, `exclude`
    the owners whose contexts are not for them (blocks)."""
    current = index()
    with _lock:
        graph = current.graph
        fitting = (
            signal
            for signal in current.contexts.matching(graph.expertise(member_id))
            if signal.member_id not in exclude
        )
        return graph.context_nudges(member_id, fitting, clock.now(), limit, skip)
