"""A member's own address book: contacts imported from LinkedIn, a phone or
Google, and who among them is already here.

Contacts are private to the member who imported them (the owner): every
function here takes the acting member and touches only their rows; another
member's contact id gets the same "Contact not found." as a missing one.
They are never used to suggest the owner to anyone else.

Importing (`import_contacts`) reads the file (domain/contact_files.py), then
in the caller's one transaction: a row whose source key or address the owner
already has updates that contact (same digest: nothing is written), any
other becomes a new contact, and each is matched to a member by a verified
email only -- an active member, not suspended, not hidden from search, not
blocked either way, never the owner. A refused file writes nothing.

A match becomes a one-click connection request ("We know each other from
LinkedIn"), which still goes through the recipient's own rules for who may
ask them (network/connections.py, accounts/privacy.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, update
from sqlmodel import Session, col, select

from marketplace.accounts import privacy, throttles
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain import contact_files
from marketplace.domain.contact_files import ParsedContact, fingerprint
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.domain.ids import check_id
from marketplace.models import Connection, Contact, ContactAddress, Member
from marketplace.network import blocks, connections
from marketplace.settings import get_settings

Progress = Callable[[int, int], None]

PAGE_SIZE = 50
QUERY_MAX = 100
CHUNK = 500  # ids or addresses per IN (...) list
NOTES = {
    "linkedin": "We know each other from LinkedIn",
    "vcard": "We know each other from your phone",
    "google": "We know each other from Google contacts",
    "manual": "We know each other",
}
SOURCE_LABELS = {
    "linkedin": "LinkedIn",
    "vcard": "Phone",
    "google": "Google",
    "manual": "Added by you",
}
NO_CONTACT = "Contact not found."


@dataclass
class ImportReport:
    """What an import did. `rows` counts the file's data rows (errors too);
    imported + updated + unchanged counts the people in it after merging
    duplicates; `duplicates` counts rows merged into another (in the file or
    into a contact from an earlier file); `matched` the file's people who
    are members here."""

    source: str = ""
    rows: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    matched: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "matched": self.matched,
            "duplicates": self.duplicates,
            "errors": [{"row": row, "reason": reason} for row, reason in self.errors],
        }


@dataclass
class ContactView:
    id: int
    name: str
    company: str
    position: str
    source: str
    emails: list[str]
    phones: list[str]
    connected_on: str
    member_handle: str  # "" unless they are a member here


@dataclass
class ContactPage:
    contacts: list[ContactView]
    total: int
    page: int
    pages: int


@dataclass
class MatchView:
    """A contact who is a member here and not yet connected with the owner.
    `company` and `position` are what the owner's own export said: context
    for the owner only."""

    contact_id: int
    handle: str
    name: str
    headline: str
    contact_name: str
    company: str
    position: str
    source: str


# ---------------------------------------------------------------- importing


def import_contacts(
    session: Session,
    *,
    actor_id: int,
    data: bytes,
    filename: str = "",
    clock: Clock = system_clock,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a contacts export for the acting member (see the module doc).
    `filename` is not trusted to say the format; the content does."""
    owner = _active_owner(session, actor_id)
    parsed = contact_files.parse_contacts(
        data, region=get_settings().contacts_phone_region
    )
    throttles.allow_contact_import(owner.id, session)
    report = ImportReport(
        source=parsed.source,
        rows=parsed.rows,
        duplicates=parsed.duplicates,
        errors=[(e.row, e.reason) for e in parsed.errors],
    )
    book = _AddressBook.load(session, owner.id)
    total = len(parsed.contacts)
    touched: list = []
    for done, row in enumerate(parsed.contacts, start=1):
        touched.append(_apply(book, report, parsed.source, row, clock))
        if progress and (done % 250 == 0 or done == total):
            progress(done, total)
    report.matched = _match(session, owner.id, touched, book)
    book.write(session)
    return report


