"""Touchpoints: the conversations that happen elsewhere, logged by a member.

"We had coffee", a call, an email, WhatsApp, meeting at an event: a member
logs it, with a date and a private note, about a member or one of their own
contacts (models.Contact). Only its author ever sees the log. What it does
to relationship strength (`domain.strength`, kind LOGGED, a quarter of
confirmed help, decaying like the rest):

- With a *member*, strength is shared: who-to-ask, warm paths and intros read
  it for both sides and for third parties. So a log counts only between
  *connected* members (an accepted connection, which the other side agreed
  to): a stranger logging "coffee" with someone changes nothing anyone else
  sees, and nothing later either (no interaction row waits for a connection
  to be accepted). Someone blocked, either way, reads as no such member.
- With a *contact* (someone not here, or here but private to my address
  book), the warmth lives on the contact row, which only its owner sees; a
  contact whose warmth faded gets a keep-in-touch nudge (network/nudges.py,
  key "contact:<id>").
- At most one log per pair and day counts (for members, whoever of the two
  logged it: both logging the same coffee is one coffee): a hundred coffees a
  day are stored, as the author asked, but warm nothing after the first.

A contact id that is not the actor's own reads exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlmodel import Session, col, func, select

from marketplace.accounts import members
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain import strength
from marketplace.domain.errors import InvalidInput, NotFound, TooManyAttempts
from marketplace.domain.ids import MAX_ID
from marketplace.domain.nudges import how_long_ago
from marketplace.models import (
    Connection,
    Contact,
    ContactAddress,
    LoggedInteraction,
    Member,
    PersonNote,
)
from marketplace.network import blocks, contacts, graph_index, interactions

KINDS = {
    "coffee": "We had coffee",
    "call": "Call",
    "email": "Email",
    "whatsapp": "WhatsApp",
    "event": "Met at an event",
}
NOTE_MAX = 2000
MAX_AGE_DAYS = 3650  # about ten years: older than that is a typo
# Logs a member may write in one day (by when they were written): far above
# anyone's real day, low enough that a script can't fill the database.
LOGS_PER_DAY = 200
NO_MEMBER = "No such member."


@dataclass(frozen=True)
class Person:
    """Whom a log or a note is about: a member or one of the actor's contacts
    (exactly one id set), with the name to show."""

    member_id: int | None
    contact_id: int | None
    name: str

    def rows_about(self, table: type[LoggedInteraction] | type[PersonNote]):
        """The where-clause picking `table`'s rows about this person."""
        if self.contact_id is not None:
            return table.contact_id == self.contact_id
        return table.member_id == self.member_id


@dataclass(frozen=True)
class InteractionView:
    id: int
    kind: str
    kind_label: str
    happened_on: str  # ISO date
    day: str  # "3 Dec 2026"
    note: str


# --------------------------------------------------------------------------- whom


def person_for(
    session: Session,
    actor_id: int,
    *,
    member_id: object = None,
    member_handle: object = None,
    contact_id: object = None,
) -> Person:
    """The person the actor means: an active member they may reach (by id or
    handle; never themselves, never across a block) or one of their own
    contacts. Anything else -- missing, someone else's contact, a blocked
    member -- is NotFound with the same words as a missing one."""
    given = [v is not None for v in (member_id, member_handle, contact_id)]
    if sum(given) != 1:
        raise InvalidInput("Say whom this is about: one member or one contact.")
    if contact_id is not None:
        contact = contacts.own_contact(session, actor_id, contact_id)
        return Person(None, contact.id, contact.name)
    member = _member(session, actor_id, member_id, member_handle)
    return Person(member.id, None, member.display_name)


def _member(session, actor_id: int, member_id: object, handle: object) -> Member:
    if member_id is not None:
        found = session.get(Member, member_id) if _is_id(member_id) else None
    elif isinstance(handle, str) and handle.strip():
        wanted = handle.strip().lstrip("@").lower()[:64]
        found = session.exec(select(Member).where(Member.handle == wanted)).first()
    else:
        found = None
    if (
        found is None
        or found.status != "active"
        or found.id == actor_id
        or blocks.blocked_between(session, actor_id, found.id)
    ):
        raise NotFound(NO_MEMBER)
    return found


def _is_id(value: object) -> bool:
    return (
        isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID
    )


# --------------------------------------------------------------------------- logging


