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

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import ColumnElement, case, func, text
from sqlmodel import Session, col, select

from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import InvalidInput
from marketplace.domain.listings import KINDS, TERMS
from marketplace.domain.profiles import normalize_tag
from marketplace.market.listings import ListingView, has_room, views, visible_to
from marketplace.market.reputation import dialect_of, people_of, rating_of
from marketplace.models import Listing, ListingTag, MemberTag
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
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= 10_000:
        raise InvalidInput("Page must be a whole number from 1.", "page")
    stmt = select(Listing).where(
        Listing.status == "open", visible_to(viewer_id), has_room()
    )
    for condition in _conditions(session, viewer_id, filters, clock):
        stmt = stmt.where(condition)
    # The page and the total in one statement; only a page past the end
    # (no rows to carry the total) needs a count of its own.
    rows = session.execute(  # rows of (listing, total), not scalars
        stmt.add_columns(func.count().over())
        .order_by(*_order(filters.sort, viewer_id, dialect_of(session)))
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    if rows:
        total = rows[0][1]
    elif page == 1:
        total = 0
    else:
        total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    return views(session, viewer_id, [listing for listing, _ in rows]), total


def _order(sort: str, viewer_id: int, dialect: str) -> list:
    """The ORDER BY for a sort; ties go newest first."""
    newest = [col(Listing.created_at).desc(), col(Listing.id).desc()]
    if sort == "match":
        return [_matching_tags(viewer_id).desc(), *newest]
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


def _matching_tags(viewer_id: int):
    """How many of a listing's tags are what the viewer needs (an offer) or
    can give (a request)."""
    wanted = case((Listing.kind == "offer", "get"), else_="give")
    mine = select(MemberTag.tag).where(
        MemberTag.member_id == viewer_id, MemberTag.kind == wanted
    )
    return (
        select(func.count())
        .select_from(ListingTag)
        .where(ListingTag.listing_id == Listing.id, col(ListingTag.tag).in_(mine))
        .scalar_subquery()
    )


def _conditions(session, viewer_id, filters: Filters, clock) -> list[ColumnElement]:
    found = []
    if filters.query and (words := _search_words(filters.query)):
        found.append(_matches(session, words))
    if filters.kind != "any":
        found.append(Listing.kind == filters.kind)
    if filters.terms != "any":
        found.append(Listing.terms == filters.terms)
    if filters.tag:
        tagged = select(ListingTag.listing_id).where(ListingTag.tag == filters.tag)
        found.append(col(Listing.id).in_(tagged))
    if filters.degree == "1":
        found.append(col(Listing.author_id).in_(degrees.first_degree(viewer_id)))
    elif filters.degree == "2":
        near = degrees.first_degree(viewer_id).union(degrees.second_degree(viewer_id))
        found.append(col(Listing.author_id).in_(near))
    if (window := RECENCY[filters.recency]) is not None:
        found.append(Listing.created_at >= clock.now() - window)
    return found


def _search_words(query: str) -> list[str]:
    """The words to match; stop words only count when nothing else was typed."""
    words = _WORD.findall(query.lower())
    return [w for w in words if w not in STOP_WORDS] or words


def _matches(session: Session, words: list[str]) -> ColumnElement[bool]:
    """Every word as a prefix, through the database's own full-text index."""
    words = words[:12]
    if session.get_bind().dialect.name == "postgresql":
        query = " & ".join(f"{w}:*" for w in words)
        # the stored vector (revision 0012), GIN-indexed
        return text(
            "listing.listing_fts_vector @@ to_tsquery('english', :fts_query)"
        ).bindparams(fts_query=query)
    # FTS5: each word quoted (no operators from the user) and made a prefix
    query = " ".join('"' + w.replace('"', "") + '"*' for w in words)
    hits = text("SELECT rowid FROM listing_fts WHERE listing_fts MATCH :fts_query")
    return col(Listing.id).in_(hits.bindparams(fts_query=query))


def requests_i_could_help_with(
    session: Session, *, member_id: int, limit: int = 4
) -> list[ListingView]:
    """Open requests I may see whose tags are among what I can give."""
    my_give = select(MemberTag.tag).where(
        MemberTag.member_id == member_id, MemberTag.kind == "give"
    )
    tagged = select(ListingTag.listing_id).where(col(ListingTag.tag).in_(my_give))
    rows = session.exec(
        select(Listing)
        .where(
            Listing.status == "open",
            Listing.kind == "request",
            Listing.author_id != member_id,
            col(Listing.id).in_(tagged),
            has_room(),
            visible_to(member_id),
        )
        .order_by(col(Listing.created_at).desc(), col(Listing.id).desc())
        .limit(limit)
    ).all()
    return views(session, member_id, list(rows))
