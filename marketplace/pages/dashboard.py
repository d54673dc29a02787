"""The dashboard: a member's figures, what waits for them, and suggestions.

A module of its own: Reflex compiles the memoized parts of every page whose
function lives in one module into one JavaScript file
(`.web/app_components/marketplace/pages/<module>.jsx`), which each of those
pages imports whole. Beside the profile page (people.py), the dashboard loaded
the profile's chart library (recharts, about 107 KB gzipped) without drawing a
chart (benchmarks/pages.py).
"""

import reflex as rx

from marketplace import routes
from marketplace.components import plain
from marketplace.components.buttons import link_button
from marketplace.components.layout import page
from marketplace.components.market import ENGAGEMENT_COLORS, listing_card
from marketplace.components.people import people_grid
from marketplace.states.people import DashboardState


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
    return plain.card(
        plain.stack(
            rx.el.div(
                rx.icon(icon, size=20),
                class_name="rt-Flex rt-r-ai-center rt-r-jc-center size-10 "
                "rounded-[10px] bg-[var(--accent-3)] text-[var(--accent-11)]",
            ),
            plain.stack(
                plain.text(label, color="gray"),
                plain.text(value, size="6", weight="bold"),
                gap="0",
            ),
            direction="row",
            align="center",
        ),
        size="3",
        class_name="w-full",
    )


def _waiting_row(item) -> rx.Component:
    return plain.stack(
        plain.link(
            item.title, href="/engagements/" + item.id.to_string(), weight="medium"
        ),
        plain.text("with ", item.other_name, color="gray"),
        plain.spacer(),
        plain.badge(
            item.status_label,
            color=rx.match(item.status, *ENGAGEMENT_COLORS, "gray"),
        ),
        direction="row",
        align="center",
        wrap=True,
        class_name="w-full",
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
    return plain.stack(
        rx.icon("calendar", size=16, aria_hidden="true"),
        plain.text(item.call_time, weight="medium"),
        plain.link(item.title, href="/engagements/" + item.id.to_string(), size="2"),
        plain.text("with ", item.other_name, color="gray"),
        direction="row",
        align="center",
        wrap=True,
        class_name="w-full",
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
        plain.button(
            "Offer to help",
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
    """A suggestion card; plain elements (components/plain.py), as the feed
    repeats it."""
    return plain.card(
        plain.stack(
            plain.stack(
                plain.badge(
                    n.kind_label, color=rx.match(n.kind, *NUDGE_COLORS, "amber")
                ),
                rx.cond(
                    n.strong,
                    plain.badge("Strong fit", color="grass", variant="solid"),
                ),
                direction="row",
                gap="2",
            ),
            plain.text(n.text, size=None, weight="medium"),
            plain.text(n.reason, color="gray"),
            plain.spacer(),
            plain.stack(
                _nudge_action(n),
                plain.button(
                    "Not now",
                    size="1",
                    variant="ghost",
                    color="gray",
                    on_click=DashboardState.snooze(n.key),
                    aria_label="Not now: " + n.text,
                ),
                plain.button(
                    "Dismiss",
                    size="1",
                    variant="ghost",
                    color="gray",
                    on_click=DashboardState.dismiss(n.key),
                    aria_label="Dismiss: " + n.text,
                ),
                direction="row",
                align="center",
                wrap=True,
                gap="2",
            ),
            class_name="h-full",
            gap="2",
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
