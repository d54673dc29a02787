"""Browsing the marketplace: full-text search, filters and paging.

Search is full text: SQLite's FTS5 index and PostgreSQL's English tsvector
(revision 0006) over title, description and tags. Every word typed must match,
as a prefix ("mark" finds "marketing"), and both databases stem the same way
closely enough ("pricing" finds "price"); stop words ("the", "for") are left
out on both. Filters: offer or request, terms, tag, degree of connection to the
author, and how recent. Sorted newest first, by best match (how many of
the listing's tags are what I need, for an offer, or can give, for a
request), by the author's rating, or by price (free, then karma and IOU
points, then money, each lowest first).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Integer,
    Select,
    String,
    bindparam,
    case,
    func,
    text,
)
from sqlmodel import Session, col, select

from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import InvalidInput
from marketplace.domain.listings import KINDS, TERMS
from marketplace.domain.profiles import normalize_tag
from marketplace.market.listings import ListingView, has_room, views, visible_to
from marketplace.market.reputation import dialect_of, people_of, rating_of
from marketplace.models import Listing, ListingTag, Member, MemberTag
from marketplace.network import degrees

PAGE_SIZE = 20
QUERY_MAX = 100
DEGREES = {"any": "Anyone", "1": "My connections", "2": "Up to 2nd degree"}
RECENCY = {"any": None, "7": timedelta(days=7), "30": timedelta(days=30)}
SORTS = {
    "newest": "Newest first",
    "match": "Best match for me",
    "rating": "Best rated",
    "price": "Price, lowest first",
}
_WORD = re.compile(r"\w+", re.UNICODE)
# PostgreSQL's English stop words (tsearch_data/english.stop). PostgreSQL drops
# them from a query and FTS5 has no such list, so they are dropped before either
# database sees the words: "review of the pricing" means the same on both.
_ENGLISH_STOP = """
i me my myself we our ours ourselves you your yours yourself yourselves he him his
himself she her hers herself it its itself they them their theirs themselves what
which who whom this that these those am is are was were be been being have has had
having do does did doing a an the and but if or because as until while of at by for
with about against between into through during before after above below to from up
down in out on off over under again further then once here there when where why how
all any both each few more most other some such no nor not only own same so than too
very s t can will just don should now
"""
STOP_WORDS = frozenset(_ENGLISH_STOP.split())


@dataclass(frozen=True)
class Filters:
    query: str = ""
    kind: str = "any"
    terms: str = "any"
    tag: str = ""
    degree: str = "any"
    recency: str = "any"
    sort: str = "newest"


def check_filters(raw: object) -> Filters:
    """Filters from a form or the URL, each checked against its choices."""
    raw = raw if isinstance(raw, dict) else {}
    query = raw.get("query", "") or ""
    if not isinstance(query, str) or len(query) > QUERY_MAX:
        raise InvalidInput(
            f"Search text must be at most {QUERY_MAX} characters.", "query"
        )
    tag = raw.get("tag", "") or ""
    if not isinstance(tag, str):
        raise InvalidInput("Tag must be text.", "tag")
    return Filters(
        query=query.strip(),
        kind=_one_of(raw.get("kind"), {"any", *KINDS}, "kind"),
        terms=_one_of(raw.get("terms"), {"any", *TERMS}, "terms"),
        tag=normalize_tag(tag) if tag.strip() else "",
        degree=_one_of(raw.get("degree"), set(DEGREES), "degree"),
        recency=_one_of(raw.get("recency"), set(RECENCY), "recency"),
        sort=_sort(raw.get("sort")),
    )


def _sort(value: object) -> str:
    if value in (None, ""):
        return "newest"
    if not isinstance(value, str) or value not in SORTS:
        raise InvalidInput("Sort by newest, best match, rating or price.", "sort")
    return value


def _one_of(value: object, allowed: set[str], field: str) -> str:
    if value in (None, ""):
        return "any"
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInput(f"Unknown {field} filter.", field)
    return value


def search(
    session: Session,
    *,
    viewer_id: int,
    filters: Filters,
    page: object = 1,
    clock: Clock = system_clock,
) -> tuple[list[ListingView], int]:
    """Open listings with a spot left that the viewer may see, in the order
    asked for, one page, and the total. Full ones stay on their own page and
    their author's list."""
    found, total = matching(
        session, viewer_id=viewer_id, filters=filters, page=page, clock=clock
    )
    return views(session, viewer_id, found), total


