"""Pieces of the network page: the ego-network picture."""

import reflex as rx


def ego_picture(markup) -> rx.Component:
    """An SVG of me, my connections (closer = warmer, thicker line = warmer)
    and a few people beyond them; each dot links to the person's profile.
    The server writes the SVG, escaped (graph_views.ego_svg)."""
    return rx.el.figure(
        rx.html(markup, class_name="w-full"),
        rx.el.figcaption(
            rx.hstack(
                _legend("var(--accent-9)", "You"),
                _legend("var(--grass-9)", "Your connections (closer is warmer)"),
                _legend("var(--gray-8)", "Two steps away"),
                spacing="4",
                wrap="wrap",
                justify="center",
            ),
        ),
        margin="0",
        width="100%",
    )


def _legend(color: str, text: str) -> rx.Component:
    return rx.hstack(
        rx.box(width="10px", height="10px", border_radius="50%", background=color),
        rx.text(text, size="1", color_scheme="gray"),
        align="center",
        spacing="1",
    )
