"""Micro-networks: communities the graph finds, and groups members join.

Detected communities are Louvain over connections weighted by strength and
shared tags (RelationshipGraph.communities), named by their telling tags.
Louvain visits every edge it is given, so it never runs over a large graph
while a page waits: for a member it runs over their two-degree neighbourhood
(at most NEIGHBOURHOOD_MAX people, their own connections first); for the
whole network over everyone while the network is small, else over its
NETWORK_MAX most-connected members. Answers are cached per process for
CACHE_SECONDS and dropped when the index is reloaded; names are read fresh
on every call.

Explicit groups (member_group, group_membership) are public to signed-in
members: anyone may see one, join it and leave it. A group's feed shows the
open requests and contexts its members posted, newest first -- each only when
the viewer may see it anyway (a request by listings.visible_to, a context by
contexts.audience_of), so a group never leaks a "my network" or "chosen
people" request, nor a context, to a stranger. Whoever the viewer blocked or
was blocked by shows nowhere on a group's page or among detected faces, and
a member hidden from search (accounts/privacy.py) is named in neither but to
their own connections (a group's count still counts them).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlalchemy import func, or_, union_all
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from marketplace import routes
from marketplace.accounts import privacy
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.contexts import KINDS as CONTEXT_VERBS
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.domain.graph import Community, RelationshipGraph
from marketplace.domain.groups import check_group, is_slug
from marketplace.domain.ids import check_id
from marketplace.market.listings import has_room, visible_to
from marketplace.models import (
    Connection,
    Context,
    ContextTag,
    GroupMembership,
    Listing,
    ListingTag,
    Member,
    MemberGroup,
)
from marketplace.network import blocks, contexts, graph_index

CACHE_SECONDS = 300.0
CACHE_ENTRIES = 512
NEIGHBOURHOOD_MAX = 1500
NETWORK_MAX = 5000
MEMBERS_SHOWN = 12
FEED_SIZE = 30
MEMBERS_LISTED = 200
# contexts read per one the feed shows: some belong to people too far away
CONTEXTS_READ_PER_SHOWN = 3
BROWSE_MAX = 100


@dataclass(frozen=True)
class MemberChip:
    id: int
    handle: str
    name: str


@dataclass(frozen=True)
class CommunityView:
    """A detected micro-network."""

    name: str  # "saas-marketing · b2b-seo · events"
    tags: list[str]
    size: int
    members: list[MemberChip]  # a few: the viewer's connections first
    includes_me: bool

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class GroupSummary:
    id: int
    slug: str
    name: str
    description: str
    member_count: int
    is_member: bool  # the viewer belongs to it
    created: str  # "26 Nov 2026"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class FeedItem:
    """An open request or context a group member posted."""

    kind: str  # request | context
    id: int  # the listing's or the context's id
    title: str
    sentence: str  # "Priya asks for help" / "Priya is organizing"
    tags: list[str]
    author_name: str
    author_handle: str
    posted: str  # "26 Nov 2026"
    at: str  # ISO time, for ordering on the page
    link: str  # the listing page, or the author's profile for a context


@dataclass(frozen=True)
class GroupView:
    group: GroupSummary
    members: list[MemberChip] = field(default_factory=list)
    feed: list[FeedItem] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- detected


@dataclass(frozen=True)
class _Found:
    community: Community
    shown: tuple[int, ...]


_cache: OrderedDict[int | None, tuple[float, object, list[_Found]]] = OrderedDict()
_cache_lock = threading.Lock()


def detected_communities(
    session: Session, clock: Clock = system_clock, member_id: int | None = None
) -> list[CommunityView]:
    """Micro-networks around a member (their own first), or across the
    network when member_id is None; largest first otherwise."""
    if member_id is not None:
        member_id = _member(session, member_id)
    found = _communities(session, member_id, clock)
    people = _chips(session, {m for f in found for m in f.shown})
    if member_id is not None:  # cached for everyone alike: blocks apply here
        for hidden in blocks.blocked_with(session, member_id):
            people.pop(hidden, None)
    # a face is a suggestion: none hidden from search but to their connections
    for hidden in privacy.hidden_from(session, member_id, people):
        people.pop(hidden, None)
    return [
        CommunityView(
            name=f.community.name,
            tags=list(f.community.top_tags),
            size=len(f.community.members),
            members=[people[m] for m in f.shown if m in people],
            includes_me=member_id in f.community.members,
        )
        for f in found
    ]


def forget_communities() -> None:
    """Empty the cache (tests; an operator after a bulk import)."""
    with _cache_lock:
        _cache.clear()


def _communities(session, member_id: int | None, clock: Clock) -> list[_Found]:
    current = graph_index.index()
    with _cache_lock:
        hit = _cache.get(member_id)
        if hit and hit[1] is current and hit[0] > time.monotonic():
            _cache.move_to_end(member_id)
            return hit[2]
    chosen = None if member_id is not None else _core(session, current.graph)
    found = _detect(current.graph, member_id, chosen, clock.now())
    with _cache_lock:
        _cache[member_id] = (time.monotonic() + CACHE_SECONDS, current, found)
        _cache.move_to_end(member_id)
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return found


def _detect(graph: RelationshipGraph, me, chosen, now: datetime) -> list[_Found]:
    """Louvain over the chosen members, under the index's lock so no change
    lands half-way through the reading."""
    with graph_index.lock():
        members = _around(graph, me) if me is not None else chosen
        parts = graph.communities(now, members=members)
        if me is not None:
            parts.sort(key=lambda c: me not in c.members)  # stable: mine first
        return [_Found(c, _shown(graph, c, me)) for c in parts]


def _around(graph: RelationshipGraph, me: int) -> set[int]:
    """Me, my connections and theirs, nearest first, at most NEIGHBOURHOOD_MAX."""
    first = graph.neighbours(me)
    chosen = {me, *first[: NEIGHBOURHOOD_MAX - 1]}
    for friend in first:
        for other in graph.neighbours(friend):
            if len(chosen) >= NEIGHBOURHOOD_MAX:
                return chosen
            chosen.add(other)
    return chosen


def _core(session: Session, graph: RelationshipGraph) -> set[int] | None:
    """Everyone while the network is small (None); else its NETWORK_MAX
    most-connected members, counted by the database."""
    if graph.node_count <= NETWORK_MAX:
        return None
    c = Connection.__table__.c
    accepted = c.status == "accepted"
    ends = union_all(
        select(c.requester_id.label("m")).where(accepted),
        select(c.addressee_id.label("m")).where(accepted),
    ).subquery()
    rows = session.exec(
        select(ends.c.m)
        .group_by(ends.c.m)
        .order_by(func.count().desc(), ends.c.m)
        .limit(NETWORK_MAX)
    ).all()
    return set(rows)


def _shown(graph: RelationshipGraph, community: Community, me) -> tuple[int, ...]:
    """A few faces: my own connections first, then by id; never me."""
    others = (m for m in community.members if m != me)
    ranked = sorted(others, key=lambda m: (not graph.has_edge(me, m), m))
    return tuple(ranked[:MEMBERS_SHOWN])


# --------------------------------------------------------------------------- groups


def create_group(
    session: Session,
    *,
    actor_id: int,
    name: object,
    description: object = "",
    clock: Clock = system_clock,
) -> GroupSummary:
    """A new group, with its creator as the first member. Names are 3 to 80
    characters and must make a slug no other group has."""
    draft = check_group(name, description)
    actor = _member(session, actor_id)
    _refuse_taken(session, draft.slug)
    now = clock.now()
    group = MemberGroup(
        name=draft.name,
        slug=draft.slug,
        description=draft.description,
        created_by_id=actor,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(group)
            session.flush()
    except IntegrityError:  # created a moment ago by someone else
        raise Conflict(_taken_message(draft.name)) from None
    session.add(GroupMembership(group_id=group.id, member_id=actor, joined_at=now))
    session.flush()
    return _summaries(session, [group], actor)[0]


def _refuse_taken(session: Session, slug: str) -> None:
    taken = session.exec(select(MemberGroup).where(MemberGroup.slug == slug)).first()
    if taken is not None:
        raise Conflict(_taken_message(taken.name))


def _taken_message(name: str) -> str:
    return f"There is already a group called “{name}”: join it, or choose another name."


def join_group(
    session: Session, *, member_id: int, group_id: object, clock: Clock = system_clock
) -> GroupSummary:
    """Join a group; joining one already joined changes nothing."""
    member_id = _member(session, member_id)
    group = _group(session, group_id)
    if _membership(session, group.id, member_id) is None:
        try:
            with session.begin_nested():
                session.add(
                    GroupMembership(
                        group_id=group.id, member_id=member_id, joined_at=clock.now()
                    )
                )
                session.flush()
        except IntegrityError:  # joined a moment ago, in another tab
            pass
    return _summaries(session, [group], member_id)[0]


def leave_group(session: Session, *, member_id: int, group_id: object) -> GroupSummary:
    """Leave a group; leaving one not joined changes nothing. The group stays
    when its last member leaves: its name and page remain for others."""
    member_id = _member(session, member_id)
    group = _group(session, group_id)
    membership = _membership(session, group.id, member_id)
    if membership is not None:
        session.delete(membership)
        session.flush()
    return _summaries(session, [group], member_id)[0]


def groups_of(session: Session, member_id: int) -> list[GroupSummary]:
    """The groups a member belongs to, by name."""
    member_id = _member(session, member_id)
    mine = select(GroupMembership.group_id).where(
        GroupMembership.member_id == member_id
    )
    rows = session.exec(
        select(MemberGroup)
        .where(col(MemberGroup.id).in_(mine))
        .order_by(MemberGroup.name, MemberGroup.id)
    ).all()
    return _summaries(session, list(rows), member_id)


def browse_groups(
    session: Session, member_id: int, limit: int = 50
) -> list[GroupSummary]:
    """Every group, the busiest first, for a page to join from."""
    member_id = _member(session, member_id)
    if isinstance(limit, bool) or not isinstance(limit, int):
        raise InvalidInput(f"Limit must be a whole number up to {BROWSE_MAX}.", "limit")
    if not 1 <= limit <= BROWSE_MAX:
        raise InvalidInput(f"Limit must be a whole number up to {BROWSE_MAX}.", "limit")
    size = (
        select(func.count())
        .where(GroupMembership.group_id == MemberGroup.id)
        .correlate(MemberGroup)
        .scalar_subquery()
    )
    rows = session.exec(
        select(MemberGroup).order_by(size.desc(), MemberGroup.name).limit(limit)
    ).all()
    return _summaries(session, list(rows), member_id)


def group_view(
    session: Session, member_id: int, slug: object, clock: Clock = system_clock
) -> GroupView:
    """A group's page: who is in it, and what they asked for and are up to
    (see the module docstring for what the viewer may see)."""
    member_id = _member(session, member_id)
    if not is_slug(slug):
        raise NotFound("No such group.")
    group = session.exec(select(MemberGroup).where(MemberGroup.slug == slug)).first()
    if group is None:
        raise NotFound("No such group.")
    return GroupView(
        group=_summaries(session, [group], member_id)[0],
        members=_members_of(session, group.id, member_id),
        feed=_feed(session, member_id, group.id, clock.now().date()),
    )


def _member(session: Session, member_id: object) -> int:
    if isinstance(member_id, bool) or not isinstance(member_id, int):
        raise NotFound("No such member.")
    if not 0 < member_id < 2**31:
        raise NotFound("No such member.")
    member = session.get(Member, member_id)
    if member is None or member.status != "active":
        raise NotFound("No such member.")
    return member_id


def _group(session: Session, group_id: object) -> MemberGroup:
    group = session.get(MemberGroup, check_id(group_id, "group"))
    if group is None:
        raise NotFound("No such group.")
    return group


def _membership(session, group_id: int, member_id: int) -> GroupMembership | None:
    return session.exec(
        select(GroupMembership).where(
            GroupMembership.group_id == group_id,
            GroupMembership.member_id == member_id,
        )
    ).first()


def _summaries(
    session: Session, groups: list[MemberGroup], viewer_id: int
) -> list[GroupSummary]:
    ids = [g.id for g in groups]
    counts, mine = {}, set()
    if ids:
        counts = dict(
            session.exec(
                select(GroupMembership.group_id, func.count())
                .where(col(GroupMembership.group_id).in_(ids))
                .group_by(GroupMembership.group_id)
            ).all()
        )
        mine = set(
            session.exec(
                select(GroupMembership.group_id).where(
                    col(GroupMembership.group_id).in_(ids),
                    GroupMembership.member_id == viewer_id,
                )
            ).all()
        )
    return [
        GroupSummary(
            id=g.id,
            slug=g.slug,
            name=g.name,
            description=g.description,
            member_count=counts.get(g.id, 0),
            is_member=g.id in mine,
            created=g.created_at.strftime("%d %b %Y"),
        )
        for g in groups
    ]


def _members_of(session: Session, group_id: int, viewer_id: int) -> list[MemberChip]:
    rows = session.exec(
        select(Member.id, Member.handle, Member.display_name)
        .join(GroupMembership, GroupMembership.member_id == Member.id)
        .where(
            GroupMembership.group_id == group_id,
            Member.status == "active",
            col(Member.id).not_in(blocks.blocked_ids(viewer_id)),
            privacy.findable(viewer_id),
        )
        .order_by(GroupMembership.joined_at, GroupMembership.id)
        .limit(MEMBERS_LISTED)
    ).all()
    return [MemberChip(mid, handle, name) for mid, handle, name in rows]


def _chips(session: Session, ids: Iterable[int]) -> dict[int, MemberChip]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.exec(
        select(Member.id, Member.handle, Member.display_name).where(
            col(Member.id).in_(wanted), Member.status == "active"
        )
    ).all()
    return {mid: MemberChip(mid, handle, name) for mid, handle, name in rows}


# --------------------------------------------------------------------------- feed


def _feed(
    session: Session, viewer_id: int, group_id: int, today: date, limit: int = FEED_SIZE
) -> list[FeedItem]:
    """Open requests (those the viewer may see, with room left) and current
    contexts (those shown to the viewer) of the group's members, newest first."""
    members = select(GroupMembership.member_id).where(
        GroupMembership.group_id == group_id
    )
    items = _request_items(session, viewer_id, members, limit)
    items += _context_items(session, viewer_id, members, today, limit)
    items.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _, item in items[:limit]]


