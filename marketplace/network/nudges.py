"""The dashboard's nudge feed: ask, intro, give, reconnect -- ranked, and
answered (dismiss, snooze, act) so the next feed learns from it.

Where each kind comes from:

- ask: for each of my newest open requests, the best *connections* to ask
  (graph_index.who_to_ask, first degree, not away, not already engaged on it):
  "Ask Marcus about 'Seed deck review'" -- "knows fundraising, owes you a
  favour".
- intro: for the same requests, the best *second-degree* candidate worth the
  trouble (score >= INTRO_MIN_SCORE) and not already asked for: "Ask Priya to
  introduce you to Dana", with via and target ids for the intro form.
- give: open contexts within two degrees that fit my expertise
  (graph_index.context_nudges), and open requests of my first and second
  degree that fit it and that I may see (listings.visible_to) and have not
  answered yet.
- reconnect: connections going cold (interactions.cold_ties), each with the
  most concrete reason to reach out now: their open context, their open
  request that fits what I know, an IOU between us, or else the last thing we
  did together and when.
- keep in touch (a reconnect too, key "contact:<id>"): my own private
  contacts whose logged conversations have faded (touchpoints.contacts_due),
  linking to the contact's page; only ever in my feed.

Nobody the member blocked, or was blocked by, is suggested, named as the one
to ask for an intro, or takes the place of someone who could be: they are
left out where candidates are found, not after the best were picked. Nor is
anyone hidden from search who is not my connection, and the words about a
candidate leave out what they keep from me (accounts/privacy.screen).

Scores and how feedback reweighs them are domain/nudges.py's. Reading the
feed writes nothing; `dismiss`, `snooze` and `acted` each write one
`nudge_feedback` row in the caller's transaction (services never commit).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import timedelta

from sqlalchemy import Integer, bindparam, func, or_
from sqlmodel import Session, col, select

from marketplace import routes
from marketplace.accounts import privacy
from marketplace.accounts.members import member_row
from marketplace.accounts.profiles import tags_of
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain import nudges as rules
from marketplace.domain.contexts import ContextSignal, describe, humanize
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.domain.graph import Candidate, Nudge
from marketplace.domain.strength import ColdTie
from marketplace.market.listings import has_room, visible_to
from marketplace.models import (
    Context,
    Engagement,
    Intro,
    Iou,
    Listing,
    ListingTag,
    Member,
    NudgeFeedback,
)
from marketplace.network import (
    blocks,
    degrees,
    graph_index,
    interactions,
    touchpoints,
)

FEED_MAX = 50
MAX_REQUESTS = 5  # my newest open requests that get ask and intro nudges
ASK_PER_REQUEST = 2
INTRO_PER_REQUEST = 1
CANDIDATES = 12  # who_to_ask results looked at per request
# A second-degree candidate worth asking someone for an intro: about a full
# tag match with an open calendar even over a weak path (see ASK_WEIGHTS).
INTRO_MIN_SCORE = 0.5
GIVE_CONTEXTS = 10
GIVE_REQUESTS = 10
COLD_TIES = 8
NOT_UNDER_WAY = ("declined", "cancelled")  # engagements that no longer count
INTRO_PENDING = ("requested", "forwarded", "accepted")


@dataclass(frozen=True)
class NudgeView:
    """One suggestion on the dashboard. Ids are 0 when they don't apply."""

    key: str  # what dismiss/snooze/acted take: "context:12", "reconnect:34"
    kind: str  # ask | intro | give | reconnect
    kind_label: str
    text: str  # "Ask Marcus about “Seed deck review”"
    reason: str  # "knows fundraising, owes you a favour"
    score: float  # rank score: graph score x kind weight x the member's taste
    action: str  # the button: "Ask Marcus", "Offer help", "Reach out"
    link: str  # the page the button opens ("" when the UI opens a form)
    person_id: int  # whom it is about: candidate, intro target, owner, tie
    person_name: str
    person_handle: str
    via_id: int = 0  # intro: who to ask for the introduction
    via_name: str = ""
    via_handle: str = ""
    listing_id: int = 0  # ask, intro: my request; give: their request
    context_id: int = 0  # give: their context; reconnect: their context
    strong: bool = False  # a context asking for what I know: leads the feed

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class _Person:
    name: str
    handle: str

    @property
    def first(self) -> str:
        return rules.first_name(self.name)


