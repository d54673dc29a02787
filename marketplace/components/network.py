"""Pieces of the network page: the ego-network picture and warmth badges."""

import reflex as rx

from marketplace.domain.ego import VIEWBOX

WARMTH_COLORS = {"Warm": "grass", "Steady": "amber", "Cool": "gray"}


def ego_picture(nodes, edges, caption: str) -> rx.Component:
    """An SVG of me, my connections (closer = warmer, thicker line = warmer)
    and a few people beyond them; each dot links to the person's profile."""
    svg = rx.el.svg
    return rx.el.figure(
        svg(
            rx.foreach(
                edges,
                lambda e: svg.line(
                    x1=e.x1,
                    y1=e.y1,
                    x2=e.x2,
                    y2=e.y2,
                    stroke="var(--gray-9)",
                    stroke_width=e.width,
                    stroke_opacity=e.opacity,
                ),
            ),
            rx.foreach(
                nodes,
                lambda n: svg.a(
                    svg.title(n.title),
                    svg.circle(cx=n.x, cy=n.y, r=n.r, fill=n.fill),
                    svg.text(
                        n.label,
                        x=n.x,
                        y=n.label_y,
                        text_anchor="middle",
                        font_size=rx.cond(n.degree == 2, "10", "12"),
                        fill="var(--gray-12)",
                    ),
                    href="/people/" + n.handle,
                    aria_label=n.title,
                ),
            ),
            view_box=VIEWBOX,
            role="group",  # not "img": its dots are links to each person
            aria_label=caption,
            width="100%",
            style={"maxWidth": "480px", "display": "block", "margin": "0 auto"},
        ),
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


def warmth_badge(label, strength) -> rx.Component:
    return rx.badge(
        label,
        " · ",
        strength,
        "%",
        color_scheme=rx.match(label, ("Warm", "grass"), ("Steady", "amber"), "gray"),
        variant="soft",
    )
