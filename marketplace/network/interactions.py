"""Interactions: what two members did together, and the warmth it leaves.

Every time two members work together -- confirmed help, an intro, a review,
an IOU, a message, connecting -- the service doing it calls
`record_interaction` in its own unit of work: an `interaction` row (the
history, weighted by kind) and the warmth cache of their connection row
(`domain.strength`: warmth decays with a half-life, each interaction adds its
weight). When the pair is connected it publishes "connections.warmed", and the
in-memory graph (`graph_index`) follows once the unit of work commits.

The history is the truth: `warmth_between` re-derives a pair's warmth from it
(what a connection starts with when it is accepted after the two already
worked together), and `cold_ties` finds the connections that mattered and are
fading, for the reconnect nudges.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert, or_, select, update
from sqlmodel import Session

from marketplace import events
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import InvalidInput
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
from marketplace.models import Connection, Interaction
from marketplace.network import graph_index

ACCEPTED = "accepted"
CONNECTION = Connection.__table__
INTERACTION = Interaction.__table__
REF_MAX = 40


def record_interaction(
    session: Session,
    a: int,
    b: int,
    kind: str,
    ref: str = "",
    clock: Clock = system_clock,
    at: datetime | None = None,
) -> Warmth | None:
    """Record that a and b did something together (`kind`: engagement, intro,
    review, iou, message, connect; `ref` e.g. "engagement:12"): an interaction
    row, and the warmth cache of their connection, whatever its status, in
    the caller's transaction. The graph follows when it commits. Returns the
    new warmth, or None when they have no connection row yet (the interaction
    then counts once they connect; see `warmth_between`). `at` is when it
    happened if not now (a conversation logged the next day), never later."""
    low, high = ordered_pair(_id(a), _id(b))
    kind = check_kind(kind)
    if not isinstance(ref, str) or len(ref) > REF_MAX:
        raise InvalidInput(f"ref must be text of at most {REF_MAX} characters.", "ref")
    now = clock.now() if at is None else min(at, clock.now())
    row = {"member_a_id": low, "member_b_id": high, "kind": kind.value}
    session.execute(
        insert(INTERACTION).values(**row, weight=WEIGHTS[kind], at=now, ref=ref)
    )
    found = _locked_connection(session, low, high)
    if found is None:
        return None
    cid, requester, addressee, status, warmth, warmth_at, last = found
    new = add_interaction(
        Warmth(warmth, warmth_at), kind, now, graph_index.warmth_half_life()
    )
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
        events.publish(
            session,
            "connections.warmed",
            requester_id=requester,
            addressee_id=addressee,
            warmth=new.value,
            warmth_at=new.at,
        )
    return new


def _id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("Expected a member id.", "member")
    return value


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
    ).where(graph_index.between(low, high))
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
    return warmth_from(
        ((weight, at) for weight, at in rows), graph_index.warmth_half_life()
    )


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
    return going_cold(ties, clock.now(), graph_index.warmth_half_life())


def lock_pair(session: Session, a: int, b: int) -> None:
    """Lock a and b's connection row, if any, until the transaction ends: a
    service that decides whether an interaction counts (touchpoints: one a
    day) reads and writes under it, so two requests at once count once."""
    low, high = ordered_pair(_id(a), _id(b))
    _locked_connection(session, low, high)
