"""The private "Only you see this" card of a person's page: log a
conversation, what I logged, my notes, and a search of my notes. Drawn from
a state with PersonTouchMixin's vars and handlers (states/touchpoints.py)."""

import reflex as rx

from marketplace.components.forms import SELECT_STYLE, form_error, form_key
from marketplace.network.person_notes import BODY_MAX
from marketplace.network.touchpoints import KINDS, NOTE_MAX

LABEL = "rt-Text rt-r-size-2 rt-r-weight-medium"


def private_section(state) -> rx.Component:
    """Nothing at all unless the state says so (signed in, someone else)."""
    return rx.cond(
        state.touch_shown,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("lock", size=18, aria_hidden="true"),
                    rx.heading("Only you see this", size="4", as_="h2"),
                    align="center",
                    spacing="2",
                ),
                rx.text(
                    "What you log and note here is private to you.",
                    size="1",
                    color_scheme="gray",
                ),
                _log_form(state),
                _log_list(state),
                rx.divider(),
                _notes(state),
                rx.divider(),
                _search(state),
                spacing="4",
                width="100%",
            ),
            width="100%",
            aria_label="Only you see this",
            role="region",
        ),
    )


def _log_form(state) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Log a conversation", size="3", as_="h3"),
            rx.hstack(
                _kind_select(),
                rx.vstack(
                    rx.el.label("When", html_for="touch_day", class_name=LABEL),
                    rx.input(
                        id="touch_day",
                        name="happened_on",
                        type="date",
                        default_value=state.today,
                        # drawn again once the state knows today's date
                        key=state.today,
                        max=state.today,
                        required=True,
                        size="3",
                        width="100%",
                    ),
                    spacing="1",
                    width="100%",
                ),
                width="100%",
                spacing="3",
            ),
            _area(
                "Note about the conversation",
                "touch_note",
                "note",
                NOTE_MAX,
                hint="What you talked about, what to follow up on.",
            ),
            form_key("log"),
            form_error(state.log_error),
            rx.button("Log it", type="submit"),
            spacing="2",
            width="100%",
            align="start",
        ),
        on_submit=state.log_it,
        reset_on_submit=True,
        width="100%",
    )


# The profile page has other forms (connect: "note"): ids of their own here,
# so each label names its own field.
def _kind_select() -> rx.Component:
    return rx.vstack(
        rx.el.label("What was it", html_for="touch_kind", class_name=LABEL),
        rx.el.select(
            *[rx.el.option(text, value=key) for key, text in KINDS.items()],
            id="touch_kind",
            name="kind",
            default_value="coffee",
            class_name="rt-reset",
            style=SELECT_STYLE,
        ),
        spacing="1",
        width="100%",
    )


def _area(label: str, id_: str, name: str, most: int, hint: str = ""):
    return rx.vstack(
        rx.el.label(label, html_for=id_, class_name=LABEL),
        rx.text_area(id=id_, name=name, max_length=most, rows="2", width="100%"),
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        spacing="1",
        width="100%",
    )


def _log_line(item) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.badge(item.kind_label, variant="soft"),
            rx.text(item.day, size="1", color_scheme="gray"),
            align="center",
            spacing="2",
        ),
        rx.cond(item.note != "", rx.text(item.note, size="2")),
        spacing="1",
        width="100%",
        role="listitem",
    )


def _log_list(state) -> rx.Component:
    return rx.cond(
        state.logs.length() > 0,
        rx.vstack(
            rx.heading("Conversations you logged", size="3", as_="h3"),
            rx.vstack(
                rx.foreach(state.logs, _log_line),
                role="list",
                aria_label="Conversations you logged",
                spacing="3",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
    )


def _notes(state) -> rx.Component:
    return rx.vstack(
        rx.heading("Private notes", size="3", as_="h3"),
        rx.vstack(
            rx.foreach(state.notes, lambda n: _note(state, n)),
            role="list",
            aria_label="Your notes",
            spacing="3",
            width="100%",
        ),
        form_error(state.note_error),
        rx.form(
            rx.vstack(
                _area("New note", "touch_body", "body", BODY_MAX),
                form_key("note"),
                rx.button("Add note", type="submit", variant="soft"),
                spacing="2",
                width="100%",
                align="start",
            ),
            on_submit=state.add_note,
            reset_on_submit=True,
            width="100%",
        ),
        spacing="2",
        width="100%",
    )


def _note(state, n) -> rx.Component:
    return rx.box(
        rx.cond(
            state.editing_note == n.id,
            _edit_form(state, n),
            rx.vstack(
                rx.text(n.body, size="2", white_space="pre-wrap"),
                rx.hstack(
                    rx.text(
                        n.day,
                        rx.cond(n.edited, " · edited", ""),
                        size="1",
                        color_scheme="gray",
                    ),
                    rx.button(
                        "Edit",
                        size="1",
                        variant="ghost",
                        on_click=state.edit(n.id),
                        aria_label="Edit note from " + n.day,
                    ),
                    rx.button(
                        "Delete",
                        size="1",
                        variant="ghost",
                        color_scheme="red",
                        on_click=state.delete_note(n.id),
                        aria_label="Delete note from " + n.day,
                    ),
                    align="center",
                    spacing="2",
                ),
                spacing="1",
                width="100%",
            ),
        ),
        role="listitem",
        width="100%",
    )


def _edit_form(state, n) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.label("Edit note", html_for="edit_body", class_name=LABEL),
            rx.text_area(
                id="edit_body",
                name="body",
                default_value=n.body,
                max_length=BODY_MAX,
                rows="3",
                width="100%",
            ),
            rx.el.input(type="hidden", name="note_id", value=n.id.to_string()),
            rx.hstack(
                rx.button("Save note", type="submit", size="2"),
                rx.button(
                    "Cancel",
                    type="button",
                    size="2",
                    variant="ghost",
                    on_click=state.cancel_edit,
                ),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=state.save_note,
        width="100%",
    )


def _hit(h) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link(h.person_name, href=h.link, weight="medium"),
            rx.badge(h.label, variant="soft"),
            rx.text(h.day, size="1", color_scheme="gray"),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        rx.text(h.text, size="2"),
        spacing="1",
        role="listitem",
        width="100%",
    )


def _search(state) -> rx.Component:
    return rx.vstack(
        rx.form(
            rx.vstack(
                rx.el.label(
                    "Search all my notes and conversations",
                    html_for="notes_q",
                    class_name=LABEL,
                ),
                rx.hstack(
                    rx.input(id="notes_q", name="q", max_length=100, width="100%"),
                    rx.button("Search notes", type="submit", variant="soft"),
                    width="100%",
                ),
                spacing="1",
                width="100%",
            ),
            on_submit=state.search_my_notes,
            reset_on_submit=False,
            width="100%",
        ),
        form_error(state.search_error),
        rx.cond(
            state.searched,
            rx.cond(
                state.search_hits.length() > 0,
                rx.vstack(
                    rx.foreach(state.search_hits, _hit),
                    role="list",
                    aria_label="Notes found",
                    spacing="3",
                    width="100%",
                ),
                rx.text(
                    "Nothing in your notes matches “",
                    state.search_query,
                    "”.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
        ),
        spacing="2",
        width="100%",
    )
