"""Given-and-received bar charts drawn with plain boxes.

The network page showed these with recharts, which brought 107 KB of
compressed JavaScript and 150-300 ms of main-thread work to a page whose
charts sit at its bottom (benchmarks/README.md, "Pages"). Two series of
whole numbers need no chart library: each bar is a box whose height (or
width) is its share of the largest value, worked out on the server
(`domain.motivation.bar_rows`). Every group carries its numbers as a label, so a screen
reader reads "March: given 3, received 1" where a sighted member sees bars.
"""

import reflex as rx

GIVEN_COLOR = "var(--grass-9)"
RECEIVED_COLOR = "var(--indigo-9)"


def legend() -> rx.Component:
    return rx.hstack(
        _swatch(GIVEN_COLOR, "Given"),
        _swatch(RECEIVED_COLOR, "Received"),
        spacing="4",
        justify="center",
        width="100%",
        aria_hidden="true",  # each group's label already says which is which
    )


def _swatch(color: str, name: str) -> rx.Component:
    return rx.hstack(
        rx.box(width="12px", height="12px", background=color, border_radius="3px"),
        rx.text(name, size="1", color_scheme="gray"),
        spacing="1",
        align="center",
    )


def _bar(length, color: str, vertical: bool) -> rx.Component:
    size = {"height": length, "width": "40%"} if vertical else {"width": length}
    return rx.box(
        background=color,
        border_radius="4px 4px 0 0" if vertical else "0 4px 4px 0",
        min_height="0" if vertical else "8px",
        **size,
    )


def _described(row) -> dict:
    """A group's bars as one image for screen readers, its numbers the name
    (and a tooltip for the pointer)."""
    return {"role": "img", "aria_label": row.summary, "title": row.summary}


def month_bars(rows) -> rx.Component:
    """Columns of two bars, one per month, from `bar_rows`."""
    return rx.vstack(
        rx.hstack(
            rx.foreach(rows, _month_column),
            align="end",
            spacing="1",
            width="100%",
            height="190px",
            padding_top="8px",
            border_bottom="1px solid var(--gray-6)",
        ),
        legend(),
        spacing="2",
        width="100%",
    )


def _month_column(row) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _bar(row.given_share, GIVEN_COLOR, vertical=True),
            _bar(row.received_share, RECEIVED_COLOR, vertical=True),
            align="end",
            justify="center",
            spacing="0",
            gap="2px",
            width="100%",
            height="160px",
        ),
        rx.text(
            row.label, size="1", color_scheme="gray", trim="both", white_space="nowrap"
        ),
        **_described(row),
        align="center",
        spacing="1",
        flex="1",
        min_width="0",
    )


def topic_bars(rows) -> rx.Component:
    """One row per topic with its two bars side by side, from
    `bar_rows`."""
    return rx.vstack(
        rx.foreach(rows, _topic_row),
        legend(),
        spacing="2",
        width="100%",
    )


def _topic_row(row) -> rx.Component:
    return rx.hstack(
        rx.text(row.label, size="1", width="120px", flex_shrink="0", truncate=True),
        rx.vstack(
            _bar(row.given_share, GIVEN_COLOR, vertical=False),
            _bar(row.received_share, RECEIVED_COLOR, vertical=False),
            spacing="1",
            flex="1",
        ),
        rx.text(
            row.given,
            " / ",
            row.received,
            size="1",
            color_scheme="gray",
            width="44px",
            align="right",
        ),
        **_described(row),
        align="center",
        spacing="2",
        width="100%",
    )
