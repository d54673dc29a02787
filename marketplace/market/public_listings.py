"""Listings anyone may read, signed in or not: the shareable face of the market.

A listing whose audience is everyone ("public") can be opened from a link by a
visitor without an account: its title, terms and description, who posted it
and their reputation. Nothing else is public: a listing for the author's
connections or chosen people, or by a member who is no longer active, reads
exactly like an id that was never used ("No such listing, or it isn't shown
to you."), so a visitor trying ids learns nothing about private listings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlmodel import Session, col, select

from marketplace.domain.errors import NotFound
from marketplace.domain.ids import check_id
from marketplace.market import reviews
from marketplace.market.listings import ListingView, views
from marketplace.market.reviews import Reputation
from marketplace.models import Listing, Member

NOT_SHOWN = "No such listing, or it isn't shown to you."
NOBODY = 0  # the viewer id of a visitor: no member has it, so nothing is "mine"
SUMMARY_MAX = 200  # a link preview shows about two lines


@dataclass(frozen=True)
class PublicListing:
    """A public listing as a visitor sees it, with its author's standing."""

    listing: ListingView
    author_headline: str
    reputation: Reputation

    def as_dict(self) -> dict:
        return asdict(self)


def public_listing(session: Session, listing_id: object) -> PublicListing:
    """The listing `listing_id` if anyone may read it; NotFound otherwise,
    with the same words for a private listing as for a missing one."""
    listing = _public_row(session, listing_id)
    author = session.get(Member, listing.author_id)
    if author is None or author.status != "active":
        raise NotFound(NOT_SHOWN)
    view = views(session, NOBODY, [listing])[0]
    return PublicListing(
        listing=view,
        author_headline=author.headline,
        reputation=reviews.reputation(session, author.id),
    )


def _public_row(session: Session, listing_id: object) -> Listing:
    try:
        wanted = check_id(listing_id, "listing")
    except NotFound as refused:  # junk ids read as missing ones
        raise NotFound(NOT_SHOWN) from refused
    listing = session.exec(
        select(Listing).where(
            Listing.id == wanted,
            Listing.audience == "public",
            col(Listing.hidden_at).is_(None),  # hidden by a moderator
        )
    ).first()
    if listing is None:
        raise NotFound(NOT_SHOWN)
    return listing


def summary(listing: ListingView) -> str:
    """One line for a link preview: terms, who, and the start of the text."""
    head = f"{listing.kind_label} · {listing.price_label} · by {listing.author_name}"
    text = " ".join(listing.description.split())
    room = SUMMARY_MAX - len(head) - 3
    if len(text) > room:
        text = text[: max(0, room - 1)].rstrip() + "…"
    return f"{head}. {text}" if text else head
