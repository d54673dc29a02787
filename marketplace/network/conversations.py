"""Direct messages between members, and message requests from further away.

A conversation holds one pair's messages (one per pair, the lower id first);
each member has a seat in it with a read marker and an unread counter, kept
with every write so the navigation's badge is one index-only count. Who may
write:

- connections (1st degree) write to each other directly: the first message
  opens the conversation;
- anyone else sends one message request with a reason, if network/outreach.py
  allows it (2nd degree, or an accepted intro or a listing brought them
  together; never a stranger; within the weekly cap). The recipient sees
  it with our shared ground and accepts (the conversation opens, the reason
  is its first message), ignores (silent: the sender still sees "sent"), or
  blocks (connections.block_member);
- once a conversation exists both may write in it, until either blocks the
  other: then both still read it and neither writes (nothing crosses a
  block), and frozen or unverified members read only (require_standing).
  A suspended member can't log in; their conversations stay readable to the
  other side and closed for writing, until they are unsuspended.

A member may report a message the other one wrote (accounts/reports.py,
kind "dm"); a moderator may hide it (`hidden_at`): it then reads "Removed by
a moderator." on the page and in the list's preview, and search no longer
finds its words (the text stays in the database for the record).

Each message is an interaction between the two (`record_interaction(...,
"message", "dm:<id>")`): talking keeps a relationship warm. The recipient
hears of a quiet conversation's first unread message through the inbox and
their "Messages" alert choice, not of every line of a busy one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import func, update
from sqlmodel import Session, col, or_, select

from marketplace import routes
from marketplace.accounts import members
from marketplace.accounts.accounts import SUSPENDED
from marketplace.accounts.members import timezone_of
from marketplace.accounts.standing import require_standing
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain import outreach as rules
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.domain.ids import check_id
from marketplace.domain.text import clean_text
from marketplace.domain.times import local_time
from marketplace.inbox import notifications
from marketplace.market.threads import REMOVED
from marketplace.models import (
    Conversation,
    ConversationSeat,
    DirectMessage,
    Member,
    MessageRequest,
)
from marketplace.network import blocks, connections, interactions, outreach
from marketplace.network.degrees import are_connected

MESSAGE_MAX = 4000
REASON_MAX = 500
SEARCH_MAX = 100
SHOWN_MESSAGES = 200  # the newest of a conversation's messages on its page
SHOWN_CONVERSATIONS = 100
SEARCH_HITS = 50
PREVIEW = 90
CLOSED = "This conversation is closed: no more messages can be sent here."
ANSWERS = ("accept", "ignore", "block")


@dataclass(frozen=True)
class DirectMessageView:
    id: int
    author_name: str
    body: str
    sent: str
    mine: bool
    hidden: bool = False  # by a moderator: `body` says so, nothing to report

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ConversationSummary:
    """One line of /messages: who, the last word, how many unread."""

    id: int
    handle: str
    name: str
    last_message: str
    last_sent: str
    unread: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class MessageOption:
    """What I may do to talk with someone, for their profile and the
    conversation page: `action` is message | request | requested | answer |
    none | self, `label` the button's words, `why` one sentence."""

    action: str
    label: str
    why: str = ""


@dataclass(frozen=True)
class ConversationView:
    handle: str
    name: str
    headline: str
    option: MessageOption
    conversation_id: int = 0
    messages: list[DirectMessageView] = field(default_factory=list)
    can_write: bool = False
    notice: str = ""  # why not, when a conversation can't be written to
    shared: str = ""  # SharedGround.summary, shown before a request
    mutual: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MessageRequestView:
    id: int
    name: str
    handle: str
    headline: str
    reason: str
    sent: str
    shared: str
    mutual: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SearchHit:
    id: int
    handle: str
    name: str
    body: str
    sent: str

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- writing


