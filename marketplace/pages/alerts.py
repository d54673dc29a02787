"""Email alert settings at /settings/alerts: one choice per kind of event."""

import reflex as rx

from marketplace import routes
from marketplace.components.layout import page
from marketplace.inbox.alerts import CHOICE_LABELS, CHOICES
from marketplace.states.alerts import AlertsState


def _choice(row) -> rx.Component:
    field_id = "alert-" + row.kind
    return rx.flex(
        rx.el.label(row.label, html_for=field_id, style={"flex": "1 1 16rem"}),
        rx.el.select(
            *[rx.el.option(CHOICE_LABELS[choice], value=choice) for choice in CHOICES],
            id=field_id,
            value=row.choice,
            on_change=lambda value: AlertsState.choose(row.kind, value),
            style={
                "padding": "0.4rem 0.6rem",
                "border_radius": "var(--radius-2)",
                "border": "1px solid var(--gray-7)",
                "background": "var(--color-panel-solid)",
                "color": "var(--gray-12)",
                "min_width": "11rem",
            },
        ),
        align="center",
        gap="2",
        wrap="wrap",
        width="100%",
        padding_y="0.5rem",
        border_bottom="1px solid var(--gray-4)",
    )


def alerts_page() -> rx.Component:
    return page(
        rx.heading("Email alerts", size="7", as_="h1"),
        rx.text(
            "Choose, for each kind of event, whether we email you at once, "
            "gather it into your daily digest, or never email you about it. "
            "Your inbox always shows everything.",
            color_scheme="gray",
        ),
        rx.card(
            rx.vstack(rx.foreach(AlertsState.rows, _choice), spacing="0", width="100%"),
            size="3",
            width="100%",
        ),
        rx.cond(
            ~AlertsState.digest_on,
            rx.callout(
                rx.fragment(
                    "The daily digest is off, so “Daily digest” sends nothing. ",
                    rx.link("Turn it on in Edit profile", href=routes.PROFILE_EDIT),
                    ".",
                ),
                icon="info",
                width="100%",
            ),
        ),
        width="720px",
    )