def _active_owner(session: Session, actor_id: int) -> Member:
    owner = session.get(Member, actor_id)
    if owner is None or owner.status != "active" or owner.suspended_at:
        raise NotFound("No such member.")
    return owner


class _AddressBook:
    """The owner's contacts and addresses, loaded once per import."""

    def __init__(self, owner_id: int) -> None:
        self.owner_id = owner_id
        self.by_key: dict[str, Contact] = {}
        self.by_address: dict[tuple[str, str], Contact] = {}
        self.addresses: dict[int, set[tuple[str, str]]] = {}
        self.new_addresses: list[tuple[object, str, str]] = []
        self.new_contacts: list[_NewContact] = []

    @classmethod
    def load(cls, session: Session, owner_id: int) -> _AddressBook:
        book = cls(owner_id)
        mine = session.exec(select(Contact).where(Contact.owner_id == owner_id))
        by_id = {}
        for contact in mine:
            book.by_key[contact.source_key] = contact
            by_id[contact.id] = contact
        rows = session.exec(
            select(ContactAddress).where(ContactAddress.owner_id == owner_id)
        )
        for address in rows:
            pair, contact = (address.kind, address.value), by_id[address.contact_id]
            book.addresses.setdefault(id(contact), set()).add(pair)
            book.by_address.setdefault(pair, contact)
        return book

    def find(self, row: ParsedContact) -> Contact | None:
        found = self.by_key.get(row.source_key)
        if found is not None:
            return found
        return next(
            (self.by_address[a] for a in row.addresses() if a in self.by_address),
            None,
        )

    def known(self, contact: Contact) -> set[tuple[str, str]]:
        # keyed by the object: a new contact has no id before the flush
        return self.addresses.setdefault(id(contact), set())

    def add(self, contact: Contact, pairs: Iterable[tuple[str, str]]) -> bool:
        """Addresses the contact doesn't have yet; whether there were any."""
        have = self.known(contact)
        fresh = [p for p in dict.fromkeys(pairs) if p not in have]
        for kind, value in fresh:
            self.new_addresses.append((contact, kind, value))
            have.add((kind, value))
            self.by_address.setdefault((kind, value), contact)
        return bool(fresh)

    def write(self, session: Session) -> None:
        """New contacts and addresses in a few statements (thousands of ORM
        objects would take seconds to build); changed ones by the ORM."""
        session.flush()
        if self.new_contacts:
            statement = insert(Contact).returning(
                Contact.id, sort_by_parameter_order=True
            )
            ids = session.execute(
                statement, [vars(c) for c in self.new_contacts]
            ).scalars()
            for contact, contact_id in zip(self.new_contacts, ids, strict=True):
                contact.id = contact_id
        if self.new_addresses:
            session.execute(
                insert(ContactAddress),
                [
                    {
                        "contact_id": contact.id,
                        "owner_id": self.owner_id,
                        "kind": kind,
                        "value": value,
                    }
                    for contact, kind, value in self.new_addresses
                ],
            )
        self.new_contacts, self.new_addresses = [], []

    def emails_of(self, contact: Contact) -> set[str]:
        return {v for k, v in self.known(contact) if k == "email"}


class _NewContact:
    """A contact row to insert: the fields of Contact, without building a
    SQLModel object for each of thousands."""

    def __init__(self, **fields: object) -> None:
        self.__dict__.update(fields)


def _apply(book: _AddressBook, report, source, row, clock):
    existing = book.find(row)
    digest = fingerprint(row)
    if existing is None:
        contact = _new_contact(book, source, row, digest, clock)
        report.imported += 1
    elif existing.source_key == row.source_key:
        changed = _refresh(book, existing, row, digest, clock)
        report.updated += changed
        report.unchanged += not changed
        contact = existing
    else:  # the same person from another file (or another row of theirs)
        report.duplicates += 1
        changed = _fill_in(book, existing, row, clock)
        report.updated += changed
        report.unchanged += not changed
        contact = existing
    return contact


