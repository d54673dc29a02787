"""The directory, a public profile, and the dashboard."""

import reflex as rx

from marketplace import routes
from marketplace.components.buttons import link_button
from marketplace.components.forms import SELECT_STYLE, form_error, form_key, text_area
from marketplace.components.layout import page
from marketplace.components.market import listing_card, status_badge
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
from marketplace.states.messages import MessageButtonState
from marketplace.states.people import DashboardState, PeopleState
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


def _match_section(title: str, subtitle: str, cards, empty: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="5", as_="h2"),
        rx.text(subtitle, size="2", color_scheme="gray"),
        rx.cond(
            cards.length() > 0,
            people_grid(cards),
            rx.callout(empty, icon="info", width="100%"),
        ),
        spacing="3",
        width="100%",
    )


def _strength_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Profile strength", weight="bold"),
                rx.spacer(),
                rx.text(DashboardState.profile_strength, "%", weight="bold"),
                width="100%",
            ),
            rx.progress(
                value=DashboardState.profile_strength,
                max=100,
                aria_label="Profile strength",
            ),
            rx.cond(
                DashboardState.missing.length() > 0,
                rx.text(
                    "Add ",
                    DashboardState.missing.join(", "),
                    " so the right people find you.",
                    size="2",
                    color_scheme="gray",
                ),
                rx.text(
                    "Your give/get card is complete.", size="2", color_scheme="green"
                ),
            ),
            link_button("Edit profile", routes.PROFILE_EDIT, variant="soft"),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _stat(label: str, value, icon: str) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.center(
                rx.icon(icon, size=20),
                background="var(--accent-3)",
                color="var(--accent-11)",
                border_radius="10px",
                width="40px",
                height="40px",
            ),
            rx.vstack(
                rx.text(label, size="2", color_scheme="gray"),
                rx.text(value, size="6", weight="bold"),
                spacing="0",
            ),
            align="center",
            spacing="3",
        ),
        size="3",
        width="100%",
    )


def _waiting_row(item) -> rx.Component:
    return rx.hstack(
        rx.link(
            item.title, href="/engagements/" + item.id.to_string(), weight="medium"
        ),
        rx.text("with ", item.other_name, size="2", color_scheme="gray"),
        rx.spacer(),
        status_badge(item.status, item.status_label),
        width="100%",
        align="center",
        wrap="wrap",
    )


