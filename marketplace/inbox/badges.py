"""The navigation's two badges in one statement: the heartbeat asks for them
every few seconds from every open page, so at a human pace it is about half
of all the events a node serves (benchmarks/load.py, --interval 5).

One SELECT of three index-only counts, built once with bound parameters:
the same counts as `notifications.unread_count` and
`conversations.unread_conversations`, which the pages that show the lists
keep using.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlmodel import Session, col

from marketplace.models import ConversationSeat, MessageRequest, Notification

_MEMBER = bindparam("member_id")

_UNREAD_NOTIFICATIONS = (
    select(func.count(Notification.id))
    .where(Notification.member_id == _MEMBER, col(Notification.read_at).is_(None))
    .scalar_subquery()
)
_UNREAD_SEATS = (
    select(func.count())
    .select_from(ConversationSeat)
    .where(ConversationSeat.member_id == _MEMBER, ConversationSeat.unread > 0)
    .scalar_subquery()
)
_PENDING_REQUESTS = (
    select(func.count())
    .select_from(MessageRequest)
    .where(MessageRequest.recipient_id == _MEMBER, MessageRequest.status == "pending")
    .scalar_subquery()
)
_BADGES = select(_UNREAD_NOTIFICATIONS, _UNREAD_SEATS + _PENDING_REQUESTS)


@dataclass(frozen=True)
class Badges:
    notifications: int  # unread in the inbox
    conversations: int  # with unread messages, or a message request to answer


def unread_badges(session: Session, member_id: int) -> Badges:
    """What the Inbox and Messages links' badges say for this member."""
    notifications, conversations = (
        session.connection().execute(_BADGES, {"member_id": member_id}).one()
    )
    return Badges(notifications=notifications, conversations=conversations)
