"""Radix Themes' look, drawn as plain elements: for what a page repeats,
the frame every page draws, and form fields.

A market page draws twenty listing cards of about thirty elements each. As
Radix Themes components every element is a React component that sorts its
props into class names (Radix's extract-props) and, with any style prop, an
Emotion wrapper that serializes its CSS on every render: drawing the list took
~100 ms of the page's main thread after its data arrived (benchmarks/README.md,
"Pages"). These helpers write the same elements with the same Radix class
names (the stylesheet already holds them), and Tailwind utilities for the
rest, so the browser gets the same page for a fraction of the script.
Interactive widgets with behaviour of their own (menus, dialogs, popovers)
stay Radix components.

Breakpoints: Reflex's and Radix's `sm` is 48em, Tailwind's `md` (48rem).

`link` is React Router's link (client-side navigation, as rx.link's) with
Radix Link's classes; rx.link adds an Emotion hover colour to every link.
"""

from __future__ import annotations

import reflex as rx
from reflex.components.react_router.dom import ReactRouterLink

# Radix Themes' flex class for rx.hstack's justify="between"
_JUSTIFY = {"between": "space-between"}
# Anything a member typed may be one unbroken 300-character word, which a
# browser will not wrap: it once pushed every member's market list off-screen.
# The page's main column and members' words wrap anywhere; overflow-wrap also
# lowers the text's minimum width, so flex and grid columns holding it can
# shrink to the screen (with min-w-0). Cut text carries its whole in a tooltip.
CUT_TEXT = "wrap-anywhere min-w-0"


def _join(*names: str | None) -> str:
    return " ".join(n for n in names if n)


def _accent(color) -> dict:
    """Radix reads a component's color from `data-accent-color`."""
    return {"data-accent-color": color} if color is not None else {}


def stack(
    *children,
    direction: str = "column",
    gap: str = "3",
    align: str = "start",
    justify: str | None = None,
    wrap: bool = False,
    class_name: str = "",
    **props,
) -> rx.Component:
    """A Radix `Flex` (what rx.vstack / rx.hstack draw) as a plain div; the
    same default gap as theirs."""
    return rx.el.div(
        *children,
        class_name=_join(
            "rt-Flex",
            f"rt-r-fd-{direction}",
            f"rt-r-ai-{align}",
            justify and f"rt-r-jc-{_JUSTIFY.get(justify, justify)}",
            wrap and "rt-r-fw-wrap",
            f"rt-r-gap-{gap}",
            class_name,
        ),
        **props,
    )


def text(
    *children,
    size: str | None = "2",
    weight: str | None = None,
    color=None,
    as_: str = "p",
    high_contrast: bool = False,
    trim: str | None = None,
    class_name: str = "",
    **props,
) -> rx.Component:
    """A Radix `Text`: size and weight as its classes, color as its accent
    (`size=None`: the size it sits in)."""
    names = _join(
        "rt-Text",
        size and f"rt-r-size-{size}",
        weight and f"rt-r-weight-{weight}",
        high_contrast and "rt-high-contrast",
        trim and f"rt-r-lt-{trim}",
        class_name,
    )
    element = getattr(rx.el, as_)
    return element(*children, class_name=names, custom_attrs=_accent(color), **props)


def link(
    *children,
    href,
    size: str | None = None,
    weight: str | None = None,
    underline: str = "auto",
    inherit: bool = False,
    color: str = "",
    high_contrast: bool = False,
    class_name: str = "",
    **props,
) -> rx.Component:
    """A Radix `Link` to a page of the app, with rx.link's hover colour;
    `inherit`: the colour of the text around it until hovered."""
    return ReactRouterLink.create(
        *children,
        to=href,
        class_name=_join(
            "rt-Text rt-reset rt-Link",
            size and f"rt-r-size-{size}",
            weight and f"rt-r-weight-{weight}",
            f"rt-underline-{underline}",
            high_contrast and "rt-high-contrast",
            inherit and "text-inherit",
            "hover:text-[var(--accent-8)]",
            class_name,
        ),
        custom_attrs={"data-accent-color": color},
        **props,
    )


def heading(value, *, size: str = "4", as_: str = "h3", lines: int = 2, **props):
    """A member's title as a Radix `Heading`, cut after `lines` lines with "…"
    and whole in its tooltip."""
    element = getattr(rx.el, as_)
    return element(
        value,
        title=value,
        class_name=_join(
            f"rt-Heading rt-r-size-{size}", f"line-clamp-{lines}", CUT_TEXT
        ),
        **props,
    )


def badge(
    *children,
    color="gray",
    size: str = "1",
    variant: str = "soft",
    round_: bool = False,
    **props,
) -> rx.Component:
    """A Radix `Badge` (`round_`: radius "full")."""
    attrs = _accent(color) | ({"data-radius": "full"} if round_ else {})
    return rx.el.span(
        *children,
        class_name=f"rt-reset rt-Badge rt-r-size-{size} rt-variant-{variant}",
        custom_attrs=attrs,
        **props,
    )


def button(
    *children, size: str = "2", variant: str = "solid", color=None, **props
) -> rx.Component:
    """A Radix `Button` as a plain button: the same look, focus ring and
    states (they are its stylesheet's), with `on_click` and an aria-label as
    any button."""
    return rx.el.button(
        *children,
        type="button",
        class_name=f"rt-reset rt-BaseButton rt-r-size-{size} rt-variant-{variant} "
        "rt-Button",
        custom_attrs=_accent(color),
        **props,
    )


def avatar(initials, *, size: str = "3") -> rx.Component:
    """A Radix `Avatar` showing initials (no picture), round."""
    letters = rx.cond(initials.length() > 1, "rt-two-letters", "rt-one-letter")
    return rx.el.span(
        rx.el.span(initials, class_name="rt-AvatarFallback " + letters),
        class_name=f"rt-reset rt-AvatarRoot rt-r-size-{size} rt-variant-soft",
        custom_attrs={"data-radius": "full"},
        aria_hidden="true",
    )


def card(*children, size: str = "1", class_name: str = "", **props) -> rx.Component:
    """A Radix `Card` (surface)."""
    return rx.el.div(
        *children,
        class_name=_join(
            f"rt-reset rt-BaseCard rt-Card rt-r-size-{size} rt-variant-surface",
            class_name,
        ),
        **props,
    )


def spacer() -> rx.Component:
    """rx.spacer: takes the free space of its row or column."""
    return rx.el.div(class_name="flex-1 self-stretch")
