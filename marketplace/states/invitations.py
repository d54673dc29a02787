"""Inviting people I know: pick contacts or type a name and an address,
add a note, send; then the invitations I sent, with who joined.

The form posts checkboxes named `contact-<id>`; the ids are only names of
what to invite, and the service refuses any contact that isn't mine. Who
invites is always the signed-in member."""

from __future__ import annotations

import reflex as rx

from marketplace.db import read_only
from marketplace.network import invitations
from marketplace.network.invitations import ContactChoice, InvitationView
from marketplace.states.session import SessionState, SignedIn, member_only

# the form's fields, prefixed: the section shares pages with other forms
CONTACT_FIELD = "contact-"
NAME_FIELD, EMAIL_FIELD, NOTE_FIELD = "invite_name", "invite_email", "invite_note"
FORM_FIELDS_MAX = 200  # a form of the page has a few dozen fields at most


def recipients_from(form: dict) -> list:
    """The recipients a form names: checked contacts (ids as the browser
    sent them) and a typed name and address, if an address was typed."""
    chosen: list = [
        key[len(CONTACT_FIELD) :]
        for key, value in form.items()
        if isinstance(key, str) and key.startswith(CONTACT_FIELD) and value
    ]
    name, email = form.get(NAME_FIELD, ""), form.get(EMAIL_FIELD, "")
    typed = [v for v in (name, email) if not isinstance(v, str) or v.strip()]
    if typed:  # the service says what is missing or wrong
        chosen.append((name, email))
    return chosen


class InvitationsState(SessionState):
    invitable: list[ContactChoice] = []
    sent: list[InvitationView] = []
    invite_error: str = ""
    invite_result: str = ""
    invite_form_version: int = 0  # remounts the form (cleared) after a send

    @rx.var
    def batch_max(self) -> int:
        return invitations.BATCH_MAX

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.invite_error = self.invite_result = ""
        self._refresh(member.id)

    def _refresh(self, member_id: int) -> None:
        with read_only() as session:
            self.invitable = invitations.invitable_contacts(session, actor_id=member_id)
            self.sent = invitations.invitations_of(session, actor_id=member_id)

    @rx.event
    def send(self, form: dict):
        if not isinstance(form, dict) or len(form) > FORM_FIELDS_MAX:
            form = {}
        recipients = recipients_from(form)
        attempt = self._attempt(
            lambda session, me: invitations.send_invitations(
                session,
                actor_id=me,
                recipients=recipients,
                note=form.get(NOTE_FIELD, ""),
            ),
            "invite_error",
        )
        if attempt.refusal is not None:
            self.invite_result = ""
            return attempt.refusal
        self.invite_result = attempt.result.summary
        self.invite_form_version += 1
        self._refresh(attempt.member_id)
        return rx.toast.success(self.invite_result)
