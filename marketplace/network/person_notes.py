"""Private notes: what a member wants to remember about a person -- a member
or one of their own contacts -- shown only to the note's author, on that
person's page, and found by the author's own search.

Nobody else ever reads a note: every function takes the acting member and
looks among their notes only, so another member's note id reads exactly like
a missing one, and a search never reaches past the author's own notes and
logged conversations (network/touchpoints.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from marketplace import routes
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.domain.ids import MAX_ID
from marketplace.models import Contact, LoggedInteraction, Member, PersonNote
from marketplace.network import touchpoints
from marketplace.network.touchpoints import KINDS, day_label

BODY_MAX = 5000
QUERY_MIN, QUERY_MAX = 2, 100
SEARCH_LIMIT = 50
NO_NOTE = "Note not found."
NOTES_PER_DAY = 200  # as touchpoints.LOGS_PER_DAY


@dataclass(frozen=True)
class NoteView:
    id: int
    body: str
    day: str  # when it was last written: "3 Dec 2026"
    edited: bool


@dataclass(frozen=True)
class NoteHit:
    """One search result: a note or a logged conversation, and whom about."""

    kind: str  # note | conversation
    label: str  # "Note" or the conversation's kind: "We had coffee"
    text: str
    day: str
    person_name: str
    link: str  # the person's page


def add_note(
    session: Session,
    *,
    actor_id: int,
    body: object,
    member_id: object = None,
    member_handle: object = None,
    contact_id: object = None,
    clock: Clock = system_clock,
) -> PersonNote:
    body = check_body(body)
    person = touchpoints.person_for(
        session,
        actor_id,
        member_id=member_id,
        member_handle=member_handle,
        contact_id=contact_id,
    )
    touchpoints.check_daily_cap(session, PersonNote, actor_id, NOTES_PER_DAY, clock)
    now = clock.now()
    note = PersonNote(
        author_id=actor_id,
        member_id=person.member_id,
        contact_id=person.contact_id,
        body=body,
        created_at=now,
        updated_at=now,
    )
    session.add(note)
    session.flush()
    return note


def edit_note(
    session: Session,
    *,
    actor_id: int,
    note_id: object,
    body: object,
    clock: Clock = system_clock,
) -> PersonNote:
    body = check_body(body)
    note = _own_note(session, actor_id, note_id)
    note.body, note.updated_at = body, clock.now()
    session.add(note)
    session.flush()
    return note


def delete_note(session: Session, *, actor_id: int, note_id: object) -> None:
    session.delete(_own_note(session, actor_id, note_id))
    session.flush()


def _own_note(session: Session, actor_id: int, note_id: object) -> PersonNote:
    if isinstance(note_id, bool) or not isinstance(note_id, int):
        raise NotFound(NO_NOTE)
    if not 0 < note_id <= MAX_ID:
        raise NotFound(NO_NOTE)
    note = session.exec(
        select(PersonNote).where(
            PersonNote.id == note_id, PersonNote.author_id == actor_id
        )
    ).first()
    if note is None:
        raise NotFound(NO_NOTE)
    return note


def check_body(body: object) -> str:
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput("Write something in the note.", "body")
    body = body.strip()
    if len(body) > BODY_MAX:
        raise InvalidInput(
            f"Keep a note under {BODY_MAX} characters ({len(body)} now).", "body"
        )
    return body


def notes_about(
    session: Session,
    *,
    actor_id: int,
    member_id: object = None,
    member_handle: object = None,
    contact_id: object = None,
) -> list[NoteView]:
    """The actor's own notes about this person, newest first."""
    person = touchpoints.person_for(
        session,
        actor_id,
        member_id=member_id,
        member_handle=member_handle,
        contact_id=contact_id,
    )
    n = PersonNote
    rows = session.exec(
        select(n)
        .where(n.author_id == actor_id, person.rows_about(n))
        .order_by(col(n.updated_at).desc(), col(n.id).desc())
    ).all()
    return [_note_view(r) for r in rows]


def _note_view(row: PersonNote) -> NoteView:
    edited = row.updated_at > row.created_at
    return NoteView(row.id, row.body, day_label(row.updated_at.date()), edited)


# --------------------------------------------------------------------------- search


def search_notes(session: Session, *, actor_id: int, query: object) -> list[NoteHit]:
    """The actor's notes and logged conversations whose words contain the
    query (case-insensitive), newest first; nobody else's, ever."""
    words = check_query(query)
    pattern = "%" + _escaped(words.lower()) + "%"
    n, li = PersonNote, LoggedInteraction
    notes = session.exec(
        select(n)
        .where(n.author_id == actor_id, func.lower(n.body).like(pattern, escape="\\"))
        .order_by(col(n.updated_at).desc(), col(n.id).desc())
        .limit(SEARCH_LIMIT)
    ).all()
    logs = session.exec(
        select(li)
        .where(li.author_id == actor_id, func.lower(li.note).like(pattern, escape="\\"))
        .order_by(col(li.happened_on).desc(), col(li.id).desc())
        .limit(SEARCH_LIMIT)
    ).all()
    names = _names(session, actor_id, [*notes, *logs])
    hits = [
        NoteHit("note", "Note", r.body, day_label(r.updated_at.date()), *names[_who(r)])
        for r in notes
    ] + [
        NoteHit(
            "conversation",
            KINDS.get(r.kind, r.kind),
            r.note,
            day_label(r.happened_on),
            *names[_who(r)],
        )
        for r in logs
    ]
    return hits[:SEARCH_LIMIT]


def check_query(query: object) -> str:
    if not isinstance(query, str) or not QUERY_MIN <= len(query.strip()) <= QUERY_MAX:
        raise InvalidInput(
            f"Search for {QUERY_MIN} to {QUERY_MAX} characters.", "query"
        )
    return query.strip()


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _who(row) -> tuple[str, int]:
    if row.contact_id is not None:
        return ("contact", row.contact_id)
    return ("member", row.member_id)


def _names(session, actor_id: int, rows) -> dict[tuple[str, int], tuple[str, str]]:
    """(name, link) of everyone the rows are about."""
    member_ids = {r.member_id for r in rows if r.member_id is not None}
    contact_ids = {r.contact_id for r in rows if r.contact_id is not None}
    found: dict[tuple[str, int], tuple[str, str]] = {}
    if member_ids:
        for mid, name, handle in session.exec(
            select(Member.id, Member.display_name, Member.handle).where(
                col(Member.id).in_(member_ids)
            )
        ):
            found[("member", mid)] = (name, routes.person(handle))
    if contact_ids:
        for cid, name in session.exec(
            select(Contact.id, Contact.name).where(
                col(Contact.id).in_(contact_ids), Contact.owner_id == actor_id
            )
        ):
            found[("contact", cid)] = (name, routes.contact(cid))
    for row in rows:
        found.setdefault(_who(row), ("", ""))
    return found
