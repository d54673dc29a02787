"""The one place that decides whether a member may ask someone to connect or
to talk, and how much cold outreach they may do (domain/outreach.py has the
rules and why).

`connections.request_connection` and `conversations.send_message_request`
both call `check_can_request` before writing anything. The recipient's own
"who may send me requests" choice (accounts/privacy.py) is asked here too,
so it holds for both kinds at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, and_, col, or_, select

from marketplace.accounts import privacy
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain import outreach
from marketplace.domain.errors import Conflict, NotAuthorized
from marketplace.domain.outreach import Distance
from marketplace.models import Connection, Engagement, Intro, MessageRequest
from marketplace.network.degrees import are_connected, first_degree
from marketplace.settings import get_settings

# an intro that went through: the target accepted it (completed: they then
# helped each other)
INTRO_THROUGH = ("accepted", "completed")


def check_can_request(
    session: Session,
    sender_id: int,
    recipient_id: int,
    kind: str,
    *,
    reason: str = "",
    clock: Clock = system_clock,
) -> Distance:
    """Refuse (Conflict, NotAuthorized or InvalidInput, saying why) unless
    `sender_id` may send `recipient_id` a request of `kind` ("connection" or
    "message") with this `reason` now; the caller checked blocks and
    standing."""
    kind = outreach.check_kind(kind)
    distance = distance_between(session, sender_id, recipient_id)
    if kind == outreach.MESSAGE and distance.degree == 1:
        raise Conflict("You're connected: write to them directly.")
    refusal = recipient_refusal(session, sender_id, recipient_id, kind, distance)
    if refusal:
        raise NotAuthorized(refusal)
    outreach.check_reason(kind, distance, reason)
    outreach.check_weekly_cap(sent_this_week(session, sender_id, clock), weekly_cap())
    return distance


def recipient_refusal(
    session: Session, sender_id: int, recipient_id: int, kind: str, distance: Distance
) -> str | None:
    """Why the recipient doesn't take this request from the sender (their
    privacy settings), or None. Someone an intro or a listing brought them
    together with counts as their 2nd degree, so "2nd degree" -- the
    default for messages, which keeps strangers out -- lets them write;
    "everyone" lets strangers send one request; "nobody" refuses all."""
    return privacy.request_refusal(
        session,
        sender_id,
        recipient_id,
        "connect" if kind == outreach.CONNECTION else "message",
        brought_together=distance.brought_together,
    )


def weekly_cap() -> int:
    return get_settings().outreach_weekly_cap


def distance_between(session: Session, a: int, b: int) -> Distance:
    if are_connected(session, a, b):
        return Distance(1)
    mine = first_degree(a).subquery()
    shared = session.exec(
        select(mine.c.member_id).where(mine.c.member_id.in_(first_degree(b))).limit(1)
    ).first()
    if shared is not None:
        return Distance(2)
    return Distance(None, brought_together(session, a, b))


def brought_together(session: Session, a: int, b: int) -> bool:
    """An intro between them went through, or a listing made them the two
    parties of an engagement (booked or answered, whatever became of it)."""
    intro = session.exec(
        select(Intro.id)
        .where(
            _pair(Intro.requester_id, Intro.target_id, a, b),
            col(Intro.status).in_(INTRO_THROUGH),
        )
        .limit(1)
    ).first()
    if intro is not None:
        return True
    engagement = session.exec(
        select(Engagement.id)
        .where(_pair(Engagement.asker_id, Engagement.helper_id, a, b))
        .limit(1)
    ).first()
    return engagement is not None


def _pair(left, right, a: int, b: int):
    return or_(and_(left == a, right == b), and_(left == b, right == a))


def sent_this_week(session: Session, sender_id: int, clock: Clock) -> int:
    """Connection and message requests the member sent in the last 7 days
    (a block they made is not a request)."""
    since: datetime = clock.now() - outreach.WEEK
    asked = session.exec(
        select(func.count(Connection.id)).where(
            Connection.requester_id == sender_id,
            Connection.created_at >= since,
            or_(
                Connection.status != "blocked",
                col(Connection.blocked_by_id).is_(None),
                Connection.blocked_by_id != sender_id,
            ),
        )
    ).one()
    written = session.exec(
        select(func.count(MessageRequest.id)).where(
            MessageRequest.sender_id == sender_id, MessageRequest.created_at >= since
        )
    ).one()
    return asked + written
