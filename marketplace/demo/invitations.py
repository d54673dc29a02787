"""The demo's invitations: priya (the demo login) has invited a few people
she knows from elsewhere, days ago; one of them has joined through her link
and is connected with her through it (the real `accept_invitation`, so the
connection is warmed, the graph gets the edge and priya was told).

The ones still waiting are written as rows (their mails went out before
anyone could read them: none is queued), with tokens nobody knows. A re-run
adds nothing: priya's invitations, once there, are left as they are.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlmodel import Session, select

from marketplace.accounts.verification import hash_token
from marketplace.adapters.clock import Clock, FixedClock
from marketplace.domain.accounts import canonical_email
from marketplace.models import Invitation, Member
from marketplace.network import connections, invitations

HOST = "priya"
# (name, address, note, days ago); none of these addresses has an account
WAITING: tuple[tuple[str, str, str, int], ...] = (
    (
        "Noor Haddad",
        "noor.haddad@example.org",
        "Noor, this is where I find people for the Summit. Join me?",
        9,
    ),
    ("Tomás Ibarra", "tomas@ibarra-studio.example", "", 6),
    (
        "Grace Obi",
        "grace.obi@example.net",
        "You'd get so many design asks here. Come say hi!",
        2,
    ),
)
JOINED_NOTE = "Come help with the Summit volunteers: people here are great."
JOINED_DAYS_AGO = 12


def seed_invitations(session: Session, ids: dict[str, int], clock: Clock) -> int:
    """priya's invitations (see the module); returns how many were written.
    `ids`: handle -> member id of the seeded members."""
    host = ids.get(HOST)
    if host is None or _has_invitations(session, host):
        return 0
    now = clock.now()
    for name, email, note, days in WAITING:
        _row(session, host, name, email, note, now - timedelta(days=days))
    joined = _newcomer(session, host, ids)
    if joined is None:
        return len(WAITING)
    sent_at = now - timedelta(days=JOINED_DAYS_AGO)
    token = _row(session, host, joined.display_name, joined.email, JOINED_NOTE, sent_at)
    invitations.accept_invitation(
        session,
        token=token,
        new_member_id=joined.id,
        clock=FixedClock(sent_at + timedelta(days=1)),
    )
    return len(WAITING) + 1


def _has_invitations(session: Session, host: int) -> bool:
    found = session.exec(select(Invitation.id).where(Invitation.inviter_id == host))
    return found.first() is not None


def _row(session, host: int, name: str, email: str, note: str, at) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        Invitation(
            inviter_id=host,
            name=name,
            email=email,
            email_canonical=canonical_email(email),
            note=note,
            token_hash=hash_token(token),
            created_at=at,
        )
    )
    session.flush()
    return token


def _newcomer(session: Session, host: int, ids: dict[str, int]) -> Member | None:
    """The member who joined through priya's invitation: the first seeded
    member (by id) who is not yet connected with her, nor asked."""
    for member_id in sorted(set(ids.values())):
        if member_id == host:
            continue
        if connections.pair_row(session, host, member_id) is not None:
            continue
        member = session.get(Member, member_id)
        if member is not None and member.status == "active":
            return member
    return None
