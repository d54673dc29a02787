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

from marketplace.components import plain

GIVEN_COLOR = "var(--grass-9)"
RECEIVED_COLOR = "var(--indigo-9)"


def legend() -> rx.Component:
    return plain.stack(
        _swatch(GIVEN_COLOR, "Given"),
        _swatch(RECEIVED_COLOR, "Received"),
        direction="row",
        gap="4",
        justify="center",
        class_name="w-full",
        aria_hidden="true",  # each group's label already says which is which
    )


def _swatch(color: str, name: str) -> rx.Component:
    return plain.stack(
        rx.el.div(
            class_name="size-3 rounded-[3px]",
            custom_attrs={"style": {"background": color}},
        ),
        plain.text(name, size="1", color="gray"),
        direction="row",
        gap="1",
        align="center",
    )


def _bar(length, color: str, vertical: bool) -> rx.Component:
    """A bar: its length is a Var, so an inline style (React's), not a
    generated class."""
    if vertical:
        shape, style = "w-[40%] min-h-0 rounded-t-[4px]", {"height": length}
    else:
        shape, style = "min-h-2 rounded-r-[4px]", {"width": length}
    return rx.el.div(
        class_name=shape, custom_attrs={"style": {**style, "background": color}}
    )


def _described(row) -> dict:
    """A group's bars as one image for screen readers, its numbers the name
    (and a tooltip for the pointer)."""
    return {"role": "img", "aria_label": row.summary, "title": row.summary}


def month_bars(rows) -> rx.Component:
    """Columns of two bars, one per month, from `bar_rows`."""
    return plain.stack(
        plain.stack(
            rx.foreach(rows, _month_column),
            direction="row",
            align="end",
            gap="1",
            class_name="w-full h-[190px] pt-2 border-b border-[var(--gray-6)]",
        ),
        legend(),
        class_name="w-full",
        gap="2",
    )


def _month_column(row) -> rx.Component:
    return plain.stack(
        plain.stack(
            _bar(row.given_share, GIVEN_COLOR, vertical=True),
            _bar(row.received_share, RECEIVED_COLOR, vertical=True),
            direction="row",
            align="end",
            justify="center",
            gap="0",
            class_name="gap-[2px] w-full h-[160px]",
        ),
        plain.text(
            row.label,
            size="1",
            color="gray",
            trim="both",
            class_name="whitespace-nowrap",
        ),
        **_described(row),
        align="center",
        gap="1",
        class_name="flex-1 min-w-0",
    )


def topic_bars(rows) -> rx.Component:
    """One row per topic with its two bars side by side, from
    `bar_rows`."""
    return plain.stack(
        rx.foreach(rows, _topic_row),
        legend(),
        class_name="w-full",
        gap="2",
    )


def _topic_row(row) -> rx.Component:
    return plain.stack(
        plain.text(row.label, size="1", class_name="w-[120px] shrink-0 truncate"),
        plain.stack(
            _bar(row.given_share, GIVEN_COLOR, vertical=False),
            _bar(row.received_share, RECEIVED_COLOR, vertical=False),
            gap="1",
            class_name="flex-1",
        ),
        plain.text(
            row.given,
            " / ",
            row.received,
            size="1",
            color="gray",
            class_name="w-[44px] text-right",
        ),
        **_described(row),
        direction="row",
        align="center",
        class_name="w-full",
        gap="2",
    )