def log_conversation(
    session: Session,
    *,
    actor_id: int,
    kind: object,
    happened_on: object,
    note: object = "",
    member_id: object = None,
    member_handle: object = None,
    contact_id: object = None,
    clock: Clock = system_clock,
) -> LoggedInteraction:
    """Log a conversation that happened elsewhere, and warm the relationship
    by it when it counts (see the module doc), in the caller's transaction."""
    kind = check_kind(kind)
    day = check_day(happened_on, _today(session, actor_id, clock))
    note = check_note(note)
    person = person_for(
        session,
        actor_id,
        member_id=member_id,
        member_handle=member_handle,
        contact_id=contact_id,
    )
    check_daily_cap(session, LoggedInteraction, actor_id, LOGS_PER_DAY, clock)
    if person.contact_id is not None:
        contacts.own_contact(session, actor_id, person.contact_id, lock=True)
    else:
        interactions.lock_pair(session, actor_id, person.member_id)
    first_today = not _logged_that_day(session, actor_id, person, day)
    row = LoggedInteraction(
        author_id=actor_id,
        member_id=person.member_id,
        contact_id=person.contact_id,
        kind=kind,
        happened_on=day,
        note=note,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    if first_today:
        _warm(session, actor_id, person, row, clock)
    return row


def check_daily_cap(session, table, actor_id: int, cap: int, clock: Clock) -> None:
    """Refuse the actor's row number cap+1 of the last 24 hours in `table`."""
    since = clock.now() - timedelta(days=1)
    written = session.exec(
        select(func.count())
        .select_from(table)
        .where(table.author_id == actor_id, table.created_at >= since)
    ).one()
    if written >= cap:
        raise TooManyAttempts(
            f"That is {cap} in a day, the most we keep; try again tomorrow."
        )


def check_kind(kind: object) -> str:
    if not isinstance(kind, str) or kind not in KINDS:
        raise InvalidInput(
            "Choose what it was: coffee, a call, an email, WhatsApp or an event.",
            "kind",
        )
    return kind


def check_day(value: object, today: date) -> date:
    """A date (or an ISO "YYYY-MM-DD" from a form), not in the future and not
    more than about ten years back."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise InvalidInput("Give the date as YYYY-MM-DD.", "happened_on") from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidInput("Give the date as YYYY-MM-DD.", "happened_on")
    if value > today:
        raise InvalidInput("That date is in the future.", "happened_on")
    if value < today - timedelta(days=MAX_AGE_DAYS):
        raise InvalidInput("That is more than ten years ago.", "happened_on")
    return value


def check_note(note: object) -> str:
    if note is None:
        return ""
    if not isinstance(note, str):
        raise InvalidInput("The note must be text.", "note")
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(
            f"Keep the note under {NOTE_MAX} characters ({len(note)} now).", "note"
        )
    return note


def today_for(session: Session, actor_id: int, clock: Clock = system_clock) -> date:
    """The latest date the actor may log (the form's default and maximum)."""
    return _today(session, actor_id, clock)


def _today(session: Session, actor_id: int, clock: Clock) -> date:
    """Today where the actor lives: a coffee this morning in Sydney is not in
    the future for a server in UTC."""
    try:
        zone = ZoneInfo(members.timezone_of(session, actor_id))
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return clock.now().astimezone(zone).date()


def _logged_that_day(session, actor_id: int, person: Person, day: date) -> bool:
    """Whether this pair already has a log for `day` (for members, by either)."""
    li = LoggedInteraction
    if person.contact_id is not None:
        who = li.contact_id == person.contact_id
    else:
        other = person.member_id
        who = or_(
            and_(li.author_id == actor_id, li.member_id == other),
            and_(li.author_id == other, li.member_id == actor_id),
        )
    found = session.exec(select(li.id).where(who, li.happened_on == day).limit(1))
    return found.first() is not None


def _when(day: date, clock: Clock) -> datetime:
    """The moment a logged day counts from: now for today, noon before."""
    now = clock.now()
    return min(now, datetime.combine(day, time(12), tzinfo=UTC))


def _warm(session, actor_id: int, person: Person, row, clock: Clock) -> None:
    at = _when(row.happened_on, clock)
    if person.contact_id is not None:
        contact = session.get(Contact, person.contact_id)
        new = strength.add_interaction(
            strength.Warmth(contact.warmth, contact.warmth_at),
            strength.Kind.LOGGED,
            at,
            graph_index.warmth_half_life(),
        )
        contact.warmth, contact.warmth_at = new.value, new.at
        session.add(contact)
        return
    if _connected(session, actor_id, person.member_id):
        interactions.record_interaction(
            session,
            actor_id,
            person.member_id,
            strength.Kind.LOGGED,
            ref=f"logged:{row.id}",
            clock=clock,
            at=at,
        )


def _connected(session: Session, a: int, b: int) -> bool:
    c = Connection
    found = session.exec(
        select(c.id).where(
            c.status == "accepted",
            or_(
                and_(c.requester_id == a, c.addressee_id == b),
                and_(c.requester_id == b, c.addressee_id == a),
            ),
        )
    ).first()
    return found is not None


# --------------------------------------------------------------------------- reading


def interactions_with(
    session: Session,
    *,
    actor_id: int,
    member_id: object = None,
    member_handle: object = None,
    contact_id: object = None,
    limit: int = 50,
) -> list[InteractionView]:
    """What the actor logged about this person, newest first (theirs only)."""
    person = person_for(
        session,
        actor_id,
        member_id=member_id,
        member_handle=member_handle,
        contact_id=contact_id,
    )
    li = LoggedInteraction
    rows = session.exec(
        select(li)
        .where(li.author_id == actor_id, person.rows_about(li))
        .order_by(col(li.happened_on).desc(), col(li.id).desc())
        .limit(limit)
    ).all()
    return [view_of(r) for r in rows]


def view_of(row: LoggedInteraction) -> InteractionView:
    return InteractionView(
        id=row.id,
        kind=row.kind,
        kind_label=KINDS.get(row.kind, row.kind),
        happened_on=row.happened_on.isoformat(),
        day=day_label(row.happened_on),
        note=row.note,
    )


def day_label(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def last_talked(contact: Contact, clock: Clock = system_clock) -> str:
    """ "Last talked 3 months ago", or "" when nothing was logged."""
    if contact.warmth_at is None:
        return ""
    days = (clock.now() - contact.warmth_at).total_seconds() / 86_400
    ago = how_long_ago(days)
    return "Last talked recently" if ago == "recently" else f"Last talked {ago}"


@dataclass(frozen=True)
class ContactCard:
    """A contact's page, for its owner."""

    id: int
    name: str
    company: str
    position: str
    emails: list[str]
    phones: list[str]
    last_talked: str  # "Last talked 3 months ago", or ""
    member_handle: str  # the member it matched, if any ("" if none)


def contact_card(
    session: Session, *, actor_id: int, contact_id: object, clock: Clock = system_clock
) -> ContactCard:
    """One of the actor's own contacts; another member's reads as missing."""
    contact = contacts.own_contact(session, actor_id, contact_id)
    rows = session.exec(
        select(ContactAddress.kind, ContactAddress.value)
        .where(ContactAddress.contact_id == contact.id)
        .order_by(ContactAddress.id)
    ).all()
    handle = ""
    if contact.member_id is not None:
        member = session.get(Member, contact.member_id)
        handle = member.handle if member and member.status == "active" else ""
    return ContactCard(
        id=contact.id,
        name=contact.name,
        company=contact.company,
        position=contact.position,
        emails=[v for k, v in rows if k == "email"],
        phones=[v for k, v in rows if k == "phone"],
        last_talked=last_talked(contact, clock),
        member_handle=handle,
    )


def contacts_due(
    session: Session, member_id: int, clock: Clock = system_clock
) -> list[tuple[strength.ColdTie, str]]:
    """The member's contacts they logged a conversation with whose warmth
    has faded below the keep-in-touch line: (tie, name), longest quiet first.
    Only the owner's own contacts, by construction."""
    rows = session.exec(
        select(Contact.id, Contact.name, Contact.warmth, Contact.warmth_at).where(
            Contact.owner_id == member_id, col(Contact.warmth_at).is_not(None)
        )
    ).all()
    names = {cid: name for cid, name, _, _ in rows}
    ties = (strength.Tie(cid, w, at) for cid, _, w, at in rows)
    due = strength.keep_in_touch(ties, clock.now(), graph_index.warmth_half_life())
    return [(tie, names[tie.other_id]) for tie in due]
