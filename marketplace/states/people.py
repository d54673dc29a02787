"""The dashboard and the people directory."""

from __future__ import annotations

import time

import reflex as rx

from marketplace import routes
from marketplace.accounts import profiles
from marketplace.db import read_only
from marketplace.domain.errors import DomainError
from marketplace.ledger import wallet
from marketplace.market import engagement_views, market_search
from marketplace.market.engagement_views import EngagementView
from marketplace.market.listings import ListingView
from marketplace.network import blocks, context_offers, directory, nudges
from marketplace.network.directory import PersonCard
from marketplace.network.nudges import NudgeView
from marketplace.states.session import SessionState, SignedIn, member_only


class DashboardState(SessionState):
    can_help_me: list[PersonCard] = []
    i_can_help: list[PersonCard] = []
    karma: int = 0
    can_help_me_count: int = 0
    i_can_help_count: int = 0
    connections: int = 0
    profile_strength: int = 0
    missing: list[str] = []
    waiting: list[EngagementView] = []
    next_calls: list[EngagementView] = []  # my agreed calls, soonest first
    requests: list[ListingView] = []
    nudges: list[NudgeView] = []
    more_nudges: list[NudgeView] = []  # the rest of the feed, for "see all"
    all_nudges_shown: bool = False
    nudge_error: str = ""

    @rx.var
    def nudge_total(self) -> int:
        return len(self.nudges) + len(self.more_nudges)

    # What the network suggestions were read for: the member, their
    # connection count, give and get tags, everyone blocked either way; when.
    _network_for: tuple = ()
    _network_read_at: float = 0.0

    # The dashboard loads in two steps, each its own delta (as the network
    # page): what a member sees first, then the request cards and the
    # people below them, which the browser draws while the server reads.
    @rx.event
    @member_only
    def load(self, member: SignedIn):
        with read_only() as session:
            view = profiles.profile_of(session, member.id)
            self.karma = wallet.balances(session, member.id).available
            under_way, self.next_calls = engagement_views.open_and_next_calls(
                session, member.id
            )
            self.waiting = [e for e in under_way if e.needs_me][:5]
            basis = (
                member.id,
                view.connections,
                tuple(view.expertise),
                tuple(view.needs),
                tuple(sorted(blocks.blocked_with(session, member.id))),
            )
            stale = self._network_is_stale(basis)
            if stale:
                self._load_nudges(session, member.id)
                self._network_for, self._network_read_at = basis, time.time()
        self.connections = view.connections
        self._score(view)
        yield
        if stale:  # the request cards and people below the feed
            with read_only() as session:
                self._load_matches(session, member.id)

    def _network_is_stale(self, basis: tuple) -> bool:
        """Suggestions come from the whole network and move slowly: a member
        going back and forth to the dashboard sees them as they were a
        minute ago (as LinkedIn's feed does), unless their own side of the
        graph moved: a new connection, changed give/get tags, a block either
        way, another member signed in on this tab."""
        age = time.time() - self._network_read_at
        return basis != self._network_for or not 0 <= age < NETWORK_FRESH_SECONDS

    def _load_matches(self, session, member_id: int) -> None:
        found = directory.both_ways(session, member_id=member_id, limit=6)
        self.can_help_me, self.i_can_help = found.can_help_me, found.i_can_help
        self.can_help_me_count = found.can_help_me_count
        self.i_can_help_count = found.i_can_help_count
        self.requests = market_search.requests_i_could_help_with(
            session, member_id=member_id
        )

    def _score(self, view: profiles.ProfileView) -> None:
        checks = {
            "a headline": bool(view.headline),
            "an About text": bool(view.bio),
            "what you can give": bool(view.expertise),
            "what you need": bool(view.needs),
            "your background": bool(view.background),
            "your location": bool(view.location),
        }
        self.missing = [name for name, ok in checks.items() if not ok]
        self.profile_strength = round(
            100 * (len(checks) - len(self.missing)) / len(checks)
        )

    def _feedback(self, work, toast: str):
        attempt = self._attempt(work, "nudge_error")
        if attempt.refusal is not None:
            return attempt.refusal
        with read_only() as session:
            self._load_nudges(session, attempt.member_id)
        return rx.toast.success(toast) if toast else None

    def _load_nudges(self, session, member_id: int) -> None:
        self.nudges, self.more_nudges = nudges.feed_and_rest(
            session, member_id, shown=NUDGES_SHOWN
        )

    @rx.event
    @member_only
    def see_all_nudges(self, member: SignedIn, shown: bool):
        """Only what this page draws; the feed was read for this member."""
        self.all_nudges_shown = shown is True

    @rx.event
    def dismiss(self, key: str):
        return self._feedback(
            lambda s, me: nudges.dismiss(s, member_id=me, key=key),
            "Dismissed. You'll see fewer like it.",
        )

    @rx.event
    def snooze(self, key: str):
        return self._feedback(
            lambda s, me: nudges.snooze(s, member_id=me, key=key, days=SNOOZE_DAYS),
            f"Snoozed for {SNOOZE_DAYS} days.",
        )

    @rx.event
    def acted(self, key: str):
        """Following a nudge's link: it rests for a while."""
        return self._feedback(lambda s, me: nudges.acted(s, member_id=me, key=key), "")

    @rx.event
    def offer_help(self, context_id: int):
        """One click from a context nudge to an offer only its owner sees."""
        attempt = self._attempt(
            lambda s, me: (
                context_offers.offer_help(s, actor_id=me, context_id=context_id).id
            ),
            "nudge_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        return [
            rx.toast.success("Offer sent. Edit it any time."),
            rx.redirect(routes.listing(attempt.result)),
        ]


NUDGES_SHOWN = 6
NETWORK_FRESH_SECONDS = 60
SNOOZE_DAYS = 7


class PeopleState(SessionState):
    people: list[PersonCard] = []
    total: int = 0
    page: int = 1
    query: str = ""

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // directory.PAGE_SIZE))

    @rx.event
    def load(self):
        self._fetch(self.query, 1)

    @rx.event
    def search(self, form: dict):
        query = form.get("q", "") if isinstance(form, dict) else None
        return self._fetch(query, 1)

    @rx.event
    def go_to_page(self, page: int):
        return self._fetch(self.query, page)

    def _fetch(self, query: object, page: object):
        member = self._member()  # whom they blocked, or who blocked them, hides
        try:
            with read_only() as session:
                people, total = directory.browse(
                    session,
                    query=query,
                    page=page,
                    viewer_id=member.id if member else None,
                )
        except DomainError as error:
            return rx.toast.error(str(error))
        self.people, self.total = people, total
        self.query, self.page = str(query), int(page)  # validated by browse
