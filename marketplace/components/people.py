"""How a person looks in lists: a card with name, headline and tags."""

import reflex as rx

from marketplace import routes


def tag_badges(tags, color: str = "indigo") -> rx.Component:
    return rx.flex(
        rx.foreach(
            tags,
            lambda t: rx.badge(
                t, color_scheme=color, variant="soft", radius="full", size="2"
            ),
        ),
        wrap="wrap",
        spacing="2",
    )


def person_card(card) -> rx.Component:
    """`card` is a PersonCard Var: name, headline, location, tags, shared tags."""
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.avatar(
                        fallback=card.display_name.to(str)[:1], size="3", radius="full"
                    ),
                    rx.vstack(
                        rx.text(
                            card.display_name,
                            weight="bold",
                            size="3",
                            high_contrast=True,
                        ),
                        rx.text(
                            card.headline, size="2", color_scheme="gray", trim="both"
                        ),
                        spacing="0",
                        min_width="0",
                    ),
                    spacing="3",
                    align="center",
                ),
                rx.cond(
                    card.shared.length() > 0,
                    rx.text(
                        card.shared_label,
                        ": ",
                        rx.text.strong(card.shared.join(", ")),
                        size="1",
                        color_scheme="green",
                    ),
                    rx.text(card.location, size="1", color_scheme="gray"),
                ),
                tag_badges(card.tags, "gray"),
                spacing="3",
                align="start",
            ),
            size="2",
            width="100%",
            height="100%",
        ),
        href=routes.PEOPLE + "/" + card.handle,
        underline="none",
        aria_label="View profile of " + card.display_name,
        width="100%",
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