# --------------------------------------------------------------------------- the feed


def feed(
    session: Session, member_id: int, clock: Clock = system_clock, limit: int = 10
) -> list[NudgeView]:
    """The member's nudges, best first, minus those dismissed, snoozed or
    recently acted on; each kind weighted by the member's taste for it."""
    member_id = _member(session, member_id)
    _check_limit(limit)
    drafts, prefs = _drafts(session, member_id, clock)
    return _ranked(drafts, prefs, limit)


def feed_and_rest(
    session: Session, member_id: int, clock: Clock = system_clock, shown: int = 6
) -> tuple[list[NudgeView], list[NudgeView]]:
    """The dashboard's few (exactly `feed(shown)`) and, for its "see all",
    the rest of the whole feed (up to FEED_MAX in all), best first, from one
    look at the graph: seeing all keeps the first few where they were."""
    member_id = _member(session, member_id)
    _check_limit(shown)
    drafts, prefs = _drafts(session, member_id, clock)
    first = _ranked(drafts, prefs, shown)
    keys = {n.key for n in first}
    rest = [n for n in _ranked(drafts, prefs, FEED_MAX) if n.key not in keys]
    return first, rest[: FEED_MAX - len(first)]


def _check_limit(limit: object) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidInput(f"Limit must be a whole number up to {FEED_MAX}.", "limit")
    if not 1 <= limit <= FEED_MAX:
        raise InvalidInput(f"Limit must be a whole number up to {FEED_MAX}.", "limit")


def _ranked(
    drafts: list[NudgeView], prefs: rules.Preferences, limit: int
) -> list[NudgeView]:
    ranked = rules.rank(drafts, prefs, limit)
    return [replace(draft, score=round(score, 4)) for score, draft in ranked]


def _drafts(
    session: Session, member_id: int, clock: Clock
) -> tuple[list[NudgeView], rules.Preferences]:
    """Every nudge the member could see now, and their preferences."""
    prefs = rules.preferences(_history(session, member_id, clock), clock.now())
    hidden = prefs.hidden
    blocked = blocks.blocked_with(session, member_id)
    drafts = [
        *_ask_and_intro(session, member_id, clock, hidden, blocked),
        *_contexts(session, member_id, clock, hidden, blocked),
        *_requests_to_help(session, member_id, clock, hidden),
        *_reconnect(session, member_id, clock, hidden),
        *_keep_in_touch(session, member_id, clock, hidden),
    ]
    # what the graph may trail by a moment, the database settles
    drafts = [
        d for d in drafts if d.person_id not in blocked and d.via_id not in blocked
    ]
    return drafts, prefs


def _member(session: Session, member_id: object) -> int:
    if isinstance(member_id, bool) or not isinstance(member_id, int):
        raise NotFound("No such member.")
    if not 0 < member_id <= rules.MAX_ID or member_row(session, member_id) is None:
        raise NotFound("No such member.")
    return member_id


def _history(session: Session, member_id: int, clock: Clock) -> list[rules.Feedback]:
    """The feedback that still matters: every dismissal, and the rest within
    the taste window or still snoozing."""
    now = clock.now()
    f = NudgeFeedback
    rows = session.exec(
        select(f.nudge_key, f.action, f.at, f.until).where(
            f.member_id == member_id,
            or_(
                f.action == "dismissed",
                f.at >= now - timedelta(days=rules.FEEDBACK_WINDOW_DAYS),
                col(f.until) > now,
            ),
        )
    ).all()
    return [rules.Feedback(key, action, at, until) for key, action, at, until in rows]


def _people(session: Session, ids: Iterable[int]) -> dict[int, _Person]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = session.exec(
        select(Member.id, Member.display_name, Member.handle).where(
            col(Member.id).in_(wanted)
        )
    ).all()
    return {mid: _Person(name, handle) for mid, name, handle in rows}


