"""Posting and closing contexts, and reading the ones a member should see.

A context says what a member is in the middle of -- organizing an event,
hiring, fundraising, launching, moving, looking for something -- with tags and
dates (domain/contexts.py holds the rules). It matters because of who sees it:
people within two degrees whose expertise fits get a nudge (the relationship
graph answers that from memory), the few who fit best are told at once in
their inbox (`tell_best_fits`), and a member's network page lists what their
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
from datetime import date, datetime

from sqlmodel import Session, col, or_, select

from marketplace import events, routes
from marketplace.accounts import standing
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain import graph, strength
from marketplace.domain.contexts import (
    KIND_LABELS,
    ContextDraft,
    ContextSignal,
    check_context,
    describe,
    humanize,
)
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.domain.ids import check_id
from marketplace.inbox import notifications
from marketplace.models import Connection, Context, ContextTag, Member, MemberTag
from marketplace.network import blocks, degrees, graph_index

OPEN, CLOSED = "open", "closed"
# A member announces what they are in the middle of, not a backlog: a cap
# keeps one account from flooding everyone's nudges.
MAX_OPEN_PER_MEMBER = 10
MAX_LIMIT = 100
# Told at once when a context is posted: the best few strong fits. More
# would turn an announcement into a broadcast; the rest see the nudge.
TELL_MAX = 5


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
    session: Session,
    *,
    actor_id: int,
    form: object,
    clock: Clock = system_clock,
    tell: bool = True,
) -> Context:
    """The member announces a context; open at once, and the best-fitting
    people are told (`tell_best_fits`; `tell=False` leaves that to the
    caller: the demo seed tells them once its month of history is written).
    Every field is checked before anything is written (dates must not be in
    the past)."""
    standing.require_standing(session, actor_id)
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
    if tell:
        tell_best_fits(session, signal, clock)
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


# --------------------------------------------------------------------------- best fits


@dataclass(frozen=True)
class BestFit:
    """Someone within two degrees whose expertise fits a context."""

    member_id: int
    matched: tuple[str, ...]
    fit: float
    degree: int
    score: float


def best_fits(
    session: Session, signal: ContextSignal, clock: Clock = system_clock
) -> list[BestFit]:
    """The members within two degrees of the context's owner whose expertise
    fits it, best first, ranked as their nudge is: strong fits first, then by
    domain.graph.context_score (fit, then closeness, then how soon).

    Read from the database, not the in-memory graph, so a context posted in
    the same transaction as the connections it travels along (the demo seed)
    reaches the same people the nudges will once it commits."""
    owner, now = signal.member_id, clock.now()
    ties = _ties_of(session, owner, now)
    experts = _experts_near(session, owner, signal.tags)
    paths = _second_degree_paths(session, ties, set(experts) - ties.keys(), now)
    found = []
    for member_id, matched in experts.items():
        degree = 1 if member_id in ties else 2
        path = ties.get(member_id) if degree == 1 else paths.get(member_id)
        if path is None:
            continue
        fit = graph.context_fit(signal.tags, matched)
        score = graph.context_score(
            fit, graph.closeness(degree, path), graph.urgency(signal, now.date())
        )
        found.append(BestFit(member_id, tuple(sorted(matched)), fit, degree, score))
    # strong fits first, as the feed ranks them (domain.nudges)
    found.sort(key=lambda f: (not graph.is_strong_fit(f.fit), -f.score, f.member_id))
    return found


def tell_best_fits(
    session: Session, signal: ContextSignal, clock: Clock = system_clock
) -> list[int]:
    """Tell the best-fitting people at once, in their inbox (and so in their
    daily digest email, for those who asked for one): the few, at most
    TELL_MAX, who know at least half of what the context asks for
    (graph.STRONG_FIT). Everyone else who fits sees it in their nudges.
    Returns whom it told."""
    strong = [
        f for f in best_fits(session, signal, clock) if graph.is_strong_fit(f.fit)
    ]
    told = []
    for fit in strong[:TELL_MAX]:
        note = notifications.notify(
            session,
            member_id=fit.member_id,
            sender_id=signal.member_id,
            kind="context",
            text=_fit_sentence(signal, fit),
            link=routes.DASHBOARD,
            clock=clock,
        )
        if note is not None:
            told.append(fit.member_id)
    return told


def signal_of(session: Session, context: Context) -> ContextSignal:
    """A stored context as the graph sees it (its owner's name, its tags)."""
    owner = session.get(Member, context.member_id)
    tags = _tags_of(session, [context.id]).get(context.id, [])
    return ContextSignal(
        id=context.id,
        member_id=context.member_id,
        owner_name=owner.display_name,
        kind=context.kind,
        title=context.title,
        tags=frozenset(tags),
        starts_on=context.starts_on,
        ends_on=context.ends_on,
    )


def _fit_sentence(signal: ContextSignal, fit: BestFit) -> str:
    """ "Priya Raman is organizing Northstar Summit: you know event marketing,
    1 of the 2 things it needs." """
    asked = len(signal.tags)
    how = (
        "everything it needs"
        if len(fit.matched) == asked
        else f"{len(fit.matched)} of the {asked} things it needs"
    )
    return (
        f"{describe(signal)}: you know {humanize(fit.matched)}, {how}. "
        "Offer to help from your dashboard."
    )


def _ties_of(session: Session, member_id: int, now: datetime) -> dict[int, float]:
    """The member's connections and each tie's strength now."""
    c = Connection
    rows = session.exec(
        select(c.requester_id, c.addressee_id, c.warmth, c.warmth_at).where(
            c.status == "accepted",
            or_(c.requester_id == member_id, c.addressee_id == member_id),
        )
    ).all()
    return {
        (b if a == member_id else a): _strength_at(warmth, at, now)
        for a, b, warmth, at in rows
    }


def _strength_at(warmth: float, since: datetime | None, now: datetime) -> float:
    """A tie's strength at `now` from its warmth cache, as the graph has it."""
    half_life = graph_index.warmth_half_life()
    return strength.strength(warmth or 0.0, since, now, half_life)


def _experts_near(session: Session, owner: int, tags) -> dict[int, set[str]]:
    """Active members within two degrees of `owner` who give one of `tags`,
    with the tags they give."""
    near = degrees.first_degree(owner).union(degrees.second_degree(owner))
    rows = session.exec(
        select(MemberTag.member_id, MemberTag.tag)
        .join(Member, Member.id == MemberTag.member_id)
        .where(
            MemberTag.kind == "give",
            col(MemberTag.tag).in_(list(tags)),
            Member.status == "active",
            MemberTag.member_id != owner,
            col(MemberTag.member_id).in_(near),
        )
    ).all()
    found: dict[int, set[str]] = {}
    for member_id, tag in rows:
        found.setdefault(member_id, set()).add(tag)
    return found


def _second_degree_paths(
    session: Session, ties: dict[int, float], others: set[int], now: datetime
) -> dict[int, float]:
    """For each of `others`, the warmest two-step path from the owner: the
    product of the owner's tie to a mutual connection and theirs."""
    if not others or not ties:
        return {}
    c, wanted, mutual = Connection, sorted(others), sorted(ties)
    rows = session.exec(
        select(c.requester_id, c.addressee_id, c.warmth, c.warmth_at).where(
            c.status == "accepted",
            or_(
                col(c.requester_id).in_(wanted) & col(c.addressee_id).in_(mutual),
                col(c.addressee_id).in_(wanted) & col(c.requester_id).in_(mutual),
            ),
        )
    ).all()
    best: dict[int, float] = {}
    for a, b, warmth, at in rows:
        other, via = (a, b) if a in others else (b, a)
        path = ties[via] * _strength_at(warmth, at, now)
        best[other] = max(best.get(other, 0.0), path)
    return best


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