def send_message(
    session: Session,
    *,
    actor_id: int,
    handle: object,
    body: object,
    clock: Clock = system_clock,
) -> DirectMessage:
    """Write to `handle`: in our conversation, or opening one if we are
    connected; anyone else gets a message request instead."""
    require_standing(session, actor_id)
    other = connections.reachable_member(
        session, actor_id, handle, missing="Say who to write to.", field="handle"
    )
    low, high = rules.conversation_pair(actor_id, other.id)
    text = _body(body)
    conversation = _pair_conversation(session, low, high, lock=True)
    if conversation is None:
        if not are_connected(session, actor_id, other.id):
            raise Conflict(
                f"You can write only to your connections: send "
                f"{other.display_name} a message request instead."
            )
        conversation = _open(session, low, high, clock)
    return _write(session, conversation, actor_id, other.id, text, clock)


def post_message(
    session: Session,
    *,
    actor_id: int,
    conversation_id: object,
    body: object,
    clock: Clock = system_clock,
) -> DirectMessage:
    """Write in a conversation of mine, named by its id."""
    require_standing(session, actor_id)
    conversation = my_conversation(session, actor_id, conversation_id, lock=True)
    text = _body(body)
    return _write(
        session, conversation, actor_id, _other(conversation, actor_id), text, clock
    )


def _body(body: object) -> str:
    return clean_text(
        body,
        field="body",
        label="Message",
        max_length=MESSAGE_MAX,
        required=True,
        multiline=True,
    )


def _write(session, conversation, author_id, other_id, text, clock) -> DirectMessage:
    if blocks.blocked_between(session, author_id, other_id):
        raise Conflict(CLOSED)
    if session.get(Member, other_id).status != "active":  # suspended meanwhile
        raise Conflict(CLOSED)
    now = clock.now()
    message = DirectMessage(
        conversation_id=conversation.id, author_id=author_id, body=text, created_at=now
    )
    session.add(message)
    conversation.last_message_at = now
    session.add(conversation)
    session.flush()
    _read_up_to(session, conversation.id, author_id, message.id)
    was_quiet = _seat(session, conversation.id, other_id).unread == 0
    session.execute(
        update(ConversationSeat)
        .where(
            ConversationSeat.conversation_id == conversation.id,
            ConversationSeat.member_id == other_id,
        )
        .values(unread=ConversationSeat.unread + 1)
    )
    interactions.record_interaction(
        session, author_id, other_id, "message", f"dm:{conversation.id}", clock
    )
    if was_quiet:
        _tell(session, other_id, author_id, text, clock)
    return message


def _tell(session, member_id: int, author_id: int, text: str, clock: Clock) -> None:
    author = session.get(Member, author_id)
    notifications.notify(
        session,
        member_id=member_id,
        sender_id=author_id,
        kind="message",
        text=f"{author.display_name} wrote to you: {text}",
        link=routes.conversation(author.handle),
        clock=clock,
    )


def _open(session: Session, low: int, high: int, clock: Clock) -> Conversation:
    conversation = Conversation(
        member_a_id=low, member_b_id=high, created_at=clock.now()
    )
    session.add(conversation)
    session.flush()
    for member_id in (low, high):
        session.add(
            ConversationSeat(conversation_id=conversation.id, member_id=member_id)
        )
    session.flush()
    return conversation


# --------------------------------------------------------------------------- reading


def my_conversation(
    session: Session, member_id: int, conversation_id: object, *, lock: bool = False
) -> Conversation:
    """The conversation if `member_id` is one of its two, else 'not found'."""
    query = select(Conversation).where(
        Conversation.id == check_id(conversation_id, "conversation")
    )
    if lock:
        query = query.with_for_update()
    conversation = session.exec(query).first()
    if conversation is None or member_id not in (
        conversation.member_a_id,
        conversation.member_b_id,
    ):
        raise NotFound("No such conversation.")
    return conversation


def mark_read(session: Session, *, actor_id: int, conversation_id: object) -> int:
    """Everything in a conversation of mine is read now; returns how many
    were unread."""
    conversation = my_conversation(session, actor_id, conversation_id)
    last = session.exec(
        select(func.max(DirectMessage.id)).where(
            DirectMessage.conversation_id == conversation.id
        )
    ).one()
    unread = _seat(session, conversation.id, actor_id).unread
    _read_up_to(session, conversation.id, actor_id, last)
    other = session.get(Member, _other(conversation, actor_id))
    notifications.mark_read_linking(
        session, member_id=actor_id, link=routes.conversation(other.handle)
    )
    return unread


