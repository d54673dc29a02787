"""Listings: post, edit, pause, close, and decide who may see one.

A listing is visible to its author always; to everyone signed in when public;
to the author's connections when 'network'; to the chosen members when
'chosen'; and never to someone the author blocked or was blocked by (either
way: neither sees the other's listings, nor can choose the other as its
audience). Every read goes through `visible_to` (SQL) or `can_see` (one row),
so a hidden listing is 'not found' rather than 'forbidden': its existence is
private too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from sqlalchemy import ColumnElement, delete
from sqlmodel import Session, and_, col, or_, select

from marketplace.accounts import members, standing
from marketplace.adapters import payments
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import InvalidInput, NotAuthorized, NotFound
from marketplace.domain.ids import check_id
from marketplace.domain.listings import (
    AUDIENCES,
    KINDS,
    MAX_CHOSEN,
    STATUSES,
    TERMS,
    ListingDraft,
    check_listing,
    duration_label,
)
from marketplace.domain.money import format_money, format_points, major_units
from marketplace.market import reputation
from marketplace.models import (
    AvailabilityWindow,
    Listing,
    ListingTag,
    ListingViewer,
    Member,
)
from marketplace.network import blocks, connections, degrees
from marketplace.settings import get_settings


@dataclass(frozen=True)
class ListingView:
    id: int
    kind: str
    kind_label: str
    title: str
    description: str
    tags: list[str]
    terms: str
    terms_label: str
    price: int
    price_label: str
    capacity: int
    spots_left: int
    deadline: str  # ISO, for the edit form
    deadline_label: str  # "5 Dec 2026"
    audience: str
    audience_label: str
    status: str
    status_label: str
    author_name: str
    author_handle: str
    posted: str
    is_mine: bool
    chosen: list[str]
    currency: str = ""  # paid terms only
    rate_kind: str = ""  # paid terms only: fixed | hourly
    price_input: str = ""  # the price as the edit form shows it: 5, or 45.50
    # who posted it, as a market card shows them
    author_headline: str = ""
    author_initials: str = ""
    # "4.3 · from 12 different people", or "" before any review
    author_rating: str = ""
    hidden: bool = False  # hidden by a moderator (only its author sees it)
    duration: str = ""  # the edit form's value: "30", or "" for no set time
    duration_label: str = ""  # "30-minute call", or ""
    # my call offer that nobody can book yet: I haven't set my hours
    needs_hours: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


# --------------------------------------------------------------------------- write


def create_listing(
    session: Session, *, actor_id: int, form: object, clock: Clock = system_clock
) -> Listing:
    """Post an offer or a request; it is open at once."""
    standing.require_standing(session, actor_id)
    now = clock.now()
    draft = check_listing(form, today=now.date(), paid_available=_paid_available())
    chosen = _chosen(session, form, draft, actor_id)
    listing = Listing(author_id=actor_id, created_at=now, updated_at=now, status="open")
    _apply(listing, draft)
    session.add(listing)
    session.flush()
    _replace_tags_and_viewers(session, listing.id, draft.tags, chosen)
    return listing


def update_listing(
    session: Session,
    *,
    actor_id: int,
    listing_id: object,
    form: object,
    clock: Clock = system_clock,
) -> Listing:
    """Edit a listing's fields. Engagements already proposed keep the terms they
    were proposed with."""
    listing = _own(session, actor_id, listing_id)
    now = clock.now()
    draft = check_listing(form, today=now.date(), paid_available=_paid_available())
    if draft.kind != listing.kind:
        raise InvalidInput("An offer can't become a request; post a new one.", "kind")
    chosen = _chosen(session, form, draft, actor_id)
    _apply(listing, draft)
    listing.updated_at = now
    session.add(listing)
    _replace_tags_and_viewers(session, listing.id, draft.tags, chosen)
    return listing


STATUS_MOVES = {"pause": ("open", "paused"), "reopen": ("paused", "open")}


def set_status(
    session: Session,
    *,
    actor_id: int,
    listing_id: object,
    action: object,
    clock: Clock = system_clock,
) -> Listing:
    """Pause (hidden from browsing, no new bookings), reopen, or close for good.
    Engagements under way carry on either way."""
    listing = _own(session, actor_id, listing_id)
    if action == "close":
        if listing.status == "closed":
            raise InvalidInput("This listing is already closed.")
        listing.status = "closed"
    elif action in STATUS_MOVES:
        source, target = STATUS_MOVES[action]
        if listing.status != source:
            raise InvalidInput(f"This listing is {listing.status}; it can't {action}.")
        listing.status = target
    else:
        raise InvalidInput("Choose pause, reopen or close.", "action")
    listing.updated_at = clock.now()
    session.add(listing)
    return listing


def _apply(listing: Listing, draft: ListingDraft) -> None:
    listing.kind = draft.kind
    listing.title = draft.title
    listing.description = draft.description
    listing.terms = draft.terms
    listing.price = draft.price
    listing.capacity = draft.capacity
    listing.deadline = draft.deadline
    listing.audience = draft.audience
    listing.currency = draft.currency
    listing.rate_kind = draft.rate_kind
    listing.duration_minutes = draft.duration
    listing.search_text = draft.search_text


def _paid_available() -> bool:
    """Paid terms only where card payments are configured (adapters/payments)."""
    return bool(payments.payments_available())


def _chosen(session: Session, form: object, draft: ListingDraft, actor_id: int):
    """The members a 'chosen' listing is shown to, from their handles."""
    if draft.audience != "chosen":
        return []
    raw = form.get("chosen", "") if isinstance(form, dict) else ""
    if not isinstance(raw, str):
        raise InvalidInput("Chosen people must be a list of handles.", "chosen")
    handles = list(dict.fromkeys(h.strip().lstrip("@") for h in raw.split(",")))
    handles = [h for h in handles if h]
    if not handles:
        raise InvalidInput(
            "Name at least one person (by handle) to show it to.", "chosen"
        )
    if len(handles) > MAX_CHOSEN:
        raise InvalidInput(f"At most {MAX_CHOSEN} chosen people.", "chosen")
    missing = "Name at least one person (by handle) to show it to."
    ids = [
        connections.reachable_member(
            session, actor_id, h, missing=missing, field="chosen"
        ).id
        for h in handles
    ]
    others = [i for i in ids if i != actor_id]
    if not others:
        # the author always sees their own listing; "chosen: me" would hide it
        # from everyone while looking shared
        raise InvalidInput(
            "Choose someone other than yourself to show it to.", "chosen"
        )
    return others


def _replace_tags_and_viewers(session, listing_id, tags, viewer_ids) -> None:
    session.exec(delete(ListingTag).where(col(ListingTag.listing_id) == listing_id))
    session.exec(
        delete(ListingViewer).where(col(ListingViewer.listing_id) == listing_id)
    )
    session.add_all(ListingTag(listing_id=listing_id, tag=t) for t in tags)
    session.add_all(
        ListingViewer(listing_id=listing_id, member_id=m) for m in viewer_ids
    )
    session.flush()


def _own(session: Session, actor_id: int, listing_id: object) -> Listing:
    """The actor's own listing, locked for the change."""
    listing = session.exec(
        select(Listing)
        .where(Listing.id == check_id(listing_id, "listing"))
        .with_for_update()
    ).first()
    if listing is None or not can_see(session, actor_id, listing):
        raise NotFound("No such listing.")
    if listing.author_id != actor_id:
        raise NotAuthorized("Only the person who posted this listing can change it.")
    return listing


