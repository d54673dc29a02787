"""The privacy page: who sees each part of my profile, who may send me
requests, hide me from search, and a preview of my profile as others see it.

Every handler acts as the signed-in member; the names and values the
browser sends are only choices, checked by the service (accounts/privacy.py),
and the member whose settings change is always the one behind the session.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from marketplace.accounts import privacy, seen_profile
from marketplace.accounts.profiles import ProfileView
from marketplace.accounts.seen_profile import PersonChip
from marketplace.db import read_only, unit_of_work
from marketplace.domain import privacy as rules
from marketplace.domain.errors import DomainError
from marketplace.market.reviews import Reputation, ReviewView
from marketplace.states.session import SessionState, SignedIn, member_only

EMPTY = ProfileView(0, "", "", "", "", "", "UTC", "open")
PREVIEWS = {
    "first": "A connection",
    "second": "2nd degree",
    "beyond": "Outside my network",
    "public": "Signed out",
}


@dataclass(frozen=True)
class ChoiceRow:
    name: str  # a part (email, location, ...) or connect_requests / ...
    label: str
    choice: str


class PrivacyState(SessionState):
    parts: list[ChoiceRow] = []
    requests: list[ChoiceRow] = []
    hidden_from_search: bool = False
    privacy_error: str = ""
    # "view my profile as...": the same filtered profile others get
    preview_as: str = "public"
    profile: ProfileView = EMPTY
    reputation: Reputation = seen_profile.NO_REPUTATION
    reviews_received: list[ReviewView] = []
    karma: str = ""
    connection_list: list[PersonChip] = []
    help_by_month: list[dict[str, str | int]] = []
    help_given: int = 0
    help_received: int = 0

    @rx.var
    def preview_label(self) -> str:
        return PREVIEWS.get(self.preview_as, "")

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.privacy_error = ""
        self._refresh(member.id)

    @rx.event
    @member_only
    def choose(self, member: SignedIn, name: str, value: str):
        """Change one of my settings; refused (and nothing written) for an
        unknown name or value, whatever else the browser sent."""
        try:
            with unit_of_work() as session:
                privacy.change(
                    session,
                    actor_id=member.id,
                    member_id=member.id,
                    name=name,
                    value=value,
                )
        except DomainError as error:
            self.privacy_error = str(error)
            return rx.toast.error(str(error))
        self.privacy_error = ""
        self._refresh(member.id)
        return rx.toast.success("Saved.")

    @rx.event
    @member_only
    def hide_me(self, member: SignedIn, hidden: bool):
        return type(self).choose.fn(self, "hidden_from_search", hidden)

    @rx.event
    @member_only
    def preview(self, member: SignedIn, as_degree: str):
        if as_degree not in PREVIEWS:
            self.privacy_error = "Preview as a connection, 2nd degree, outside "
            self.privacy_error += "your network, or signed out."
            return rx.toast.error(self.privacy_error)
        self.preview_as = as_degree
        self._refresh(member.id)

    def _refresh(self, member_id: int) -> None:
        with read_only() as session:
            chosen = privacy.settings_of(session, member_id)
            seen = seen_profile.preview(session, member_id, self.preview_as)
        self.parts = [
            ChoiceRow(part, label, chosen.level(part))
            for part, label in rules.PARTS.items()
        ]
        self.requests = [
            ChoiceRow(
                f"{kind}_requests",
                f"Who may send me {what}",
                chosen.requests_from(kind),
            )
            for kind, what in rules.REQUEST_KINDS.items()
        ]
        self.hidden_from_search = chosen.hidden_from_search
        self.profile = seen.profile
        self.reputation, self.reviews_received = seen.reputation, seen.reviews
        self.karma, self.connection_list = seen.karma, seen.connection_list
        self.help_by_month = seen.help_by_month
        self.help_given, self.help_received = seen.help_given, seen.help_received
