"""Connections: asking, answering, removing and blocking, with shared ground.

One row per pair, whoever asked first (a request back to someone who asked
me accepts theirs, as on LinkedIn). The row's status moves:

    pending -> accepted | declined | ignored      (the addressee answers)
    accepted -> removed                           (either side)
    any -> blocked                                (either side; the other is
                                                   never told, and can't ask)

Declining is silent: the requester sees "pending" until they withdraw, so
nobody is told no. A declined, ignored or removed pair may ask again later.
The in-memory graph follows every change once it commits.

A block holds wherever one member could reach the other, not only here:
every service that starts something with someone, names them, tells them
something or suggests them asks `blocks.blocked_between` (or filters by
`blocks.blocked_ids`), the one place the rule lives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime

from sqlmodel import Session, and_, col, or_, select

from marketplace import events, routes
from marketplace.accounts import members, profiles
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.domain.text import clean_text
from marketplace.inbox import notifications
from marketplace.models import Connection, Member
from marketplace.network import blocks, interactions, outreach
from marketplace.network.degrees import first_degree

NOTE_MAX = 300
ANSWERS = {"accept": "accepted", "decline": "declined", "ignore": "ignored"}
ASKABLE_AGAIN = {"declined", "ignored", "removed"}
UNANSWERED = ("declined", "ignored")  # what the asker still sees as pending


@dataclass(frozen=True)
class SharedGround:
    """What two members have in common, to show beside a request."""

    mutual: list[str]  # names of mutual connections (a few)
    mutual_count: int
    shared_expertise: list[str]
    shared_background: list[str]
    they_can_help: list[str] = field(default_factory=list)  # their give, my get
    i_can_help: list[str] = field(default_factory=list)  # my give, their get

    @property
    def summary(self) -> str:
        """What we share, a give/get match first: "can help you with pricing;
        needs seo, which you know; 2 mutual connections"."""
        parts = []
        if self.they_can_help:
            parts.append("can help you with " + ", ".join(self.they_can_help[:3]))
        if self.i_can_help:
            parts.append("needs " + ", ".join(self.i_can_help[:3]) + ", which you know")
        if self.mutual_count:
            plural = "s" if self.mutual_count > 1 else ""
            parts.append(f"{self.mutual_count} mutual connection{plural}")
        if self.shared_expertise:
            parts.append("both know " + ", ".join(self.shared_expertise[:3]))
        if self.shared_background:
            parts.append("both " + ", ".join(self.shared_background[:3]))
        return "; ".join(parts) or "Nothing in common yet"


@dataclass(frozen=True)
class RequestView:
    id: int
    name: str
    handle: str
    headline: str
    note: str
    sent: str
    shared: str  # SharedGround.summary
    mutual: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- asking


def request_connection(
    session: Session,
    *,
    actor_id: int,
    handle: object,
    note: object = "",
    clock: Clock = system_clock,
) -> Connection:
    """Ask `handle` to connect, with a note (required when they are beyond
    my 2nd degree; network/outreach.py, which also caps requests a week).
    Asking someone who already asked me accepts their request instead."""
    other = members.active_member(
        session, handle, missing="Say who to connect with.", field="handle"
    )
    if other.id == actor_id:
        raise InvalidInput("You can't connect with yourself.", "handle")
    text = clean_text(
        note, field="note", label="Note", max_length=NOTE_MAX, multiline=True
    )
    row = pair_row(session, actor_id, other.id, lock=True)
    if row is None:
        _check_outreach(session, actor_id, other, text, clock)
        return _ask(session, actor_id, other, text, clock)
    if row.status == "blocked":
        raise Conflict(_blocked_message(row, actor_id))
    if row.status == "accepted":
        raise Conflict(f"You are already connected with {other.display_name}.")
    if row.status in ("pending", *UNANSWERED) and row.requester_id == actor_id:
        # a declined request still looks pending to the asker: nobody is told no
        raise Conflict(f"You already asked {other.display_name}; they'll answer.")
    if row.status == "pending":
        return accept(session, row, clock)
    _check_outreach(session, actor_id, other, text, clock)
    return _ask_again(session, row, actor_id, other, text, clock)


