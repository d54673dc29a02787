"""A listing's page as a visitor without an account sees it: the listing, who
posted it and how others rate them, and a way in that comes back here."""

import reflex as rx

from marketplace.components.buttons import link_button
from marketplace.components.layout import page
from marketplace.components.reviews import STAR_COLOR
from marketplace.pages.market import _detail as listing_detail
from marketplace.pages.market import listing_page
from marketplace.states.public_listing import PublicListingState
from marketplace.states.session import SessionState


def listing_route_page() -> rx.Component:
    """`/market/<id>`: the member's page, or the visitor's."""
    return rx.cond(SessionState.signed_in, listing_page(), visitor_listing_page())


def visitor_listing_page() -> rx.Component:
    return page(
        rx.match(
            PublicListingState.status,
            ("shown", _shown()),
            ("missing", _missing()),
            rx.center(rx.spinner(size="3"), width="100%", padding="4rem"),
        ),
    )


def _shown() -> rx.Component:
    return rx.grid(
        listing_detail(PublicListingState.listing),
        rx.vstack(_poster(), _way_in(), spacing="4", width="100%"),
        columns=rx.breakpoints(initial="1", md="2fr 1fr"),
        spacing="5",
        width="100%",
        align_items="start",
    )


def _poster() -> rx.Component:
    """Who posted it and their standing: what a visitor weighs first."""
    listing = PublicListingState.listing
    rep = PublicListingState.reputation
    return rx.card(
        rx.hstack(
            rx.avatar(
                fallback=listing.author_name.to(str)[:1], size="4", radius="full"
            ),
            rx.vstack(
                rx.link(
                    listing.author_name,
                    href="/people/" + listing.author_handle,
                    weight="bold",
                    size="3",
                ),
                rx.cond(
                    PublicListingState.author_headline != "",
                    rx.text(
                        PublicListingState.author_headline,
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                rx.text(
                    rx.cond(
                        rep.received > 0,
                        rx.fragment(
                            rx.el.span("★ ", color=STAR_COLOR, aria_hidden="true"),
                            rx.text.strong(rep.average),
                            " ",
                            rep.from_people,
                            " · ",
                            rep.counts,
                        ),
                        rx.cond(
                            rep.counts != "", rep.counts, "New here: no reviews yet"
                        ),
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(
                    rep.response_time != "",
                    rx.text(
                        "Answers ", rep.response_time, size="2", color_scheme="gray"
                    ),
                ),
                spacing="1",
                min_width="0",
            ),
            spacing="3",
            align="start",
        ),
        width="100%",
    )


def _way_in() -> rx.Component:
    """Log in or join to book the offer or answer the request, then back
    here; or why nobody can right now."""
    return rx.card(
        rx.cond(PublicListingState.not_taking != "", _not_taking(), _join_to_act()),
        width="100%",
    )


def _join_to_act() -> rx.Component:
    is_offer = PublicListingState.listing.kind == "offer"
    login, signup = PublicListingState.login_link, PublicListingState.signup_link
    return rx.vstack(
        rx.text(
            rx.cond(
                is_offer,
                "Members book offers and settle in karma, an IOU or money.",
                "Members answer requests and earn karma for the help.",
            ),
            size="2",
        ),
        rx.cond(
            is_offer,
            link_button("Log in to book", login, size="3", width="100%"),
            link_button("Join to answer", signup, size="3", width="100%"),
        ),
        rx.cond(
            is_offer,
            link_button("Join Karma to book", signup, variant="soft", width="100%"),
            link_button("Log in to answer", login, variant="soft", width="100%"),
        ),
        _grant_note(),
        spacing="3",
        width="100%",
    )


def _not_taking() -> rx.Component:
    return rx.vstack(
        rx.text(PublicListingState.not_taking, size="2", weight="medium"),
        rx.text(
            "Members find others like it in the market.", size="2", color_scheme="gray"
        ),
        link_button(
            "Join Karma", PublicListingState.signup_link, variant="soft", width="100%"
        ),
        _grant_note(),
        spacing="3",
        width="100%",
    )


def _grant_note() -> rx.Component:
    return rx.text(
        "New members pay for help on credit, earned back by helping.",
        size="1",
        color_scheme="gray",
    )


def _missing() -> rx.Component:
    """The same words for a private listing as for one that never was."""
    return rx.vstack(
        rx.heading("Listing not found", size="7", as_="h1"),
        rx.text("It may have been removed, or it isn't shown to you."),
        rx.text(
            "Shared with you? ",
            rx.link("Log in to see it", href=PublicListingState.login_link),
            ".",
        ),
        spacing="3",
    )
