"""Previous / next paging for any state with `page`, `pages` and `go_to_page`."""

import reflex as rx


def pager(state) -> rx.Component:
    return rx.hstack(
        rx.button(
            "Previous page",
            variant="soft",
            disabled=state.page <= 1,
            on_click=state.go_to_page(state.page - 1),
        ),
        rx.text("Page ", state.page, " of ", state.pages, size="2"),
        rx.button(
            "Next page",
            variant="soft",
            disabled=state.page >= state.pages,
            on_click=state.go_to_page(state.page + 1),
        ),
        align="center",
        justify="center",
        width="100%",
    )
