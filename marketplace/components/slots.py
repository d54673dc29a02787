"""Times to pick: one chip per free time, grouped under its day, for the
slot picker on a listing and the call card on an engagement. Each is a
real labelled radio (one time) or checkbox (times to propose), so a screen
reader and a browser test find it by its full label ("Tue 8 Dec, 14:00
CET") while the chip shows the time alone."""

from __future__ import annotations

import reflex as rx

CHIP = {
    "display": "inline-flex",
    "alignItems": "center",
    "gap": "0.35rem",
    "padding": "0.3rem 0.6rem",
    "border": "1px solid var(--gray-a7)",
    "borderRadius": "var(--radius-2)",
    "cursor": "pointer",
    "fontSize": "14px",
    "fontVariantNumeric": "tabular-nums",
}
LEGEND = "rt-Text rt-r-size-2 rt-r-weight-medium"


def time_radio(value, label, text) -> rx.Component:
    """One time to pick: every radio of a form shares the name `slot`."""
    return rx.el.label(
        rx.el.input(
            type="radio", name="slot", value=value, required=True, aria_label=label
        ),
        text,
        style=CHIP,
    )


def time_tick(value, label, text) -> rx.Component:
    """One of my times to propose: `slot:<value>`, up to three ticked."""
    return rx.el.label(
        rx.el.input(type="checkbox", name="slot:" + value, aria_label=label),
        text,
        style=CHIP,
    )


def times_group(legend, times, chip) -> rx.Component:
    """A day's (or a proposal's) times under their legend: `chip` draws one."""
    return rx.el.fieldset(
        rx.el.legend(legend, class_name=LEGEND),
        rx.flex(
            rx.foreach(times, chip),
            wrap="wrap",
            spacing="2",
            padding_top="0.35rem",
        ),
        style={"border": "none", "padding": "0", "margin": "0"},
    )
