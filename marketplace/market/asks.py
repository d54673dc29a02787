"""Who to ask: for my open request, the people within two degrees best placed
to help, and a targeted send to the chosen few instead of a broadcast.

Ranking is the relationship graph's (expertise match, give propensity, path
strength, availability, favours they owe me); this module adds the names,
the reasons in words, and the send: each chosen person is told once, and
only people who may see the request can be chosen.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlmodel import Session, col, select

from marketplace import routes
from marketplace.accounts import members
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.inbox import notifications
from marketplace.market import listings
from marketplace.models import (
    Engagement,
    Listing,
    ListingTag,
    Member,
    NudgeFeedback,
)
from marketplace.network import blocks, graph_views

SHOWN = 8
MAX_SEND = 5


@dataclass(frozen=True)
class AskCandidate:
    name: str
    handle: str
    headline: str
    degree: str  # "Your connection" | "Through Priya"
    reasons: str  # "knows pricing · has given help 9 times · owes you a favour"
    score: int  # percent of the best candidate's score, for a bar
    asked: bool  # already sent this request

    def as_dict(self) -> dict:
        return asdict(self)


def candidates(
    session: Session, *, actor_id: int, listing_id: object, clock: Clock = system_clock
) -> list[AskCandidate]:
    """The best people to ask about my open request, best first."""
    listing = _my_open_request(session, actor_id, listing_id)
    found = _ranked(session, actor_id, listing, clock, SHOWN)
    people = members.by_id(session, {c.member_id for c in found} | _vias(found))
    asked = _already_asked(session, actor_id, listing.id)
    top = max((c.score for c in found), default=1.0) or 1.0
    return [
        AskCandidate(
            name=people[c.member_id].display_name,
            handle=people[c.member_id].handle,
            headline=people[c.member_id].headline,
            degree=(
                "Your connection"
                if c.degree == 1
                else f"Through {people[c.via_id].display_name}"
            ),
            # the degree is said above; the rest is why them
            reasons=" · ".join(c.reasons[:1] + c.reasons[2:]),
            score=round(100 * c.score / top),
            asked=c.member_id in asked,
        )
        for c in found
    ]


def send_request(
    session: Session,
    *,
    actor_id: int,
    listing_id: object,
    handles: object,
    clock: Clock = system_clock,
) -> list[str]:
    """Tell up to MAX_SEND chosen people about my request; returns who was
    told (people already asked are skipped, not told twice)."""
    listing = _my_open_request(session, actor_id, listing_id)
    chosen = _check_handles(handles)
    ranked = _ranked(session, actor_id, listing, clock, 50)
    people = members.by_id(session, {c.member_id for c in ranked})
    by_handle = {people[c.member_id].handle: c.member_id for c in ranked}
    unknown = [h for h in chosen if h not in by_handle]
    if unknown:
        raise InvalidInput(
            f"You can only ask people suggested for this request: {unknown[0]}.",
            "handles",
        )
    asked = _already_asked(session, actor_id, listing.id)
    me = session.get(Member, actor_id)
    told = []
    for handle in chosen:
        member_id = by_handle[handle]
        if member_id in asked:
            continue
        _tell(session, me, listing, member_id, clock)
        told.append(handle)
    return told


def _tell(session, me: Member, listing: Listing, member_id: int, clock) -> None:
    if not listings.can_see(session, member_id, listing):
        who = session.get(Member, member_id)
        raise InvalidInput(
            f"{who.display_name} can't see this request (its audience is "
            "limited); change who can see it first.",
            "handles",
        )
    notifications.notify(
        session,
        member_id=member_id,
        sender_id=me.id,
        kind="ask",
        text=f"{me.display_name} thinks you could help: “{listing.title}”",
        link=routes.listing(listing.id),
        clock=clock,
    )
    session.add(
        NudgeFeedback(
            member_id=me.id,
            nudge_key=f"ask:listing:{listing.id}:member:{member_id}",
            action="acted",
            at=clock.now(),
        )
    )


def _my_open_request(session: Session, actor_id: int, listing_id: object) -> Listing:
    listing = listings.visible_listing(session, actor_id, listing_id)
    if listing.author_id != actor_id or listing.kind != "request":
        raise NotFound("No such request of yours.")
    if listing.status != "open":
        raise InvalidInput("This request is not open.", "listing")
    return listing


def _ranked(session, actor_id: int, listing: Listing, clock, limit: int):
    tags = session.exec(
        select(ListingTag.tag).where(ListingTag.listing_id == listing.id)
    ).all()
    skip = blocks.blocked_with(session, actor_id)
    skip |= _already_helping(session, listing.id)
    return graph_views.who_to_ask(actor_id, tags, clock, limit=limit, exclude=skip)


def _already_helping(session: Session, listing_id: int) -> set[int]:
    """People with an engagement on this request already (any state): they
    know about it."""
    return set(
        session.exec(
            select(Engagement.helper_id).where(Engagement.listing_id == listing_id)
        ).all()
    )


def _already_asked(session: Session, actor_id: int, listing_id: int) -> set[int]:
    prefix = f"ask:listing:{listing_id}:member:"
    keys = session.exec(
        select(NudgeFeedback.nudge_key).where(
            NudgeFeedback.member_id == actor_id,
            col(NudgeFeedback.nudge_key).startswith(prefix),
            NudgeFeedback.action == "acted",
        )
    ).all()
    return {int(key[len(prefix) :]) for key in keys if key[len(prefix) :].isdigit()}


def _check_handles(handles: object) -> list[str]:
    if not isinstance(handles, list) or not handles:
        raise InvalidInput("Choose at least one person to ask.", "handles")
    if len(handles) > MAX_SEND:
        raise InvalidInput(f"Ask at most {MAX_SEND} people at a time.", "handles")
    if not all(isinstance(h, str) and 0 < len(h) <= 30 for h in handles):
        raise InvalidInput("Choose people from the list.", "handles")
    return list(dict.fromkeys(h.lower() for h in handles))


def _vias(found) -> set[int]:
    return {c.via_id for c in found if c.via_id}
