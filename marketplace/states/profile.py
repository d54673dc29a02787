"""The public profile page and the owner's edit form."""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError, NotFound
from marketplace.domain.profiles import AVAILABILITY
from marketplace.services import profiles, reviews
from marketplace.services.profiles import ProfileView
from marketplace.services.reviews import Reputation, ReviewView
from marketplace.states.session import SessionState

EMPTY = ProfileView(0, "", "", "", "", "", "UTC", "open")
NO_REPUTATION = Reputation(0, 0, "", "")


class PublicProfileState(SessionState):
    profile: ProfileView = EMPTY
    reputation: Reputation = NO_REPUTATION
    reviews_received: list[ReviewView] = []
    not_found: bool = False

    @rx.var
    def availability_label(self) -> str:
        return AVAILABILITY.get(self.profile.availability, "")

    @rx.var
    def is_me(self) -> bool:
        return self.profile.handle != "" and self.profile.handle == self.my_handle

    @rx.event
    def load(self):
        me = self._member()
        handle = routes.handle_from_path(self.router.url.path)
        try:
            with read_only() as session:
                self.profile = profiles.public_profile(session, handle)
                # listing titles in reviews show only to who may see the listing
                self.reputation, self.reviews_received = reviews.profile_reviews(
                    session, self.profile.id, viewer_id=me.id if me else None
                )
            self.not_found = False
        except NotFound:
            self.profile, self.not_found = EMPTY, True
            self.reputation, self.reviews_received = NO_REPUTATION, []


class ProfileEditState(SessionState):
    """The form is uncontrolled: default values come from `draft`, the browser
    posts the whole form to `save`, and `save` trusts none of it for identity."""

    draft: ProfileView = EMPTY
    # private to the owner, so kept out of the public ProfileView
    digest_opt_in: bool = False
    edit_error: str = ""
    loaded: bool = False

    @rx.var
    def give_text(self) -> str:
        return ", ".join(self.draft.expertise)

    @rx.var
    def get_text(self) -> str:
        return ", ".join(self.draft.needs)

    @rx.var
    def background_text(self) -> str:
        return ", ".join(self.draft.background)

    @rx.event
    def load(self):
        member = self._member()
        if member is None:
            return rx.redirect(routes.LOGIN)
        with read_only() as session:
            self.draft = profiles.profile_of(session, member.id)
            self.digest_opt_in = profiles.digest_opt_in(session, member.id)
        self.edit_error, self.loaded = "", True

    @rx.event
    def save(self, form: dict):
        member = self._member()
        if member is None:
            return rx.redirect(routes.LOGIN)
        try:
            with unit_of_work() as session:
                # The id comes from the session, never from the form.
                view = profiles.update_profile(
                    session, actor_id=member.id, member_id=member.id, form=form
                )
                self.digest_opt_in = profiles.digest_opt_in(session, member.id)
        except DomainError as error:
            self.edit_error = str(error)
            return rx.toast.error(str(error))
        self.draft, self.edit_error = view, ""
        self.my_name = view.display_name
        return [
            rx.toast.success("Profile saved."),
            rx.redirect(routes.person(view.handle)),
        ]
