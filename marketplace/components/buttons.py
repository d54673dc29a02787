"""A link that looks like a button: one interactive element, announced as a link."""

import reflex as rx


def link_button(text, href: str, **props) -> rx.Component:
    return rx.button(
        rx.link(text, href=href, underline="none", color="inherit"),
        as_child=True,
        **props,
    )