def _new_contact(book, source, row: ParsedContact, digest: str, clock):
    now = clock.now()
    contact = _NewContact(
        owner_id=book.owner_id,
        name=row.name,
        company=row.company,
        position=row.position,
        source=source,
        source_key=row.source_key,
        fingerprint=digest,
        connected_on=row.connected_on,
        member_id=None,
        warmth=0.0,
        warmth_at=None,
        created_at=now,
        updated_at=now,
    )
    book.new_contacts.append(contact)
    book.by_key[row.source_key] = contact
    book.add(contact, row.addresses())
    return contact


def _refresh(book, contact: Contact, row: ParsedContact, digest, clock) -> bool:
    """A newer export of the same row: what it says now wins (addresses are
    only added: one another file brought stay)."""
    if contact.fingerprint == digest:
        return book.add(contact, row.addresses())
    contact.name, contact.company = row.name, row.company
    contact.position, contact.connected_on = row.position, row.connected_on
    contact.fingerprint = digest
    contact.updated_at = clock.now()
    book.add(contact, row.addresses())
    return True


def _fill_in(book, contact: Contact, row: ParsedContact, clock) -> bool:
    """Another file's row for a contact: it adds addresses and fills blanks."""
    changed = book.add(contact, row.addresses())
    for name in ("company", "position", "connected_on"):
        if not getattr(contact, name) and getattr(row, name):
            setattr(contact, name, getattr(row, name))
            changed = True
    if changed:
        contact.updated_at = clock.now()
    return changed


# ----------------------------------------------------------------- matching


def _match(session, owner_id: int, touched: list, book: _AddressBook) -> int:
    """Point each contact of the file at the member it is, by a verified
    email; returns how many are members here."""
    wanted = {e for c in touched for e in book.emails_of(c)}
    members = _verified_members(session, wanted)
    eligible = eligible_for(session, owner_id, set(members.values()))
    matched = 0
    seen: set[int] = set()
    for contact in touched:
        if id(contact) in seen:
            continue
        seen.add(id(contact))
        found = {members[e] for e in book.emails_of(contact) if e in members}
        member_id = min(found & eligible, default=None)
        if contact.member_id != member_id:
            contact.member_id = member_id
        matched += member_id is not None
    return matched


def _verified_members(session: Session, emails: set[str]) -> dict[str, int]:
    """canonical email -> member id, for members who proved they read it."""
    found: dict[str, int] = {}
    ordered = sorted(emails)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start : start + CHUNK]
        rows = session.exec(
            select(Member.email_canonical, Member.id).where(
                col(Member.email_canonical).in_(chunk),
                col(Member.email_verified_at).is_not(None),
            )
        )
        found.update({email: member_id for email, member_id in rows.all()})
    return found


def eligible_for(session: Session, owner_id: int, ids: set[int]) -> set[int]:
    """Of `ids`, the members the owner may be shown as "here": active, not
    suspended, not blocked either way, not hidden from search, not the owner."""
    ids = set(ids) - {owner_id}
    if not ids:
        return set()
    active: set[int] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        active |= set(
            session.exec(
                select(Member.id).where(
                    col(Member.id).in_(ordered[start : start + CHUNK]),
                    Member.status == "active",
                    col(Member.suspended_at).is_(None),
                    col(Member.email_verified_at).is_not(None),
                )
            )
        )
    active -= blocks.blocked_with(session, owner_id)
    return active - privacy.hidden_from(session, owner_id, active)


# ------------------------------------------------------------------ reading


