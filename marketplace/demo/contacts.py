"""Demo contacts: priya brings her LinkedIn export, so "Your contacts" shows
the idea at work -- a few of her LinkedIn connections are members here she
isn't connected with yet (one click to ask them), marcus and lena are
members she already knows, and the rest are people not here yet, with
emails, whom she could invite.

It goes through the real import (network/contacts.py) with a real-looking
Connections.csv, preamble and all. Idempotent: importing the same export
again changes nothing.
"""

from __future__ import annotations

import csv
import io

from sqlmodel import Session, col, select

from marketplace.adapters.clock import Clock, system_clock
from marketplace.demo.members import DEMO_HANDLES
from marketplace.models import Connection, Member
from marketplace.network import contacts
from marketplace.network.contacts import ImportReport

IMPORTER = "priya"
KNOWN = ("marcus", "lena")  # demo accounts in her export, already connected
STRANGERS_HERE = 3  # generated members she knows from LinkedIn, not connected
# people not here yet: (first, last, email, company, position, connected on)
NOT_HERE = (
    ("Sofia", "Marin", "sofia.marin@northwind.example", "Northwind", "Head of Events"),
    ("Tomás", "Ibarra", "tomas@ibarra-av.example", "Ibarra AV", "Producer"),
    ("Hannah", "Kowalski", "", "Brightline", "Partnerships Lead"),
    ("Grace", "Liu", "grace.liu@sponsorly.example", "Sponsorly", "Sponsorship Sales"),
    ("Omar", "Haddad", "omar@venuehub.example", "VenueHub", "Founder"),
    ("Ines", "Duarte", "", "Lisbon Web Week", "Program Manager"),
)
PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the '
    "email addresses are missing. You will only see email addresses for "
    "connections who have allowed their connections to see or download their "
    'email address."\n\n'
)
HEADER = (
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
)


def seed_contacts(
    session: Session, ids: dict[str, int], clock: Clock = system_clock
) -> ImportReport | None:
    """Import priya's LinkedIn export (None when she isn't in the demo).
    `ids`: member ids by handle, as seed.py has them."""
    priya = ids.get(IMPORTER)
    if priya is None:
        return None
    rows = _members_row(session, priya, ids) + [_row(*p) for p in NOT_HERE]
    return contacts.import_contacts(
        session,
        actor_id=priya,
        data=connections_csv(rows),
        filename="Connections.csv",
        clock=clock,
    )


def connections_csv(rows: list[tuple]) -> bytes:
    out = io.StringIO()
    out.write(PREAMBLE)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()


def _row(first, last, email, company, position, on="14 Mar 2021") -> tuple:
    slug = f"{first}-{last}".lower().encode("ascii", "ignore").decode()
    url = f"https://www.linkedin.com/in/{slug}"
    return (first, last, url, email, company, position, on)


def _members_row(session: Session, priya: int, ids: dict[str, int]) -> list[tuple]:
    """Marcus and lena, and the first few verified generated members priya
    isn't connected with, as her LinkedIn export lists them."""
    tied = _tied(session, priya)
    demo = {ids[h] for h in DEMO_HANDLES if h in ids}
    known = [ids[h] for h in KNOWN if h in ids]
    strangers = session.exec(
        select(Member.id)
        .where(
            Member.status == "active",
            col(Member.email_verified_at).is_not(None),
            col(Member.id).not_in(tied | demo),
            col(Member.suspended_at).is_(None),
        )
        .order_by(Member.id)
        .limit(10 * STRANGERS_HERE)
    ).all()
    # only those she may be shown: not hidden from search, not blocked
    shown = contacts.eligible_for(session, priya, set(strangers))
    strangers = [m for m in strangers if m in shown][:STRANGERS_HERE]
    rows = []
    for member_id in [*known, *strangers]:
        member = session.get(Member, member_id)
        first, _, last = member.display_name.partition(" ")
        company, _, position = _work(member.headline)
        rows.append(_row(first, last or "-", member.email, company, position))
    return rows


def _work(headline: str) -> tuple[str, str, str]:
    """A company and position for the export from a headline ('X at Y')."""
    head = headline.split("·")[0].strip()
    position, at, company = head.partition(" at ")
    return (company.strip(), at, position.strip()) if at else ("", "", head)


def _tied(session: Session, member_id: int) -> set[int]:
    rows = session.exec(
        select(Connection.requester_id, Connection.addressee_id).where(
            (Connection.requester_id == member_id)
            | (Connection.addressee_id == member_id)
        )
    ).all()
    return {b if a == member_id else a for a, b in rows} | {member_id}
