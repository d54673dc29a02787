"""When I take calls, at /settings/availability: weekly hours, rules, days
off, and a private calendar link."""

from __future__ import annotations

from zoneinfo import available_timezones

import reflex as rx

from marketplace import routes
from marketplace.components.forms import SELECT_STYLE, field, form_error
from marketplace.components.layout import page, section_card
from marketplace.domain.scheduling import (
    MAX_BUFFER,
    MAX_CANCEL_FREE_HOURS,
    MAX_HORIZON_DAYS,
    MAX_NOTICE_HOURS,
)
from marketplace.states.availability import AvailabilityState

ZONES = sorted(available_timezones() | {"UTC"})
LABEL = "rt-Text rt-r-size-2 rt-r-weight-medium"
TIME_STYLE = {**SELECT_STYLE, "width": "8.25rem", "padding": "0.45rem 0.5rem"}


def _time(label, name, value) -> rx.Component:
    """A labelled quarter-hour time input (the label is visible and tied to it)."""
    return rx.vstack(
        rx.el.label(label, html_for=name, class_name="rt-Text rt-r-size-1"),
        rx.el.input(
            type="time",
            step="900",
            id=name,
            name=name,
            default_value=value,
            class_name="rt-reset",
            style=TIME_STYLE,
        ),
        spacing="1",
    )


def _day(day) -> rx.Component:
    key = day.weekday.to_string()
    on = "on-" + key
    return rx.flex(
        rx.el.label(
            rx.hstack(
                rx.checkbox(name=on, id=on, default_checked=day.on),
                rx.text("Take calls on " + day.name, size="2", weight="medium"),
                spacing="2",
                align="center",
            ),
            html_for=on,
            style={"flex": "0 0 10.5rem", "paddingBottom": "0.55rem"},
        ),
        rx.hstack(
            _time(day.name + " from", "start-" + key + "-1", day.start1),
            _time(day.name + " until", "end-" + key + "-1", day.end1),
            spacing="2",
        ),
        rx.hstack(
            _time("Second window from", "start-" + key + "-2", day.start2),
            _time("Second window until", "end-" + key + "-2", day.end2),
            spacing="2",
        ),
        gap="3",
        wrap="wrap",
        align="end",
        width="100%",
        padding_y="0.75rem",
        border_bottom="1px solid var(--gray-a4)",
    )


def _zone_select() -> rx.Component:
    return rx.vstack(
        rx.el.label("Time zone of these hours", html_for="timezone", class_name=LABEL),
        rx.el.select(
            *[rx.el.option(zone, value=zone) for zone in ZONES],
            id="timezone",
            name="timezone",
            default_value=AvailabilityState.timezone,
            class_name="rt-reset",
            style={**SELECT_STYLE, "maxWidth": "22rem"},
        ),
        rx.text(
            "Your hours stay the same local times across daylight-saving changes.",
            size="1",
            color_scheme="gray",
        ),
        spacing="1",
        width="100%",
    )


def _number(label: str, name: str, high: int, hint: str) -> rx.Component:
    return field(
        label,
        name,
        type="number",
        default_value=AvailabilityState.numbers.get(name, ""),
        hint=f"{hint} (0–{high}).",
    )


def _rules() -> rx.Component:
    return rx.grid(
        _number(
            "Buffer between calls (minutes)",
            "buffer_minutes",
            MAX_BUFFER,
            "Free time kept around every call",
        ),
        _number(
            "Minimum notice (hours)",
            "min_notice_hours",
            MAX_NOTICE_HOURS,
            "How soon a call may be booked",
        ),
        _number(
            "How far ahead (days)",
            "horizon_days",
            MAX_HORIZON_DAYS,
            "The furthest day people can book",
        ),
        _number(
            "Free cancellation until (hours before)",
            "cancel_free_hours",
            MAX_CANCEL_FREE_HOURS,
            "After that, a cancel by the asker pays you",
        ),
        columns=rx.breakpoints(initial="1", sm="2"),
        spacing="4",
        width="100%",
    )


def _blocked_row(day) -> rx.Component:
    return rx.hstack(
        rx.text(day, size="2"),
        rx.button(
            "Remove",
            type="button",
            size="1",
            variant="soft",
            color_scheme="gray",
            aria_label="Unblock " + day,
            on_click=AvailabilityState.unblock_day(day),
        ),
        align="center",
        spacing="3",
    )