# --------------------------------------------------------------------------- visibility


def visible_to(viewer_id: int) -> ColumnElement[bool]:
    """SQL: the listings `viewer_id` may see (any status)."""
    chosen = select(ListingViewer.listing_id).where(
        ListingViewer.member_id == viewer_id
    )
    shown = or_(
        Listing.audience == "public",
        (Listing.audience == "network")
        & col(Listing.author_id).in_(degrees.first_degree(viewer_id)),
        (Listing.audience == "chosen") & col(Listing.id).in_(chosen),
    )
    not_blocked = col(Listing.author_id).not_in(blocks.blocked_ids(viewer_id))
    # hidden by a moderator: its author alone still sees it
    not_hidden = col(Listing.hidden_at).is_(None)
    return or_(Listing.author_id == viewer_id, and_(shown, not_blocked, not_hidden))


def can_see(session: Session, viewer_id: int, listing: Listing) -> bool:
    if listing.author_id == viewer_id:
        return True
    if listing.hidden_at is not None:  # hidden by a moderator
        return False
    if blocks.blocked_between(session, viewer_id, listing.author_id):
        return False
    if listing.audience == "public":
        return True
    if listing.audience == "network":
        return degrees.are_connected(session, viewer_id, listing.author_id)
    chosen = session.exec(
        select(ListingViewer.id).where(
            ListingViewer.listing_id == listing.id,
            ListingViewer.member_id == viewer_id,
        )
    ).first()
    return chosen is not None


