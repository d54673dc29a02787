"""Privacy by degree, as a service: a member's settings, the degree between a
viewer and a member, and the checks every page and query asks.

The rule itself (part x level x degree -> visible, the defaults) is
domain/privacy.py's. Here:

- `settings_of` / `change`: read and change a member's choices; only the
  member may change theirs, and every name and value is checked before
  anything is written.
- `degree` / `degrees_of`: how far a viewer is from one member or many
  (SELF, FIRST, SECOND, BEYOND, or PUBLIC when signed out), from the
  accepted connections in the database (network/degrees.py), so a choice
  holds the moment a connection is made or removed.
- `seen_by`: a member's ProfileView as a viewer at some degree may see it --
  the one filter every page that shows a profile goes through
  (accounts/seen_profile.py adds reviews, karma and the charts to it).
- `findable` (SQL) and `screen`: hidden-from-search members leave people
  search and suggestions to anyone but their connections.
- `may_send_request` / `check_may_send`: whether a member takes a connection
  or message request from this sender.

Services never commit: `change` writes in the caller's unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy import and_, func, or_, union
from sqlmodel import Session, col, select

from marketplace.accounts.profiles import ProfileView
from marketplace.adapters.clock import Clock, system_clock
from marketplace.db import remembered
from marketplace.domain import privacy as rules
from marketplace.domain.errors import InvalidInput, NotAuthorized
from marketplace.domain.graph import Candidate
from marketplace.domain.privacy import (
    BEYOND,
    FIRST,
    PUBLIC,
    SECOND,
    SELF,
    Settings,
)
from marketplace.models import Connection, Member, PrivacySetting
from marketplace.network.degrees import (
    first_degree,
    first_degree_ids,
    second_degree,
)

ACCEPTED = "accepted"


# ------------------------------------------------------------------ settings


def settings_of(session: Session, member_id: int) -> Settings:
    """A member's choices; the defaults until they change one."""
    row = session.get(PrivacySetting, member_id)
    return _settings(row) if row else rules.DEFAULT_SETTINGS


def settings_for(session: Session, member_ids: Iterable[int]) -> dict[int, Settings]:
    """Several members' choices in one query (defaults for those with none);
    in a read, members already looked up are not asked for again."""
    ids = set(member_ids)
    known: dict[int, Settings] = remembered(session, "privacy_settings", dict)
    if missing := ids - known.keys():
        known.update(dict.fromkeys(missing, rules.DEFAULT_SETTINGS))
        rows = session.exec(
            select(PrivacySetting).where(col(PrivacySetting.member_id).in_(missing))
        )
        known.update({row.member_id: _settings(row) for row in rows})
    return {mid: known[mid] for mid in ids}


def _settings(row: PrivacySetting) -> Settings:
    return Settings(**{name: getattr(row, name) for name in rules.FIELDS})


def change(
    session: Session,
    *,
    actor_id: int,
    member_id: object,
    name: object,
    value: object,
    clock: Clock = system_clock,
) -> Settings:
    """The member changes one of their settings: a part's level, who may
    send them requests, or hide-me-from-search. Anyone else is refused;
    an unknown name or value is refused; either way nothing is written."""
    if isinstance(member_id, bool) or not isinstance(member_id, int):
        raise InvalidInput("Member id must be a whole number.", "member_id")
    if member_id != actor_id:
        raise NotAuthorized("You can only change your own privacy settings.")
    current = settings_of(session, actor_id)
    updated = replace(current, **{_name(name): _value(name, value)})
    return _save(session, actor_id, updated, clock)


def save_all(
    session: Session,
    *,
    actor_id: int,
    member_id: object,
    form: object,
    clock: Clock = system_clock,
) -> Settings:
    """The member's whole settings form at once (every field checked first)."""
    if isinstance(member_id, bool) or not isinstance(member_id, int):
        raise InvalidInput("Member id must be a whole number.", "member_id")
    if member_id != actor_id:
        raise NotAuthorized("You can only change your own privacy settings.")
    return _save(session, actor_id, rules.parse(form), clock)  # type: ignore[arg-type]


def _name(name: object) -> str:
    if not isinstance(name, str) or name not in rules.FIELDS:
        raise InvalidInput(
            "Unknown privacy setting: choose a part of your profile, who may "
            "send you requests, or hide me from search.",
            "name",
        )
    return name