def matching(
    session: Session,
    *,
    viewer_id: int,
    filters: Filters,
    page: object = 1,
    clock: Clock = system_clock,
) -> tuple[list[Listing], int]:
    """`search`'s page as rows, for a page that shows them with other
    listings (the market and the member's own: one set of card reads)."""
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= 10_000:
        raise InvalidInput("Page must be a whole number from 1.", "page")
    dialect = dialect_of(session)
    words = _search_words(filters.query) if filters.query else []
    window = RECENCY[filters.recency]
    shape = _Shape(
        dialect,
        words=bool(words),
        kind=filters.kind != "any",
        terms=filters.terms != "any",
        tag=bool(filters.tag),
        degree=filters.degree,
        recent=window is not None,
        sort=filters.sort,
    )
    params = {
        "viewer": viewer_id,
        "offset": (page - 1) * PAGE_SIZE,
        "fts_query": _fts_query(dialect, words),
        "kind": filters.kind,
        "terms": filters.terms,
        "tag": filters.tag,
        "since": clock.now() - window if window is not None else None,
    }
    # The page and the total in one statement; only a page past the end
    # (no rows to carry the total) needs a count of its own.
    rows = session.execute(_page_query(shape), _used(params, shape)).all()
    if rows:
        total = rows[0][2]
    elif page == 1:
        total = 0
    else:
        total = session.execute(_count_query(shape), _used(params, shape)).scalar_one()
    return [listing for listing, _, _ in rows], total


@dataclass(frozen=True)
class _Shape:
    """What a search's statement looks like (which filters, which order);
    the values it filters by travel as bind parameters."""

    dialect: str
    words: bool
    kind: bool
    terms: bool
    tag: bool
    degree: str
    recent: bool
    sort: str


def _used(params: dict, shape: _Shape) -> dict:
    """The parameters this shape's statement names."""
    unused = {
        "fts_query": not shape.words,
        "kind": not shape.kind,
        "terms": not shape.terms,
        "tag": not shape.tag,
        "since": not shape.recent,
    }
    return {k: v for k, v in params.items() if not unused.get(k, False)}


@functools.lru_cache(maxsize=256)
def _filtered(shape: _Shape) -> Select:
    """Built once per shape: a search builds a statement of visibility and
    degree subqueries, whose building cost more than running it."""
    viewer = bindparam("viewer", type_=Integer)
    stmt = select(Listing).where(
        Listing.status == "open", visible_to(viewer), has_room()
    )
    for condition in _conditions(shape, viewer):
        stmt = stmt.where(condition)
    return stmt


@functools.lru_cache(maxsize=256)
def _page_query(shape: _Shape) -> Select:
    viewer = bindparam("viewer", type_=Integer)
    return (
        _filtered(shape)
        # rows of (listing, author, total): the cards name their authors
        .add_columns(Member, func.count().over())
        .join(Member, Member.id == Listing.author_id)
        .order_by(*_order(shape.sort, viewer, shape.dialect))
        .offset(bindparam("offset", type_=Integer))
        .limit(PAGE_SIZE)
    )


@functools.lru_cache(maxsize=256)
def _count_query(shape: _Shape) -> Select:
    return select(func.count()).select_from(_filtered(shape).subquery())


def _order(sort: str, viewer, dialect: str) -> list:
    """The ORDER BY for a sort; ties go newest first."""
    newest = [col(Listing.created_at).desc(), col(Listing.id).desc()]
    if sort == "match":
        return [_matching_tags(viewer).desc(), *newest]
    if sort == "rating":
        return [*_best_rated(dialect), *newest]
    if sort == "price":
        return [*_cheapest(), *newest]
    return newest