def _request_items(session, viewer_id: int, members, limit: int) -> list[tuple]:
    rows = session.exec(
        select(Listing, Member)
        .join(Member, Member.id == Listing.author_id)
        .where(
            col(Listing.author_id).in_(members),
            Listing.kind == "request",
            Listing.status == "open",
            Member.status == "active",
            has_room(),
            visible_to(viewer_id),
        )
        .order_by(col(Listing.created_at).desc(), col(Listing.id).desc())
        .limit(limit)
    ).all()
    tags = _grouped_tags(session, ListingTag, "listing_id", [r.id for r, _ in rows])
    return [
        (
            (listing.created_at, 1, listing.id),
            FeedItem(
                kind="request",
                id=listing.id,
                title=listing.title,
                sentence=f"{author.display_name} asks for help",
                tags=tags.get(listing.id, []),
                author_name=author.display_name,
                author_handle=author.handle,
                posted=listing.created_at.strftime("%d %b %Y"),
                at=listing.created_at.isoformat(),
                link=routes.listing(listing.id),
            ),
        )
        for listing, author in rows
    ]


def _context_items(session, viewer_id, members, today, limit: int) -> list[tuple]:
    """The group members' current contexts the viewer may see (the one
    audience rule, contexts.audience_of), picked from a few more rows than
    the feed shows."""
    shown = contexts.audience_of(session, viewer_id)
    rows = session.exec(
        select(Context, Member)
        .join(Member, Member.id == Context.member_id)
        .where(
            col(Context.member_id).in_(members),
            Member.status == "active",
            _current(today),
        )
        .order_by(col(Context.created_at).desc(), col(Context.id).desc())
        .limit(limit * CONTEXTS_READ_PER_SHOWN)
    ).all()
    rows = [(c, owner) for c, owner in rows if shown(owner.id)][:limit]
    tags = _grouped_tags(session, ContextTag, "context_id", [c.id for c, _ in rows])
    return [
        (
            (context.created_at, 0, context.id),
            FeedItem(
                kind="context",
                id=context.id,
                title=context.title,
                sentence=f"{owner.display_name} "
                + CONTEXT_VERBS.get(context.kind, "is busy with"),
                tags=tags.get(context.id, []),
                author_name=owner.display_name,
                author_handle=owner.handle,
                posted=context.created_at.strftime("%d %b %Y"),
                at=context.created_at.isoformat(),
                link=routes.person(owner.handle),
            ),
        )
        for context, owner in rows
    ]


def _current(today: date):
    """Open and not over (as services/contexts shows them): no end date, or
    no start date either, before today."""
    return (Context.status == "open") & or_(
        col(Context.ends_on) >= today,
        col(Context.ends_on).is_(None)
        & (col(Context.starts_on).is_(None) | (col(Context.starts_on) >= today)),
    )


def _grouped_tags(session, table, column: str, ids: list[int]) -> dict[int, list]:
    found: dict[int, list[str]] = {}
    if ids:
        key = getattr(table, column)
        for owner, tag in session.exec(
            select(key, table.tag).where(col(key).in_(ids)).order_by(table.id)
        ):
            found.setdefault(owner, []).append(tag)
    return found
