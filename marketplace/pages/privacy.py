"""Privacy at /settings/privacy: a labelled choice per part of the profile,
who may send me requests, hide me from search, and "view my profile as...",
which draws the very components of the public profile from the same
filtered values."""

import reflex as rx

from marketplace.components.layout import page
from marketplace.components.profile import profile_parts, profile_reviews, profile_top
from marketplace.domain.privacy import LEVEL_LABELS, REQUEST_LABELS
from marketplace.states.privacy import PREVIEWS, PrivacyState

SELECT_STYLE = {
    "padding": "0.4rem 0.6rem",
    "border_radius": "var(--radius-2)",
    "border": "1px solid var(--gray-7)",
    "background": "var(--color-panel-solid)",
    "color": "var(--gray-12)",
    "min_width": "15rem",
}


def _choice(row, labels: dict[str, str]) -> rx.Component:
    field_id = "privacy-" + row.name
    return rx.flex(
        rx.el.label(row.label, html_for=field_id, style={"flex": "1 1 16rem"}),
        rx.el.select(
            *[rx.el.option(text, value=value) for value, text in labels.items()],
            id=field_id,
            value=row.choice,
            on_change=lambda value: PrivacyState.choose(row.name, value),
            style=SELECT_STYLE,
        ),
        align="center",
        gap="2",
        wrap="wrap",
        width="100%",
        padding_y="0.5rem",
        border_bottom="1px solid var(--gray-4)",
    )


def _settings() -> rx.Component:
    return rx.grid(
        rx.card(
            rx.vstack(
                rx.heading("Who sees each part of my profile", size="4", as_="h2"),
                rx.foreach(PrivacyState.parts, lambda r: _choice(r, LEVEL_LABELS)),
                spacing="1",
                width="100%",
            ),
            size="3",
        ),
        rx.card(
            rx.vstack(
                rx.heading("Who may reach me", size="4", as_="h2"),
                rx.foreach(PrivacyState.requests, lambda r: _choice(r, REQUEST_LABELS)),
                rx.box(
                    rx.checkbox(
                        "Hide me from people search",
                        checked=PrivacyState.hidden_from_search,
                        on_change=PrivacyState.hide_me,
                        size="2",
                    ),
                    rx.text(
                        "You won't appear in search, matches or who-to-ask "
                        "suggestions, except to your own connections.",
                        size="1",
                        color_scheme="gray",
                    ),
                    padding_y="0.75rem",
                ),
                spacing="1",
                width="100%",
            ),
            size="3",
        ),
        columns="1",
        spacing="4",
        width="100%",
        max_width="760px",
    )


def _preview_buttons() -> rx.Component:
    return rx.hstack(
        *[
            rx.button(
                label,
                size="2",
                variant=rx.cond(PrivacyState.preview_as == key, "solid", "soft"),
                aria_pressed=rx.cond(PrivacyState.preview_as == key, "true", "false"),
                on_click=PrivacyState.preview(key),
            )
            for key, label in PREVIEWS.items()
        ],
        role="group",
        aria_label="View my profile as",
        wrap="wrap",
        spacing="2",
    )


def _preview() -> rx.Component:
    state = PrivacyState
    return rx.vstack(
        rx.heading("View my profile as…", size="5", as_="h2"),
        _preview_buttons(),
        rx.text(
            "This is your profile as ",
            rx.text.strong(state.profile.degree_label),
            " sees it.",
            size="2",
            color_scheme="gray",
        ),
        rx.box(
            rx.vstack(
                profile_top(state.profile, rx.fragment(), heading="h3"),
                profile_parts(
                    state.profile,
                    state.karma,
                    state.connection_list,
                    state.help_by_month,
                    state.help_given,
                    state.help_received,
                ),
                profile_reviews(
                    state.profile, state.reputation, state.reviews_received
                ),
                spacing="5",
                width="100%",
            ),
            role="region",
            aria_label="Profile preview",
            padding="1rem",
            border="2px dashed var(--gray-6)",
            border_radius="var(--radius-4)",
            width="100%",
        ),
        spacing="3",
        width="100%",
    )


def privacy_page() -> rx.Component:
    return page(
        rx.heading("Privacy", size="8", as_="h1"),
        rx.text(
            "Choose who sees each part of your profile: everyone, people "
            "within two steps of you, your connections, or only you. ",
            rx.link("Your public profile", href=PrivacyState.my_profile_url),
            " follows these choices at once.",
            color_scheme="gray",
        ),
        _settings(),
        _preview(),
    )