def contacts_of(
    session: Session,
    *,
    actor_id: int,
    query: object = "",
    page: object = 1,
    per_page: int = PAGE_SIZE,
) -> ContactPage:
    """The owner's contacts by name, `query` matching name, company,
    position or an address."""
    wanted = _query(query)
    where = [Contact.owner_id == actor_id]
    if wanted:
        like = f"%{_escape_like(wanted)}%"
        has_address = select(ContactAddress.contact_id).where(
            ContactAddress.owner_id == actor_id,
            col(ContactAddress.value).ilike(like, escape="\\"),
        )
        where.append(
            or_(
                col(Contact.name).ilike(like, escape="\\"),
                col(Contact.company).ilike(like, escape="\\"),
                col(Contact.position).ilike(like, escape="\\"),
                col(Contact.id).in_(has_address),
            )
        )
    total = session.exec(select(func.count()).select_from(Contact).where(*where)).one()
    pages = max(1, -(-total // per_page))
    number = min(_page(page), pages)
    rows = session.exec(
        select(Contact)
        .where(*where)
        .order_by(func.lower(Contact.name), Contact.id)
        .offset((number - 1) * per_page)
        .limit(per_page)
    ).all()
    return ContactPage(_views(session, actor_id, rows), total, number, pages)


def _query(query: object) -> str:
    if query is None:
        return ""
    if not isinstance(query, str):
        raise InvalidInput("Search for some text.", "query")
    return " ".join(query.split())[:QUERY_MAX]


def _page(page: object) -> int:
    if isinstance(page, str) and page.isdigit() and len(page) < 7:
        page = int(page)
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        return 1
    return page


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _views(session: Session, owner_id: int, rows: list[Contact]) -> list[ContactView]:
    ids = [c.id for c in rows]
    addresses: dict[int, list[ContactAddress]] = {}
    if ids:
        for a in session.exec(
            select(ContactAddress)
            .where(col(ContactAddress.contact_id).in_(ids))
            .order_by(ContactAddress.id)
        ):
            addresses.setdefault(a.contact_id, []).append(a)
    members = {c.member_id for c in rows if c.member_id}
    shown = eligible_for(session, owner_id, members)
    handles = _handles(session, shown)
    return [
        ContactView(
            id=c.id,
            name=c.name,
            company=c.company,
            position=c.position,
            source=SOURCE_LABELS.get(c.source, c.source),
            emails=[a.value for a in addresses.get(c.id, []) if a.kind == "email"],
            phones=[a.value for a in addresses.get(c.id, []) if a.kind == "phone"],
            connected_on=c.connected_on.isoformat() if c.connected_on else "",
            member_handle=handles.get(c.member_id, "") if c.member_id else "",
        )
        for c in rows
    ]


def _handles(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(
        select(Member.id, Member.handle).where(col(Member.id).in_(ids))
    ).all()
    return {member_id: handle for member_id, handle in rows}


def matched_members(session: Session, *, actor_id: int) -> list[MatchView]:
    """The owner's contacts who are members here, may be shown to them, and
    are not yet connected with them nor asked either way."""
    rows = session.exec(
        select(Contact, Member)
        .join(Member, Member.id == Contact.member_id)
        .where(Contact.owner_id == actor_id)
        .order_by(func.lower(Member.display_name), Contact.id)
    ).all()
    shown = eligible_for(session, actor_id, {m.id for _, m in rows})
    taken = _tied(session, actor_id)
    views, seen = [], set()
    for contact, member in rows:
        if member.id not in shown or member.id in taken or member.id in seen:
            continue
        if not _still_theirs(session, contact, member):
            continue
        seen.add(member.id)
        views.append(_match_view(contact, member))
    return views


def _tied(session: Session, owner_id: int) -> set[int]:
    """Members with any connection row with the owner (connected, asked,
    asked me, or ended in a way that isn't "none")."""
    rows = session.exec(
        select(
            Connection.requester_id, Connection.addressee_id, Connection.status
        ).where(
            or_(
                Connection.requester_id == owner_id,
                Connection.addressee_id == owner_id,
            ),
            col(Connection.status).not_in(connections.ASKABLE_AGAIN),
        )
    )
    return {b if a == owner_id else a for a, b, _status in rows}


def _still_theirs(session: Session, contact: Contact, member: Member) -> bool:
    """The member's verified address is still one of the contact's (they
    may have changed it since the import)."""
    return (
        session.exec(
            select(ContactAddress.id).where(
                ContactAddress.contact_id == contact.id,
                ContactAddress.kind == "email",
                ContactAddress.value == member.email_canonical,
            )
        ).first()
        is not None
    )


def _match_view(contact: Contact, member: Member) -> MatchView:
    return MatchView(
        contact_id=contact.id,
        handle=member.handle,
        name=member.display_name,
        headline=member.headline,
        contact_name=contact.name,
        company=contact.company,
        position=contact.position,
        source=SOURCE_LABELS.get(contact.source, contact.source),
    )


def own_contact(
    session: Session, actor_id: int, contact_id: object, *, lock: bool = False
) -> Contact:
    """The owner's contact with this id, or NotFound (also for another
    member's: the same answer as a missing one). `lock` holds the row for
    the caller's transaction (one counted conversation a day)."""
    try:
        wanted = check_id(contact_id, "contact")
    except NotFound:
        raise NotFound(NO_CONTACT) from None  # one answer for every bad id
    query = select(Contact).where(Contact.id == wanted, Contact.owner_id == actor_id)
    contact = session.exec(query.with_for_update() if lock else query).first()
    if contact is None:
        raise NotFound(NO_CONTACT)
    return contact


# ------------------------------------------------------------------ changing


def connect_with_match(
    session: Session,
    *,
    actor_id: int,
    contact_id: object,
    clock: Clock = system_clock,
) -> Connection:
    """Ask the member a contact is to connect, saying where we know them
    from. Their own rules for requests apply as for any request."""
    contact = own_contact(session, actor_id, contact_id)
    member = session.get(Member, contact.member_id) if contact.member_id else None
    if member is None or member.id not in eligible_for(session, actor_id, {member.id}):
        raise NotFound("This contact isn't a member here.")
    return connections.request_connection(
        session,
        actor_id=actor_id,
        handle=member.handle,
        note=NOTES.get(contact.source, NOTES["manual"]),
        clock=clock,
    )


def remove_contact(session: Session, *, actor_id: int, contact_id: object) -> str:
    """Delete one of the owner's contacts (and its addresses); its name."""
    contact = own_contact(session, actor_id, contact_id)
    name = contact.name
    session.exec(delete(ContactAddress).where(ContactAddress.contact_id == contact.id))
    session.delete(contact)
    session.flush()
    return name


def remove_all(session: Session, *, actor_id: int) -> int:
    """Delete every contact of the owner; how many there were."""
    session.exec(delete(ContactAddress).where(ContactAddress.owner_id == actor_id))
    gone = session.exec(delete(Contact).where(Contact.owner_id == actor_id)).rowcount
    return int(gone or 0)


def forget_member(session: Session, member_id: int) -> None:
    """A closing account (accounts/closing.py): their own contacts go, and
    nobody's contact points at them any more."""
    remove_all(session, actor_id=member_id)
    session.exec(
        update(Contact).where(Contact.member_id == member_id).values(member_id=None)
    )


def export_contacts(session: Session, member_id: int) -> list[dict]:
    """The owner's contacts with their addresses, for "download my data"."""
    rows = session.exec(
        select(Contact).where(Contact.owner_id == member_id).order_by(Contact.id)
    ).all()
    views = _views(session, member_id, list(rows))
    return [
        {
            "name": v.name,
            "company": v.company,
            "position": v.position,
            "source": c.source,
            "connected_on": v.connected_on,
            "emails": v.emails,
            "phones": v.phones,
            "imported_at": _iso(c.created_at),
        }
        for c, v in zip(rows, views, strict=True)
    ]


def _iso(at: datetime | None) -> str:
    return at.isoformat() if at else ""
