"""How reviews look: star ratings, a reputation summary and one review.

Stars are drawn, so each rating is one image to a screen reader with words
for a label ("4 out of 5 stars"); the drawn stars themselves are hidden."""

import reflex as rx

from marketplace import routes
from marketplace.components.moderation import report_button
from marketplace.states.session import SessionState

STAR_COLOR = "var(--amber-9)"


def star_rating(rating, size: int = 16) -> rx.Component:
    """`rating` is an int Var from 1 to 5."""
    return rx.hstack(
        *[
            rx.icon(
                "star",
                size=size,
                fill=rx.cond(rating >= n, "currentColor", "none"),
                aria_hidden="true",
            )
            for n in range(1, 6)
        ],
        role="img",
        aria_label=rating.to_string() + " out of 5 stars",
        spacing="0",
        color=STAR_COLOR,
    )


def reputation_card(rep) -> rx.Component:
    """`rep` is a Reputation Var: the summary at the top of a profile's reviews."""
    return rx.card(
        rx.vstack(
            rx.heading("Reputation", size="3", as_="h2"),
            rx.cond(
                rep.received > 0,
                rx.hstack(
                    rx.text("★", size="6", color=STAR_COLOR, aria_hidden="true"),
                    rx.text(rep.average, size="7", weight="bold", aria_hidden="true"),
                    rx.text(rep.from_people, size="2", color_scheme="gray"),
                    role="img",
                    aria_label="Rated "
                    + rep.average
                    + " out of 5 stars, "
                    + rep.from_people,
                    align="baseline",
                    spacing="2",
                ),
                rx.text("No reviews yet", size="4", weight="medium"),
            ),
            rx.cond(
                rep.counts != "",
                rx.text(rep.counts, size="2", color_scheme="gray"),
            ),
            rx.cond(
                rep.response_time != "",
                rx.hstack(
                    rx.icon("clock", size=16, aria_hidden="true"),
                    rx.text("Answers proposals ", rep.response_time, size="2"),
                    align="center",
                    spacing="2",
                    color="var(--gray-11)",
                ),
            ),
            spacing="3",
            align="start",
        ),
        size="3",
        width="100%",
    )


def _listing_name(review) -> rx.Component:
    """The listing's title as a link, or 'a private listing' when the reader may
    not see it (listing_id 0)."""
    return rx.cond(
        review.listing_id > 0,
        rx.link(
            review.listing_title,
            href=routes.MARKET + "/" + review.listing_id.to_string(),
        ),
        rx.text.span(review.listing_title, font_style="italic"),
    )


def review_card(review) -> rx.Component:
    """`review` is a ReviewView Var; its text is shown as text, never as markup."""
    return rx.card(
        rx.vstack(
            rx.hstack(
                star_rating(review.rating),
                rx.spacer(),
                rx.text(review.written, size="1", color_scheme="gray"),
                width="100%",
                align="center",
            ),
            rx.cond(
                review.body != "",
                rx.text(review.body, size="3", white_space="pre-wrap"),
            ),
            rx.text(
                rx.link(
                    review.reviewer_name,
                    href=routes.PEOPLE + "/" + review.reviewer_handle,
                    weight="medium",
                ),
                rx.text.span(" · for "),
                _listing_name(review),
                size="2",
                color_scheme="gray",
            ),
            rx.cond(
                review.reviewer_handle != SessionState.my_handle,
                report_button("review", review.id),
            ),
            spacing="2",
            align="start",
            width="100%",
        ),
        size="2",
        width="100%",
    )


def review_list(items, total) -> rx.Component:
    """The reviews received, newest first; `total` counts all of them."""
    return rx.vstack(
        rx.heading("Reviews received", size="5", as_="h2"),
        rx.cond(
            items.length() > 0,
            rx.vstack(
                rx.foreach(items, review_card),
                rx.cond(
                    total > items.length(),
                    rx.text(
                        "The ",
                        items.length().to_string(),
                        " newest of ",
                        total.to_string(),
                        " reviews.",
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                spacing="3",
                width="100%",
            ),
            rx.callout(
                "Reviews appear here once help given or received is confirmed.",
                icon="star",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )
