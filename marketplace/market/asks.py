"""Who to ask: for my open request, the people within two degrees best placed
to help, and a targeted send to the chosen few instead of a broadcast.

Ranking is the relationship graph's (expertise match, give propensity, path
strength, availability, favours they owe me); this module adds the names,
the reasons in words, and the send: each chosen person is told once, and
only people who may see the request can be chosen.

When my two degrees hold fewer than NEAR_ENOUGH people who know the subject
-- always, for a newcomer with no connections -- the panel also names the
best people *beyond* them (graph.who_else_to_ask), and says in words why and
what connecting would change. Each of them can be asked anyway where the
request's audience lets them see it (public), or asked to connect first,
with a note naming the request; a tick never reaches someone who can't see
the request.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlmodel import Session, col, select

from marketplace import routes
from marketplace.accounts import members, privacy, standing
from marketplace.adapters.clock import Clock, system_clock
from marketplace.db import remembered
from marketplace.domain.contexts import humanize
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
from marketplace.network import blocks, connections, graph_views

SHOWN = 8
MAX_SEND = 5
NEAR_ENOUGH = 3  # fewer people who know it within two degrees: look beyond
BEYOND_SHOWN = 5


@dataclass(frozen=True)
class AskCandidate:
    name: str
    handle: str
    headline: str
    degree: str  # "Your connection" | "Through Priya" | "Not connected yet"
    reasons: str  # "knows pricing · has given help 9 times · owes you a favour"
    score: int  # percent of the best candidate's score, for a bar
    asked: bool  # already sent this request
    can_ask: bool = True  # may see the request, so ticking them sends it
    # beyond my network: none | asked (my request to connect waits) | ...
    # (connections.relationship); "" for people already in my network
    relationship: str = ""
    hint: str = ""  # why they can't be asked yet, when they can't

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class AskPanel:
    """The who-to-ask section of my request: people within two degrees,
    the best beyond them when those are few, and the words around them."""

    near: list[AskCandidate]
    beyond: list[AskCandidate]
    why: str  # why the beyond list is there: "You have no connections yet..."
    connecting: str  # what connecting with them would change


NEWCOMER = (
    "You have no connections yet, so nobody is within two steps of you. "
    "These members know {tags}:"
)
FEW_NEAR = "Few people within two steps of you know {tags}. Beyond your network:"
NONE_NEAR = "Nobody within two steps of you knows {tags} yet. Beyond your network:"
NO_TAGS = "Add tags to this request (what it is about) and we'll suggest who to ask."
NOBODY = (
    "Nobody lists {tags} as something they can give yet. Your request stays "
    "in the market for anyone to find; broader tags may reach more people."
)
CONNECTING = (
    "Connecting puts them in your network: they see requests you share with "
    "your connections, you see how warm the tie is, and the people they know "
    "come within reach for a warm intro."
)
NOT_SEEN = {
    "network": "Only your connections see this request: connect first.",
    "chosen": "Only the people you chose see this request.",
}


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


def ask_panel(
    session: Session, *, actor_id: int, listing_id: object, clock: Clock = system_clock
) -> AskPanel:
    """Who to ask about my open request: the near (`candidates`) and, when
    they are fewer than NEAR_ENOUGH, the best beyond, with the words."""
    near = candidates(session, actor_id=actor_id, listing_id=listing_id, clock=clock)
    listing = _my_open_request(session, actor_id, listing_id)
    if len(near) >= NEAR_ENOUGH:
        return AskPanel(near, [], "", "")
    if not _tags(session, listing.id):
        return AskPanel([], [], NO_TAGS, "")
    found = _beyond(session, actor_id, listing, clock)
    tags = humanize(_tags(session, listing.id))
    if not found:
        return AskPanel(near, [], "" if near else NOBODY.format(tags=tags), "")
    if not graph_views.has_connections(actor_id):
        why = NEWCOMER.format(tags=tags)
    else:
        why = (FEW_NEAR if near else NONE_NEAR).format(tags=tags)
    beyond = _beyond_views(session, actor_id, listing, found)
    return AskPanel(near, beyond, why, CONNECTING)


def _beyond_views(session, actor_id: int, listing: Listing, found) -> list:
    people = members.by_id(session, {c.member_id for c in found})
    asked = _already_asked(session, actor_id, listing.id)
    standing = connections.relationships(session, actor_id, people)
    top = max((c.score for c in found), default=1.0) or 1.0
    views = []
    for c in found:
        who = people[c.member_id]
        sees = listings.can_see(session, c.member_id, listing)
        views.append(
            AskCandidate(
                name=who.display_name,
                handle=who.handle,
                headline=who.headline,
                degree="Not connected yet",
                reasons=" · ".join(c.reasons[:1] + c.reasons[2:]),
                score=round(100 * c.score / top),
                asked=c.member_id in asked,
                can_ask=sees,
                relationship=standing[who.id],
                hint="" if sees else NOT_SEEN.get(listing.audience, ""),
            )
        )
    return views


def connect_first(
    session: Session,
    *,
    actor_id: int,
    listing_id: object,
    handle: object,
    clock: Clock = system_clock,
) -> str:
    """Ask someone suggested beyond my network to connect, with a note that
    names my request; returns their name."""
    listing = _my_open_request(session, actor_id, listing_id)
    found = _beyond(session, actor_id, listing, clock)
    people = members.by_id(session, {c.member_id for c in found})
    wanted = handle.lower() if isinstance(handle, str) else None
    match = [people[c.member_id] for c in found if people[c.member_id].handle == wanted]
    if not match:
        raise InvalidInput("Choose someone suggested for this request.", "handle")
    connections.request_connection(
        session,
        actor_id=actor_id,
        handle=match[0].handle,
        note=f"I'd like to ask you about my request “{listing.title}”."[
            : connections.NOTE_MAX
        ],
        clock=clock,
    )
    return match[0].display_name


def send_request(
    session: Session,
    *,
    actor_id: int,
    listing_id: object,
    handles: object,
    clock: Clock = system_clock,
) -> list[str]:
    """Tell up to MAX_SEND chosen people about my request; returns who was
    told (people already asked are skipped, not told twice). The chosen are
    people suggested for it, near or beyond my network."""
    standing.require_standing(session, actor_id)
    listing = _my_open_request(session, actor_id, listing_id)
    chosen = _check_handles(handles)
    ranked = _ranked(session, actor_id, listing, clock, 50)
    ranked += _beyond(session, actor_id, listing, clock)
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
    tags = _tags(session, listing.id)
    if not tags:
        return []
    skip = blocks.blocked_with(session, actor_id)
    skip |= _already_helping(session, listing.id)
    found = graph_views.who_to_ask(actor_id, tags, clock, limit=limit, exclude=skip)
    return privacy.screen(session, actor_id, found)


def _beyond(session, actor_id: int, listing: Listing, clock) -> list:
    """The best people beyond my two degrees, when my two degrees hold fewer
    than NEAR_ENOUGH who know the subject; active members only."""
    tags = _tags(session, listing.id)
    if not tags:
        return []
    if len(_ranked(session, actor_id, listing, clock, NEAR_ENOUGH)) >= NEAR_ENOUGH:
        return []
    skip = blocks.blocked_with(session, actor_id)
    skip |= _already_helping(session, listing.id)
    found = graph_views.who_else_to_ask(
        actor_id, tags, clock, limit=BEYOND_SHOWN * 2, exclude=skip
    )
    found = privacy.screen(session, actor_id, found)
    people = members.by_id(session, [c.member_id for c in found])
    active = [
        c
        for c in found
        if c.member_id in people and people[c.member_id].status == "active"
    ]
    return active[:BEYOND_SHOWN]


def _tags(session: Session, listing_id: int) -> list[str]:
    """The request's tags (read once per page: the panel asks for them in
    each of its parts)."""
    return list(
        remembered(
            session,
            ("listing_tags", listing_id),
            lambda: tuple(
                session.exec(
                    select(ListingTag.tag).where(ListingTag.listing_id == listing_id)
                )
            ),
        )
    )


def _already_helping(session: Session, listing_id: int) -> set[int]:
    """People with an engagement on this request already (any state): they
    know about it."""
    return set(
        remembered(
            session,
            ("helping", listing_id),
            lambda: frozenset(
                session.exec(
                    select(Engagement.helper_id).where(
                        Engagement.listing_id == listing_id
                    )
                ).all()
            ),
        )
    )


def _already_asked(session: Session, actor_id: int, listing_id: int) -> set[int]:
    """Whom I told about this request (read once per page: both lists ask)."""
    prefix = f"ask:listing:{listing_id}:member:"

    def read() -> frozenset[int]:
        keys = session.exec(
            select(NudgeFeedback.nudge_key).where(
                NudgeFeedback.member_id == actor_id,
                col(NudgeFeedback.nudge_key).startswith(prefix),
                NudgeFeedback.action == "acted",
            )
        ).all()
        tails = (key[len(prefix) :] for key in keys)
        return frozenset(int(tail) for tail in tails if tail.isdigit())

    return set(remembered(session, ("asked", actor_id, listing_id), read))


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
