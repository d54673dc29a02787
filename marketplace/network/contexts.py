"""Posting and closing contexts, and reading the ones a member should see.

A context says what a member is in the middle of -- organizing an event,
hiring, fundraising, launching, moving, looking for something -- with tags and
dates (domain/contexts.py holds the rules). It matters because of who sees it:
people within two degrees whose expertise fits get a nudge (the relationship
graph answers that from memory), and a member's network page lists what their
first-degree connections are up to. That is its whole audience
(`audience_of`): its owner and the members within two degrees, never someone
either side blocked. Whatever reads or acts on a context by id goes through
`visible_context`, so a private one reads as missing.

Writes go to the database in the caller's unit of work and reach the
in-memory graph only when it commits (the "contexts.posted" event): a context
rolled back never nudges anyone, a closed one stops at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from sqlmodel import Session, col, or_, select

from marketplace import events
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.contexts import (
    KIND_LABELS,
    ContextDraft,
    ContextSignal,
    check_context,
    describe,
)
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.domain.ids import check_id
from marketplace.models import Context, ContextTag, Member
from marketplace.network import blocks, degrees, graph_index

OPEN, CLOSED = "open", "closed"
# A member announces what they are in the middle of, not a backlog: a cap
# keeps one account from flooding everyone's nudges.
MAX_OPEN_PER_MEMBER = 10
MAX_LIMIT = 100


@dataclass(frozen=True)
class ContextView:
    """A context as a page shows it: whose, what, when, which tags."""

    id: int
    owner_name: str
    owner_handle: str
    kind: str
    kind_label: str  # "Organizing an event"
    title: str
    description: str
    sentence: str  # "Priya Raman is organizing Northstar SaaS Summit 2027"
    dates: str  # "12–14 May 2027", "from 3 Jun 2027", "" when undated
    status: str  # open | closed
    posted: str  # "26 Nov 2026"
    tags: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- write


def post_context(
    session: Session, *, actor_id: int, form: object, clock: Clock = system_clock
) -> Context:
    """The member announces a context; open at once. Every field is checked
    before anything is written (dates must not be in the past)."""
    now = clock.now()
    draft = check_context(form, today=now.date())
    owner = _active_owner(session, actor_id)
    _refuse_too_many(session, actor_id)
    context = Context(
        member_id=actor_id,
        kind=draft.kind,
        title=draft.title,
        description=draft.description,
        starts_on=draft.starts_on,
        ends_on=draft.ends_on,
        status=OPEN,
        created_at=now,
    )
    session.add(context)
    session.flush()
    session.add_all(ContextTag(context_id=context.id, tag=t) for t in draft.tags)
    session.flush()
    signal = _signal(context, owner.display_name, draft)
    events.publish(session, "contexts.posted", context_id=context.id, signal=signal)
    return context


def close_context(
    session: Session,
    *,
    actor_id: int,
    context_id: object,
    clock: Clock = system_clock,
) -> Context:
    """The owner closes their context (done, or no longer true): nobody is
    nudged about it any more. Closing twice is harmless; anybody else's
    context, or an id that names nothing, is 'not found'."""
    del clock  # closing keeps no time of its own; the signature matches writes
    wanted = check_id(context_id, "context")
    context = session.exec(
        select(Context).where(Context.id == wanted).with_for_update()
    ).first()
    if context is None or context.member_id != actor_id:
        raise NotFound("No such context.")
    if context.status != CLOSED:
        context.status = CLOSED
        session.add(context)
        session.flush()
    events.publish(session, "contexts.closed", context_id=context.id)
    return context


def _active_owner(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None or member.status != "active":
        raise NotFound("No such member.")
    return member


def _refuse_too_many(session: Session, member_id: int) -> None:
    open_ids = session.exec(
        select(Context.id)
        .where(Context.member_id == member_id, Context.status == OPEN)
        .limit(MAX_OPEN_PER_MEMBER)
    ).all()
    if len(open_ids) >= MAX_OPEN_PER_MEMBER:
        raise Conflict(
            f"You have {MAX_OPEN_PER_MEMBER} open contexts; close one that is "
            "over before posting another."
        )


def _signal(context: Context, owner_name: str, draft: ContextDraft) -> ContextSignal:
    return ContextSignal(
        id=context.id,
        member_id=context.member_id,
        owner_name=owner_name,
        kind=context.kind,
        title=context.title,
        tags=frozenset(draft.tags),
        starts_on=context.starts_on,
        ends_on=context.ends_on,
    )


# --------------------------------------------------------------------------- who sees


def audience_of(session: Session, viewer_id: int) -> Callable[[int], bool]:
    """Whose contexts the viewer may see, as a test on the owner's id: their
    own, and those of members within two degrees of them (whom the nudges
    reach), unless either blocked the other. One query for the blocks; the
    degrees come from the in-memory graph."""
    blocked = blocks.blocked_with(session, viewer_id)

    def shown(owner_id: int) -> bool:
        if owner_id == viewer_id:
            return True
        if owner_id in blocked:
            return False
        return graph_index.within_two_degrees(viewer_id, owner_id)

    return shown


def visible_context(
    session: Session, viewer_id: int, context_id: object, clock: Clock = system_clock
) -> Context:
    """An open context, not over, of an active member, that the viewer may
    see. Anything else -- an id that names nothing, a closed context, one not
    shown to them -- is the same 'not found', so ids can't be walked."""
    wanted = check_id(context_id, "context")
    context = session.exec(
        select(Context)
        .join(Member, Member.id == Context.member_id)
        .where(
            Context.id == wanted,
            _current(clock.now().date()),
            Member.status == "active",
        )
    ).first()
    if context is None or not audience_of(session, viewer_id)(context.member_id):
        raise NotFound("No such context.")
    return context


