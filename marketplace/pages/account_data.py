"""Settings > Your data: download an archive, or delete the account."""

import reflex as rx

from marketplace.components.forms import field, form_error
from marketplace.components.heartbeat import heartbeat
from marketplace.components.layout import page, section_card
from marketplace.states.account_data import AccountDataState as S

# Radix's button look on a link (a button inside a link is not valid HTML)
BUTTON = "rt-reset rt-BaseButton rt-r-size-2 rt-variant-solid rt-Button"


def _download() -> rx.Component:
    return section_card(
        "Download my data",
        rx.vstack(
            rx.text(
                "A zip with everything about you: profile, listings, engagements "
                "and their messages, reviews, connections, intros, IOUs and "
                "notifications as JSON, and your karma history as CSV. It is "
                "kept for 24 hours.",
                size="2",
            ),
            rx.cond(
                S.exporting,
                rx.vstack(
                    heartbeat(on_tick=S.check_export, seconds=1),
                    rx.progress(value=S.export_percent, max=100, width="100%"),
                    rx.text("Preparing: ", S.export_step, size="1", role="status"),
                    width="100%",
                ),
            ),
            form_error(S.export_error),
            rx.cond(
                S.export_ready,
                # a plain link: the backend answers with the file (an
                # attachment), so the page stays where it is
                rx.el.a(
                    "Download archive",
                    href=S.download_url,
                    download="",
                    class_name=BUTTON,
                ),
                rx.button(
                    "Prepare my archive",
                    on_click=S.start_export,
                    loading=S.exporting,
                    variant="soft",
                ),
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
    )


def _blocker(item: dict) -> rx.Component:
    return rx.list_item(rx.link(item["text"], href=item["link"]))


def _delete() -> rx.Component:
    return section_card(
        "Delete my account",
        rx.vstack(
            rx.text(
                "Your name becomes “Former member”; your profile, tags, "
                "connections and contexts are erased, your listings closed and "
                "the text of your messages removed. Karma you hold goes back "
                "to the community pool. This cannot be undone.",
                size="2",
            ),
            form_error(S.delete_error),
            rx.cond(
                S.blockers.length() > 0,
                rx.unordered_list(rx.foreach(S.blockers, _blocker)),
            ),
            rx.form(
                rx.vstack(
                    field(
                        "Your password",
                        "password",
                        type="password",
                        required=True,
                        autocomplete="current-password",
                    ),
                    rx.button("Delete my account", color_scheme="red", type="submit"),
                    spacing="3",
                    align="start",
                    width="100%",
                ),
                on_submit=S.delete_account,
                reset_on_submit=True,
                width="100%",
                max_width="24rem",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
    )


def account_data_page() -> rx.Component:
    return page(
        rx.heading("Your data", as_="h1", size="7"),
        _download(),
        _delete(),
        width="760px",
    )