def _waiting_section() -> rx.Component:
    return rx.cond(
        DashboardState.waiting.length() > 0,
        rx.card(
            rx.vstack(
                rx.heading("Waiting for you", size="5", as_="h2"),
                rx.foreach(DashboardState.waiting, _waiting_row),
                rx.link("All engagements", href=routes.ENGAGEMENTS, size="2"),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def _call_row(item) -> rx.Component:
    return rx.hstack(
        rx.icon("calendar", size=16, aria_hidden="true"),
        rx.text(item.call_time, weight="medium", size="2"),
        rx.link(item.title, href="/engagements/" + item.id.to_string(), size="2"),
        rx.text("with ", item.other_name, size="2", color_scheme="gray"),
        width="100%",
        align="center",
        wrap="wrap",
    )


def _calls_section() -> rx.Component:
    """The next calls I agreed to, as a calendar's agenda shows them."""
    return rx.cond(
        DashboardState.next_calls.length() > 0,
        rx.card(
            rx.vstack(
                rx.heading("Your next calls", size="5", as_="h2"),
                rx.foreach(DashboardState.next_calls, _call_row),
                rx.link(
                    "When I take calls", href=routes.SETTINGS_AVAILABILITY, size="2"
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def _requests_section() -> rx.Component:
    return rx.vstack(
        rx.heading("Requests you could help with", size="5", as_="h2"),
        rx.text("Open requests that match what you can give.", color_scheme="gray"),
        rx.cond(
            DashboardState.requests.length() > 0,
            rx.grid(
                rx.foreach(DashboardState.requests, listing_card),
                columns=rx.breakpoints(initial="1", md="2"),
                spacing="3",
                width="100%",
            ),
            rx.text(
                "None right now. ",
                rx.link("Browse the marketplace", href=routes.MARKET),
                ".",
                size="2",
                color_scheme="gray",
            ),
        ),
        spacing="2",
        width="100%",
    )


NUDGE_COLORS = (("ask", "indigo"), ("intro", "violet"), ("give", "grass"))


def _nudge_action(n) -> rx.Component:
    """A context nudge offers help in one click; the others open a page."""
    return rx.cond(
        n.context_id > 0,
        rx.button(
            "Offer to help",
            size="2",
            on_click=DashboardState.offer_help(n.context_id),
            aria_label="Offer to help " + n.person_name,
        ),
        link_button(
            n.action,
            n.link,
            size="2",
            variant="soft",
            on_click=DashboardState.acted(n.key),
        ),
    )


def _nudge(n) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(
                    n.kind_label,
                    color_scheme=rx.match(n.kind, *NUDGE_COLORS, "amber"),
                    variant="soft",
                ),
                rx.cond(
                    n.strong,
                    rx.badge("Strong fit", color_scheme="grass", variant="solid"),
                ),
                spacing="2",
            ),
            rx.text(n.text, weight="medium"),
            rx.text(n.reason, size="2", color_scheme="gray"),
            rx.spacer(),
            rx.hstack(
                _nudge_action(n),
                rx.button(
                    "Not now",
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=DashboardState.snooze(n.key),
                    aria_label="Not now: " + n.text,
                ),
                rx.button(
                    "Dismiss",
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=DashboardState.dismiss(n.key),
                    aria_label="Dismiss: " + n.text,
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            spacing="2",
            height="100%",
        ),
        role="article",
        aria_label=n.text,
    )


def _see_all_nudges() -> rx.Component:
    """The feed shows a few; the rest are one click away."""
    state = DashboardState
    return rx.cond(
        state.more_nudges.length() > 0,
        rx.cond(
            state.all_nudges_shown,
            rx.button(
                "Show fewer suggestions",
                variant="ghost",
                size="2",
                on_click=state.see_all_nudges(False),
            ),
            rx.button(
                "See all " + state.nudge_total.to_string() + " suggestions",
                variant="soft",
                size="2",
                on_click=state.see_all_nudges(True),
            ),
        ),
    )


def _nudges_section() -> rx.Component:
    return rx.cond(
        DashboardState.nudges.length() > 0,
        rx.vstack(
            rx.heading("Suggested for you", size="5", as_="h2"),
            rx.text(
                "Who to ask, who you could help, who to reconnect with.",
                size="2",
                color_scheme="gray",
            ),
            rx.grid(
                rx.foreach(DashboardState.nudges, _nudge),
                rx.cond(
                    DashboardState.all_nudges_shown,
                    rx.foreach(DashboardState.more_nudges, _nudge),
                ),
                columns=rx.breakpoints(initial="1", sm="2", md="3"),
                spacing="3",
                width="100%",
            ),
            _see_all_nudges(),
            width="100%",
            spacing="2",
        ),
    )


def dashboard_page() -> rx.Component:
    return page(
        rx.heading("Welcome, ", DashboardState.my_name, size="8", as_="h1"),
        rx.grid(
            _stat("Karma available", DashboardState.karma, "wallet"),
            _stat("Connections", DashboardState.connections, "users"),
            _stat("Can help you", DashboardState.can_help_me_count, "hand-helping"),
            _stat("You could help", DashboardState.i_can_help_count, "gift"),
            columns=rx.breakpoints(initial="1", sm="2", md="4"),
            spacing="4",
            width="100%",
        ),
        _strength_card(),
        _waiting_section(),
        _calls_section(),
        _nudges_section(),
        _requests_section(),
        _match_section(
            "People who can help with your needs",
            "Their expertise matches what you are looking for.",
            DashboardState.can_help_me,
            "Add what you need to your profile to see who can help.",
        ),
        _match_section(
            "People you could help",
            "They need what you can give.",
            DashboardState.i_can_help,
            "Add your expertise to see who needs it.",
        ),
    )
