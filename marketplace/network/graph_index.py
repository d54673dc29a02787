"""The whole network's relationship graph, in memory, loaded once per process
and kept in step with the database one change at a time.

Warm intros, who-to-ask and context nudges must answer while a page loads, over
100,000 members and a million connections; joins over the connection table
cannot. So the process loads `domain.graph.RelationshipGraph` once, on first
use (`index()`), with plain column selects streamed straight off the driver's
cursor (no ORM objects), and then applies each change as it commits:

- `record_interaction(session, a, b, kind, ref)` writes the `interaction` row
  and updates the connection's warmth cache in the caller's transaction;
- `apply_connection`, `apply_interaction`, `apply_tags`, `apply_help`,
  `apply_owed`, `apply_availability`, `apply_context`, `withdraw_context`
  change the graph now; `after_commit(session, change)` defers any of them
  until the session's transaction commits, and drops it if the transaction --
  or the savepoint it was queued in -- rolls back. The graph never shows what
  the database does not hold.

Each apply sets absolute values from the row (warmth and its time, status),
so applying twice is harmless. One lock guards the graph: queries take it too
(they run in milliseconds), so no reader sees half a change.

Several worker processes each hold their own copy. Every change queued with
`after_commit` is also announced to the others (`graph_sync`, PostgreSQL
LISTEN/NOTIFY, delivered only if the transaction commits); each worker's
listener re-reads what changed (`refresh`) from the database.
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
from functools import partial

from sqlalchemy import Engine, event, func, insert, literal_column, or_, select, update
from sqlmodel import Session

from marketplace.accounts import session_cache
from marketplace.adapters.clock import Clock, system_clock
from marketplace.db import get_engine, read_only_engine
from marketplace.domain.contexts import ContextBoard, ContextSignal
from marketplace.domain.errors import InvalidInput
from marketplace.domain.graph import Candidate, Nudge, RelationshipGraph, WarmPath
from marketplace.domain.strength import (
    WEIGHTS,
    ColdTie,
    Tie,
    Warmth,
    add_interaction,
    check_kind,
    going_cold,
    ordered_pair,
    warmth_from,
)
from marketplace.models import (
    Connection,
    Context,
    ContextTag,
    Engagement,
    Interaction,
    Iou,
    Member,
    MemberTag,
)
from marketplace.network import graph_sync
from marketplace.settings import get_settings

ACCEPTED = "accepted"
CONNECTION = Connection.__table__
INTERACTION = Interaction.__table__
REF_MAX = 40
STREAM_BATCH = 50_000
_PENDING = "graph_index.pending"
_lock = threading.RLock()
log = logging.getLogger(__name__)


@dataclass
class NetworkIndex:
    """The in-memory graph, the open contexts, and how long loading took."""

    graph: RelationshipGraph
    contexts: ContextBoard
    load_seconds: float = 0.0


_index: NetworkIndex | None = None
_listener: graph_sync.Listener | None = None
FEED_READY_SECONDS = 5.0


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
            _follow_other_workers(engine)
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


def _follow_other_workers(engine: Engine) -> None:
    """Listen to the other workers' changes before loading, so that every
    change either is in the snapshot or arrives afterwards (applying one
    twice is harmless: `refresh` re-reads rows)."""
    global _listener
    if not graph_sync.is_shared(engine):
        stop_following()
        return
    dsn = graph_sync.conninfo(engine)
    if _listener is not None and _listener.dsn == dsn and _listener.is_alive():
        return
    stop_following()
    _listener = graph_sync.Listener(dsn, refresh, _lost_feed)
    _listener.start()
    if not _listener.listening.wait(FEED_READY_SECONDS):
        log.warning("graph feed not listening yet; loading anyway")


def hears_other_workers() -> bool:
    """Whether what other workers announce reaches this one now: alone on
    SQLite it always does; on PostgreSQL once the feed listens."""
    if not graph_sync.is_shared(get_engine()):
        return True
    current = _listener
    return current is not None and current.is_alive() and current.listening.is_set()


def _lost_feed() -> None:
    """Whatever the other workers announced meanwhile is lost: start afresh."""
    use_index(None)
    session_cache.clear()


def stop_following() -> None:
    """Stop listening to other workers (tests, or the app pointed elsewhere)."""
    global _listener
    if _listener is not None:
        _listener.stop()
        _listener = None


def listener() -> graph_sync.Listener | None:
    """The feed listener of this process, if it follows other workers."""
    return _listener


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
    t = MemberTag.__table__.c
    query = (
        select(t.member_id, t.kind, t.tag)
        .where(t.kind.in_(("give", "background")))
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


def _help_per(conn, member_column, only: int | None = None) -> dict[int, int]:
    """Help given (received) per helper (or per asker): engagements confirmed,
    or disputed and released to the helper -- the same moves that call
    `apply_help` (market/engagements.py)."""
    e = Engagement.__table__.c
    helped = (e.status == "confirmed") | (
        (e.status == "resolved") & (e.resolution == "release")
    )
    query = select(member_column, func.count()).where(helped)
    if only is not None:
        query = query.where(member_column == only)
    return dict(conn.execute(query.group_by(member_column)).all())


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


def forget_sessions(session: Session, member_id: int) -> None:
    """When `session` commits, every worker forgets what it remembers of this
    member's sessions (session_cache): after, not before, or a read in between
    would remember the old answer again."""
    after_commit(session, partial(session_cache.drop, [member_id]))


def after_commit(session: Session, change: Callable[[], None]) -> None:
    """Run `change` (one of the apply functions, bound to its arguments) once
    the session's transaction commits; forget it if the transaction, or the
    savepoint it was queued in, rolls back."""
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        event.listen(session, "after_commit", _apply_pending)
        event.listen(session, "after_soft_rollback", _drop_rolled_back)
    queued_in = session.get_nested_transaction() or session.get_transaction()
    pending.append((queued_in, change))
    graph_sync.announce(session, *_topic(change))


def _apply_pending(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint was released: the outer transaction may still fail
    pending = session.info.get(_PENDING) or []
    session.info[_PENDING] = []
    for _transaction, change in pending:
        try:
            change()
        except Exception:
            # The transaction has committed: the database is right and only
            # the copy is wrong. Drop it; the next query loads it afresh.
            log.exception("graph index: a committed change did not apply; reloading")
            use_index(None)


def _drop_rolled_back(session: Session, rolled_back) -> None:
    pending = session.info.get(_PENDING) or []
    session.info[_PENDING] = [
        (transaction, change)
        for transaction, change in pending
        if not _within(transaction, rolled_back)
    ]


def _within(transaction, ancestor) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


# ------------------------------------------------------------------- other workers


def _topic(change: Callable[[], None]) -> tuple[str, list[int]]:
    """What another worker must re-read after `change` (an apply function
    bound to its arguments): a topic and the ids that name the rows."""
    func, args = getattr(change, "func", None), getattr(change, "args", ())
    if func in (apply_connection, apply_interaction, apply_owed):
        return "pair", [args[0], args[1]]
    if func in (apply_tags, apply_availability):
        return "member", [args[0]]
    if func is apply_help:
        return "help", [args[0], args[1]]
    if func is apply_context:
        return "context", [args[0].id]
    if func is withdraw_context:
        return "context", [args[0]]
    if func is session_cache.drop:
        return session_cache.TOPIC, list(args[0])
    return "reload", []  # anything else (a reseed): start again from the database


def refresh(topic: str, ids: list[int]) -> None:
    """Bring the loaded graph in line with the database for what another
    worker announced. Reads under the graph lock, so a change this worker
    commits meanwhile applies after the read, never under it."""
    if topic == session_cache.TOPIC:
        session_cache.drop(ids)
        return
    reread = _REREAD.get(topic)
    if reread is None:
        use_index(None)
        return
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
        .where(_between(low, high))
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
    e = Engagement.__table__.c
    for member_id in members:
        given = _help_per(conn, e.helper_id, only=member_id).get(member_id, 0)
        got = _help_per(conn, e.asker_id, only=member_id).get(member_id, 0)
        current.graph.set_give_counts(member_id, given, got)


def _reread_context(conn, current: NetworkIndex, context_id: int) -> None:
    found = _open_contexts(conn, date.today(), only=context_id)
    if found:
        current.contexts.put(found[0])
    else:
        current.contexts.remove(context_id)


_REREAD: dict[str, Callable[..., None]] = {
    "pair": _reread_pair,
    "member": _reread_member,
    "help": _reread_help,
    "context": _reread_context,
}


def _after_fork() -> None:
    """A forked worker starts with no graph, no listener (threads do not
    survive a fork) and a lock no other thread of the parent can be holding."""
    global _index, _listener, _lock
    _index, _listener, _lock = None, None, threading.RLock()


os.register_at_fork(after_in_child=_after_fork)


# --------------------------------------------------------------------------- warmth


def _half_life() -> float:
    current = _index
    return (
        current.graph.half_life_days if current else get_settings().graph_half_life_days
    )


def record_interaction(
    session: Session,
    a: int,
    b: int,
    kind: str,
    ref: str = "",
    clock: Clock = system_clock,
) -> Warmth | None:
    """Record that a and b did something together (`kind`: engagement, intro,
    review, iou, message, connect; `ref` e.g. "engagement:12"): an interaction
    row, and the warmth cache of their connection, whatever its status, in
    the caller's transaction. The graph follows when it commits. Returns the
    new warmth, or None when they have no connection row yet (the interaction
    then counts once they connect; see `warmth_between`)."""
    low, high = ordered_pair(_id(a), _id(b))
    kind = check_kind(kind)
    if not isinstance(ref, str) or len(ref) > REF_MAX:
        raise InvalidInput(f"ref must be text of at most {REF_MAX} characters.", "ref")
    now = clock.now()
    row = {"member_a_id": low, "member_b_id": high, "kind": kind.value}
    session.execute(
        insert(INTERACTION).values(**row, weight=WEIGHTS[kind], at=now, ref=ref)
    )
    found = _locked_connection(session, low, high)
    if found is None:
        return None
    cid, requester, addressee, status, warmth, warmth_at, last = found
    new = add_interaction(Warmth(warmth, warmth_at), kind, now, _half_life())
    session.execute(
        update(CONNECTION)
        .where(CONNECTION.c.id == cid)
        .values(
            warmth=new.value,
            warmth_at=new.at,
            last_interaction_at=max(last or now, now),
        )
    )
    if status == ACCEPTED:
        after_commit(
            session, partial(apply_interaction, requester, addressee, new.value, new.at)
        )
    return new


def _id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("Expected a member id.", "member")
    return value


def _between(low: int, high: int):
    c = CONNECTION.c
    return or_(
        (c.requester_id == low) & (c.addressee_id == high),
        (c.requester_id == high) & (c.addressee_id == low),
    )


def _locked_connection(session: Session, low: int, high: int):
    """The pair's connection row, locked until the transaction ends (so two
    interactions at once add up instead of one overwriting the other)."""
    c = CONNECTION.c
    query = select(
        c.id,
        c.requester_id,
        c.addressee_id,
        c.status,
        c.warmth,
        c.warmth_at,
        c.last_interaction_at,
    ).where(_between(low, high))
    return session.execute(query.order_by(c.id).limit(1).with_for_update()).first()


def warmth_between(session: Session, a: int, b: int) -> Warmth:
    """The warmth of a and b re-derived from every interaction they had: the
    cache a connection starts with when it is accepted after they worked
    together, and what an audit compares the cache against."""
    low, high = ordered_pair(_id(a), _id(b))
    i = INTERACTION.c
    rows = session.execute(
        select(i.weight, i.at).where(i.member_a_id == low, i.member_b_id == high)
    ).all()
    return warmth_from(((weight, at) for weight, at in rows), _half_life())


def cold_ties(
    session: Session, member_id: int, clock: Clock = system_clock
) -> list[ColdTie]:
    """The member's connections that mattered and are fading, from the
    connection rows (the graph keeps no last-interaction time)."""
    c = CONNECTION.c
    rows = session.execute(
        select(c.requester_id, c.addressee_id, c.warmth, c.warmth_at).where(
            c.status == ACCEPTED,
            or_(c.requester_id == member_id, c.addressee_id == member_id),
        )
    ).all()
    ties = (Tie(b if a == member_id else a, warmth, at) for a, b, warmth, at in rows)
    return going_cold(ties, clock.now(), _half_life())


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