# --------------------------------------------------------------------------- read


def contexts_of(
    session: Session,
    member_id: int,
    *,
    include_closed: bool = False,
    clock: Clock = system_clock,
) -> list[ContextView]:
    """A member's contexts, newest first: the open ones that are not over
    (what a profile shows), or every one (the owner's own list)."""
    query = select(Context, Member).join(Member, Member.id == Context.member_id)
    query = query.where(Context.member_id == member_id)
    if not include_closed:
        query = query.where(_current(clock.now().date()))
    return _views(session, query)


def recent_contexts_in_network(
    session: Session,
    member_id: int,
    limit: int = 20,
    *,
    clock: Clock = system_clock,
) -> list[ContextView]:
    """What my first-degree connections are in the middle of, newest first:
    their open contexts that are not over yet."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInput("Limit must be a whole number above zero.", "limit")
    query = (
        select(Context, Member)
        .join(Member, Member.id == Context.member_id)
        .where(
            col(Context.member_id).in_(degrees.first_degree(member_id)),
            _current(clock.now().date()),
            Member.status == "active",
        )
        .limit(min(limit, MAX_LIMIT))
    )
    return _views(session, query)


def _current(today: date):
    """Open, and not over: no end (or start) date before today."""
    last_day = Context.ends_on
    undated_end = col(Context.ends_on).is_(None)
    return (Context.status == OPEN) & or_(
        col(last_day) >= today,
        undated_end & (col(Context.starts_on).is_(None) | (Context.starts_on >= today)),
    )


def _views(session: Session, query) -> list[ContextView]:
    ordered = query.order_by(col(Context.created_at).desc(), col(Context.id).desc())
    rows = session.exec(ordered).all()
    tags = _tags_of(session, [context.id for context, _ in rows])
    return [_view(context, owner, tags.get(context.id, [])) for context, owner in rows]


def _tags_of(session: Session, context_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not context_ids:
        return found
    rows = session.exec(
        select(ContextTag.context_id, ContextTag.tag)
        .where(col(ContextTag.context_id).in_(context_ids))
        .order_by(ContextTag.id)
    )
    for context_id, tag in rows:
        found.setdefault(context_id, []).append(tag)
    return found


def _view(context: Context, owner: Member, tags: list[str]) -> ContextView:
    signal = ContextSignal(
        context.id,
        context.member_id,
        owner.display_name,
        context.kind,
        context.title,
        frozenset(tags),
    )
    return ContextView(
        id=context.id,
        owner_name=owner.display_name,
        owner_handle=owner.handle,
        kind=context.kind,
        kind_label=KIND_LABELS.get(context.kind, context.kind.title()),
        title=context.title,
        description=context.description,
        sentence=describe(signal),
        dates=dates_label(context.starts_on, context.ends_on),
        status=context.status,
        posted=context.created_at.strftime("%d %b %Y"),
        tags=tags,
    )


def dates_label(starts_on: date | None, ends_on: date | None) -> str:
    """When, as people write it: "12 May 2027", "12–14 May 2027",
    "30 May – 2 Jun 2027", "from 12 May 2027", "until 14 May 2027", or ""."""
    if starts_on is None and ends_on is None:
        return ""
    if ends_on is None:
        return f"from {_day(starts_on)}"
    if starts_on is None:
        return f"until {_day(ends_on)}"
    if starts_on == ends_on:
        return _day(starts_on)
    if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
        return f"{starts_on.day}–{_day(ends_on)}"
    if starts_on.year == ends_on.year:
        return f"{starts_on.day} {starts_on:%b} – {_day(ends_on)}"
    return f"{_day(starts_on)} – {_day(ends_on)}"


def _day(day: date) -> str:
    return f"{day.day} {day:%b %Y}"
