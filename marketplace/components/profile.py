"""A member's profile as a viewer sees it: the card, the about text and
tags, and the parts privacy by degree may keep (email, location, background,
availability, karma balance, give/get chart, connections list, reviews).

The public profile page and the "view my profile as..." preview on the
privacy page draw the same components from the same filtered values
(accounts/seen_profile.py), so the preview shows exactly what others see.
A part a viewer may not see is not drawn at all: no empty heading hints at
what is kept.
"""

import reflex as rx

from marketplace import routes
from marketplace.components.bars import GIVEN_COLOR, RECEIVED_COLOR
from marketplace.components.people import tag_badges, verified_at
from marketplace.components.reviews import reputation_card, review_list
from marketplace.domain.profiles import AVAILABILITY


def shows(p, part: str):
    """Whether the viewer may see `part` of the profile Var `p`."""
    return p.shown.contains(part)


def availability_badge(p) -> rx.Component:
    return rx.cond(
        shows(p, "availability") & (p.availability != ""),
        rx.badge(
            rx.match(p.availability, *AVAILABILITY.items(), ""),
            color_scheme="green",
            size="2",
        ),
    )


def profile_card(p, actions: rx.Component, heading: str = "h1") -> rx.Component:
    """Avatar, name, headline, and what the viewer may see of where, when
    and how to reach them; `actions` below (edit, connect, ...)."""
    return rx.card(
        rx.vstack(
            rx.avatar(fallback=p.display_name.to(str)[:1], size="8", radius="full"),
            rx.heading(p.display_name, size="7", as_=heading),
            rx.text("@", p.handle, color_scheme="gray"),
            rx.text(p.headline, size="4", weight="medium"),
            rx.cond(p.work_domain != "", verified_at(p.work_domain)),
            rx.cond(
                shows(p, "location") & (p.location != ""),
                rx.hstack(
                    rx.icon("map-pin", size=16),
                    rx.text(p.location, size="2"),
                    rx.text("·", size="2"),
                    rx.text(p.timezone, size="2"),
                    color="var(--gray-11)",
                    align="center",
                    wrap="wrap",
                ),
            ),
            availability_badge(p),
            rx.cond(
                p.email != "",
                rx.hstack(
                    rx.icon("mail", size=16),
                    rx.link(p.email, href="mailto:" + p.email.to(str), size="2"),
                    align="center",
                ),
            ),
            rx.text(
                rx.cond(
                    shows(p, "connections"),
                    p.connections.to_string() + " connections · ",
                    "",
                ),
                "member since ",
                p.member_since,
                size="2",
                color_scheme="gray",
            ),
            actions,
            spacing="3",
            align="center",
            text_align="center",
        ),
        size="4",
    )


def _tag_section(title: str, tags, color: str, empty: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="3", as_="h2"),
        rx.cond(
            tags.length() > 0,
            tag_badges(tags, color),
            rx.text(empty, size="2", color_scheme="gray"),
        ),
        spacing="2",
    )


def profile_about(p) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("About", size="3", as_="h2"),
            rx.text(p.bio, white_space="pre-wrap", size="3"),
            rx.separator(size="4"),
            _tag_section("Can help with", p.expertise, "indigo", "Nothing listed yet."),
            _tag_section(
                "Looking for help with", p.needs, "amber", "Nothing listed yet."
            ),
            rx.cond(
                shows(p, "background"),
                _tag_section("Background", p.background, "gray", "Nothing listed yet."),
            ),
            spacing="4",
            align="start",
        ),
        size="4",
    )


def profile_top(p, actions: rx.Component, heading: str = "h1") -> rx.Component:
    return rx.grid(
        profile_card(p, actions, heading),
        profile_about(p),
        columns=rx.breakpoints(initial="1", md="1fr 2fr"),
        spacing="5",
        width="100%",
    )


def given_received_bars() -> tuple:
    """Help given and received a month. Drawn without the grow-in animation:
    a resize (a phone turning, a full-page screenshot) would replay it from
    empty bars."""
    return (
        rx.recharts.bar(
            data_key="given",
            name="Given",
            fill=GIVEN_COLOR,
            radius=[4, 4, 0, 0],
            is_animation_active=False,
        ),
        rx.recharts.bar(
            data_key="received",
            name="Received",
            fill=RECEIVED_COLOR,
            radius=[4, 4, 0, 0],
            is_animation_active=False,
        ),
    )


def give_get_chart(p, by_month, given, received) -> rx.Component:
    return rx.cond(
        shows(p, "give_get"),
        rx.card(
            rx.vstack(
                rx.heading("Give and get", size="4", as_="h2"),
                rx.text(
                    "Helped ",
                    given,
                    " times, was helped ",
                    received,
                    " times.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.box(
                    rx.recharts.bar_chart(
                        rx.recharts.cartesian_grid(
                            stroke_dasharray="3 3", vertical=False
                        ),
                        rx.recharts.x_axis(data_key="month"),
                        rx.recharts.y_axis(allow_decimals=False, width=30),
                        rx.recharts.tooltip(),
                        rx.recharts.legend(),
                        *given_received_bars(),
                        data=by_month,
                        width="100%",
                        height=200,
                    ),
                    role="figure",
                    aria_label="Bar chart of help given and received per month",
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
    )


def _chip(person) -> rx.Component:
    return rx.link(
        rx.badge(person.display_name, variant="soft", size="2", radius="full"),
        href=routes.PEOPLE + "/" + person.handle,
    )


def connections_list(p, people) -> rx.Component:
    return rx.cond(
        shows(p, "connections"),
        rx.card(
            rx.vstack(
                rx.heading("Connections", size="4", as_="h2"),
                rx.cond(
                    people.length() > 0,
                    rx.flex(rx.foreach(people, _chip), wrap="wrap", spacing="2"),
                    rx.text(
                        "No connections to show yet.", size="2", color_scheme="gray"
                    ),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
    )


def karma_balance(p, karma) -> rx.Component:
    return rx.cond(
        shows(p, "karma"),
        rx.card(
            rx.hstack(
                rx.icon("wallet", size=20),
                rx.text("Karma balance", size="2", color_scheme="gray"),
                rx.text(karma, size="5", weight="bold"),
                align="center",
                spacing="3",
            ),
            width="100%",
        ),
    )


def profile_parts(p, karma, people, by_month, given, received) -> rx.Component:
    """The parts beyond the card: karma balance, connections, give/get chart."""
    side = shows(p, "karma") | shows(p, "connections")
    return rx.cond(
        side,
        rx.grid(
            rx.vstack(
                karma_balance(p, karma),
                connections_list(p, people),
                spacing="4",
                width="100%",
            ),
            give_get_chart(p, by_month, given, received),
            columns=rx.breakpoints(initial="1", md="1fr 2fr"),
            spacing="5",
            width="100%",
        ),
        give_get_chart(p, by_month, given, received),  # alone, full width
    )


def profile_reviews(p, reputation, reviews) -> rx.Component:
    return rx.cond(
        shows(p, "reviews"),
        rx.grid(
            reputation_card(reputation),
            review_list(reviews, reputation.received),
            columns=rx.breakpoints(initial="1", md="1fr 2fr"),
            spacing="5",
            width="100%",
            align_items="start",
        ),
    )