def _tags_of(session: Session, listing_ids: list[int]) -> dict[int, set[str]]:
    tags: dict[int, set[str]] = {}
    if listing_ids:
        for lid, tag in session.exec(
            select(ListingTag.listing_id, ListingTag.tag).where(
                col(ListingTag.listing_id).in_(listing_ids)
            )
        ):
            tags.setdefault(lid, set()).add(tag)
    return tags


def _expertise(session: Session, member_id: int) -> set[str]:
    return set(tags_of(session, [member_id])[member_id]["give"])


# --------------------------------------------------------------------------- ask, intro


def _ask_and_intro(session, me: int, clock: Clock, hidden, blocked) -> list:
    """For my newest open requests: connections to ask, and one second-degree
    person worth an intro (never someone either of us blocked)."""
    requests = session.exec(
        select(Listing)
        .where(
            Listing.author_id == me,
            Listing.kind == "request",
            Listing.status == "open",
        )
        .order_by(col(Listing.created_at).desc(), col(Listing.id).desc())
        .limit(MAX_REQUESTS)
    ).all()
    if not requests:
        return []
    ids = [r.id for r in requests]
    tags, involved = _tags_of(session, ids), _involved(session, ids)
    asked_for = _intros_pending(session, me)
    picks: list[tuple[Listing, Candidate, str]] = []
    for request in requests:
        if not tags.get(request.id):
            continue
        skip = blocked | involved.get(request.id, set())
        found = graph_index.who_to_ask(me, tags[request.id], clock, CANDIDATES, skip)
        found = privacy.screen(session, me, found, drop_away=True)
        picks += _asks(request, found, hidden)
        picks += _intros(request, found, hidden, asked_for)
    people = _people(session, [i for _, c, _ in picks for i in (c.member_id, c.via_id)])
    return [
        _ask_view(r, c, people) if kind == "ask" else _intro_view(r, c, people)
        for r, c, kind in picks
        if c.member_id in people and (kind == "ask" or c.via_id in people)
    ]


def _asks(request: Listing, found: list[Candidate], hidden) -> list[tuple]:
    direct = [
        c
        for c in found
        if c.degree == 1
        and c.availability != "away"
        and rules.ask_key(request.id, c.member_id) not in hidden
    ]
    return [(request, c, "ask") for c in direct[:ASK_PER_REQUEST]]


def _intros(request: Listing, found: list[Candidate], hidden, asked_for) -> list:
    worth = [
        c
        for c in found
        if c.degree == 2
        and c.via_id is not None
        and c.score >= INTRO_MIN_SCORE
        and c.availability != "away"
        and c.member_id not in asked_for
        and rules.intro_key(request.id, c.member_id) not in hidden
    ]
    return [(request, c, "intro") for c in worth[:INTRO_PER_REQUEST]]


def _involved(session: Session, listing_ids: list[int]) -> dict[int, set[int]]:
    """Per listing, the members already in an engagement on it: asking them
    again would be noise."""
    found: dict[int, set[int]] = {}
    for lid, asker, helper in session.exec(
        select(Engagement.listing_id, Engagement.asker_id, Engagement.helper_id).where(
            col(Engagement.listing_id).in_(listing_ids),
            col(Engagement.status).not_in(NOT_UNDER_WAY),
        )
    ):
        found.setdefault(lid, set()).update((asker, helper))
    return found


def _intros_pending(session: Session, me: int) -> set[int]:
    """People I already asked to be introduced to (and not turned down)."""
    return set(
        session.exec(
            select(Intro.target_id).where(
                Intro.requester_id == me, col(Intro.status).in_(INTRO_PENDING)
            )
        ).all()
    )


def _ask_view(request: Listing, c: Candidate, people) -> NudgeView:
    who = people[c.member_id]
    return NudgeView(
        key=rules.ask_key(request.id, c.member_id),
        kind="ask",
        kind_label=rules.KIND_LABELS["ask"],
        text=f"Ask {who.first} about “{request.title}”",
        reason=rules.ask_reason(
            c.matched_tags, c.owes_me, c.given, c.received, c.availability
        ),
        score=c.score,
        action=f"Ask {who.first}",
        link=routes.listing(request.id),
        person_id=c.member_id,
        person_name=who.name,
        person_handle=who.handle,
        listing_id=request.id,
    )


