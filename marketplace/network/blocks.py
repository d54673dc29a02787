"""Blocks: the one rule every way of reaching someone asks.

A pair is blocked when either blocked the other (one connection row per pair,
status "blocked", `blocked_by_id` says who). Nothing new starts between them
and nothing one does reaches the other's inbox; what they had under way can
still be finished. Each check is one lookup on the connection table's
(status, requester, addressee) index.

The rule sits apart from `connections` (where a member blocks and unblocks)
because the inbox asks it too: notifications must not depend on the service
that sends them notifications.
"""

from __future__ import annotations

from sqlalchemy import Select, bindparam, case, event
from sqlmodel import Session, and_, or_, select

from marketplace.db import recalled, remembered
from marketplace.models import Connection


def blocked_between(session: Session, a: int, b: int) -> bool:
    """Whether a blocked b or b blocked a. Asked again for the same pair in
    one session (a service refuses a blocked pair, then `notify` asks before
    telling the other), the first answer holds until the session writes a
    connection."""
    known = session.info.setdefault(_PAIRS, {})
    pair = (a, b) if a < b else (b, a)
    if pair not in known:
        found = _from_whole_sets(session, a, b)
        known[pair] = block_row(session, a, b) is not None if found is None else found
    return known[pair]


def _from_whole_sets(session: Session, a: int, b: int) -> bool | None:
    """The answer from everyone a (or b) is blocked with, when a page read
    that already (`blocked_with`): a list of suggested people, each checked
    against its author, then costs no statement per person."""
    for member, other in ((a, b), (b, a)):
        found = recalled(session, ("blocked_with", member))
        if found is not None:
            return other in found
    return None


_PAIRS = "marketplace_blocked_pairs"


@event.listens_for(Session, "before_flush")
def _forget_on_flush(session: Session, _context, _instances) -> None:
    written = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, Connection) for row in written):
        session.info.pop(_PAIRS, None)


@event.listens_for(Session, "do_orm_execute")
def _forget_on_statement(state) -> None:
    """A bulk write of connections (closing an account) too; any statement
    that is not a SELECT and names no table is taken to be one."""
    if _PAIRS not in state.session.info or state.is_select:
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", "connection") == "connection":
        state.session.info.pop(_PAIRS, None)


def has_blocked(session: Session, blocker_id: int, other_id: int) -> bool:
    """Whether `blocker_id` blocked `other_id` (not the other way round)."""
    block = block_row(session, blocker_id, other_id)
    return block is not None and block.blocked_by_id == blocker_id


# Built once: every message, proposal and notification asks it, and building
# the OR of two pairs cost more CPU than running it (benchmarks/page_cost.py).
_A, _B = bindparam("a"), bindparam("b")
_BLOCK_ROW = select(Connection).where(
    or_(
        and_(Connection.requester_id == _A, Connection.addressee_id == _B),
        and_(Connection.requester_id == _B, Connection.addressee_id == _A),
    ),
    Connection.status == "blocked",
)


def block_row(session: Session, a: int, b: int) -> Connection | None:
    """The pair's row if it is a block, whoever blocked."""
    return session.exec(_BLOCK_ROW, params={"a": a, "b": b}).first()


def blocked_ids(member_id: int) -> Select:
    """SQL: the ids of everyone this member blocked or was blocked by (one
    column), for a query that lists other members or what they posted."""
    mine = Connection.requester_id == member_id
    other = case((mine, Connection.addressee_id), else_=Connection.requester_id)
    return select(other.label("member_id")).where(
        Connection.status == "blocked",
        or_(mine, Connection.addressee_id == member_id),
    )


def blocked_with(session: Session, member_id: int) -> set[int]:
    """Everyone blocked by, or blocking, this member: never suggested to them
    (read once per page: its nudges, contexts and lists all ask)."""
    found = remembered(
        session,
        ("blocked_with", member_id),
        lambda: frozenset(session.exec(blocked_ids(member_id)).all()),
    )
    return set(found)  # the caller's own: some add to it
