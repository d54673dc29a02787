"""The wallet's "Cards" section: saved cards, and Stripe's field to add one.

The card field is an empty box that Stripe.js fills (states/stripe_js.py):
it stays in the page, shown or hidden, so React never replaces what Stripe
put in it. `?next=/engagements/N` on the wallet's URL adds a way back once a
card is saved (an engagement waiting for the payer's card sends them here).
"""

from __future__ import annotations

import reflex as rx

from marketplace.components.forms import form_error
from marketplace.states import stripe_js
from marketplace.states.cards import CARD_FIELD_ID, CardsState

FIELD_LABEL_ID = "card-field-label"
# Stripe's own field is an iframe; localstripe's stand-in is five plain
# inputs: both get a box that looks like the app's other inputs.
CARD_FIELD_STYLE = {
    "border": "1px solid var(--gray-a7)",
    "border_radius": "var(--radius-2)",
    "padding": "0.5rem 0.75rem",
    "background": "var(--color-surface)",
    "min_height": "2.75rem",
    "width": "100%",
    "display": "flex",
    "flex_wrap": "wrap",
    "align_items": "center",
    "gap": "0.5rem",
    "font_size": "var(--font-size-2)",
    "color": "var(--gray-11)",
    "& input": {
        "border": "1px solid var(--gray-a6)",
        "border_radius": "var(--radius-1)",
        "padding": "0.3rem 0.45rem",
        "font": "inherit",
        "color": "var(--gray-12)",
        "background": "var(--color-background)",
        "flex": "1 1 4.5rem",
        "width": "4.5rem",
        "min_width": "0",
    },
    "& input[placeholder='number']": {"flex": "3 1 11rem"},
    "&:focus-within": {
        "border_color": "var(--accent-8)",
        "box_shadow": "0 0 0 1px var(--accent-8)",
    },
}


def _card_line(card) -> rx.Component:
    """One card: on a narrow screen its buttons wrap under its name."""
    return rx.flex(
        rx.hstack(
            rx.center(
                rx.icon("credit-card", size=18),
                background="var(--accent-3)",
                color="var(--accent-11)",
                border_radius="8px",
                width="36px",
                height="36px",
                flex_shrink="0",
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(card.name, weight="medium"),
                    rx.cond(
                        card.is_default,
                        rx.badge("Default", color_scheme="grass", variant="soft"),
                    ),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text("Expires ", card.expires, size="1", color_scheme="gray"),
                spacing="0",
                min_width="0",
            ),
            align="center",
            spacing="3",
            flex="1 1 14rem",
            min_width="0",
        ),
        rx.hstack(
            rx.cond(
                ~card.is_default,
                rx.button(
                    "Make default",
                    size="1",
                    variant="soft",
                    aria_label="Make " + card.name + " your default card",
                    on_click=CardsState.make_default(card.id),
                ),
            ),
            rx.button(
                "Remove",
                size="1",
                variant="soft",
                color_scheme="red",
                aria_label="Remove " + card.name,
                on_click=CardsState.remove_card(card.id),
            ),
            spacing="2",
            margin_left="auto",
        ),
        width="100%",
        align="center",
        wrap="wrap",
        gap="2",
        role="listitem",
        aria_label=card.name,
    )


def _card_list() -> rx.Component:
    return rx.cond(
        CardsState.cards.length() > 0,
        rx.vstack(
            rx.foreach(CardsState.cards, _card_line),
            role="list",
            aria_label="Saved cards",
            spacing="3",
            width="100%",
        ),
        rx.text(
            "No cards yet. Add one to book paid help: it is charged only once "
            "the help is confirmed.",
            size="2",
            color_scheme="gray",
        ),
    )


def _way_back() -> rx.Component:
    return rx.cond(
        (CardsState.next_path != "") & (CardsState.cards.length() > 0),
        rx.callout.root(
            rx.callout.icon(rx.icon("circle-check", size=16)),
            rx.callout.text(
                rx.cond(
                    CardsState.saved_name != "",
                    rx.text.span(CardsState.saved_name, " saved. "),
                ),
                rx.link(CardsState.next_label, href=CardsState.next_path),
            ),
            color_scheme="grass",
            width="100%",
        ),
    )


def _card_form() -> rx.Component:
    """Stripe's card field and the buttons around it; hidden, not removed,
    while no card is being added."""
    return rx.vstack(
        rx.text(
            "Card details",
            id=FIELD_LABEL_ID,
            size="2",
            weight="medium",
        ),
        rx.box(
            id=CARD_FIELD_ID,
            role="group",
            aria_labelledby=FIELD_LABEL_ID,
            style=CARD_FIELD_STYLE,
        ),
        rx.text(
            "Your card goes straight to Stripe, our payment provider; Karma "
            "keeps only its brand, last 4 digits and expiry. Your bank may ask "
            "you to confirm it's you.",
            size="1",
            color_scheme="gray",
        ),
        rx.hstack(
            rx.button(
                "Save card",
                size="2",
                loading=CardsState.saving,
                on_click=[
                    CardsState.saving_card,
                    stripe_js.save_card(CardsState.card_saved),
                ],
            ),
            rx.button(
                "Cancel",
                size="2",
                variant="soft",
                color_scheme="gray",
                on_click=CardsState.cancel_adding,
            ),
            spacing="2",
        ),
        display=rx.cond(CardsState.adding, "flex", "none"),
        spacing="2",
        width="100%",
        padding="var(--space-3)",
        border="1px dashed var(--gray-a6)",
        border_radius="var(--radius-3)",
    )


def cards_section() -> rx.Component:
    """Saved cards with their buttons, and the form to add one."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Cards", size="4", as_="h2"),
                rx.spacer(),
                rx.cond(
                    ~CardsState.adding,
                    rx.button(
                        rx.icon("plus", size=16),
                        "Add a card",
                        size="2",
                        variant="soft",
                        on_click=CardsState.start_adding,
                    ),
                ),
                width="100%",
                align="center",
            ),
            rx.text(
                "Cards you pay for paid help with. The default card is the one "
                "held when a helper accepts.",
                size="2",
                color_scheme="gray",
            ),
            form_error(CardsState.card_error),
            _way_back(),
            _card_list(),
            _card_form(),
            spacing="3",
            width="100%",
        ),
        id="cards",
        size="3",
        width="100%",
        on_mount=CardsState.load,
    )
