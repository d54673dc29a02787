"""Finding people: the member directory and give/get matches for the dashboard.

A match is a member whose expertise covers one of my needs (they can help me) or
whose needs I cover (I can help them). Ranked by the number of shared tags.
Neither lists anyone the viewer blocked or was blocked by, nor anyone hidden
from search who is not the viewer's connection (accounts/privacy.py); a card
shows a location only where its member lets the viewer see it, and a search
matches a background tag only where the background shows.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

from sqlalchemy import Integer, and_, bindparam, func, or_
from sqlmodel import Session, col, select

from marketplace.accounts import privacy
from marketplace.accounts.profiles import tags_of
from marketplace.domain.errors import InvalidInput
from marketplace.domain.profiles import normalize_tag
from marketplace.models import Member, MemberTag
from marketplace.network import blocks

PAGE_SIZE = 24


@dataclass(frozen=True)
class PersonCard:
    handle: str
    display_name: str
    headline: str
    location: str
    tags: list[str]  # what the card lists of them: expertise, or needs
    shared: list[str]  # the tags that made them a match
    shared_label: str = "Shared"  # what `shared` is: "Needs", "Can help with"

    def as_dict(self) -> dict:
        return asdict(self)


def _cards(
    session: Session,
    members: list[Member],
    shared: dict[int, list[str]],
    show: str = "give",
    label: str = "Shared",
    viewer_id: int | None = None,
):
    """Cards listing each member's `show` tags (give or get), the matched
    ones first, so the tags that made the match are the ones in sight."""
    tags = tags_of(session, [m.id for m in members])
    location = privacy.card_location(session, viewer_id, members)
    cards = []
    for m in members:
        matched = sorted(shared.get(m.id, []))
        rest = [t for t in tags[m.id][show] if t not in matched]
        cards.append(
            PersonCard(
                m.handle,
                m.display_name,
                m.headline,
                location[m.id],
                (matched + rest)[:5],
                matched,
                label,
            )
        )
    return cards


def shared_tags(
    session: Session, *, member_id: int, mine: str, theirs: str
) -> dict[int, list[str]]:
    """For every other active member: their `theirs` tags that are my `mine` tags."""
    my_tags = select(MemberTag.tag).where(
        MemberTag.member_id == member_id, MemberTag.kind == mine
    )
    rows = session.exec(
        select(MemberTag.member_id, MemberTag.tag)
        .join(Member, Member.id == MemberTag.member_id)
        .where(
            MemberTag.kind == theirs,
            col(MemberTag.tag).in_(my_tags),
            MemberTag.member_id != member_id,
            Member.status == "active",
            col(MemberTag.member_id).not_in(blocks.blocked_ids(member_id)),
            privacy.findable(member_id),
        )
    ).all()
    shared: dict[int, list[str]] = {}
    for mid, tag in rows:
        shared.setdefault(mid, []).append(tag)
    return shared


@dataclass(frozen=True)
class Matches:
    """The dashboard's two lists: who can help me (their give is my get),
    whom I can help (their get is my give), and how many of each there are."""

    can_help_me: list[PersonCard]
    i_can_help: list[PersonCard]
    can_help_me_count: int
    i_can_help_count: int


def both_ways(session: Session, *, member_id: int, limit: int = 6) -> Matches:
    """`shared_tags` both ways and their top cards, in one query for the
    tags and one set of card lookups for both lists."""
    helpers: dict[int, list[str]] = {}
    helped: dict[int, list[str]] = {}
    for mid, tag, kind in session.execute(_both_ways_query(), {"me": member_id}):
        (helpers if kind == "give" else helped).setdefault(mid, []).append(tag)
    best_helpers, best_helped = _best(helpers, limit), _best(helped, limit)
    cards = _card_data(session, [*best_helpers, *best_helped], member_id)
    return Matches(
        [cards(mid, helpers, "give", "Can help with") for mid in best_helpers],
        # their need that matched what I give, not their own expertise
        [cards(mid, helped, "get", "Needs") for mid in best_helped],
        len(helpers),
        len(helped),
    )


@functools.cache
def _both_ways_query():
    """Built once: members' give tags that are my get tags, and their get
    tags that are my give tags (the viewer is the `me` parameter)."""
    me = bindparam("me", type_=Integer)

    def my(kind: str):
        return select(MemberTag.tag).where(
            MemberTag.member_id == me, MemberTag.kind == kind
        )

    return (
        select(MemberTag.member_id, MemberTag.tag, MemberTag.kind)
        .join(Member, Member.id == MemberTag.member_id)
        .where(
            or_(
                and_(MemberTag.kind == "give", col(MemberTag.tag).in_(my("get"))),
                and_(MemberTag.kind == "get", col(MemberTag.tag).in_(my("give"))),
            ),
            MemberTag.member_id != me,
            Member.status == "active",
            col(MemberTag.member_id).not_in(blocks.blocked_ids(me)),
            privacy.findable(me),
        )
    )


def _best(shared: dict[int, list[str]], limit: int) -> list[int]:
    return sorted(shared, key=lambda mid: (-len(shared[mid]), mid))[:limit]


def _card_data(session: Session, ids: list[int], viewer_id: int | None):
    """What cards of `ids` need, read at once; returns a card maker."""
    members = {
        m.id: m for m in session.exec(select(Member).where(col(Member.id).in_(ids)))
    }
    tags = tags_of(session, list(members))
    location = privacy.card_location(session, viewer_id, list(members.values()))

    def card(mid: int, shared: dict[int, list[str]], show: str, label: str):
        m = members[mid]
        matched = sorted(shared.get(mid, []))
        rest = [t for t in tags[mid][show] if t not in matched]
        return PersonCard(
            m.handle,
            m.display_name,
            m.headline,
            location[mid],
            (matched + rest)[:5],
            matched,
            label,
        )

    return card


def matches(
    session: Session, *, member_id: int, mine: str, theirs: str, limit: int = 6
) -> list[PersonCard]:
    """Members whose `theirs` tags overlap my `mine` tags, most overlap first."""
    shared = shared_tags(session, member_id=member_id, mine=mine, theirs=theirs)
    return top_matches(session, shared, limit, viewer_id=member_id)


def top_matches(
    session: Session,
    shared: dict[int, list[str]],
    limit: int,
    *,
    show: str = "give",
    label: str = "Shared",
    viewer_id: int | None = None,
) -> list[PersonCard]:
    """The members with most shared tags first, each card listing their
    `show` tags ("give" for people who can help me, "get" -- their needs --
    for people I could help) and the matched ones under `label`."""
    best = sorted(shared, key=lambda mid: (-len(shared[mid]), mid))[:limit]
    members = {
        m.id: m for m in session.exec(select(Member).where(col(Member.id).in_(best)))
    }
    chosen = [members[mid] for mid in best]
    return _cards(session, chosen, shared, show, label, viewer_id)


def _like(text: str) -> str:
    # "%" and "_" typed by a member are literal characters, not wildcards.
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matching(q: str, viewer_id: int | None):
    """Name, handle or headline contains `q`, or a tag contains its tag spelling
    ("Machine Learning" finds machine-learning) -- a background tag only
    where the member lets the viewer see their background."""
    try:
        tag_q = normalize_tag(q)
    except InvalidInput:
        tag_q = q
    pattern, tag_pattern = _like(q), _like(tag_q)
    tagged = select(MemberTag.member_id).where(
        col(MemberTag.tag).like(tag_pattern, escape="\\")
    )
    return or_(
        func.lower(Member.display_name).like(pattern, escape="\\"),
        col(Member.handle).like(pattern, escape="\\"),
        func.lower(Member.headline).like(pattern, escape="\\"),
        col(Member.id).in_(tagged.where(MemberTag.kind != "background")),
        and_(
            col(Member.id).in_(tagged.where(MemberTag.kind == "background")),
            privacy.part_visible("background", viewer_id),
        ),
    )


def browse(
    session: Session,
    *,
    query: object = "",
    page: object = 1,
    viewer_id: int | None = None,
) -> tuple[list[PersonCard], int]:
    """Active members matching a name, handle, headline or tag; newest first.
    A signed-in viewer doesn't see whoever they blocked or was blocked by."""
    if not isinstance(query, str) or len(query) > 80:
        raise InvalidInput("Search text must be at most 80 characters.")
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= 10_000:
        raise InvalidInput("Page must be a whole number from 1.")
    stmt = select(Member).where(Member.status == "active", privacy.findable(viewer_id))
    if viewer_id is not None:
        stmt = stmt.where(col(Member.id).not_in(blocks.blocked_ids(viewer_id)))
    if q := query.strip().lower():
        stmt = stmt.where(_matching(q, viewer_id))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    members = session.exec(
        stmt.order_by(col(Member.created_at).desc(), col(Member.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return _cards(session, list(members), {}, viewer_id=viewer_id), total