def _intro_view(request: Listing, c: Candidate, people) -> NudgeView:
    who, via = people[c.member_id], people[c.via_id]
    return NudgeView(
        key=rules.intro_key(request.id, c.member_id),
        kind="intro",
        kind_label=rules.KIND_LABELS["intro"],
        text=f"Ask {via.first} to introduce you to {who.first}",
        reason=(
            f"{who.first} knows {humanize(c.matched_tags)} — "
            f"for “{request.title}”; {via.first} knows you both"
        ),
        score=c.score,
        action=f"Ask {via.first} for an intro",
        link=routes.person(who.handle),
        person_id=c.member_id,
        person_name=who.name,
        person_handle=who.handle,
        via_id=c.via_id,
        via_name=via.name,
        via_handle=via.handle,
        listing_id=request.id,
    )


# --------------------------------------------------------------------------- give


def _contexts(session, me: int, clock: Clock, hidden, blocked) -> list[NudgeView]:
    """Contexts near me that fit what I know, checked against the database
    (the in-memory board may trail a close by a moment)."""
    found = graph_index.context_nudges(
        me, clock, GIVE_CONTEXTS, skip=hidden, exclude=blocked
    )
    if not found:
        return []
    rows = {
        c.id: c
        for c in session.exec(
            select(Context).where(
                col(Context.id).in_([n.context_id for n in found]),
                Context.status == "open",
            )
        )
    }
    people = _people(session, [i for n in found for i in (n.owner_id, n.via_id)])
    return [
        _context_view(n, rows[n.context_id], people)
        for n in found
        if n.context_id in rows and n.owner_id in people
    ]


def _context_view(n: Nudge, context: Context, people) -> NudgeView:
    owner = people[n.owner_id]
    via = people.get(n.via_id) if n.via_id else None
    return NudgeView(
        key=n.key,
        kind="give",
        kind_label=rules.KIND_LABELS["give"],
        text=f"{_said(context, owner)} — offer to help?",
        reason=_fit_words(n) + "; " + _closeness(owner, via),
        score=n.score,
        action="Offer to help",
        link=routes.person(owner.handle),
        person_id=n.owner_id,
        person_name=owner.name,
        person_handle=owner.handle,
        via_id=n.via_id or 0,
        via_name=via.name if via else "",
        via_handle=via.handle if via else "",
        context_id=context.id,
        strong=n.strong,
    )


def _fit_words(n: Nudge) -> str:
    """ "You know event marketing, all it asks for" / "..., 1 of 5 things"."""
    known = len(n.matched_tags)
    how = (
        "all it asks for"
        if known == n.asked
        else f"{known} of the {n.asked} things it asks for"
    )
    return f"You know {humanize(n.matched_tags)}, {how}"


def _said(context: Context, owner: _Person) -> str:
    """ "Priya is organizing SaaS Summit 2027"."""
    return describe(
        ContextSignal(
            context.id,
            context.member_id,
            owner.first,
            context.kind,
            context.title,
            frozenset(),
        )
    )


def _closeness(person: _Person, via: _Person | None) -> str:
    if via is None:
        return f"{person.first} is one of your connections"
    return f"you know {person.first} through {via.first}"


def _requests_to_help(session, me: int, clock: Clock, hidden) -> list[NudgeView]:
    """Open requests of my first and second degree that fit what I know, that
    I may see, have room, and that I have not answered already."""
    mine = _expertise(session, me)
    if not mine:
        return []
    rows = (
        session.execute(_open_requests_near(), {"me": me, "expertise": sorted(mine)})
        .scalars()
        .all()
    )
    rows = [r for r in rows if rules.give_key(r.id) not in hidden][:GIVE_REQUESTS]
    tags = _tags_of(session, [r.id for r in rows])
    reach = {r.author_id: _reach(me, r.author_id, clock) for r in rows}
    people = _people(session, set(reach) | {via for _, via in reach.values()})
    today = clock.now().date()
    return [
        _request_view(r, tags.get(r.id, set()) & mine, tags, reach, people, today)
        for r in rows
        if r.author_id in people
    ]


