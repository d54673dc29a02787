"""Demo conversations logged elsewhere, and private notes, so priya's pages
show the idea at work: she had coffee a few days ago with one of her
connections that was going cold (and so that reminder is gone), she logged
a call and a WhatsApp with two people in her address book who are not
members (the WhatsApp long enough ago that a keep-in-touch reminder is due),
and she keeps a few private notes.

Her address book is the contacts importer's (network/contacts.py); when
nothing was imported yet this adds two contacts of its own, with source
"manual" and keys "demo:<name>", so the two never collide. Idempotent: once
priya has logged anything, seeding again writes nothing.

Through the services (network/touchpoints.py, network/person_notes.py), as
priya: the same rules (connected members only, one counted a day) apply.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from marketplace.adapters.clock import Clock, system_clock
from marketplace.models import Contact, ContactAddress, LoggedInteraction, Member
from marketplace.network import interactions, person_notes, touchpoints

DEMO_CONTACTS = (
    ("Dana Reyes", "Northwind Ventures", "Partner", "dana.reyes@example.org"),
    ("Tomás Alvarez", "Lumen Labs", "Head of Growth", "tomas@example.net"),
)


def seed_touchpoints(session: Session, clock: Clock = system_clock) -> int:
    """priya's logged conversations and notes; returns how many rows (logs
    and notes) were written this time."""
    priya = session.exec(select(Member.id).where(Member.handle == "priya")).first()
    if priya is None or _has_logged(session, priya):
        return 0
    today = touchpoints.today_for(session, priya, clock)
    written = 0
    cold = interactions.cold_ties(session, priya, clock)
    if cold:
        other = cold[0].other_id
        written += _log(
            session,
            priya,
            clock,
            "coffee",
            today - timedelta(days=3),
            "Caught up after a year: she is raising a seed round in spring.",
            member_id=other,
        )
        written += _note(
            session,
            priya,
            clock,
            "Introduce her to Marcus before the spring round.",
            member_id=other,
        )
    first, second = _contacts(session, priya, clock)[:2]
    written += _log(
        session,
        priya,
        clock,
        "call",
        today - timedelta(days=12),
        "Dana wants speakers for the Northstar summit panel.",
        contact_id=first,
    )
    written += _log(
        session,
        priya,
        clock,
        "whatsapp",
        today - timedelta(days=150),
        "Tomás moved to Lisbon; asked about SaaS pricing.",
        contact_id=second,
    )
    written += _note(
        session,
        priya,
        clock,
        "Prefers WhatsApp to email. Knows the Lisbon founder scene.",
        contact_id=second,
    )
    marcus = session.exec(select(Member.id).where(Member.handle == "marcus")).first()
    if marcus is not None:
        written += _note(
            session,
            priya,
            clock,
            "Owes me a look at the pricing page; ask after the summit.",
            member_id=marcus,
        )
    return written


def _has_logged(session: Session, priya: int) -> bool:
    found = session.exec(
        select(LoggedInteraction.id).where(LoggedInteraction.author_id == priya)
    )
    return found.first() is not None


def _log(session, priya, clock, kind, day, note, **about) -> int:
    touchpoints.log_conversation(
        session,
        actor_id=priya,
        kind=kind,
        happened_on=day,
        note=note,
        clock=clock,
        **about,
    )
    return 1


def _note(session, priya, clock, body, **about) -> int:
    person_notes.add_note(session, actor_id=priya, body=body, clock=clock, **about)
    return 1


def _contacts(session: Session, priya: int, clock: Clock) -> list[int]:
    """Two of priya's contacts who are not members: imported ones if any,
    else the demo's own two."""
    found = session.exec(
        select(Contact.id)
        .where(Contact.owner_id == priya, col(Contact.member_id).is_(None))
        .order_by(Contact.name, Contact.id)
        .limit(2)
    ).all()
    if len(found) >= 2:
        return list(found)
    now = clock.now()
    ids = list(found)
    for name, company, position, email in DEMO_CONTACTS[: 2 - len(found)]:
        row = Contact(
            owner_id=priya,
            name=name,
            company=company,
            position=position,
            source="manual",
            source_key=f"demo:{name}",
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        session.add(
            ContactAddress(contact_id=row.id, owner_id=priya, kind="email", value=email)
        )
        ids.append(row.id)
    session.flush()
    return ids