def visible_listing(
    session: Session, viewer_id: int, listing_id: object, *, lock: bool = False
) -> Listing:
    wanted = check_id(listing_id, "listing")
    if lock:  # and read afresh: the row may have changed since it was loaded
        listing = session.exec(
            select(Listing)
            .where(Listing.id == wanted)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
    else:  # a page asks several times (view, panels): once from the database
        listing = session.get(Listing, wanted)
    if listing is None or not can_see(session, viewer_id, listing):
        raise NotFound("No such listing, or it isn't shown to you.")
    return listing


def has_room() -> ColumnElement[bool]:
    """SQL: the listing has a spot left (fewer engagements under way than its
    capacity; triggers keep `spots_taken` in step, revision 0011)."""
    return col(Listing.spots_taken) < col(Listing.capacity)


def is_full(listing: Listing) -> bool:
    """No spot left, by the row's own count (read it locked: two bookings at
    once then take turns, the second seeing the first's spot)."""
    return listing.spots_taken >= listing.capacity


# --------------------------------------------------------------------------- read


def listing_view(session: Session, viewer_id: int, listing_id: object) -> ListingView:
    listing = visible_listing(session, viewer_id, listing_id)
    view = views(session, viewer_id, [listing])[0]
    if view.is_mine and listing.kind == "offer" and listing.duration_minutes:
        # a call offer without hours can't be booked: say so to its author
        hours_set = session.exec(
            select(AvailabilityWindow.id).where(
                AvailabilityWindow.member_id == viewer_id
            )
        ).first()
        return replace(view, needs_hours=hours_set is None)
    return view


def views(
    session: Session, viewer_id: int, listings: list[Listing]
) -> list[ListingView]:
    """Listings as members see them, with tags, authors and spots left, in a
    fixed number of queries however many there are. The listings are read in
    this session (their `spots_taken` is as fresh as the read)."""
    if not listings:
        return []
    ids = [item.id for item in listings]
    tags = _grouped(session, select(ListingTag.listing_id, ListingTag.tag), ids)
    # the page's own query may have loaded them (market_search joins them)
    authors = members.by_id(session, {x.author_id for x in listings})
    chosen = _chosen_handles(  # only the author sees whom they chose
        session,
        [x.id for x in listings if x.author_id == viewer_id and x.audience == "chosen"],
    )
    ratings = author_ratings(session, set(authors))
    return [
        _view(
            item,
            authors[item.author_id],
            tags.get(item.id, []),
            item.spots_taken,
            viewer_id,
            chosen.get(item.id, []),
            ratings.get(item.author_id, ""),
        )
        for item in listings
    ]


def author_ratings(session: Session, member_ids: set[int]) -> dict[int, str]:
    """ "4.3 · from 12 different people" for each member with reviews: their
    rating as their profile shows it (market/reputation.py: ten reviews by
    one friend are one person, and count as much as that friend is
    trusted)."""
    return {
        member: f"{rating.label} · {rating.from_people}"
        for member, rating in reputation.ratings(session, member_ids).items()
    }


def initials(name: str) -> str:
    """What an avatar shows for a member without a picture: "Priya Raman" -> PR."""
    return "".join(part[:1] for part in name.split()[:2]).upper() or "?"


def _grouped(session: Session, stmt, ids: list[int]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    if not ids:
        return grouped  # most pages have none of the viewer's own listings
    column = stmt.selected_columns[0]
    for key, value in session.exec(
        stmt.where(column.in_(ids)).order_by(column, stmt.selected_columns[1])
    ):
        grouped.setdefault(key, []).append(value)
    return grouped


def _chosen_handles(session: Session, ids: list[int]) -> dict[int, list[str]]:
    stmt = select(ListingViewer.listing_id, Member.handle).join(
        Member, Member.id == ListingViewer.member_id
    )
    return _grouped(session, stmt, ids)


def _view(item, author, tags, taken, viewer_id, chosen, rating="") -> ListingView:
    return ListingView(
        id=item.id,
        kind=item.kind,
        kind_label=KINDS[item.kind],
        title=item.title,
        description=item.description,
        tags=tags,
        terms=item.terms,
        terms_label=TERMS[item.terms],
        price=item.price,
        price_label=price_label(item.terms, item.price, item.currency, item.rate_kind),
        capacity=item.capacity,
        spots_left=max(0, item.capacity - taken),
        deadline=item.deadline.isoformat() if item.deadline else "",
        deadline_label=item.deadline.strftime("%-d %b %Y") if item.deadline else "",
        audience=item.audience,
        audience_label=AUDIENCES[item.audience],
        status=item.status,
        status_label=STATUSES[item.status],
        author_name=author.display_name,
        author_handle=author.handle,
        posted=item.created_at.strftime("%d %b %Y"),
        is_mine=item.author_id == viewer_id,
        chosen=chosen,
        hidden=item.hidden_at is not None,
        currency=item.currency or "",
        rate_kind=item.rate_kind or "",
        price_input=(
            major_units(item.price, item.currency) if item.currency else str(item.price)
        ),
        author_headline=author.headline,
        author_initials=initials(author.display_name),
        author_rating=rating,
        duration=str(item.duration_minutes or ""),
        duration_label=duration_label(item.duration_minutes, item.rate_kind),
    )


def price_label(
    terms: str, price: int, currency: str | None = None, rate_kind: str | None = None
) -> str:
    locale = get_settings().locale  # the member's own, once members choose one
    if terms == "paid" and currency:
        per = " per hour" if rate_kind == "hourly" else ""
        return f"{format_money(price, currency, locale)}{per}"
    if terms == "karma":
        return f"{format_points(price, locale)} karma"
    if terms == "iou":
        return f"IOU for {format_points(price, locale)} karma"
    if terms == "free":
        return "Free · pay it forward"
    return f"{price} paid"


def listings_of(session: Session, member_id: int) -> list[ListingView]:
    """A member's own listings, open first, newest first."""
    return views(session, member_id, own_listings(session, member_id))


def own_listings(session: Session, member_id: int) -> list[Listing]:
    """`listings_of` as rows (their author's row comes along: the cards
    name them)."""
    rows = session.exec(
        select(Listing, Member)
        .join(Member, Member.id == Listing.author_id)
        .where(Listing.author_id == member_id)
        .order_by(col(Listing.status) == "closed", col(Listing.created_at).desc())
    ).all()
    return [listing for listing, _author in rows]