def _read_up_to(session, conversation_id: int, member_id: int, message_id) -> None:
    session.execute(
        update(ConversationSeat)
        .where(
            ConversationSeat.conversation_id == conversation_id,
            ConversationSeat.member_id == member_id,
        )
        .values(unread=0, last_read_message_id=message_id)
    )


def open_conversation(
    session: Session, *, viewer_id: int, handle: object
) -> ConversationView:
    """What /messages/<handle> shows me: our messages and whether I may
    write, or how I may start talking, or why not."""
    try:
        other = members.active_member(
            session, handle, missing="Say who to write to.", field="handle"
        )
    except NotFound:
        return _suspended_conversation(session, viewer_id, handle)
    if blocks.has_blocked(session, other.id, viewer_id):
        raise members.no_such_handle(other.handle)  # as on their profile
    option = message_option(session, viewer_id, other)
    view = dict(
        handle=other.handle,
        name=other.display_name,
        headline=other.headline,
        option=option,
    )
    if option.action == "self":
        raise InvalidInput("You can't message yourself.", "handle")
    conversation = _pair_conversation(session, *_pair(viewer_id, other.id))
    if conversation is not None:
        closed = blocks.blocked_between(session, viewer_id, other.id)
        return ConversationView(
            **view,
            conversation_id=conversation.id,
            messages=_messages(session, conversation.id, viewer_id),
            can_write=not closed,
            notice=CLOSED if closed else "",
        )
    if option.action == "message":
        return ConversationView(**view, can_write=True)
    ground = connections.shared_ground(session, viewer_id, other.id)
    return ConversationView(**view, shared=ground.summary, mutual=ground.mutual)


def _suspended_conversation(
    session: Session, viewer_id: int, handle: str
) -> ConversationView:
    """Our conversation, read only, when the other one is suspended; for
    anyone without one it is no such member, as on profiles."""
    wanted = handle.strip().lstrip("@").lower()
    other = session.exec(select(Member).where(Member.handle == wanted)).first()
    conversation = None
    if (
        other is not None
        and other.status == SUSPENDED
        and not blocks.has_blocked(session, other.id, viewer_id)
    ):
        conversation = _pair_conversation(session, *_pair(viewer_id, other.id))
    if conversation is None:
        raise members.no_such_handle(wanted)
    return ConversationView(
        handle=other.handle,
        name=other.display_name,
        headline=other.headline,
        option=MessageOption("none", "Message", CLOSED),
        conversation_id=conversation.id,
        messages=_messages(session, conversation.id, viewer_id),
        notice=CLOSED,
    )


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _messages(session, conversation_id: int, viewer_id: int) -> list[DirectMessageView]:
    zone = timezone_of(session, viewer_id)
    rows = session.exec(
        select(DirectMessage, Member)
        .join(Member, Member.id == DirectMessage.author_id)
        .where(DirectMessage.conversation_id == conversation_id)
        .order_by(col(DirectMessage.id).desc())
        .limit(SHOWN_MESSAGES)
    ).all()
    return [
        DirectMessageView(
            id=m.id,
            author_name=a.display_name,
            body=shown_text(m),
            sent=local_time(m.created_at, zone),
            mine=m.author_id == viewer_id,
            hidden=m.hidden_at is not None,
        )
        for m, a in reversed(rows)
    ]


