"""The marketplace: browsing listings, posting and editing one, and its page.

Handlers take ids from the form or the URL, but the services decide what the
signed-in member may see or change, so a forged id is refused there.
"""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.adapters import payments
from marketplace.db import read_only
from marketplace.domain.errors import DomainError
from marketplace.domain.listings import TERMS, check_hours
from marketplace.market import asks, calls, engagements, listings, market_search
from marketplace.market.asks import AskCandidate
from marketplace.market.calls import SlotDay
from marketplace.market.engagement_views import (
    EngagementView,
    my_open_engagement,
    proposals_for_listing,
)
from marketplace.market.listings import ListingView
from marketplace.states.session import SessionState, SignedIn, member_only

FILTER_KEYS = ("query", "kind", "terms", "tag", "degree", "recency", "sort")
MALFORMED = "The listing form is malformed."


class MarketState(SessionState):
    results: list[ListingView] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    mine: list[ListingView] = []
    filters: dict[str, str] = {}
    search_error: str = ""

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.search_error = ""
        try:  # as checked when they were set
            filters = market_search.check_filters(self.filters)
        except DomainError:
            filters = market_search.check_filters({})
        with read_only() as session:  # one read: the results and my own
            found, total = market_search.matching(
                session, viewer_id=member.id, filters=filters
            )
            own = listings.own_listings(session, member.id)
            # one set of card reads (tags, authors, ratings) for both lists
            shown = listings.views(session, member.id, [*found, *own])
        self._show_results(filters, shown[: len(found)], total, 1)
        self.mine = shown[len(found) :]

    @rx.event
    @member_only
    def search(self, member: SignedIn, form: dict):
        form = form if isinstance(form, dict) else {}
        wanted = {key: form.get(key, "") for key in FILTER_KEYS}
        if "sort" not in form:  # the sort has its own control beside the results
            wanted["sort"] = self.filters.get("sort", "")
        return self._search(member.id, wanted, 1)

    @rx.event
    @member_only
    def sort_by(self, member: SignedIn, sort: str):
        """Re-sort the same search; the service refuses an unknown order."""
        return self._search(member.id, self.filters | {"sort": sort}, 1)

    @rx.event
    @member_only
    def go_to_page(self, member: SignedIn, page: int):
        return self._search(member.id, self.filters, page)

    def _search(self, member_id: int, raw: dict, page: object):
        try:
            filters = market_search.check_filters(raw)
            with read_only() as read:
                found, total = market_search.search(
                    read, viewer_id=member_id, filters=filters, page=page
                )
        except DomainError as error:
            self.search_error = str(error)
            return None
        self._show_results(filters, found, total, page)  # type: ignore[arg-type]
        return None

    def _show_results(
        self, filters, found: list[ListingView], total: int, page: int
    ) -> None:
        self.filters = {key: str(getattr(filters, key)) for key in FILTER_KEYS}
        self.results, self.total, self.page = found, total, page
        self.pages = max(1, -(-total // market_search.PAGE_SIZE))
        self.search_error = ""


class ListingFormState(SessionState):
    """New and edit share one uncontrolled form; `draft` feeds its defaults."""

    draft: dict[str, str] = {}
    editing_id: int = 0
    form_error: str = ""
    form_version: int = 0  # remounts the form so defaults apply after a load
    terms_choice: str = "karma"  # shows the money fields for paid terms
    paid_available: bool = False
    paid_unavailable_reason: str = ""

    @rx.event
    def choose_terms(self, value: str):
        """Only which fields to show; the service checks the terms on save."""
        self.terms_choice = value if value in TERMS else "karma"

    def _load_paid(self) -> None:
        available = payments.payments_available()
        self.paid_available = available.available
        self.paid_unavailable_reason = available.reason

    @rx.event
    @member_only
    def load_new(self, member: SignedIn):
        self.draft = {
            "kind": "request",
            "terms": "karma",
            "price": "5",
            "currency": "usd",
            "rate_kind": "hourly",
            "capacity": "1",
            "audience": "public",
        }
        self.editing_id, self.form_error = 0, ""
        self.terms_choice = "karma"
        self._load_paid()
        self._show_forms("listing")
        self.form_version += 1

    @rx.event
    @member_only
    def load_edit(self, member: SignedIn):
        listing_id = routes.id_from_path(self.router.url.path, routes.MARKET)
        try:
            with read_only() as session:
                view = listings.listing_view(session, member.id, listing_id)
        except DomainError as error:
            return self._refuse(str(error))
        if not view.is_mine:
            return self._refuse("Only the person who posted this listing can edit it.")
        self.draft = _draft_of(view)
        self.editing_id, self.form_error = view.id, ""
        self.terms_choice = view.terms
        self._load_paid()
        self.form_version += 1

    def _refuse(self, message: str):
        self.draft, self.editing_id, self.form_error = {}, 0, message
        return rx.toast.error(message)

    @rx.event
    def save(self, form: dict):
        """Post a new listing (once, however often the form is sent) or save
        the edited one, then open it."""
        if not isinstance(form, dict):
            self.form_error = MALFORMED
            return rx.toast.error(MALFORMED)
        if self.editing_id:
            attempt = self._attempt(
                lambda session, me: self._write(session, me, form).id, "form_error"
            )
        else:
            attempt = self._submit_once(
                "listing",
                form,
                lambda session, me: self._write(session, me, form).id,
                "form_error",
            )
        if attempt.refusal is not None:
            return attempt.refusal
        return [
            rx.toast.success("Listing saved."),
            rx.redirect(routes.listing(attempt.result)),
        ]

    def _write(self, session, member_id: int, form: dict):
        if self.editing_id:
            return listings.update_listing(
                session, actor_id=member_id, listing_id=self.editing_id, form=form
            )
        return listings.create_listing(session, actor_id=member_id, form=form)


def picked_slots(form: dict) -> object:
    """The time picked on a booking ("slot", one radio) or the times a
    helper proposes on a request ("slot:<start>" ticks); the service checks
    each against the free times."""
    ticked = [
        key.removeprefix("slot:")
        for key, value in form.items()
        if isinstance(key, str) and key.startswith("slot:") and value
    ]
    return ticked or form.get("slot")


def _draft_of(view: ListingView) -> dict[str, str]:
    return {
        "kind": view.kind,
        "title": view.title,
        "description": view.description,
        "tags": ", ".join(view.tags),
        "terms": view.terms,
        "price": view.price_input,
        "currency": view.currency or "usd",
        "rate_kind": view.rate_kind or "hourly",
        "capacity": str(view.capacity),
        "deadline": view.deadline,
        "audience": view.audience,
        "chosen": ", ".join(view.chosen),
        "duration": view.duration,
    }


EMPTY_LISTING = ListingView(
    id=0, kind="", kind_label="", title="", description="", tags=[], terms="",
    terms_label="", price=0, price_label="", capacity=0, spots_left=0, deadline="",
    deadline_label="", audience="", audience_label="", status="", status_label="",
    author_name="", author_handle="", posted="", is_mine=False, chosen=[],
)  # fmt: skip


class ListingState(SessionState):
    listing: ListingView = EMPTY_LISTING
    proposals: list[EngagementView] = []
    # my open request: who to ask, and a send to the chosen few; beyond my
    # two degrees too when they are few (a newcomer's), with why and what
    # connecting would change
    ask_candidates: list[AskCandidate] = []
    ask_beyond: list[AskCandidate] = []
    ask_why: str = ""
    ask_connecting: str = ""
    ask_error: str = ""
    my_engagement_id: int = 0  # an engagement of mine under way on it
    not_found: bool = False
    action_error: str = ""
    # a call: the free times the viewer may pick (an offer's author's, or
    # mine when I answer a request), in my time zone
    slot_days: list[SlotDay] = []
    slot_zone: str = ""
    slot_policy: str = ""
    slot_horizon: int = 0
    is_call: bool = False
    helper_has_hours: bool = False

    @rx.var
    def ask_can_send(self) -> bool:
        """Someone in the who-to-ask list can be ticked."""
        return bool(self.ask_candidates) or any(c.can_ask for c in self.ask_beyond)

    @rx.var
    def my_engagement_url(self) -> str:
        return routes.engagement(self.my_engagement_id)

    @rx.var
    def why_closed(self) -> str:
        """Why the viewer can't book it, in a sentence."""
        if self.listing.status in ("paused", "closed"):
            return f"This listing is {self.listing.status}; it isn't taking bookings."
        if self.listing.spots_left == 0:
            return "This listing is full: every spot is taken."
        return ""

    @rx.var
    def can_propose(self) -> bool:
        return (
            self.listing.id > 0
            and not self.listing.is_mine
            and self.listing.status == "open"
            and self.listing.spots_left > 0
            and self.my_engagement_id == 0
        )

    @rx.var
    def can_book(self) -> bool:
        """An offer's call needs a free time to book; a request's answer
        may propose none."""
        offer_call = self.is_call and self.listing.kind == "offer"
        return not offer_call or len(self.slot_days) > 0

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.action_error = ""
        listing_id = routes.id_from_path(self.router.url.path, routes.MARKET)
        self._show_forms("booking")
        self._refresh(member.id, listing_id)

    def _refresh(self, member_id: int, listing_id: object) -> None:
        try:
            with read_only() as session:
                self.listing = listings.listing_view(session, member_id, listing_id)
                self.proposals = (
                    proposals_for_listing(session, member_id, self.listing.id)
                    if self.listing.is_mine
                    else []
                )
                self.my_engagement_id = my_open_engagement(
                    session, member_id, self.listing.id
                )
                self._load_asks(session, member_id)
                self._load_slots(session, member_id, 1)
            self.not_found = False
        except DomainError:
            self.listing, self.proposals, self.not_found = EMPTY_LISTING, [], True

    def _load_slots(self, session, member_id: int, hours: int) -> None:
        listing = self.listing
        self.is_call = listing.duration_label != "" and not listing.is_mine
        self.slot_days, self.slot_zone, self.slot_policy = [], "", ""
        self.slot_horizon, self.helper_has_hours = 0, False
        if not self.is_call:
            return
        picker = calls.slot_choices(
            session, viewer_id=member_id, listing_id=listing.id, hours=hours
        )
        self.slot_days, self.slot_zone = picker.days, picker.zone
        self.slot_policy, self.slot_horizon = picker.policy, picker.horizon_days
        self.helper_has_hours = picker.has_hours

    @rx.event
    @member_only
    def change_hours(self, member: SignedIn, hours: str):
        """An hourly call's length follows the hours booked: fresh free times."""
        try:
            booked = check_hours(hours, self.listing.terms, self.listing.rate_kind)
            with read_only() as session:
                self._load_slots(session, member.id, booked)
        except DomainError as error:
            self.action_error = str(error)
            return rx.toast.error(self.action_error)
        self.action_error = ""
        return None

    def _load_asks(self, session, member_id: int) -> None:
        listing = self.listing
        self.ask_candidates, self.ask_beyond = [], []
        self.ask_why = self.ask_connecting = ""
        if not (listing.is_mine and listing.kind == "request"):
            return
        if listing.status != "open":
            return
        panel = asks.ask_panel(session, actor_id=member_id, listing_id=listing.id)
        self.ask_candidates, self.ask_beyond = panel.near, panel.beyond
        self.ask_why, self.ask_connecting = panel.why, panel.connecting

    @rx.event
    def connect_first(self, handle: str):
        """Ask someone suggested beyond my network to connect, naming my
        request; the service checks they were suggested for it."""
        listing_id = self.listing.id
        attempt = self._attempt(
            lambda session, me: asks.connect_first(
                session, actor_id=me, listing_id=listing_id, handle=handle
            ),
            "ask_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id, listing_id)
        return rx.toast.success(
            f"Asked {attempt.result} to connect. Once they accept, they see "
            "requests you share with your network."
        )

    @rx.event
    def send_to_chosen(self, form: dict):
        """Send my request to the people ticked in the who-to-ask list."""
        form = form if isinstance(form, dict) else {}
        handles = [
            key.removeprefix("ask:")
            for key, value in form.items()
            if isinstance(key, str) and key.startswith("ask:") and value
        ]
        listing_id = self.listing.id
        attempt = self._attempt(
            lambda session, me: asks.send_request(
                session, actor_id=me, listing_id=listing_id, handles=handles
            ),
            "ask_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id, listing_id)
        sent = len(attempt.result)
        return rx.toast.success(
            f"Sent to {sent} {'person' if sent == 1 else 'people'}."
            if sent
            else "They were already asked."
        )

    @rx.event
    def propose(self, form: dict):
        """Book this offer, or offer to help with this request."""
        form = form if isinstance(form, dict) else {}
        attempt = self._submit_once(
            "booking",
            form,
            lambda session, me: (
                engagements.propose(
                    session,
                    actor_id=me,
                    listing_id=form.get("listing_id"),
                    note=form.get("note", ""),
                    hours=form.get("hours"),
                    slot=picked_slots(form),
                ).id
            ),
            "action_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        return [
            rx.toast.success("Sent. They'll get a notification."),
            rx.redirect(routes.engagement(attempt.result)),
        ]

    @rx.event
    def change_status(self, listing_id: int, action: str):
        """Pause, reopen or close one's own listing."""
        attempt = self._attempt(
            lambda session, me: listings.set_status(
                session, actor_id=me, listing_id=listing_id, action=action
            ),
            "action_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id, listing_id)
        return rx.toast.success(f"Listing {self.listing.status_label.lower()}.")