def _blocked_days() -> rx.Component:
    return rx.vstack(
        rx.heading("Days off", size="3", as_="h3"),
        rx.hstack(
            rx.vstack(
                rx.el.label("Date to block", html_for="new_block", class_name=LABEL),
                rx.el.input(
                    type="date",
                    id="new_block",
                    name="new_block",
                    value=AvailabilityState.new_block,
                    on_change=AvailabilityState.set_new_block,
                    class_name="rt-reset",
                    style={**SELECT_STYLE, "width": "12rem"},
                ),
                spacing="1",
            ),
            rx.button(
                "Block this day",
                type="button",
                variant="soft",
                on_click=AvailabilityState.block_day,
            ),
            align="end",
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(
            AvailabilityState.blocked.length() > 0,
            rx.vstack(rx.foreach(AvailabilityState.blocked, _blocked_row), spacing="2"),
            rx.text("No days off blocked.", size="2", color_scheme="gray"),
        ),
        rx.text(
            "Days off are kept when you save your hours.",
            size="1",
            color_scheme="gray",
        ),
        spacing="3",
        width="100%",
    )


def _hours_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _zone_select(),
            rx.heading("Weekly hours", size="3", as_="h3"),
            rx.text(
                "Tick the days you take calls and give their hours; a second "
                "window is optional (say 09:00–12:00 and 14:00–17:00).",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                rx.foreach(AvailabilityState.days, _day), spacing="0", width="100%"
            ),
            rx.heading("Rules", size="3", as_="h3"),
            _rules(),
            field(
                "Meeting link",
                "meeting_link",
                default_value=AvailabilityState.meeting_link,
                placeholder="https://meet.example.com/you or +49 30 1234567",
                max_length=300,
                hint="A video link of your choice or a phone number; people "
                "see it once you accept their call.",
            ),
            _blocked_days(),
            form_error(AvailabilityState.form_error),
            rx.hstack(
                rx.button("Save my hours", type="submit", size="3"),
                justify="end",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=AvailabilityState.save,
        key=AvailabilityState.form_version.to_string(),
        width="100%",
    )


def _preview() -> rx.Component:
    return rx.cond(
        AvailabilityState.summary != "",
        rx.callout(
            rx.vstack(
                rx.text("Your hours: ", AvailabilityState.summary, weight="medium"),
                rx.cond(
                    AvailabilityState.preview.length() > 0,
                    rx.text(
                        "People see times like: ",
                        AvailabilityState.preview.join(" · "),
                    ),
                    rx.text(
                        "No free 30-minute times in your horizon: add hours "
                        "or look at your days off."
                    ),
                ),
                spacing="1",
            ),
            icon="calendar",
            width="100%",
        ),
        rx.callout(
            "You haven't set your hours yet: people can't book a call with "
            "you until you do.",
            icon="info",
            color_scheme="amber",
            width="100%",
        ),
    )


def _feed() -> rx.Component:
    return section_card(
        "Calendar link",
        rx.text(
            "Subscribe in Google, Apple or Outlook Calendar to see your booked "
            "calls there.",
            size="2",
        ),
        rx.cond(
            AvailabilityState.feed_link != "",
            rx.vstack(
                rx.el.label(
                    "Your private calendar link", html_for="feed_link", class_name=LABEL
                ),
                rx.hstack(
                    rx.input(
                        id="feed_link",
                        value=AvailabilityState.feed_link,
                        read_only=True,
                        width="100%",
                        size="3",
                    ),
                    rx.button(
                        "Copy link",
                        type="button",
                        on_click=AvailabilityState.copy_feed_link,
                    ),
                    width="100%",
                    align="center",
                ),
                rx.callout(
                    "Anyone with this link sees your calls. It is shown only "
                    "now: copy it into your calendar app. Lost it? Make a new one.",
                    icon="triangle_alert",
                    color_scheme="amber",
                    width="100%",
                ),
                spacing="2",
                width="100%",
            ),
        ),
        form_error(AvailabilityState.feed_error),
        rx.hstack(
            rx.button(
                rx.cond(
                    AvailabilityState.feed_on,
                    "Make a new private calendar link",
                    "Create a private calendar link",
                ),
                type="button",
                on_click=AvailabilityState.make_feed_link,
            ),
            rx.cond(
                AvailabilityState.feed_on,
                rx.button(
                    "Revoke link",
                    type="button",
                    variant="soft",
                    color_scheme="red",
                    on_click=AvailabilityState.revoke_feed_link,
                ),
            ),
            spacing="3",
            wrap="wrap",
        ),
        rx.cond(
            AvailabilityState.feed_on & (AvailabilityState.feed_link == ""),
            rx.text(
                "You have a calendar link. A new one replaces it.",
                size="1",
                color_scheme="gray",
            ),
        ),
    )


def availability_page() -> rx.Component:
    return page(
        rx.heading("When I take calls", size="7", as_="h1"),
        rx.text(
            "Offers with a call length show your next free times, in each "
            "visitor's own time zone. Calls already booked stay booked when "
            "you change your hours. ",
            rx.link("Post a call offer", href=routes.LISTING_NEW),
            ".",
            color_scheme="gray",
        ),
        _preview(),
        rx.card(_hours_form(), size="3", width="100%"),
        _feed(),
        width="900px",
    )