def message_option(session: Session, viewer_id: int, other: Member) -> MessageOption:
    """How the viewer may start talking with `other` (profile button)."""
    if viewer_id == other.id:
        return MessageOption("self", "")
    name = other.display_name
    if blocks.blocked_between(session, viewer_id, other.id):
        mine = blocks.has_blocked(session, viewer_id, other.id)
        why = f"You blocked {name}." if mine else "You can't message this member."
        return MessageOption("none", "Message", why)
    if _pair_conversation(session, *_pair(viewer_id, other.id)) or are_connected(
        session, viewer_id, other.id
    ):
        return MessageOption("message", "Message")
    asked = _request_between(session, viewer_id, other.id)
    if asked is not None and asked.sender_id == viewer_id:
        return MessageOption(
            "requested", "Message request sent", f"{name} will see it in Messages."
        )
    if asked is not None and asked.status == "pending":
        return MessageOption(
            "answer", "Answer their message request", f"{name} asked to talk."
        )
    distance = outreach.distance_between(session, viewer_id, other.id)
    refusal = outreach.recipient_refusal(
        session, viewer_id, other.id, rules.MESSAGE, distance
    )
    if refusal:
        return MessageOption("none", "Message", refusal)
    return MessageOption(
        "request",
        "Send a message request",
        "You're not connected: one request, with a reason; they choose to answer.",
    )


@dataclass(frozen=True)
class Approach:
    """What a profile shows before I ask someone anything: what we share,
    whether that is nothing (the page asks to confirm), and whether a
    connection request needs a note (outreach rules)."""

    shared: str
    cold: bool
    note_required: bool


def approach(session: Session, viewer_id: int, other_id: int) -> Approach:
    ground = connections.shared_ground(session, viewer_id, other_id)
    distance = outreach.distance_between(session, viewer_id, other_id)
    return Approach(
        shared=ground.summary,
        cold=rules.needs_confirmation(ground.summary),
        note_required=rules.reason_required(rules.CONNECTION, distance),
    )


def check_confirmed(
    session: Session, actor_id: int, handle: object, confirmed: object
) -> None:
    """A request to someone with nothing in common goes only with the box
    ticked that says the sender saw that (the form shows it first)."""
    if confirmed in ("on", "true", True):
        return
    try:
        other = members.active_member(session, handle, missing="", field="handle")
    except (InvalidInput, NotFound):
        return  # the request itself says what is wrong with the handle
    if approach(session, actor_id, other.id).cold:
        raise InvalidInput(
            "You have nothing in common yet: tick the box to confirm you still "
            "want to ask.",
            "confirm",
        )


def conversations_of(session: Session, member_id: int) -> list[ConversationSummary]:
    """My conversations, the latest first."""
    other = func.coalesce(
        func.nullif(Conversation.member_a_id, member_id), Conversation.member_b_id
    )
    rows = session.exec(
        select(Conversation, ConversationSeat.unread, Member)
        .join(ConversationSeat, ConversationSeat.conversation_id == Conversation.id)
        .join(Member, Member.id == other)
        .where(ConversationSeat.member_id == member_id)
        .order_by(col(Conversation.last_message_at).desc(), col(Conversation.id).desc())
        .limit(SHOWN_CONVERSATIONS)
    ).all()
    last = _last_messages(session, [c.id for c, _, _ in rows])
    zone = timezone_of(session, member_id)
    return [
        ConversationSummary(
            id=c.id,
            handle=m.handle,
            name=m.display_name,
            last_message=_preview(shown_text(last[c.id])) if c.id in last else "",
            last_sent=local_time(last[c.id].created_at, zone) if c.id in last else "",
            unread=unread,
        )
        for c, unread, m in rows
    ]


def _last_messages(session, ids: list[int]) -> dict[int, DirectMessage]:
    if not ids:
        return {}
    newest = (
        select(func.max(DirectMessage.id))
        .where(col(DirectMessage.conversation_id).in_(ids))
        .group_by(DirectMessage.conversation_id)
    )
    found = session.exec(select(DirectMessage).where(col(DirectMessage.id).in_(newest)))
    return {m.conversation_id: m for m in found}


def shown_text(message: DirectMessage) -> str:
    """What a reader sees of a message: its text, unless a moderator hid it."""
    return REMOVED if message.hidden_at is not None else message.body


def _preview(body: str) -> str:
    line = " ".join(body.split())
    return line if len(line) <= PREVIEW else line[: PREVIEW - 1] + "…"


