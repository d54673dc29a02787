"""Degrees of connection, as SQL a query can filter on.

First degree: people with an accepted connection to me, whoever asked.
Second degree: their connections, minus me and my first degree.
"""

from __future__ import annotations

import functools

from sqlalchemy import Select, union
from sqlmodel import Session, and_, or_, select

from marketplace.db import remembered
from marketplace.models import Connection

ACCEPTED = "accepted"


@functools.lru_cache(maxsize=1024)
def first_degree(member_id: int) -> Select:
    """ids of the members connected to `member_id` (a selectable of one column).
    Kept per member (a statement is immutable): pages embed it in several
    queries each, and building the union cost more than running it."""
    asked = select(Connection.addressee_id.label("member_id")).where(
        Connection.requester_id == member_id, Connection.status == ACCEPTED
    )
    answered = select(Connection.requester_id.label("member_id")).where(
        Connection.addressee_id == member_id, Connection.status == ACCEPTED
    )
    return select(union(asked, answered).subquery().c.member_id)


def first_degree_ids(session: Session, member_id: int) -> frozenset[int]:
    """The members connected to `member_id`, read once per page (see
    db.remembered): every card and check on it asks the same."""
    return remembered(
        session,
        ("first_degree", member_id),
        lambda: frozenset(session.exec(first_degree(member_id)).all()),
    )


def second_degree(member_id: int) -> Select:
    """ids two steps away and no closer."""
    first = first_degree(member_id).subquery()
    ids = first.c.member_id
    out = select(Connection.addressee_id.label("member_id")).where(
        Connection.requester_id.in_(select(ids)), Connection.status == ACCEPTED
    )
    back = select(Connection.requester_id.label("member_id")).where(
        Connection.addressee_id.in_(select(ids)), Connection.status == ACCEPTED
    )
    reach = union(out, back).subquery().c.member_id
    return select(reach).where(
        reach != member_id, reach.not_in(first_degree(member_id))
    )


def are_connected(session: Session, a: int, b: int) -> bool:
    pair = or_(
        and_(Connection.requester_id == a, Connection.addressee_id == b),
        and_(Connection.requester_id == b, Connection.addressee_id == a),
    )
    found = session.exec(
        select(Connection.id).where(pair, Connection.status == ACCEPTED)
    ).first()
    return found is not None