def _check_outreach(session, actor_id: int, other: Member, text: str, clock) -> None:
    """A new request: whether they take requests from me (their privacy
    settings), the weekly cap, and a note when asking someone new
    (network/outreach.py, shared with message requests)."""
    outreach.check_can_request(
        session, actor_id, other.id, "connection", reason=text, clock=clock
    )


def _ask(session, actor_id: int, other: Member, text: str, clock: Clock) -> Connection:
    row = Connection(
        requester_id=actor_id,
        addressee_id=other.id,
        status="pending",
        note=text,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    _tell_addressee(session, row, clock)
    return row


def _ask_again(session, row, actor_id, other, text, clock) -> Connection:
    """A declined, ignored or removed pair starts over, the asker now asking."""
    row.requester_id, row.addressee_id = actor_id, other.id
    row.status, row.note, row.responded_at = "pending", text, None
    row.created_at = clock.now()
    session.add(row)
    session.flush()
    _tell_addressee(session, row, clock)
    return row


def _tell_addressee(session: Session, row: Connection, clock: Clock) -> None:
    asker = session.get(Member, row.requester_id)
    said = f': "{row.note}"' if row.note else "."
    notifications.notify(
        session,
        member_id=row.addressee_id,
        sender_id=row.requester_id,
        kind="connection",
        text=f"{asker.display_name} asked to connect{said}",
        link=routes.NETWORK,
        clock=clock,
    )


def _blocked_message(row: Connection, actor_id: int) -> str:
    if row.blocked_by_id == actor_id:
        return "You blocked this member; unblock them first."
    return "You can't connect with this member."


# ------------------------------------------------------------------------- answering


def answer_request(
    session: Session,
    *,
    actor_id: int,
    connection_id: object,
    answer: object,
    clock: Clock = system_clock,
) -> Connection:
    """Accept, decline or ignore a request made to me. Only an accepted
    request tells the asker; declining and ignoring are silent."""
    if answer not in ANSWERS:
        raise InvalidInput("Answer with accept, decline or ignore.", "answer")
    row = _incoming(session, actor_id, connection_id)
    if answer == "accept":
        return accept(session, row, clock)
    row.status, row.responded_at = ANSWERS[answer], clock.now()
    session.add(row)
    return row


def accept_request_from(
    session: Session, *, actor_id: int, handle: object, clock: Clock = system_clock
) -> Connection:
    """Accept the request `handle` sent me (the profile page's button)."""
    other = members.active_member(
        session, handle, missing="Say whose request to accept.", field="handle"
    )
    row = pair_row(session, actor_id, other.id, lock=True)
    if row is None or row.addressee_id != actor_id or row.status != "pending":
        raise NotFound(f"{other.display_name} hasn't asked to connect.")
    return accept(session, row, clock)


def _incoming(session: Session, actor_id: int, connection_id: object) -> Connection:
    if isinstance(connection_id, bool) or not isinstance(connection_id, int):
        raise NotFound("No such connection request.")
    row = session.exec(
        select(Connection).where(Connection.id == connection_id).with_for_update()
    ).first()
    if row is None or row.addressee_id != actor_id or row.status != "pending":
        raise NotFound("No such connection request.")
    return row


def accept(
    session: Session, row: Connection, clock: Clock, *, announce: bool = True
) -> Connection:
    """Accept a pending row (the caller checked who may). A first `connect`
    interaction warms it (with anything the two did together before, which
    `warmth_between` counts), and the graph gains the edge once this commits.
    `announce` tells the requester (an intro says it its own way)."""
    now = clock.now()
    past = interactions.warmth_between(session, row.requester_id, row.addressee_id)
    row.status, row.responded_at = "accepted", now
    row.warmth, row.warmth_at = past.value, past.at
    session.add(row)
    session.flush()
    warmth = interactions.record_interaction(
        session,
        row.requester_id,
        row.addressee_id,
        "connect",
        f"connection:{row.id}",
        clock=clock,
    )
    events.publish(
        session,
        "connections.changed",
        requester_id=row.requester_id,
        addressee_id=row.addressee_id,
        status="accepted",
        warmth=warmth.value,
        warmth_at=warmth.at,
    )
    if not announce:
        return row
    accepter = session.get(Member, row.addressee_id)
    notifications.notify(
        session,
        member_id=row.requester_id,
        sender_id=row.addressee_id,
        kind="connection",
        text=f"{accepter.display_name} accepted your request to connect.",
        link=routes.person(accepter.handle),
        clock=clock,
    )
    return row


# -------------------------------------------------------------- removing, blocking


def remove_connection(
    session: Session, *, actor_id: int, handle: object, clock: Clock = system_clock
) -> Connection:
    """Either side ends a connection, or withdraws a request they made."""
    other = members.active_member(
        session, handle, missing="Say who to remove.", field="handle"
    )
    row = pair_row(session, actor_id, other.id, lock=True)
    withdrawing = (
        row is not None
        and row.status in ("pending", *UNANSWERED)
        and row.requester_id == actor_id
    )
    if row is None or not (row.status == "accepted" or withdrawing):
        raise NotFound(f"You are not connected with {other.display_name}.")
    return _set_status(session, row, "removed", clock)


def block_member(
    session: Session, *, actor_id: int, handle: object, clock: Clock = system_clock
) -> Connection:
    """Block someone: any connection or request between us ends, they can't
    ask again, and they are not told."""
    other = members.active_member(
        session, handle, missing="Say who to block.", field="handle"
    )
    if other.id == actor_id:
        raise InvalidInput("You can't block yourself.", "handle")
    row = pair_row(session, actor_id, other.id, lock=True)
    if row is None:
        row = Connection(
            requester_id=actor_id,
            addressee_id=other.id,
            status="blocked",
            created_at=clock.now(),
        )
    elif row.status == "blocked" and row.blocked_by_id != actor_id:
        raise Conflict("You can't change this connection.")
    row.blocked_by_id = actor_id
    return _set_status(session, row, "blocked", clock)


def unblock_member(
    session: Session, *, actor_id: int, handle: object, clock: Clock = system_clock
) -> Connection:
    other = members.active_member(
        session, handle, missing="Say who to unblock.", field="handle"
    )
    row = pair_row(session, actor_id, other.id, lock=True)
    if row is None or row.status != "blocked" or row.blocked_by_id != actor_id:
        raise NotFound(f"You haven't blocked {other.display_name}.")
    row.blocked_by_id = None
    return _set_status(session, row, "removed", clock)


def _set_status(session, row: Connection, status: str, clock: Clock) -> Connection:
    was_accepted = row.status == "accepted"
    row.status, row.responded_at = status, clock.now()
    session.add(row)
    session.flush()
    if was_accepted:
        events.publish(
            session,
            "connections.changed",
            requester_id=row.requester_id,
            addressee_id=row.addressee_id,
            status=status,
        )
    return row


# ---------------------------------------------------------------------------- blocks
#
# The block rule itself lives in `blocks` (everything that reaches a member
# asks it, the inbox included); starting something with someone asks here.


def reachable_member(
    session: Session, actor_id: int, handle: object, *, missing: str, field: str
) -> Member:
    """The active member `handle` names, if the actor may start something
    with them. Someone who blocked the actor reads as no such member, word
    for word, so a block can't be probed; the blocker is told to unblock."""
    other = members.active_member(session, handle, missing=missing, field=field)
    block = (
        None if other.id == actor_id else blocks.block_row(session, actor_id, other.id)
    )
    if block is None:
        return other
    if block.blocked_by_id == actor_id:
        raise Conflict(f"You blocked {other.display_name}; unblock them first.")
    raise members.no_such_handle(other.handle)


# --------------------------------------------------------------------------- reading


def pair_row(
    session: Session, a: int, b: int, *, lock: bool = False
) -> Connection | None:
    """The one connection row between a and b, whoever asked."""
    query = select(Connection).where(_between(a, b))
    if lock:
        query = query.with_for_update()
    return session.exec(query.order_by(Connection.id)).first()


def _between(a: int, b: int):
    return or_(
        and_(Connection.requester_id == a, Connection.addressee_id == b),
        and_(Connection.requester_id == b, Connection.addressee_id == a),
    )


def relationship(session: Session, viewer_id: int, other_id: int) -> str:
    """How the viewer stands with another member, for the buttons on a profile:
    self | none | asked (I asked) | asked_me | connected | blocked (by me) |
    unavailable (they blocked me: shown like 'none' but asking is refused)."""
    if viewer_id == other_id:
        return "self"
    return _standing(pair_row(session, viewer_id, other_id), viewer_id)


def relationships(
    session: Session, viewer_id: int, other_ids: Iterable[int]
) -> dict[int, str]:
    """`relationship` with each of `other_ids`, in one statement (a list of
    suggested people shows a button for each)."""
    wanted = set(other_ids)
    others = wanted - {viewer_id}
    first: dict[int, Connection] = {}
    for row in _rows_with(session, viewer_id, others):
        # the pair's first row, as pair_row takes it
        other = row.addressee_id if row.requester_id == viewer_id else row.requester_id
        first.setdefault(other, row)
    found = {other: _standing(first.get(other), viewer_id) for other in others}
    return found | ({viewer_id: "self"} if viewer_id in wanted else {})


def _rows_with(session: Session, viewer_id: int, others: set[int]) -> list:
    """Every connection row between the viewer and any of `others`."""
    if not others:
        return []
    requester, addressee = col(Connection.requester_id), col(Connection.addressee_id)
    mine = (requester == viewer_id) & addressee.in_(others)
    theirs = (addressee == viewer_id) & requester.in_(others)
    query = select(Connection).where(or_(mine, theirs)).order_by(Connection.id)
    return list(session.exec(query).all())


def _standing(row: Connection | None, viewer_id: int) -> str:
    if row is not None and row.status in UNANSWERED and row.requester_id == viewer_id:
        return "asked"
    if row is None or row.status in ASKABLE_AGAIN:
        return "none"
    if row.status == "accepted":
        return "connected"
    if row.status == "blocked":
        return "blocked" if row.blocked_by_id == viewer_id else "unavailable"
    return "asked" if row.requester_id == viewer_id else "asked_me"


def shared_ground(session: Session, a: int, b: int) -> SharedGround:
    mine = first_degree(a).subquery()
    mutual_ids = session.exec(
        select(mine.c.member_id).where(mine.c.member_id.in_(first_degree(b)))
    ).all()
    names = session.exec(
        select(Member.display_name)
        .where(col(Member.id).in_(mutual_ids[:50]))
        .order_by(Member.display_name)
    ).all()
    tags = profiles.tags_of(session, [a, b])
    mine, theirs = tags.get(a, {}), tags.get(b, {})
    return SharedGround(
        mutual=list(names[:3]),
        mutual_count=len(mutual_ids),
        shared_expertise=_common(mine, theirs, "give"),
        shared_background=_common(mine, theirs, "background"),
        they_can_help=_common(theirs, mine, "give", "get"),
        i_can_help=_common(mine, theirs, "give", "get"),
    )


def _common(mine: dict, theirs: dict, kind: str, their_kind: str = "") -> list[str]:
    """My `kind` tags that are their `their_kind` tags (the same kind unless
    said: "give" against "get" is a need one side meets)."""
    wanted = set(theirs.get(their_kind or kind, []))
    return sorted(set(mine.get(kind, [])) & wanted)


def incoming_requests(session: Session, member_id: int) -> list[RequestView]:
    """Requests waiting for my answer, newest first, with shared ground."""
    rows = session.exec(
        select(Connection, Member)
        .join(Member, Member.id == Connection.requester_id)
        .where(Connection.addressee_id == member_id, Connection.status == "pending")
        .order_by(col(Connection.created_at).desc())
    ).all()
    return [_request_view(session, member_id, row, asker) for row, asker in rows]


def _request_view(session, member_id, row: Connection, asker: Member) -> RequestView:
    ground = shared_ground(session, member_id, asker.id)
    return RequestView(
        id=row.id,
        name=asker.display_name,
        handle=asker.handle,
        headline=asker.headline,
        note=row.note,
        sent=_day(row.created_at),
        shared=ground.summary,
        mutual=ground.mutual,
    )


def outgoing_requests(session: Session, member_id: int) -> list[RequestView]:
    """Requests I made that wait for an answer (declined ones look the same:
    nobody is told no)."""
    rows = session.exec(
        select(Connection, Member)
        .join(Member, Member.id == Connection.addressee_id)
        .where(
            Connection.requester_id == member_id,
            col(Connection.status).in_(["pending", "declined", "ignored"]),
        )
        .order_by(col(Connection.created_at).desc())
    ).all()
    return [_request_view(session, member_id, row, other) for row, other in rows]


def _day(at: datetime) -> str:
    return at.strftime("%-d %b %Y")
