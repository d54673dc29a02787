"""A member's profile page as one viewer may see it: the card, reviews,
karma balance, give/get chart and connections list, each part there only
when the member's privacy settings let this viewer see it.

Every page that shows a member's profile -- the public profile, and the
owner's "view my profile as..." preview -- reads it here, so the same filter
(accounts/privacy.py, the rule in domain/privacy.py) decides everywhere.
The preview asks for a degree instead of a viewer: how the profile looks to
a connection, to a 2nd-degree member, to a member outside the network, or
to anyone signed out.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from sqlmodel import Session, col, or_, select

from marketplace.accounts import privacy, profiles
from marketplace.accounts.profiles import ProfileView
from marketplace.domain import privacy as rules
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.ledger import wallet
from marketplace.market import reviews
from marketplace.market.reviews import Reputation, ReviewView
from marketplace.models import Connection, Member
from marketplace.network import blocks, motivation

NO_REPUTATION = Reputation(0, 0, "", "")
CONNECTIONS_SHOWN = 24
PREVIEW_DEGREES = {
    "first": rules.FIRST,
    "second": rules.SECOND,
    "beyond": rules.BEYOND,
    "public": rules.PUBLIC,
}


@dataclass(frozen=True)
class PersonChip:
    """Someone in a member's connections list."""

    handle: str
    display_name: str
    headline: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SeenProfile:
    profile: ProfileView
    reputation: Reputation = NO_REPUTATION
    reviews: list[ReviewView] = field(default_factory=list)
    karma: str = ""  # the karma balance as text, "" when kept from the viewer
    connection_list: list[PersonChip] = field(default_factory=list)
    help_by_month: list[dict] = field(default_factory=list)
    help_by_tag: list[dict] = field(default_factory=list)
    help_given: int = 0  # all time, for the chart's caption
    help_received: int = 0


def public_profile(
    session: Session, handle: object, viewer_id: int | None
) -> SeenProfile:
    """The profile at /people/<handle> as the viewer (None: signed out) sees
    it; refused as "nobody here" where public_profile refuses it."""
    card = profiles.public_profile(session, handle, viewer_id=viewer_id)
    far = privacy.degree(session, viewer_id, card.id)
    return _seen(session, card, far, viewer_id)


def preview(session: Session, member_id: int, as_degree: object) -> SeenProfile:
    """My own profile as someone at `as_degree` (first | second | beyond |
    public) sees it; nothing about any other viewer is used."""
    if not isinstance(as_degree, str) or as_degree not in PREVIEW_DEGREES:
        raise InvalidInput("Preview as: first, second, beyond or public.", "as_degree")
    card = profiles.profile_of(session, member_id)
    return _seen(session, card, PREVIEW_DEGREES[as_degree], None)


def _seen(
    session: Session, card: ProfileView, far: int, viewer_id: int | None
) -> SeenProfile:
    member = session.get(Member, card.id)
    if member is None:
        raise NotFound("No such member.")
    settings = privacy.settings_of(session, card.id)
    view = privacy.seen_by(card, settings, far, email=member.email)
    shown = set(view.shown)
    seen = SeenProfile(profile=view)
    if "reviews" in shown:
        reputation, received = reviews.profile_reviews(
            session, card.id, viewer_id=viewer_id
        )
        seen = replace(seen, reputation=reputation, reviews=received)
    if "karma" in shown:
        seen = replace(seen, karma=str(wallet.balances(session, card.id).posted))
    if "connections" in shown:
        seen = replace(seen, connection_list=_connections(session, card.id, viewer_id))
    if "give_get" in shown:
        seen = replace(seen, **_give_get(session, card.id))
    return seen


def _connections(
    session: Session, member_id: int, viewer_id: int | None
) -> list[PersonChip]:
    """The member's connections by name; none the viewer is blocked with,
    and none hidden from search unless they are the viewer's connections."""
    c = Connection
    rows = session.exec(
        select(c.requester_id, c.addressee_id).where(
            c.status == "accepted",
            or_(c.requester_id == member_id, c.addressee_id == member_id),
        )
    ).all()
    others = {b if a == member_id else a for a, b in rows}
    if viewer_id is not None:
        others -= blocks.blocked_with(session, viewer_id)
    others -= privacy.hidden_from(session, viewer_id, others)
    people = session.exec(
        select(Member)
        .where(col(Member.id).in_(others), Member.status == "active")
        .order_by(Member.display_name, Member.id)
        .limit(CONNECTIONS_SHOWN)
    ).all()
    return [PersonChip(p.handle, p.display_name, p.headline) for p in people]


def _give_get(session: Session, member_id: int) -> dict:
    """Help given and received by month and by topic (never the balance
    words, which are the member's own)."""
    view = motivation.motivation(session, member_id=member_id, viewer_id=0)
    return {
        "help_by_month": [
            {"month": m.month, "given": m.given, "received": m.received}
            for m in view.months
        ],
        "help_by_tag": [
            {"tag": t.tag, "given": t.given, "received": t.received} for t in view.tags
        ],
        "help_given": view.all_time_given,
        "help_received": view.all_time_received,
    }
