"""One click from a context nudge to an offer: "Priya is organizing SaaS
Summit 2027 — you know SaaS marketing: offer to help?"

The offer is a real listing, free (pay it forward), shown only to the
context's owner, titled after the context and tagged with what I know that
it needs; the owner is told, and can book it like any offer. I can edit it
afterwards like any listing of mine.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from marketplace import routes
from marketplace.accounts import profiles
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import InvalidInput
from marketplace.domain.listings import TITLE_MAX
from marketplace.inbox import notifications
from marketplace.market import listings
from marketplace.models import ContextTag, Listing, ListingViewer, Member
from marketplace.network import contexts, nudges


def offer_help(
    session: Session, *, actor_id: int, context_id: object, clock: Clock = system_clock
) -> Listing:
    """Offer my help with an open context I may see (contexts.audience_of:
    its owner is within two degrees of me, and neither of us blocked the
    other), as a listing only its owner sees. Offering again (a double
    click) returns the open offer I already made and writes nothing."""
    context = contexts.visible_context(session, actor_id, context_id, clock)
    if context.member_id == actor_id:
        raise InvalidInput("That's your own context.", "context")
    owner = session.get(Member, context.member_id)
    title = f"Help with {context.title}"[:TITLE_MAX]
    if (earlier := _already_offered(session, actor_id, owner.id, title)) is not None:
        return earlier
    listing = listings.create_listing(
        session,
        actor_id=actor_id,
        form=_offer_form(session, actor_id, context, owner, title),
        clock=clock,
    )
    me = session.get(Member, actor_id)
    notifications.notify(
        session,
        member_id=owner.id,
        sender_id=actor_id,
        kind="context",
        text=f"{me.display_name} offers to help with {context.title}.",
        link=routes.listing(listing.id),
        clock=clock,
    )
    nudges.acted(session, member_id=actor_id, key=f"context:{context.id}", clock=clock)
    return listing


def _offer_form(session, actor_id, context, owner, title) -> dict:
    wanted = list(
        session.exec(
            select(ContextTag.tag)
            .where(ContextTag.context_id == context.id)
            .order_by(ContextTag.tag)
        )
    )
    mine = set(profiles.tags_of(session, [actor_id])[actor_id]["give"])
    tags = [t for t in wanted if t in mine] or wanted
    return {
        "kind": "offer",
        "title": title,
        "description": f"I'd like to help with {context.title}. "
        "Tell me what would be most useful.",
        "tags": ", ".join(tags[:8]),
        "terms": "free",
        "price": "",
        "capacity": 1,
        "audience": "chosen",
        "chosen": owner.handle,
    }


def _already_offered(
    session: Session, actor_id: int, owner_id: int, title
) -> Listing | None:
    return session.exec(
        select(Listing)
        .join(ListingViewer, col(ListingViewer.listing_id) == Listing.id)
        .where(
            Listing.author_id == actor_id,
            Listing.title == title,
            Listing.status == "open",
            ListingViewer.member_id == owner_id,
        )
    ).first()
