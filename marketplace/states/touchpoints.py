"""The private "Only you see this" section of a person's page: conversations
I logged with them and my notes about them, and a search of my notes.

`PersonTouchMixin` holds the section's vars and handlers; each page's state
says whom the page is about (`_about`, from the page's own URL, read on the
server) -- a member's profile (`ProfileTouchState`) or one of my contacts
(states/contact_person.py). Every handler derives the member from the
session and the services look among their own rows only, so an id a client
invents (another member's contact or note) is refused like a missing one.
"""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.db import read_only
from marketplace.domain.errors import DomainError
from marketplace.network import person_notes, touchpoints
from marketplace.network.person_notes import NoteHit, NoteView
from marketplace.network.touchpoints import InteractionView
from marketplace.states.session import SessionState, SignedIn, member_only


class PersonTouchMixin(rx.State, mixin=True):
    touch_shown: bool = False  # signed in, and the page is about someone else
    logs: list[InteractionView] = []
    notes: list[NoteView] = []
    today: str = ""  # the date input's default and latest date
    log_error: str = ""
    note_error: str = ""
    editing_note: int = 0  # the note whose edit form is open (0: none)
    search_query: str = ""
    search_hits: list[NoteHit] = []
    search_error: str = ""
    searched: bool = False

    def _about(self) -> dict:
        """Whom the page is about, as the services take it."""
        raise NotImplementedError

    def _load_touch(self, session, member_id: int) -> None:
        about = self._about()
        self.logs = touchpoints.interactions_with(session, actor_id=member_id, **about)
        self.notes = person_notes.notes_about(session, actor_id=member_id, **about)
        self.today = touchpoints.today_for(session, member_id).isoformat()
        self.touch_shown = True

    def _hide_touch(self) -> None:
        self.touch_shown, self.logs, self.notes = False, [], []
        self.search_hits, self.searched, self.editing_note = [], False, 0

    def _show_touch(self, member: SignedIn | None) -> None:
        """Fill the section for the signed-in member, or hide it."""
        self.log_error = self.note_error = self.search_error = ""
        if member is None:
            self._hide_touch()
            return
        self._show_forms("log", "note")
        try:
            with read_only() as session:
                self._load_touch(session, member.id)
        except DomainError:  # myself, someone I may not reach, not mine
            self._hide_touch()

    def _touch(self, work, error_var: str, toast: str, form: str = "", fields=None):
        if form:
            attempt = self._submit_once(
                form, fields, lambda s, me: str(work(s, me)), error_var
            )
        else:
            attempt = self._attempt(work, error_var)
        if attempt.refusal is not None:
            return attempt.refusal
        with read_only() as session:
            self._load_touch(session, attempt.member_id)
        return rx.toast.success(toast)

    @rx.event
    def log_it(self, form: dict):
        form = form if isinstance(form, dict) else {}
        about = self._about()
        return self._touch(
            lambda s, me: (
                touchpoints.log_conversation(
                    s,
                    actor_id=me,
                    kind=form.get("kind"),
                    happened_on=form.get("happened_on"),
                    note=form.get("note", ""),
                    **about,
                ).id
            ),
            "log_error",
            "Logged. Only you see it.",
            "log",
            form,
        )

    @rx.event
    def add_note(self, form: dict):
        form = form if isinstance(form, dict) else {}
        about = self._about()
        return self._touch(
            lambda s, me: (
                person_notes.add_note(s, actor_id=me, body=form.get("body"), **about).id
            ),
            "note_error",
            "Note saved. Only you see it.",
            "note",
            form,
        )

    @rx.event
    @member_only
    def edit(self, member: SignedIn, note_id: int):
        """Open one of my notes' edit form (only one shown on this page)."""
        mine = {n.id for n in self.notes}
        known = isinstance(note_id, int) and note_id in mine
        self.editing_note = note_id if known else 0

    @rx.event
    @member_only
    def cancel_edit(self, member: SignedIn):
        self.editing_note = 0

    @rx.event
    def save_note(self, form: dict):
        form = form if isinstance(form, dict) else {}
        note_id = _int(form.get("note_id"))
        done = self._touch(
            lambda s, me: person_notes.edit_note(
                s, actor_id=me, note_id=note_id, body=form.get("body")
            ),
            "note_error",
            "Note saved.",
        )
        if not self.note_error:
            self.editing_note = 0
        return done

    @rx.event
    def delete_note(self, note_id: int):
        return self._touch(
            lambda s, me: person_notes.delete_note(s, actor_id=me, note_id=note_id),
            "note_error",
            "Note deleted.",
        )

    @rx.event
    @member_only
    def search_my_notes(self, member: SignedIn, form: dict):
        query = form.get("q") if isinstance(form, dict) else None
        try:
            with read_only() as session:
                hits = person_notes.search_notes(
                    session, actor_id=member.id, query=query
                )
        except DomainError as error:
            self.search_error = str(error)
            return rx.toast.error(str(error))
        self.search_error, self.searched = "", True
        self.search_query, self.search_hits = str(query).strip(), hits
        return None


def _int(value: object) -> object:
    """A form's id field as a number when it is one (the service refuses the
    rest as not found)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value[:10])
    return value


class ProfileTouchState(PersonTouchMixin, SessionState):
    """The private section on a member's profile (/people/<handle>)."""

    def _about(self) -> dict:
        return {"member_handle": routes.handle_from_path(self.router.url.path)}

    @rx.event
    def load(self):
        self._show_touch(self._member())