@functools.cache
def _open_requests_near():
    """Built once (its degree and visibility subqueries cost more to build
    than to run): `me` and my `expertise` are bind parameters."""
    me = bindparam("me", type_=Integer)
    expertise = bindparam("expertise", expanding=True)
    tagged = select(ListingTag.listing_id).where(col(ListingTag.tag).in_(expertise))
    near = degrees.first_degree(me).union(degrees.second_degree(me))
    answering = select(Engagement.listing_id).where(
        Engagement.helper_id == me, col(Engagement.status).not_in(NOT_UNDER_WAY)
    )
    return (
        select(Listing)
        .where(
            Listing.kind == "request",
            Listing.status == "open",
            Listing.author_id != me,
            col(Listing.id).in_(tagged),
            col(Listing.author_id).in_(near),
            col(Listing.id).not_in(answering),
            has_room(),
            visible_to(me),
        )
        .order_by(col(Listing.created_at).desc(), col(Listing.id).desc())
        .limit(GIVE_REQUESTS * 3)
    )


def _reach(me: int, other: int, clock: Clock) -> tuple[float, int]:
    """The warmest path of one or two hops: (strength, middle member or 0)."""
    paths = graph_index.warm_paths(me, other, clock, max_hops=2, k=1)
    if not paths:
        return 0.0, 0
    best = paths[0]
    return best.strength, best.members[1] if best.hops == 2 else 0


def _request_view(r: Listing, fit, tags, reach, people, today) -> NudgeView:
    author = people[r.author_id]
    path, via_id = reach[r.author_id]
    via = people.get(via_id)
    due = f"; needed by {r.deadline:%-d %b}" if r.deadline else ""
    return NudgeView(
        key=rules.give_key(r.id),
        kind="give",
        kind_label=rules.KIND_LABELS["give"],
        text=f"{author.first} needs help: “{r.title}”",
        reason=f"You know {humanize(fit)}{due}; " + _closeness(author, via),
        score=rules.request_score(
            len(fit) / max(1, len(tags.get(r.id, ()))), path, r.deadline, today
        ),
        action="Offer help",
        link=routes.listing(r.id),
        person_id=r.author_id,
        person_name=author.name,
        person_handle=author.handle,
        via_id=via_id,
        via_name=via.name if via else "",
        via_handle=via.handle if via else "",
        listing_id=r.id,
    )


# --------------------------------------------------------------------------- reconnect


@dataclass(frozen=True)
class _Why:
    """The reason to reach out: its kind (domain REASON_STRENGTH), a
    sentence, and what it points at."""

    kind: str
    sentence: str
    listing_id: int = 0
    context_id: int = 0


def going_cold(
    session: Session, member_id: int, clock: Clock = system_clock
) -> list[NudgeView]:
    """Every relationship that mattered and is fading, each with the most
    concrete reason to reach out now (the network page's list; the feed
    shows the ones not dismissed or snoozed), then my contacts due a word."""
    me = _member(session, member_id)
    return [
        *_reconnect(session, me, clock, frozenset()),
        *_keep_in_touch(session, me, clock, frozenset()),
    ]


def _reconnect(session, me: int, clock: Clock, hidden) -> list[NudgeView]:
    """Ties going cold, each with the most concrete reason to reach out now."""
    ties = [
        t
        for t in interactions.cold_ties(session, me, clock)
        if rules.reconnect_key(t.other_id) not in hidden
    ][:COLD_TIES]
    if not ties:
        return []
    others = [t.other_id for t in ties]
    people = _people(session, others)
    now = clock.now()
    contexts = _their_contexts(session, others, now.date())
    requests = _their_requests(session, me, others)
    owed = _owed_between(session, me, others)
    history = _last_work(session, me, others)
    views = []
    for tie in ties:
        who = people.get(tie.other_id)
        if who is None:
            continue
        why = (
            _context_why(contexts.get(tie.other_id), who)
            or _request_why(requests.get(tie.other_id), who)
            or _iou_why(owed.get(tie.other_id, 0), who)
            or _history_why(history.get(tie.other_id), tie, now)
        )
        views.append(_reconnect_view(tie, who, why))
    return views