def unread_conversations(session: Session, member_id: int) -> int:
    """How many conversations wait for me (the navigation badge): those with
    unread messages, and message requests I haven't answered. Two
    index-only counts, on (member_id, unread) and (recipient_id, status),
    in one statement."""
    unread = (
        select(func.count())
        .where(ConversationSeat.member_id == member_id, ConversationSeat.unread > 0)
        .scalar_subquery()
    )
    asking = (
        select(func.count())
        .select_from(MessageRequest)
        .where(
            MessageRequest.recipient_id == member_id,
            MessageRequest.status == "pending",
        )
        .scalar_subquery()
    )
    return session.exec(select(unread + asking)).one()


def search_messages(
    session: Session, *, member_id: int, query: object
) -> list[SearchHit]:
    """Messages in my conversations that contain `query` (any case), newest
    first."""
    text = clean_text(query, field="q", label="Search", max_length=SEARCH_MAX)
    if not text:
        return []
    pattern = "%" + _escape_like(text.lower()) + "%"
    other = func.coalesce(
        func.nullif(Conversation.member_a_id, member_id), Conversation.member_b_id
    )
    rows = session.exec(
        select(DirectMessage, Member)
        .join(Conversation, Conversation.id == DirectMessage.conversation_id)
        .join(ConversationSeat, ConversationSeat.conversation_id == Conversation.id)
        .join(Member, Member.id == other)
        .where(
            ConversationSeat.member_id == member_id,
            func.lower(DirectMessage.body).like(pattern, escape="\\"),
            col(DirectMessage.hidden_at).is_(None),  # its words are gone
        )
        .order_by(col(DirectMessage.id).desc())
        .limit(SEARCH_HITS)
    ).all()
    zone = timezone_of(session, member_id)
    return [
        SearchHit(
            id=m.id,
            handle=who.handle,
            name=who.display_name,
            body=_preview(m.body),
            sent=local_time(m.created_at, zone),
        )
        for m, who in rows
    ]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _pair_conversation(
    session: Session, low: int, high: int, *, lock: bool = False
) -> Conversation | None:
    query = select(Conversation).where(
        Conversation.member_a_id == low, Conversation.member_b_id == high
    )
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def _seat(session: Session, conversation_id: int, member_id: int) -> ConversationSeat:
    seat = session.get(ConversationSeat, (conversation_id, member_id))
    session.refresh(seat)  # the counter moves in SQL
    return seat


def _other(conversation: Conversation, member_id: int) -> int:
    if conversation.member_a_id == member_id:
        return conversation.member_b_id
    return conversation.member_a_id


# ------------------------------------------------------------------ message requests


def send_message_request(
    session: Session,
    *,
    actor_id: int,
    handle: object,
    reason: object,
    clock: Clock = system_clock,
) -> MessageRequest:
    """One request to talk, with a reason, to someone I'm not connected to
    (outreach.check_can_request says whom, and how many a week)."""
    require_standing(session, actor_id)
    other = connections.reachable_member(
        session, actor_id, handle, missing="Say who to write to.", field="handle"
    )
    rules.conversation_pair(actor_id, other.id)
    text = clean_text(
        reason,
        field="reason",
        label="Reason",
        max_length=REASON_MAX,
        required=True,
        multiline=True,
    )
    _check_fresh(session, actor_id, other)
    outreach.check_can_request(
        session, actor_id, other.id, rules.MESSAGE, reason=text, clock=clock
    )
    request = MessageRequest(
        sender_id=actor_id, recipient_id=other.id, reason=text, created_at=clock.now()
    )
    session.add(request)
    session.flush()
    sender = session.get(Member, actor_id)
    notifications.notify(
        session,
        member_id=other.id,
        sender_id=actor_id,
        kind="message",
        text=f"{sender.display_name} sent you a message request: {text}",
        link=routes.MESSAGES,
        clock=clock,
    )
    return request


def _check_fresh(session: Session, actor_id: int, other: Member) -> None:
    name = other.display_name
    if _pair_conversation(session, *_pair(actor_id, other.id)) is not None:
        raise Conflict(f"You already have a conversation with {name}: write there.")
    asked = _request_between(session, actor_id, other.id)
    if asked is not None and asked.sender_id == actor_id:
        raise Conflict(f"You already sent {name} a message request: one is enough.")
    if asked is not None and asked.status == "pending":
        raise Conflict(f"{name} already asked to talk with you: answer in Messages.")


