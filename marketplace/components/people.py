"""How a person looks in lists: a card with name, headline and tags."""

import reflex as rx

from marketplace import routes
from marketplace.components import plain


def tag_badges(tags, color: str = "indigo") -> rx.Component:
    return plain.stack(
        rx.foreach(
            tags,
            lambda t: plain.badge(t, color=color, size="2", round_=True),
        ),
        direction="row",
        wrap=True,
        gap="2",
    )


def person_card(card) -> rx.Component:
    """`card` is a PersonCard Var: name, headline, location, tags, shared tags.
    Plain elements (components/plain.py): lists repeat it."""
    return plain.link(
        plain.card(
            plain.stack(
                plain.stack(
                    plain.avatar(card.display_name.to(str)[:1]),
                    plain.stack(
                        plain.text(
                            card.display_name,
                            weight="bold",
                            size="3",
                            high_contrast=True,
                        ),
                        plain.text(card.headline, color="gray", trim="both"),
                        gap="0",
                        class_name="min-w-0",
                    ),
                    direction="row",
                    align="center",
                    gap="3",
                ),
                rx.cond(
                    card.shared.length() > 0,
                    plain.text(
                        card.shared_label,
                        ": ",
                        rx.el.strong(card.shared.join(", "), class_name="rt-Strong"),
                        size="1",
                        color="green",
                    ),
                    plain.text(card.location, size="1", color="gray"),
                ),
                tag_badges(card.tags, "gray"),
                gap="3",
            ),
            size="2",
            class_name="w-full h-full",
        ),
        href=routes.PEOPLE + "/" + card.handle,
        underline="none",
        aria_label="View profile of " + card.display_name,
        class_name="w-full",
    )


def people_grid(cards) -> rx.Component:
    return rx.grid(
        rx.foreach(cards, person_card),
        columns=rx.breakpoints(initial="1", sm="2", md="3"),
        spacing="4",
        width="100%",
    )


def verified_at(domain) -> rx.Component:
    """The badge of a verified work address: "Verified at acme.com". Only
    the domain, never the address; a long domain wraps."""
    return rx.badge(
        rx.icon("badge-check", size=14),
        rx.text("Verified at ", domain),
        color_scheme="blue",
        size="2",
        white_space="normal",
        overflow_wrap="anywhere",
        text_align="left",
    )