def _value(name: str, value: object) -> str | bool:
    if name in rules.PARTS:
        return rules.check_level(value, name)
    if name == "hidden_from_search":
        if not isinstance(value, bool):
            raise InvalidInput("Hide me from search is on or off.", name)
        return value
    return rules.check_request_level(value, name)


def _save(session: Session, member_id: int, chosen: Settings, clock: Clock):
    row = session.get(PrivacySetting, member_id) or PrivacySetting(
        member_id=member_id, updated_at=clock.now()
    )
    for name in rules.FIELDS:
        setattr(row, name, getattr(chosen, name))
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    return chosen


# ------------------------------------------------------------------- degrees


def degree(session: Session, viewer_id: int | None, member_id: int) -> int:
    """How far the viewer is from the member: SELF, FIRST (connected),
    SECOND (a connection in common), BEYOND, or PUBLIC (signed out)."""
    if viewer_id is None:
        return PUBLIC
    return degrees_of(session, viewer_id, [member_id])[member_id]


def degrees_of(
    session: Session, viewer_id: int | None, member_ids: Iterable[int]
) -> dict[int, int]:
    """The viewer's degree to each member: the viewer's connections (read
    once per page) and one query bounded by the members asked about (never
    the viewer's whole second degree)."""
    ids = set(member_ids)
    if viewer_id is None:
        return dict.fromkeys(ids, PUBLIC)
    found = {mid: BEYOND for mid in ids}
    if viewer_id in found:
        found[viewer_id] = SELF
    others = ids - {viewer_id}
    if not others:
        return found
    firsts = first_degree_ids(session, viewer_id)
    for mid in others & firsts:
        found[mid] = FIRST
    rest = others - firsts
    if rest and firsts:
        for mid in _connected_to_any(session, rest, first_degree(viewer_id)):
            found[mid] = SECOND
    return found


def _connected_to_any(session: Session, ids: set[int], firsts) -> set[int]:
    """Which of `ids` have an accepted connection to someone in `firsts`."""
    c = Connection
    asked = select(c.requester_id).where(
        c.status == ACCEPTED,
        col(c.requester_id).in_(ids),
        col(c.addressee_id).in_(firsts),
    )
    answered = select(c.addressee_id).where(
        c.status == ACCEPTED,
        col(c.addressee_id).in_(ids),
        col(c.requester_id).in_(firsts),
    )
    return set(session.execute(union(asked, answered)).scalars().all())


# -------------------------------------------------------------------- seeing


def visible_parts(
    session: Session, viewer_id: int | None, member_id: int
) -> frozenset[str]:
    found = degree(session, viewer_id, member_id)
    return rules.visible_parts(settings_of(session, member_id), found)


def seen_by(
    view: ProfileView, settings: Settings, degree_: int, *, email: str = ""
) -> ProfileView:
    """A member's profile as a viewer at `degree_` may see it: each part they
    may not see is emptied, and `shown` lists the parts they may."""
    shown = rules.visible_parts(settings, degree_)
    return replace(
        view,
        location=view.location if "location" in shown else "",
        timezone=view.timezone if "location" in shown else "",
        availability=view.availability if "availability" in shown else "",
        background=view.background if "background" in shown else [],
        connections=view.connections if "connections" in shown else 0,
        email=email if "email" in shown else "",
        shown=[p for p in rules.PARTS if p in shown],
        degree=degree_,
        degree_label=rules.DEGREE_NAMES[degree_],
    )


def may_see(session: Session, viewer_id: int | None, member_id: int, part: str) -> bool:
    return rules.check_part(part) in visible_parts(session, viewer_id, member_id)


def card_location(
    session: Session, viewer_id: int | None, members: list[Member]
) -> dict[int, str]:
    """Each member's location as the viewer may see it ("" when kept)."""
    ids = [m.id for m in members]
    far = degrees_of(session, viewer_id, ids)
    chosen = settings_for(session, ids)
    return {
        m.id: m.location if rules.shows(chosen[m.id].location, far[m.id]) else ""
        for m in members
    }


# ---------------------------------------------------------------- findability


def findable(viewer_id: int | None):
    """SQL on Member.id: members that show up in search for this viewer --
    all but those hidden from search, who still show to their connections
    and themselves."""
    hidden = select(PrivacySetting.member_id).where(
        col(PrivacySetting.hidden_from_search).is_(True)
    )
    if viewer_id is None:
        return col(Member.id).not_in(hidden)
    return or_(
        col(Member.id).not_in(hidden),
        Member.id == viewer_id,
        col(Member.id).in_(first_degree(viewer_id)),
    )


