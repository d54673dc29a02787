"""Demo conversations logged elsewhere, and private notes, so priya's pages
show the idea at work: she had coffee with marcus a few days ago (her
connections going cold stay so: the demo's nudges need them), she logged a
call and a WhatsApp with two people from her LinkedIn export who are not
members and have no email to invite (the WhatsApp long enough ago that a
keep-in-touch reminder is due), and she keeps a few private notes.

Her address book is the contacts importer's (demo/contacts.py); when those
two are not there this adds them itself, with source "manual" and keys
"demo:<name>", so the two never collide. Idempotent: once priya has logged
anything, seeding again writes nothing.

Through the services (network/touchpoints.py, network/person_notes.py), as
priya: the same rules (connected members only, one counted a day) apply.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from marketplace.adapters.clock import Clock, system_clock
from marketplace.models import Contact, LoggedInteraction, Member
from marketplace.network import person_notes, touchpoints

# (name, company, position): in priya's LinkedIn export (demo/contacts.py)
DEMO_CONTACTS = (
    ("Hannah Kowalski", "Brightline", "Partnerships Lead"),
    ("Ines Duarte", "Lisbon Web Week", "Program Manager"),
)


def seed_touchpoints(session: Session, clock: Clock = system_clock) -> int:
    """priya's logged conversations and notes; returns how many rows (logs
    and notes) were written this time."""
    priya = session.exec(select(Member.id).where(Member.handle == "priya")).first()
    if priya is None or _has_logged(session, priya):
        return 0
    today = touchpoints.today_for(session, priya, clock)
    written = 0
    marcus = session.exec(select(Member.id).where(Member.handle == "marcus")).first()
    if marcus is not None:
        written += _log(
            session,
            priya,
            clock,
            "coffee",
            today - timedelta(days=3),
            "Coffee at the Summit office: he is raising a seed round in spring.",
            member_id=marcus,
        )
        written += _note(
            session,
            priya,
            clock,
            "Owes me a look at the pricing page; ask after the summit.",
            member_id=marcus,
        )
    first, second = _contacts(session, priya, clock)[:2]
    written += _log(
        session,
        priya,
        clock,
        "call",
        today - timedelta(days=12),
        "Hannah wants Brightline's partners on the Northstar summit panel.",
        contact_id=first,
    )
    written += _log(
        session,
        priya,
        clock,
        "whatsapp",
        today - timedelta(days=150),
        "Ines moved to Lisbon Web Week; asked about SaaS pricing.",
        contact_id=second,
    )
    written += _note(
        session,
        priya,
        clock,
        "Prefers WhatsApp to email. Knows the Lisbon founder scene.",
        contact_id=second,
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
    """priya's contacts named in DEMO_CONTACTS (imported, or added here)."""
    now = clock.now()
    ids = []
    for name, company, position in DEMO_CONTACTS:
        found = session.exec(
            select(Contact.id).where(Contact.owner_id == priya, Contact.name == name)
        ).first()
        if found is None:
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
            found = row.id
        ids.append(found)
    return ids
