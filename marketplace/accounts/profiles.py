"""Reading and editing profiles: the public card and the owner's edit.

Expertise, background and availability are also what the relationship graph
ranks by (who to ask, context nudges): an edit reaches it once committed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from marketplace import events
from marketplace.accounts import verification
from marketplace.accounts.members import member_row
from marketplace.adapters.clock import Clock, system_clock
from marketplace.db import remembered
from marketplace.domain.errors import InvalidInput, NotAuthorized, NotFound
from marketplace.domain.profiles import TAG_KINDS, clean_profile
from marketplace.models import Connection, Member, MemberTag
from marketplace.network import blocks


@dataclass(frozen=True)
class ProfileView:
    """What anyone may see of a member."""

    id: int
    handle: str
    display_name: str
    headline: str
    bio: str
    location: str
    timezone: str
    availability: str
    # tag kinds give/get/background; named so they never shadow dict.get on a Var
    expertise: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    background: list[str] = field(default_factory=list)
    connections: int = 0
    member_since: str = ""
    # the domain of their verified work address: "Verified at acme.com"
    work_domain: str = ""
    # privacy by degree (accounts/privacy.py): the parts this viewer may see,
    # how far they are from the member, and what only some viewers get
    shown: list[str] = field(default_factory=list)
    degree: int = 0
    degree_label: str = ""
    email: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def tags_of(session: Session, member_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    """Tags of several members at once, grouped by kind, in entry order; in
    a read, members already looked up are not asked for again."""
    known: dict[int, dict[str, list[str]]] = remembered(session, "member_tags", dict)
    if missing := set(member_ids) - known.keys():
        fresh = {mid: {kind: [] for kind in TAG_KINDS} for mid in missing}
        rows = session.exec(
            select(MemberTag.member_id, MemberTag.kind, MemberTag.tag)
            .where(col(MemberTag.member_id).in_(missing))
            .order_by(MemberTag.id)
        ).all()
        for mid, kind, tag in rows:
            fresh[mid][kind].append(tag)
        known.update(fresh)
    return {mid: {k: list(v) for k, v in known[mid].items()} for mid in member_ids}


def connection_count(session: Session, member_id: int) -> int:
    return session.exec(
        select(func.count(Connection.id)).where(
            Connection.status == "accepted",
            or_(
                Connection.requester_id == member_id,
                Connection.addressee_id == member_id,
            ),
        )
    ).one()


def profile_of(session: Session, member_id: int) -> ProfileView:
    """Any member's card by id (the owner's edit form starts from it)."""
    member = member_row(session, member_id)
    if member is None:
        raise NotFound("No such member.")
    return view_of(session, member)


def view_of(session: Session, member: Member) -> ProfileView:
    tags = tags_of(session, [member.id])[member.id]
    return ProfileView(
        id=member.id,
        handle=member.handle,
        display_name=member.display_name,
        headline=member.headline,
        bio=member.bio,
        location=member.location,
        timezone=member.timezone,
        availability=member.availability,
        expertise=tags["give"],
        needs=tags["get"],
        background=tags["background"],
        connections=connection_count(session, member.id),
        member_since=member.created_at.strftime("%B %Y"),
        work_domain=verification.verified_work_domain(member),
    )


def public_profile(
    session: Session, handle: object, viewer_id: int | None = None
) -> ProfileView:
    """The public card of an active member, by handle. To a signed-in viewer
    they blocked it reads exactly as a handle nobody has; the blocker still
    opens the card of whoever they blocked (to unblock them there)."""
    if not isinstance(handle, str) or not handle.strip():
        raise NotFound("No such member.")
    member = session.exec(
        select(Member).where(Member.handle == handle.strip().lower())
    ).first()
    if member is None or member.status != "active":
        raise NotFound(f"Nobody here goes by '{handle[:30]}'.")
    if viewer_id is not None and blocks.has_blocked(session, member.id, viewer_id):
        raise NotFound(f"Nobody here goes by '{handle[:30]}'.")
    return view_of(session, member)


def update_profile(
    session: Session,
    *,
    actor_id: int,
    member_id: object,
    form: object,
    clock: Clock = system_clock,
) -> ProfileView:
    """The owner edits their own profile; everybody else is refused."""
    if not isinstance(member_id, int) or isinstance(member_id, bool):
        raise InvalidInput("Member id must be a whole number.")
    if member_id != actor_id:
        raise NotAuthorized("You can only edit your own profile.")
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound("No such member.")
    changes = clean_profile(form)  # raises before anything is written
    digest = digest_choice(form)
    for name in (
        "display_name",
        "headline",
        "bio",
        "location",
        "timezone",
        "availability",
    ):
        setattr(member, name, getattr(changes, name))
    member.digest_opt_in = digest
    member.updated_at = clock.now()
    session.add(member)
    replace_tags(session, member.id, changes.tags)
    events.publish(
        session,
        "profiles.edited",
        member_id=member.id,
        availability=member.availability,
    )
    session.flush()
    return view_of(session, member)


def digest_choice(form: dict) -> bool:
    """The "Email me a daily digest" checkbox: a browser posts 'on' when it is
    ticked and nothing when it is not; anything else is refused."""
    value = form.get("digest")
    if value is None or value is False or value == "":
        return False
    if value is True or value == "on":
        return True
    raise InvalidInput("The daily digest choice must be on or off.", "digest")


def digest_opt_in(session: Session, member_id: int) -> bool:
    """Private to the owner, so it is not part of the public ProfileView."""
    member = session.get(Member, member_id)
    return bool(member and member.digest_opt_in)


def replace_tags(session: Session, member_id: int, tags: dict[str, list[str]]) -> None:
    """All of a member's tags become `tags` (kind -> tags); the graph's
    expertise and background follow at commit."""
    for old in session.exec(select(MemberTag).where(MemberTag.member_id == member_id)):
        session.delete(old)
    session.flush()
    for kind, values in tags.items():
        for tag in values:
            session.add(MemberTag(member_id=member_id, kind=kind, tag=tag))
    expertise, background = tags.get("give", []), tags.get("background", [])
    events.publish(
        session,
        "profiles.tags_replaced",
        member_id=member_id,
        expertise=expertise,
        background=background,
    )