def _best_rated(dialect: str) -> list:
    """The author's rating as their profile shows it (market/reputation.py;
    unrated last), then how many different people rated them: 4.8 from
    twelve people above 4.8 from one."""
    rating = rating_of(Listing.author_id, dialect)
    return [func.coalesce(rating, 0).desc(), people_of(Listing.author_id).desc()]


def _cheapest() -> list:
    """Free, then karma and IOU points, then money (minor units): prices in
    one unit are compared, never karma with cents."""
    unit = case((Listing.terms == "free", 0), (Listing.terms == "paid", 2), else_=1)
    return [unit, col(Listing.price)]


def _matching_tags(viewer):
    """How many of a listing's tags are what the viewer needs (an offer) or
    can give (a request)."""
    wanted = case((Listing.kind == "offer", "get"), else_="give")
    mine = select(MemberTag.tag).where(
        MemberTag.member_id == viewer, MemberTag.kind == wanted
    )
    return (
        select(func.count())
        .select_from(ListingTag)
        .where(ListingTag.listing_id == Listing.id, col(ListingTag.tag).in_(mine))
        .scalar_subquery()
    )


def _conditions(shape: _Shape, viewer) -> list[ColumnElement]:
    found = []
    if shape.words:
        found.append(_matches(shape.dialect))
    if shape.kind:
        found.append(Listing.kind == bindparam("kind", type_=String))
    if shape.terms:
        found.append(Listing.terms == bindparam("terms", type_=String))
    if shape.tag:
        tagged = select(ListingTag.listing_id).where(
            ListingTag.tag == bindparam("tag", type_=String)
        )
        found.append(col(Listing.id).in_(tagged))
    if shape.degree == "1":
        found.append(col(Listing.author_id).in_(degrees.first_degree(viewer)))
    elif shape.degree == "2":
        near = degrees.first_degree(viewer).union(degrees.second_degree(viewer))
        found.append(col(Listing.author_id).in_(near))
    if shape.recent:
        found.append(Listing.created_at >= bindparam("since", type_=DateTime))
    return found


def _search_words(query: str) -> list[str]:
    """The words to match; stop words only count when nothing else was typed."""
    words = _WORD.findall(query.lower())
    return [w for w in words if w not in STOP_WORDS] or words


def _fts_query(dialect: str, words: list[str]) -> str:
    """The words as the database's full-text query: every word a prefix."""
    words = words[:12]
    if dialect == "postgresql":
        return " & ".join(f"{w}:*" for w in words)
    # FTS5: each word quoted (no operators from the user) and made a prefix
    return " ".join('"' + w.replace('"', "") + '"*' for w in words)


def _matches(dialect: str) -> ColumnElement[bool]:
    """The listing matches `:fts_query`, through the database's own
    full-text index."""
    if dialect == "postgresql":
        # the stored vector (revision 0012), GIN-indexed
        return text("listing.listing_fts_vector @@ to_tsquery('english', :fts_query)")
    hits = text("SELECT rowid FROM listing_fts WHERE listing_fts MATCH :fts_query")
    return col(Listing.id).in_(hits)


def requests_i_could_help_with(
    session: Session, *, member_id: int, limit: int = 4
) -> list[ListingView]:
    """Open requests I may see whose tags are among what I can give."""
    rows = session.execute(_requests_for_helper(), {"me": member_id, "limit": limit})
    return views(session, member_id, [listing for listing, _author in rows])


@functools.cache
def _requests_for_helper() -> Select:
    """Built once: `me` and `limit` are bind parameters."""
    me = bindparam("me", type_=Integer)
    my_give = select(MemberTag.tag).where(
        MemberTag.member_id == me, MemberTag.kind == "give"
    )
    tagged = select(ListingTag.listing_id).where(col(ListingTag.tag).in_(my_give))
    return (
        select(Listing, Member)  # the author too: the cards name them
        .join(Member, Member.id == Listing.author_id)
        .where(
            Listing.status == "open",
            Listing.kind == "request",
            Listing.author_id != me,
            col(Listing.id).in_(tagged),
            has_room(),
            visible_to(me),
        )
        .order_by(col(Listing.created_at).desc(), col(Listing.id).desc())
        .limit(bindparam("limit", type_=Integer))
    )