def _keep_in_touch(session, me: int, clock: Clock, hidden) -> list[NudgeView]:
    """My contacts (not the graph's members) whose logged talks have faded.
    person_id stays 0: a contact id is not a member id."""
    due = [
        (tie, name)
        for tie, name in touchpoints.contacts_due(session, me, clock)
        if rules.contact_key(tie.other_id) not in hidden
    ][:COLD_TIES]
    return [
        NudgeView(
            key=rules.contact_key(tie.other_id),
            kind="reconnect",
            kind_label="Keep in touch",
            text=f"Keep in touch with {rules.first_name(name)}",
            reason=f"You last talked {rules.how_long_ago(tie.quiet_days)}.",
            score=rules.reconnect_score(
                tie.past_strength, tie.current_strength, "history"
            ),
            action="Open contact",
            link=routes.contact(tie.other_id),
            person_id=0,
            person_name=name,
            person_handle="",
        )
        for tie, name in due
    ]


def _their_contexts(session, others: list[int], today) -> dict[int, Context]:
    """Each person's newest open context."""
    rows = session.exec(
        select(Context)
        .where(
            col(Context.member_id).in_(others),
            _current(today),
        )
        .order_by(col(Context.created_at).desc(), col(Context.id).desc())
    ).all()
    newest: dict[int, Context] = {}
    for row in rows:
        newest.setdefault(row.member_id, row)
    return newest


def _their_requests(session, me: int, others: list[int]) -> dict[int, tuple]:
    """Each person's newest open request I may see that fits what I know:
    (listing, the tags that fit)."""
    mine = _expertise(session, me)
    if not mine:
        return {}
    tagged = select(ListingTag.listing_id).where(col(ListingTag.tag).in_(mine))
    rows = session.exec(
        select(Listing)
        .where(
            col(Listing.author_id).in_(others),
            Listing.kind == "request",
            Listing.status == "open",
            col(Listing.id).in_(tagged),
            has_room(),
            visible_to(me),
        )
        .order_by(col(Listing.created_at).desc(), col(Listing.id).desc())
    ).all()
    tags = _tags_of(session, [r.id for r in rows])
    newest: dict[int, tuple] = {}
    for row in rows:
        newest.setdefault(row.author_id, (row, tags.get(row.id, set()) & mine))
    return newest


def _current(today):
    """Open and not over, as services/contexts shows contexts: no end date,
    or no start date either, before today."""
    return (Context.status == "open") & or_(
        col(Context.ends_on) >= today,
        col(Context.ends_on).is_(None)
        & (col(Context.starts_on).is_(None) | (col(Context.starts_on) >= today)),
    )


def _owed_between(session, me: int, others: list[int]) -> dict[int, int]:
    """Net open IOU points per person: positive when they owe me."""
    net: dict[int, int] = {}
    rows = session.exec(
        select(Iou.debtor_id, Iou.creditor_id, func.sum(Iou.outstanding))
        .where(
            Iou.status == "open",
            or_(
                (Iou.debtor_id == me) & col(Iou.creditor_id).in_(others),
                (Iou.creditor_id == me) & col(Iou.debtor_id).in_(others),
            ),
        )
        .group_by(Iou.debtor_id, Iou.creditor_id)
    ).all()
    for debtor, creditor, total in rows:
        if creditor == me:
            net[debtor] = net.get(debtor, 0) + int(total or 0)
        else:
            net[creditor] = net.get(creditor, 0) - int(total or 0)
    return net


