"""The demo's direct messages: priya (the demo login) has a few conversations,
two of them with messages she hasn't read, and one message request waiting
from someone two degrees away, with a reason.

Written as rows, like the rest of the demo's history: the conversations
happened before anyone could read the inbox, so they make no notifications
or alert mails (the Messages badge shows what is unread). A re-run adds
nothing: a pair that already has a conversation, or priya a request, is left
as it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from marketplace.adapters.clock import Clock
from marketplace.demo.members import DEMO_HANDLES
from marketplace.models import (
    Conversation,
    ConversationSeat,
    DirectMessage,
    MessageRequest,
)
from marketplace.network import outreach
from marketplace.network.degrees import are_connected, first_degree

HOST = "priya"
# (other, [(author is priya, minutes ago, text)], priya has read it all)
SCRIPTS: tuple[tuple[str, tuple[tuple[bool, int, str], ...], bool], ...] = (
    (
        "marcus",
        (
            (False, 3000, "Thanks again for the pitch deck review. Coffee soon?"),
            (True, 2990, "Any time! Thursday at 9 at the usual place?"),
            (False, 2980, "Perfect, see you there."),
        ),
        True,
    ),
    (
        "lena",
        (
            (True, 1500, "Could you look at the SaaS Summit badge design?"),
            (False, 95, "Sure! First sketches attached to our engagement."),
            (False, 90, "I went with the teal you liked; say if it's too loud."),
        ),
        False,
    ),
    (
        "",  # the first of priya's generated connections
        ((False, 40, "Hi Priya, is the sponsor list for the Summit final yet?"),),
        False,
    ),
)
REQUEST_REASON = (
    "Marcus said you're organizing the SaaS Summit. I run community for two "
    "developer meetups and would love to help with the volunteer crew."
)
REQUEST_MINUTES_AGO = 30


def seed_talk(session: Session, ids: dict[str, int], clock: Clock) -> int:
    """Write the demo's conversations and priya's pending message request
    that are missing; returns how many rows of messages it wrote."""
    host = ids.get(HOST)
    if host is None:
        return 0
    now = clock.now()
    written = 0
    for handle, lines, read in SCRIPTS:
        other = ids.get(handle) if handle else _a_connection(session, host, ids)
        if other is None or not are_connected(session, host, other):
            continue
        written += _conversation(session, host, other, lines, read, now)
    _message_request(session, host, ids, now)
    return written


def _a_connection(session: Session, host: int, ids: dict[str, int]) -> int | None:
    """The first generated member priya knows (ids in plan order)."""
    known = set(session.exec(first_degree(host)).all())
    named = {ids.get(handle) for handle in DEMO_HANDLES}
    return next(
        (i for i in ids.values() if i in known and i not in named and i != host),
        None,
    )


def _conversation(session, host, other, lines, read, now: datetime) -> int:
    low, high = sorted((host, other))
    found = session.exec(
        select(Conversation.id).where(
            Conversation.member_a_id == low, Conversation.member_b_id == high
        )
    ).first()
    if found is not None:
        return 0
    at = [now - timedelta(minutes=minutes) for _, minutes, _ in lines]
    conversation = Conversation(
        member_a_id=low, member_b_id=high, created_at=at[0], last_message_at=at[-1]
    )
    session.add(conversation)
    session.flush()
    messages = [
        DirectMessage(
            conversation_id=conversation.id,
            author_id=host if mine else other,
            body=text,
            created_at=when,
        )
        for (mine, _, text), when in zip(lines, at, strict=True)
    ]
    session.add_all(messages)
    session.flush()
    for member, unread in _unread(host, other, lines, read).items():
        seen = [m.id for m in messages[: len(messages) - unread]]
        session.add(
            ConversationSeat(
                conversation_id=conversation.id,
                member_id=member,
                unread=unread,
                last_read_message_id=seen[-1] if seen else None,
            )
        )
    return len(messages)


def _unread(host: int, other: int, lines, read: bool) -> dict[int, int]:
    """How many of the last messages each side hasn't read: priya's from the
    script, the other's none (they wrote last or read her)."""
    trailing = 0
    for mine, _, _ in reversed(lines):
        if mine:
            break
        trailing += 1
    return {host: 0 if read else trailing, other: 0}


def _message_request(session, host: int, ids: dict[str, int], now) -> None:
    """One pending request to priya from someone two degrees away."""
    waiting = session.exec(
        select(MessageRequest.id).where(MessageRequest.recipient_id == host)
    ).first()
    if waiting is not None:
        return
    sender = next(
        (
            i
            for i in ids.values()
            if i != host
            and outreach.distance_between(session, i, host).degree == 2
            and not _wrote(session, i)
        ),
        None,
    )
    if sender is None:
        return
    session.add(
        MessageRequest(
            sender_id=sender,
            recipient_id=host,
            reason=REQUEST_REASON,
            created_at=now - timedelta(minutes=REQUEST_MINUTES_AGO),
        )
    )


def _wrote(session: Session, member_id: int) -> bool:
    return (
        session.exec(
            select(MessageRequest.id).where(col(MessageRequest.sender_id) == member_id)
        ).first()
        is not None
    )
