"""A contact's page (/network/contacts/<id>), for its owner only: who they
are, when we last talked, and the private log-a-conversation and notes
section (states/touchpoints.py). Any other member -- and a guest -- finds
"Contact not found", exactly as for an id that does not exist."""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.db import read_only
from marketplace.domain.errors import DomainError
from marketplace.network import touchpoints
from marketplace.network.touchpoints import ContactCard
from marketplace.states.session import SessionState, SignedIn, member_only
from marketplace.states.touchpoints import PersonTouchMixin

NO_CARD = ContactCard(0, "", "", "", [], [], "", "")


class ContactPersonState(PersonTouchMixin, SessionState):
    contact: ContactCard = NO_CARD
    not_found: bool = False

    def _about(self) -> dict:
        contact_id = routes.contact_id_from_path(self.router.url.path)
        return {"contact_id": contact_id if contact_id is not None else 0}

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        try:
            with read_only() as session:
                self.contact = touchpoints.contact_card(
                    session, actor_id=member.id, **self._about()
                )
        except DomainError:
            self.contact, self.not_found = NO_CARD, True
            self._hide_touch()
            return
        self.not_found = False
        self._show_touch(member)

    def _load_touch(self, session, member_id: int) -> None:
        super()._load_touch(session, member_id)
        # a logged conversation moves "last talked"
        self.contact = touchpoints.contact_card(
            session, actor_id=member_id, **self._about()
        )
