"""The directory and a public profile (the dashboard: dashboard.py)."""

import reflex as rx

from marketplace import routes
from marketplace.components.buttons import link_button
from marketplace.components.forms import SELECT_STYLE, form_error, form_key, text_area
from marketplace.components.layout import page
from marketplace.components.message_button import (
    cold_confirm,
    message_button,
    shared_ground_line,
)
from marketplace.components.moderation import report_button
from marketplace.components.pager import pager
from marketplace.components.people import people_grid
from marketplace.components.profile import profile_parts, profile_reviews, profile_top
from marketplace.components.touchpoints import private_section

# In a module of its own (see there); marketplace.py imports it from here.
from marketplace.pages.dashboard import dashboard_page  # noqa: F401
from marketplace.states.messages import MessageButtonState
from marketplace.states.people import PeopleState
from marketplace.states.profile import PublicProfileState
from marketplace.states.session import SessionState
from marketplace.states.touchpoints import ProfileTouchState


def directory_page() -> rx.Component:
    return page(
        rx.heading("People", size="8", as_="h1"),
        rx.form(
            rx.hstack(
                rx.el.label(
                    "Search people",
                    html_for="q",
                    class_name="sr-only",
                    style={"position": "absolute", "left": "-9999px"},
                ),
                rx.input(
                    id="q",
                    name="q",
                    placeholder="Name, headline or skill",
                    default_value=PeopleState.query,
                    size="3",
                    width="100%",
                ),
                rx.button("Search", type="submit", size="3"),
                width="100%",
            ),
            on_submit=PeopleState.search,
            reset_on_submit=False,
            width="100%",
        ),
        rx.text(PeopleState.total.to_string() + " members", color_scheme="gray"),
        people_grid(PeopleState.people),
        pager(PeopleState),
    )


def _profile_body() -> rx.Component:
    """The card and about text as this viewer may see them (privacy by
    degree: components/profile.py draws only the parts they may)."""
    return profile_top(
        PublicProfileState.profile,
        rx.cond(
            PublicProfileState.is_me,
            link_button("Edit profile", routes.PROFILE_EDIT, variant="soft"),
            rx.cond(
                SessionState.signed_in,
                _tie_actions(),
                # a visitor from a shared link: nothing to connect or block yet
                link_button(
                    "Log in to connect",
                    PublicProfileState.login_link,
                    variant="soft",
                    width="100%",
                ),
            ),
        ),
    )


def _profile_parts() -> rx.Component:
    state = PublicProfileState
    return profile_parts(
        state.profile,
        state.karma,
        state.connection_list,
        state.help_by_month,
        state.help_given,
        state.help_received,
    )


def _tie_actions() -> rx.Component:
    """Connect (with a note), accept, or what we are to each other now."""
    state = PublicProfileState
    return rx.vstack(
        message_button(),
        rx.match(
            state.relationship,
            ("asked", rx.badge("Request sent", color_scheme="gray", size="2")),
            (
                "asked_me",
                rx.button("Accept request", on_click=state.accept, width="100%"),
            ),
            (
                "connected",
                rx.hstack(
                    rx.badge("Connected", color_scheme="grass", size="2"),
                    rx.button(
                        "Remove connection",
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        on_click=state.remove,
                    ),
                    align="center",
                ),
            ),
            (
                "blocked",
                rx.button(
                    "Unblock",
                    variant="soft",
                    color_scheme="gray",
                    on_click=state.unblock,
                ),
            ),
            _connect_form(),
        ),
        form_error(state.connect_error),
        rx.cond(
            (state.relationship != "blocked") & (state.relationship != "unavailable"),
            rx.button(
                "Block",
                size="1",
                variant="ghost",
                color_scheme="red",
                on_click=state.block,
            ),
        ),
        report_button("member", state.profile.handle),
        rx.cond(
            state.mutual.length() > 0,
            rx.text(
                "Mutual: ",
                state.mutual.join(", "),
                size="1",
                color_scheme="gray",
            ),
        ),
        spacing="2",
        width="100%",
        align="center",
    )


def _connect_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            shared_ground_line(),
            text_area(
                rx.cond(MessageButtonState.note_required, "Note (required)", "Note"),
                "note",
                max_length=300,
                rows="2",
                hint="Say how you know them or why you'd like to connect.",
            ),
            cold_confirm(),
            form_key("connect"),
            rx.button("Connect", type="submit", width="100%"),
            spacing="2",
            width="100%",
            align="stretch",
            text_align="left",
        ),
        on_submit=PublicProfileState.connect,
        reset_on_submit=True,
        width="100%",
    )


def _path(path) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(path.names.join(" → "), size="2", weight="medium"),
            rx.badge(path.warmth, variant="soft"),
            justify="between",
            width="100%",
            wrap="wrap",
        ),
        rx.text(path.reason, size="1", color_scheme="gray"),
        spacing="1",
        width="100%",
    )


