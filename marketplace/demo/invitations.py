"""The demo's invitations: priya (the demo login) has invited three of the
people in her LinkedIn export who are not here yet (demo/contacts.py), days
ago, and one of her connections joined through an invitation of hers when
the network was new, so her list shows both states.

The rows are written directly: the waiting ones' mails went out before
anyone could read them (none is queued) with tokens nobody knows, and the
joined one names a member who is already connected with her (joining
through a link connects the two: network/invitations.accept_invitation),
so the demo's graph stays as demo/graph.py planned it. A re-run adds
nothing: priya's invitations, once there, are left as they are.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import case, or_
from sqlmodel import Session, col, select

from marketplace.accounts.verification import hash_token
from marketplace.adapters.clock import Clock
from marketplace.domain.accounts import canonical_email
from marketplace.models import Connection, Invitation, Member

HOST = "priya"
JOINED_HANDLE = "lena"  # joined through priya's invitation
# (name, address, note, days ago): in priya's LinkedIn export, not members
WAITING: tuple[tuple[str, str, str, int], ...] = (
    (
        "Sofia Marin",
        "sofia.marin@northwind.example",
        "Sofia, this is where I find people for the Summit. Join me?",
        9,
    ),
    ("Tomás Ibarra", "tomas@ibarra-av.example", "", 6),
    (
        "Grace Liu",
        "grace.liu@sponsorly.example",
        "You'd get so many sponsorship asks here. Come say hi!",
        2,
    ),
)
JOINED_NOTE = "Come help with the Summit volunteers: people here are great."
SENT_DAYS_BEFORE_JOINING = 12


def seed_invitations(session: Session, ids: dict[str, int], clock: Clock) -> int:
    """priya's invitations (see the module); returns how many were written.
    `ids`: handle -> member id of the seeded members."""
    host = ids.get(HOST)
    if host is None or _has_invitations(session, host):
        return 0
    now = clock.now()
    for name, email, note, days in WAITING:
        _row(session, host, name, email, note, now - timedelta(days=days))
    joined = _newcomer(session, host)
    if joined is None:
        return len(WAITING)
    sent_at = joined.created_at - timedelta(days=SENT_DAYS_BEFORE_JOINING)
    _row(session, host, joined.display_name, joined.email, JOINED_NOTE, sent_at)
    invitation = session.exec(
        select(Invitation).where(
            Invitation.inviter_id == host,
            Invitation.email_canonical == canonical_email(joined.email),
        )
    ).one()
    invitation.joined_member_id = joined.id
    invitation.joined_at = joined.created_at
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


def _newcomer(session: Session, host: int) -> Member | None:
    """The connection who joined through priya's invitation: lena (a demo
    friend) when connected with her, else the newest active connection."""
    c = Connection
    other = case((c.requester_id == host, c.addressee_id), else_=c.requester_id)
    return session.exec(
        select(Member)
        .join(c, Member.id == other)
        .where(
            or_(c.requester_id == host, c.addressee_id == host),
            c.status == "accepted",
            Member.status == "active",
        )
        .order_by(
            case((Member.handle == JOINED_HANDLE, 0), else_=1),
            col(Member.created_at).desc(),
            col(Member.id).desc(),
        )
    ).first()
