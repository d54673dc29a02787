"""The public profile page and the owner's edit form."""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.accounts import profiles, seen_profile
from marketplace.accounts.profiles import ProfileView
from marketplace.accounts.seen_profile import PersonChip
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError, NotFound
from marketplace.domain.profiles import AVAILABILITY
from marketplace.ledger import vouches
from marketplace.ledger.vouches import NO_VOUCH, VouchView
from marketplace.market.reviews import Reputation, ReviewView
from marketplace.network import connections, conversations, graph_views, intros
from marketplace.network.graph_views import PathView
from marketplace.states.session import SessionState, SignedIn, member_only

EMPTY = ProfileView(0, "", "", "", "", "", "UTC", "open")
NO_REPUTATION = Reputation(0, 0, "", "")


class PublicProfileState(SessionState):
    profile: ProfileView = EMPTY
    reputation: Reputation = NO_REPUTATION
    reviews_received: list[ReviewView] = []
    not_found: bool = False
    # how I stand with them: self | none | asked | asked_me | connected |
    # blocked (by me) | unavailable (by them; shown as none)
    relationship: str = "none"
    paths: list[PathView] = []  # warm ways to reach them
    mutual: list[str] = []
    # my intro request to them still on its way: where it stands, and what
    # the introducer added when introducing
    intro_pending: str = ""
    intro_note: str = ""
    connect_error: str = ""
    # vouches (ledger/vouches.py): who vouches for them, whom they vouch for,
    # my own vouch for them (id 0: none), and the most I may stake (0: no form)
    vouched_by: list[VouchView] = []
    vouches_for: list[VouchView] = []
    my_vouch: VouchView = NO_VOUCH
    vouch_max: int = 0
    vouch_error: str = ""
    # privacy by degree: the parts beyond the card, "" / [] when kept
    karma: str = ""
    connection_list: list[PersonChip] = []
    help_by_month: list[dict[str, str | int]] = []
    help_given: int = 0
    help_received: int = 0

    @rx.var
    def availability_label(self) -> str:
        return AVAILABILITY.get(self.profile.availability, "")

    @rx.var
    def is_me(self) -> bool:
        # From this state's own vars, not SessionState.my_handle: a computed
        # var that reads a parent's var makes Reflex load this (large) state
        # for every event of every page (benchmarks/README.md, "Load").
        return self.profile.handle != "" and self.relationship == "self"

    @rx.var
    def login_link(self) -> str:
        """Log in, then back to this profile (what a signed-out visitor may do)."""
        return routes.login_to(routes.person(self.profile.handle))

    @rx.event
    def load(self):
        me = self._member()
        handle = routes.handle_from_path(self.router.url.path)
        self._show_forms("connect", "intro")
        try:
            with read_only() as session:
                # privacy by degree: only the parts this viewer may see
                self._show_seen(
                    seen_profile.public_profile(
                        session, handle, viewer_id=me.id if me else None
                    )
                )
                self._load_ties(session, me.id if me else None)
                self._load_vouches(session, me.id if me else None)
            self.not_found = False
        except NotFound:
            self.profile, self.not_found = EMPTY, True
            self._show_seen(seen_profile.SeenProfile(EMPTY))
            self.vouched_by, self.vouches_for = [], []
            self.my_vouch, self.vouch_max = NO_VOUCH, 0

    def _show_seen(self, seen: seen_profile.SeenProfile) -> None:
        self.profile = seen.profile
        # listing titles in reviews show only to who may see the listing
        self.reputation, self.reviews_received = seen.reputation, seen.reviews
        self.karma, self.connection_list = seen.karma, seen.connection_list
        self.help_by_month = seen.help_by_month
        self.help_given, self.help_received = seen.help_given, seen.help_received

    def _load_vouches(self, session, viewer_id: int | None) -> None:
        self.vouch_error = ""
        self.vouched_by, self.vouches_for = vouches.vouches_of(session, self.profile.id)
        if viewer_id is None:
            self.my_vouch, self.vouch_max = NO_VOUCH, 0
            return
        offer = vouches.offer(session, viewer_id, self.profile.id)
        self.my_vouch, self.vouch_max = offer.mine, offer.max_stake

    def _load_ties(self, session, viewer_id: int | None) -> None:
        self.connect_error = ""
        self.intro_pending, self.intro_note = "", ""
        if viewer_id is None:
            self.relationship, self.paths, self.mutual = "none", [], []
            return
        other = self.profile.id
        self.relationship = connections.relationship(session, viewer_id, other)
        self.mutual = graph_views.mutual_names(session, viewer_id, other)
        self.paths = (
            []
            if self.relationship in ("self", "connected", "blocked", "unavailable")
            else graph_views.paths_to(session, viewer_id, other)
        )
        pending = (
            intros.pending_intro(session, viewer_id, other)
            if self.relationship != "self"
            else None
        )
        if pending is not None:
            self.intro_pending, self.intro_note = pending.sentence, pending.via_note

    def _tie(self, work, toast: str, once: tuple[str, dict] | None = None):
        """One change between me and the member on the page, then reload;
        `once` names a create form and its fields: sent twice, it writes once."""
        handle = self.profile.handle
        if once:
            form, fields = once
            attempt = self._submit_once(
                form, fields, lambda s, me: work(s, me, handle).id, "connect_error"
            )
        else:
            attempt = self._attempt(lambda s, me: work(s, me, handle), "connect_error")
        if attempt.refusal is not None:
            return attempt.refusal
        with read_only() as session:
            self._load_ties(session, attempt.member_id)
        return rx.toast.success(toast)

    @rx.event
    def connect(self, form: dict):
        form = form if isinstance(form, dict) else {}
        return self._tie(
            lambda s, me, h: (
                # nothing in common: only with the box ticked (outreach)
                conversations.check_confirmed(s, me, h, form.get("confirm"))
                or connections.request_connection(
                    s, actor_id=me, handle=h, note=form.get("note", "")
                )
            ),
            "Request sent.",
            ("connect", form),
        )

    @rx.event
    def accept(self):
        return self._tie(
            lambda s, me, h: connections.accept_request_from(s, actor_id=me, handle=h),
            "Connected.",
        )

    @rx.event
    def remove(self):
        return self._tie(
            lambda s, me, h: connections.remove_connection(s, actor_id=me, handle=h),
            "Removed.",
        )

    @rx.event
    def block(self):
        return self._tie(
            lambda s, me, h: connections.block_member(s, actor_id=me, handle=h),
            "Blocked. They won't be told.",
        )

    @rx.event
    def unblock(self):
        return self._tie(
            lambda s, me, h: connections.unblock_member(s, actor_id=me, handle=h),
            "Unblocked.",
        )

    @rx.event
    def request_intro(self, form: dict):
        form = form if isinstance(form, dict) else {}
        return self._tie(
            lambda s, me, h: intros.request_intro(
                s,
                actor_id=me,
                target=h,
                via=form.get("via"),
                message=form.get("message"),
            ),
            "Intro requested. We'll tell you when they answer.",
            ("intro", form),
        )

    @rx.event
    @member_only
    def vouch(self, member: SignedIn, form: dict):
        """Stake part of my credit on the member on the page (who must be my
        connection: the service decides, whatever the page sent)."""
        form = form if isinstance(form, dict) else {}
        return self._vouching(
            member,
            lambda s: vouches.vouch(
                s,
                actor_id=member.id,
                vouchee_handle=self.profile.handle,
                stake=form.get("stake"),
            ),
            f"You vouch for {self.profile.display_name} now.",
        )

    @rx.event
    @member_only
    def withdraw_vouch(self, member: SignedIn, vouch_id: int):
        """End my vouch: the service finds it among mine only."""
        return self._vouching(
            member,
            lambda s: vouches.withdraw_vouch(s, actor_id=member.id, vouch_id=vouch_id),
            "Vouch withdrawn.",
        )

    def _vouching(self, member: SignedIn, work, toast: str):
        try:
            with unit_of_work() as session:
                work(session)
        except DomainError as error:
            self.vouch_error = str(error)
            return rx.toast.error(str(error))
        with read_only() as session:
            self._load_vouches(session, member.id)
        return rx.toast.success(toast)


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
    @member_only
    def load(self, member: SignedIn):
        with read_only() as session:
            self.draft = profiles.profile_of(session, member.id)
            self.digest_opt_in = profiles.digest_opt_in(session, member.id)
        self.edit_error, self.loaded = "", True

    @rx.event
    @member_only
    def save(self, member: SignedIn, form: dict):
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