def _intro_form() -> rx.Component:
    state = PublicProfileState
    return rx.form(
        rx.vstack(
            rx.el.label(
                "Ask for an intro through",
                html_for="via",
                class_name="rt-Text rt-r-size-2 rt-r-weight-medium",
            ),
            rx.el.select(
                rx.foreach(
                    state.paths,
                    lambda p: rx.el.option(p.via_name, value=p.via_handle),
                ),
                id="via",
                name="via",
                class_name="rt-reset",
                style=SELECT_STYLE,
            ),
            text_area(
                "Message",
                "message",
                max_length=500,
                rows="3",
                hint="Why you'd like to meet; they see it with the intro.",
            ),
            form_key("intro"),
            rx.button("Ask for an intro", type="submit"),
            spacing="2",
            width="100%",
        ),
        on_submit=state.request_intro,
        reset_on_submit=True,
        width="100%",
    )


def _intro_pending() -> rx.Component:
    """My intro request to them, on its way: no second ask meanwhile."""
    state = PublicProfileState
    return rx.callout.root(
        rx.callout.icon(rx.icon("hourglass", size=16)),
        rx.callout.text(
            rx.text.strong("Intro requested. "),
            state.intro_pending,
            rx.cond(
                state.intro_note != "",
                rx.el.span(" Their note: “", state.intro_note, "”"),
            ),
        ),
        color_scheme="blue",
        role="status",
        width="100%",
    )


def _intro_section() -> rx.Component:
    """The ways to reach this person, mutual connections first and each
    with why it ranks there, and an intro request through the first person
    on one of them -- or where my request stands."""
    state = PublicProfileState
    return rx.cond(
        (state.paths.length() > 0) | (state.intro_pending != ""),
        rx.card(
            rx.vstack(
                rx.heading("Get a warm intro", size="4", as_="h2"),
                rx.cond(
                    state.paths.length() > 0,
                    rx.text(
                        "Through people you both know first, then longer ways.",
                        size="1",
                        color_scheme="gray",
                    ),
                ),
                rx.foreach(state.paths, _path),
                rx.cond(state.intro_pending != "", _intro_pending(), _intro_form()),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def _vouch_line(v) -> rx.Component:
    return rx.hstack(
        rx.link(v.display_name, href=routes.PEOPLE + "/" + v.handle, weight="medium"),
        rx.text(v.stake, " karma · since ", v.since, size="1", color_scheme="gray"),
        align="center",
        wrap="wrap",
    )


def _vouch_list(title: str, items) -> rx.Component:
    return rx.cond(
        items.length() > 0,
        rx.vstack(
            rx.heading(title, size="3", as_="h3"),
            rx.foreach(items, _vouch_line),
            spacing="1",
            width="100%",
        ),
    )


def _my_vouch() -> rx.Component:
    """My vouch for them and its withdraw button, or the form to make one."""
    state, p = PublicProfileState, PublicProfileState.profile
    return rx.cond(
        state.my_vouch.id != 0,
        rx.hstack(
            rx.text(
                "You vouch for ",
                p.display_name,
                " with ",
                state.my_vouch.stake,
                " karma of your credit.",
                size="2",
            ),
            rx.button(
                "Withdraw vouch",
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=state.withdraw_vouch(state.my_vouch.id),
            ),
            align="center",
            wrap="wrap",
        ),
        rx.cond(state.vouch_max > 0, _vouch_form()),
    )


def _vouch_form() -> rx.Component:
    state, p = PublicProfileState, PublicProfileState.profile
    return rx.form(
        rx.vstack(
            rx.heading("Vouch for ", p.display_name, size="3", as_="h3"),
            rx.text(
                "Stake part of your unused credit (up to ",
                state.vouch_max,
                " karma): their credit limit grows by it and yours shrinks by "
                "it. If they stay below zero for 60 days, it covers what they owe.",
                size="1",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.el.label(
                    "Stake (karma)",
                    html_for="stake",
                    class_name="rt-Text rt-r-size-2 rt-r-weight-medium",
                ),
                rx.input(
                    id="stake",
                    name="stake",
                    type="number",
                    min=1,
                    max=state.vouch_max,
                    required=True,
                    size="2",
                    width="6em",
                ),
                rx.button("Vouch", type="submit", size="2"),
                align="center",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=state.vouch,
        reset_on_submit=True,
        width="100%",
    )


def _vouch_section() -> rx.Component:
    """Who vouches for them, whom they vouch for, and my own vouch."""
    state = PublicProfileState
    return rx.cond(
        (state.vouched_by.length() > 0)
        | (state.vouches_for.length() > 0)
        | (state.my_vouch.id != 0)
        | (state.vouch_max > 0),
        rx.card(
            rx.vstack(
                rx.heading("Vouches", size="4", as_="h2"),
                _vouch_list("Vouched for by", state.vouched_by),
                _vouch_list("Vouches for", state.vouches_for),
                _my_vouch(),
                form_error(state.vouch_error),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def _reviews_section() -> rx.Component:
    state = PublicProfileState
    return profile_reviews(state.profile, state.reputation, state.reviews_received)


def person_page() -> rx.Component:
    return page(
        rx.cond(
            PublicProfileState.not_found,
            rx.vstack(
                rx.heading("Nobody here by that handle", size="7", as_="h1"),
                rx.link("Browse people", href=routes.PEOPLE),
            ),
            rx.vstack(
                _profile_body(),
                _profile_parts(),
                # mine alone: what I logged with them and noted about them
                private_section(ProfileTouchState),
                _intro_section(),
                _vouch_section(),
                _reviews_section(),
                spacing="5",
                width="100%",
            ),
        ),
    )
