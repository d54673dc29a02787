"""A listing's page for whoever opens its link: members get the full page
(ListingState), visitors without an account the public view of a listing
whose audience is everyone, with a way to log in or join and come back.

`load` is the page's one on_load handler. For a member it runs ListingState's
own load in the same event (no extra round trip); for a visitor it reads the
public listing. A private, missing or malformed id gives a visitor the same
"not found or not shown to you" a member gets: nothing says which it was.

The browser's tab title follows the listing (`tab_title`, the route's title
Var); link previews, which run no script, get their tags from the server
(marketplace/link_previews.py).
"""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.db import read_only
from marketplace.domain.errors import NotFound
from marketplace.link_previews import LISTING_TITLE, page_title
from marketplace.market import public_listings
from marketplace.market.listings import ListingView
from marketplace.market.reviews import Reputation
from marketplace.states.market import EMPTY_LISTING, ListingState
from marketplace.states.session import SessionState, page_asked_for

NO_REPUTATION = Reputation(0, 0, "", "")


class PublicListingState(SessionState):
    listing: ListingView = EMPTY_LISTING
    author_headline: str = ""
    reputation: Reputation = NO_REPUTATION
    # what a visitor sees: "" while loading, then "shown" or "missing"
    status: str = ""
    # the page's own address, for the log-in and sign-up links back to it
    here: str = ""
    # the tab's title: the listing's once one is shown, to member or visitor
    tab_title: str = LISTING_TITLE

    @rx.var
    def login_link(self) -> str:
        return routes.login_to(self.here)

    @rx.var
    def signup_link(self) -> str:
        return routes.signup_to(self.here)

    @rx.var
    def not_taking(self) -> str:
        """Why nobody can book or answer it now, or '' when they can."""
        if self.listing.status in ("paused", "closed"):
            return f"This listing is {self.listing.status}: it isn't taking anyone now."
        if self.listing.id and self.listing.spots_left == 0:
            return "Every spot on this listing is taken."
        return ""

    @rx.event
    async def load(self):
        listing_id = routes.id_from_path(self.router.url.path, routes.MARKET)
        self.here = routes.same_site_path(page_asked_for(self), fallback="")
        if self._member() is not None:
            return await self._load_for_member()
        self._load_for_visitor(listing_id)
        return None

    async def _load_for_member(self):
        """ListingState's own load (and its checks), in this event."""
        self.listing, self.author_headline = EMPTY_LISTING, ""
        self.reputation, self.status = NO_REPUTATION, ""
        member_page = await self.get_state(ListingState)
        answer = ListingState.load.fn(member_page)
        shown = member_page.listing
        self._title(shown.title if not member_page.not_found else "")
        return answer

    def _load_for_visitor(self, listing_id: int | None) -> None:
        try:
            with read_only() as session:
                found = public_listings.public_listing(session, listing_id)
        except NotFound:
            found = None
        self._show_visitor(found)
        self._title(found.listing.title if found else "")

    def _show_visitor(self, found: public_listings.PublicListing | None) -> None:
        if found is None:
            self.listing, self.author_headline = EMPTY_LISTING, ""
            self.reputation, self.status = NO_REPUTATION, "missing"
            return
        self.listing, self.author_headline = found.listing, found.author_headline
        self.reputation, self.status = found.reputation, "shown"

    def _title(self, listing_title: str) -> None:
        self.tab_title = page_title(listing_title) if listing_title else LISTING_TITLE