def _request_between(session: Session, a: int, b: int) -> MessageRequest | None:
    """The message request between a and b, either way (a's own first)."""
    rows = session.exec(
        select(MessageRequest).where(
            or_(
                (MessageRequest.sender_id == a) & (MessageRequest.recipient_id == b),
                (MessageRequest.sender_id == b) & (MessageRequest.recipient_id == a),
            )
        )
    ).all()
    return next((r for r in rows if r.sender_id == a), rows[0] if rows else None)


def answer_message_request(
    session: Session,
    *,
    actor_id: int,
    request_id: object,
    answer: object,
    clock: Clock = system_clock,
) -> MessageRequest:
    """Accept, ignore or block a message request made to me. Ignoring is
    silent; blocking blocks the sender (connections.block_member)."""
    if answer not in ANSWERS:
        raise InvalidInput("Answer with accept, ignore or block.", "answer")
    request = _incoming(session, actor_id, request_id)
    sender = session.get(Member, request.sender_id)
    if answer == "block":
        connections.block_member(
            session, actor_id=actor_id, handle=sender.handle, clock=clock
        )
    elif answer == "accept":
        _accept(session, request, clock)
    request.status = {"accept": "accepted", "ignore": "ignored", "block": "blocked"}[
        answer
    ]
    request.responded_at = clock.now()
    session.add(request)
    return request


def _incoming(session: Session, actor_id: int, request_id: object) -> MessageRequest:
    request = session.exec(
        select(MessageRequest)
        .where(MessageRequest.id == check_id(request_id, "message request"))
        .with_for_update()
    ).first()
    if (
        request is None
        or request.recipient_id != actor_id
        or request.status != "pending"
    ):
        raise NotFound("No such message request.")
    if blocks.blocked_between(session, actor_id, request.sender_id):
        raise NotFound("No such message request.")
    return request


def _accept(session: Session, request: MessageRequest, clock: Clock) -> None:
    """The conversation opens with the reason as its first message, read by
    the recipient who just read it; the sender is told."""
    require_standing(session, request.recipient_id)
    low, high = _pair(request.sender_id, request.recipient_id)
    conversation = _pair_conversation(session, low, high, lock=True) or _open(
        session, low, high, clock
    )
    request.conversation_id = conversation.id
    _write(
        session,
        conversation,
        request.sender_id,
        request.recipient_id,
        request.reason,
        clock,
    )
    mark_read(session, actor_id=request.recipient_id, conversation_id=conversation.id)
    recipient = session.get(Member, request.recipient_id)
    notifications.notify(
        session,
        member_id=request.sender_id,
        sender_id=request.recipient_id,
        kind="message",
        text=f"{recipient.display_name} accepted your message request.",
        link=routes.conversation(recipient.handle),
        clock=clock,
    )


def incoming_requests(session: Session, member_id: int) -> list[MessageRequestView]:
    """Message requests waiting for my answer, newest first, with what we
    share (nothing from anyone blocked either way)."""
    rows = session.exec(
        select(MessageRequest, Member)
        .join(Member, Member.id == MessageRequest.sender_id)
        .where(
            MessageRequest.recipient_id == member_id,
            MessageRequest.status == "pending",
            col(MessageRequest.sender_id).not_in(blocks.blocked_ids(member_id)),
        )
        .order_by(col(MessageRequest.id).desc())
    ).all()
    zone = timezone_of(session, member_id)
    views = []
    for request, sender in rows:
        ground = connections.shared_ground(session, member_id, sender.id)
        views.append(
            MessageRequestView(
                id=request.id,
                name=sender.display_name,
                handle=sender.handle,
                headline=sender.headline,
                reason=request.reason,
                sent=local_time(request.created_at, zone),
                shared=ground.summary,
                mutual=ground.mutual,
            )
        )
    return views
