"""The message thread of an engagement: only its two parties read or write it.

Each message is also a small interaction between the two (domain/strength.py):
a thread kept alive keeps the relationship from going cold. Once either of
them blocked the other, both still read the thread but neither writes to it:
a block means no more words from them (the engagement's moves still work).
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

from sqlalchemy import Integer, bindparam
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from marketplace.accounts.members import timezone_of
from marketplace.adapters.clock import Clock, system_clock
from marketplace.db import remembered
from marketplace.domain.errors import Conflict, NotFound
from marketplace.domain.ids import check_id
from marketplace.domain.text import clean_text
from marketplace.domain.times import local_time
from marketplace.inbox import notifications
from marketplace.models import Engagement, Listing, Member, Message
from marketplace.network import blocks, interactions
from marketplace.routes import engagement as engagement_url

MESSAGE_MAX = 4000
REMOVED = "Removed by a moderator."


@dataclass(frozen=True)
class MessageView:
    id: int
    author_name: str
    author_handle: str
    body: str
    sent: str
    mine: bool

    def as_dict(self) -> dict:
        return asdict(self)


def party_engagement(
    session: Session, member_id: int, engagement_id: object
) -> Engagement:
    """The engagement if `member_id` is one of its two parties, else 'not found'."""
    wanted = check_id(engagement_id, "engagement")
    # a page asks three times (view, timeline, thread): read it once
    engagement = remembered(
        session, ("engagement", wanted), lambda: _with_parties(session, wanted)
    )
    if engagement is None or member_id not in (
        engagement.asker_id,
        engagement.helper_id,
    ):
        raise NotFound("No such engagement.")
    return engagement


def _with_parties(session: Session, engagement_id: int) -> Engagement | None:
    """The engagement, with its listing and both parties' rows loaded in the
    same statement: the page and the services ask for each of them next,
    and the session (db._hold) has them without another query."""
    found = session.execute(with_parties_query(), {"id": engagement_id}).first()
    return found[0] if found else None


@functools.cache
def with_parties_query():
    """Built once: the engagement (the `id` parameter), its listing and both
    parties' rows, in one statement."""
    asker, helper = aliased(Member), aliased(Member)
    return (
        select(Engagement, Listing, asker, helper)
        .join(Listing, Listing.id == Engagement.listing_id)
        .join(asker, asker.id == Engagement.asker_id)
        .join(helper, helper.id == Engagement.helper_id)
        .where(Engagement.id == bindparam("id", type_=Integer))
    )


def post_message(
    session: Session,
    *,
    actor_id: int,
    engagement_id: object,
    body: object,
    clock: Clock = system_clock,
) -> Message:
    engagement = party_engagement(session, actor_id, engagement_id)
    other = (
        engagement.helper_id if actor_id == engagement.asker_id else engagement.asker_id
    )
    if blocks.blocked_between(session, actor_id, other):
        raise Conflict("Messages can't be sent in this engagement any more.")
    text = clean_text(
        body,
        field="body",
        label="Message",
        max_length=MESSAGE_MAX,
        required=True,
        multiline=True,
    )
    message = Message(
        engagement_id=engagement.id,
        author_id=actor_id,
        body=text,
        created_at=clock.now(),
    )
    session.add(message)
    author = session.get(Member, actor_id)
    title = session.get(Listing, engagement.listing_id).title
    interactions.record_interaction(
        session, actor_id, other, "message", f"engagement:{engagement.id}", clock
    )
    notifications.notify(
        session,
        member_id=other,
        sender_id=actor_id,
        kind="message",
        text=f"{author.display_name} wrote about “{title}”: {text}",
        link=engagement_url(engagement.id),
        clock=clock,
    )
    return message


def thread(
    session: Session, viewer_id: int, engagement_id: object
) -> list[MessageView]:
    engagement = party_engagement(session, viewer_id, engagement_id)
    return messages_of(session, engagement, viewer_id, timezone_of(session, viewer_id))


def messages_of(
    session: Session, engagement: Engagement, viewer_id: int, zone: str
) -> list[MessageView]:
    """The thread, oldest first, times on the reader's clock (`zone`); the
    caller has checked that the reader may see it."""
    rows = session.exec(
        select(Message, Member)
        .join(Member, Member.id == Message.author_id)
        .where(Message.engagement_id == engagement.id)
        .order_by(col(Message.id))
    ).all()
    return [
        MessageView(
            id=m.id,
            author_name=a.display_name,
            author_handle=a.handle,
            body=REMOVED if m.hidden_at is not None else m.body,
            sent=local_time(m.created_at, zone),
            mine=m.author_id == viewer_id,
        )
        for m, a in rows
    ]