def part_visible(part: str, viewer_id: int | None):
    """SQL on Member.id: members whose `part` this viewer may see (a search
    matches a kept part, such as a background tag, only where it shows)."""
    part = rules.check_part(part)
    chosen = select(getattr(PrivacySetting, part)).where(
        PrivacySetting.member_id == Member.id
    )
    level = func.coalesce(chosen.scalar_subquery(), rules.DEFAULTS[part])
    if viewer_id is None:
        return level == "everyone"
    near = first_degree(viewer_id).union(second_degree(viewer_id))
    return or_(
        level == "everyone",
        Member.id == viewer_id,
        and_(level == "second", col(Member.id).in_(near)),
        and_(level == "first", col(Member.id).in_(first_degree(viewer_id))),
    )


def screen(
    session: Session,
    viewer_id: int,
    found: list[Candidate],
    *,
    drop_away: bool = False,
) -> list[Candidate]:
    """Who-to-ask candidates as the viewer may be shown them: members hidden
    from search only when they are the viewer's connections, and the words
    about each without the parts they keep from the viewer (availability,
    give/get). `drop_away` leaves out anyone away, whether or not the viewer
    may see it (a suggestion must not disturb them)."""
    ids = [c.member_id for c in found]
    far = degrees_of(session, viewer_id, ids)
    chosen = settings_for(session, ids)
    kept = []
    for c in found:
        settings, at = chosen[c.member_id], far[c.member_id]
        if not rules.findable(settings, at):
            continue
        if drop_away and c.availability == "away":
            continue
        kept.append(rules.redact_candidate(c, rules.visible_parts(settings, at)))
    return kept


def hidden_from(
    session: Session, viewer_id: int | None, ids: Iterable[int]
) -> set[int]:
    """Of `ids`, the members hidden from search whom this viewer must not be
    offered (they are not the viewer's connections)."""
    ids = set(ids)
    far = degrees_of(session, viewer_id, ids)
    chosen = settings_for(session, ids)
    return {m for m in ids if not rules.findable(chosen[m], far[m])}


# ------------------------------------------------------------------ requests


def may_send_request(
    session: Session,
    sender_id: int,
    recipient_id: int,
    kind: str,
    *,
    brought_together: bool = False,
) -> bool:
    """Whether `recipient_id` takes a `kind` request ("connect" | "message")
    from `sender_id`, by the recipient's setting and the sender's degree to
    them. Someone who asked me to connect may always be answered; someone
    an intro or a listing brought me together with (`brought_together`,
    network/outreach.py) counts as my 2nd degree."""
    rules.check_kind(kind)
    if sender_id == recipient_id:
        return False
    if kind == "connect" and _asked_me(session, recipient_id, sender_id):
        return True
    level = settings_of(session, recipient_id).requests_from(kind)
    far = degree(session, sender_id, recipient_id)
    if brought_together and far == BEYOND:
        far = SECOND
    return rules.may_request(level, far)


def check_may_send(
    session: Session,
    sender_id: int,
    recipient_id: int,
    kind: str,
    *,
    brought_together: bool = False,
) -> None:
    """`may_send_request`, refused with a message that says why."""
    why = request_refusal(
        session, sender_id, recipient_id, kind, brought_together=brought_together
    )
    if why:
        raise NotAuthorized(why)


def request_refusal(
    session: Session,
    sender_id: int,
    recipient_id: int,
    kind: str,
    *,
    brought_together: bool = False,
) -> str | None:
    """Why `recipient_id` doesn't take this request from `sender_id`, or
    None when they do (for a page to say before anyone presses a button)."""
    if may_send_request(
        session, sender_id, recipient_id, kind, brought_together=brought_together
    ):
        return None
    level = settings_of(session, recipient_id).requests_from(kind)
    what = rules.REQUEST_KINDS[kind]
    name = session.get(Member, recipient_id)
    who = name.display_name if name else "This member"
    if level == "nobody":
        return f"{who} doesn't take {what}."
    other_way = ", or answer one of their listings" if kind == "message" else ""
    return (
        f"{who} takes {what} only from people who share a connection with "
        f"them. Ask a mutual connection for an intro{other_way}."
    )


def _asked_me(session: Session, asker_id: int, me: int) -> bool:
    return (
        session.exec(
            select(Connection.id).where(
                Connection.requester_id == asker_id,
                Connection.addressee_id == me,
                Connection.status == "pending",
            )
        ).first()
        is not None
    )