def _last_work(session, me: int, others: list[int]) -> dict[int, tuple]:
    """The last help we confirmed together, per person: (title, when)."""
    e = Engagement
    rows = session.exec(
        select(e.asker_id, e.helper_id, Listing.title, e.updated_at)
        .join(Listing, Listing.id == e.listing_id)
        .where(
            e.status == "confirmed",
            or_(
                (e.asker_id == me) & col(e.helper_id).in_(others),
                (e.helper_id == me) & col(e.asker_id).in_(others),
            ),
        )
        .order_by(col(e.updated_at).desc(), col(e.id).desc())
    ).all()
    last: dict[int, tuple] = {}
    for asker, helper, title, at in rows:
        last.setdefault(helper if asker == me else asker, (title, at))
    return last


def _context_why(context: Context | None, who: _Person) -> _Why | None:
    if context is None:
        return None
    return _Why("context", f"{_said(context, who)}.", context_id=context.id)


def _request_why(found: tuple | None, who: _Person) -> _Why | None:
    if found is None:
        return None
    listing, fit = found
    sentence = (
        f"{who.first} asked for help with “{listing.title}” — you know {humanize(fit)}."
    )
    return _Why("request", sentence, listing_id=listing.id)


def _iou_why(net: int, who: _Person) -> _Why | None:
    if net > 0:
        return _Why("iou", f"{who.first} owes you {rules.points(net)}.")
    if net < 0:
        return _Why("iou", f"You owe {who.first} {rules.points(-net)}.")
    return None


def _history_why(last: tuple | None, tie: ColdTie, now) -> _Why:
    if last is None:
        when = rules.how_long_ago(tie.quiet_days)
        return _Why("history", f"You were last in touch {when}.")
    title, at = last
    when = rules.how_long_ago((now - at).total_seconds() / 86_400)
    return _Why("history", f"You last worked together on “{title}”, {when}.")


def _reconnect_view(tie: ColdTie, who: _Person, why: _Why) -> NudgeView:
    return NudgeView(
        key=rules.reconnect_key(tie.other_id),
        kind="reconnect",
        kind_label=rules.KIND_LABELS["reconnect"],
        text=f"Reconnect with {who.first}",
        reason=why.sentence,
        score=rules.reconnect_score(tie.past_strength, tie.current_strength, why.kind),
        action="Reach out",
        link=routes.person(who.handle),
        person_id=tie.other_id,
        person_name=who.name,
        person_handle=who.handle,
        listing_id=why.listing_id,
        context_id=why.context_id,
    )


# --------------------------------------------------------------------------- feedback


def dismiss(
    session: Session, *, member_id: int, key: object, clock: Clock = system_clock
) -> NudgeFeedback:
    """Never show this nudge again; fewer of its kind from now on. Dismissing
    twice writes nothing new."""
    key = rules.check_key(key)
    member_id = _member(session, member_id)
    known = session.exec(
        select(NudgeFeedback).where(
            NudgeFeedback.member_id == member_id,
            NudgeFeedback.nudge_key == key,
            NudgeFeedback.action == "dismissed",
        )
    ).first()
    return known or _write(session, member_id, key, "dismissed", clock)


def snooze(
    session: Session,
    *,
    member_id: int,
    key: object,
    days: object,
    clock: Clock = system_clock,
) -> NudgeFeedback:
    """Hide this nudge for `days` (1..90); it comes back after, if still
    relevant. The latest snooze of a key is the one that counts."""
    key = rules.check_key(key)
    days = rules.check_snooze_days(days)
    member_id = _member(session, member_id)
    until = clock.now() + timedelta(days=days)
    return _write(session, member_id, key, "snoozed", clock, until)


def acted(
    session: Session, *, member_id: int, key: object, clock: Clock = system_clock
) -> NudgeFeedback:
    """The member did what the nudge said: hide it for a while (the graph
    catches up meanwhile) and count it for its kind."""
    key = rules.check_key(key)
    member_id = _member(session, member_id)
    return _write(session, member_id, key, "acted", clock)


def _write(session, member_id, key, action, clock, until=None) -> NudgeFeedback:
    row = NudgeFeedback(
        member_id=member_id, nudge_key=key, action=action, until=until, at=clock.now()
    )
    session.add(row)
    session.flush()
    return row
