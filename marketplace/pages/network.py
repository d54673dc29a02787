"""The network page: a picture of my network, what waits for my answer
(requests to connect, intros to make or accept), and my connections by warmth."""

import reflex as rx

from marketplace import routes
from marketplace.components import plain
from marketplace.components.bars import month_bars, topic_bars
from marketplace.components.forms import (
    field,
    form_error,
    form_key,
    select_field,
    text_area,
)
from marketplace.components.layout import page
from marketplace.components.network import ego_picture
from marketplace.domain.contexts import KIND_LABELS
from marketplace.states.network import NetworkState


def _person_link(name, handle) -> rx.Component:
    return plain.link(name, href="/people/" + handle, weight="bold")


def _section(title: str, *children, **props) -> rx.Component:
    return plain.card(
        plain.stack(
            rx.el.h2(title, class_name="rt-Heading rt-r-size-4"),
            *children,
            class_name="w-full",
        ),
        class_name="w-full",
        **props,
    )


CHOICE_STYLES = (
    {},
    {"variant": "soft", "color_scheme": "gray"},
    {"variant": "ghost", "color_scheme": "gray"},
)


def _choices(*buttons: tuple) -> rx.Component:
    """A row of answers, the first one primary: (label, event, accessible name)."""
    return rx.hstack(
        *[
            rx.button(label, size="2", on_click=event, aria_label=name, **style)
            for (label, event, name), style in zip(buttons, CHOICE_STYLES, strict=False)
        ],
        spacing="2",
    )


def _empty(text: str) -> rx.Component:
    return rx.text(text, size="2", color_scheme="gray")


# ------------------------------------------------------------------------ requests


def _incoming(item) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                _person_link(item.name, item.handle),
                rx.text(item.sent, size="1", color_scheme="gray"),
                justify="between",
                width="100%",
            ),
            rx.cond(item.headline != "", rx.text(item.headline, size="2")),
            rx.cond(item.note != "", rx.blockquote(item.note, size="2")),
            rx.text(item.shared, size="1", color_scheme="gray"),
            _choices(
                *[
                    (
                        word.title(),
                        NetworkState.answer_request(item.id, word),
                        word.title() + " " + item.name,
                    )
                    for word in ("accept", "decline", "ignore")
                ]
            ),
            spacing="2",
            width="100%",
        ),
        padding_y="0.5rem",
        border_bottom="1px solid var(--gray-a4)",
        width="100%",
    )


def _requests() -> rx.Component:
    return _section(
        "Requests to connect",
        rx.cond(
            NetworkState.incoming.length() > 0,
            rx.vstack(rx.foreach(NetworkState.incoming, _incoming), width="100%"),
            _empty("No requests waiting for you."),
        ),
    )


# -------------------------------------------------------------------------- intros


def _note_field(item) -> rx.Component:
    """The introducer's own words, one field per intro (ids must differ)."""
    return text_area(
        "Your note to both (optional)",
        "note",
        field_id="intro-note-" + item.id.to_string(),
        hint="Why they should meet: both see it with the introduction.",
        max_length=500,
        rows="2",
        size="2",
    )


def _intro_to_make(item) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text(
                _person_link(item.requester, item.requester_handle),
                " asks you to introduce them to ",
                _person_link(item.target, item.target_handle),
                ".",
                size="2",
            ),
            rx.blockquote(item.message, size="2"),
            rx.el.input(type="hidden", name="intro_id", value=item.id.to_string()),
            _note_field(item),
            rx.hstack(
                rx.button(
                    "Introduce them",
                    type="submit",
                    size="2",
                    aria_label="Introduce " + item.requester + " to " + item.target,
                ),
                rx.button(
                    "Not this time",
                    type="button",
                    size="2",
                    variant="soft",
                    color_scheme="gray",
                    on_click=NetworkState.forward_intro(item.id, "decline"),
                    aria_label="Don't introduce " + item.requester,
                ),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=NetworkState.introduce,
        reset_on_submit=True,
        width="100%",
    )


def _via_note(item) -> rx.Component:
    return rx.cond(
        item.via_note != "",
        rx.text(
            item.via + " adds: “", item.via_note, "”", size="2", color_scheme="gray"
        ),
    )


def _intro_to_answer(item) -> rx.Component:
    return rx.vstack(
        rx.text(
            _person_link(item.via, item.via_handle),
            " would like to introduce you to ",
            _person_link(item.requester, item.requester_handle),
            ".",
            size="2",
        ),
        rx.blockquote(item.message, size="2"),
        _via_note(item),
        _choices(
            (
                "Accept the intro",
                NetworkState.answer_intro(item.id, "accept"),
                "Accept the intro to " + item.requester,
            ),
            (
                "No, thanks",
                NetworkState.answer_intro(item.id, "decline"),
                "Decline the intro to " + item.requester,
            ),
        ),
        spacing="2",
        width="100%",
    )


def _my_intro(item) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(
                "To ",
                _person_link(item.target, item.target_handle),
                " through ",
                item.via,
                size="2",
            ),
            rx.badge(item.status_label, variant="soft"),
            justify="between",
            width="100%",
            wrap="wrap",
        ),
        _via_note(item),
        spacing="1",
        width="100%",
    )


def _intros() -> rx.Component:
    return _section(
        "Introductions",
        rx.foreach(NetworkState.intros_to_make, _intro_to_make),
        rx.foreach(NetworkState.intros_to_answer, _intro_to_answer),
        rx.cond(
            NetworkState.my_intros.length() > 0,
            rx.vstack(
                rx.text("Intros you asked for", size="2", weight="medium"),
                rx.foreach(NetworkState.my_intros, _my_intro),
                width="100%",
                spacing="2",
            ),
        ),
        rx.cond(
            NetworkState.intros.length() == 0,
            _empty(
                "Ask for an intro from anyone's profile: we find the warmest "
                "path through people you know."
            ),
        ),
    )


# --------------------------------------------------------------------- connections


def _connection_row(item) -> rx.Component:
    """A row of the connections table; plain elements with Radix Table's
    classes (components/plain.py): a member may have hundreds."""
    return rx.el.tr(
        rx.el.td(
            plain.stack(
                _person_link(item.name, item.handle),
                plain.text(item.headline, size="1", color="gray"),
                gap="0",
            ),
            class_name="rt-TableCell",
        ),
        rx.el.td(
            plain.badge(
                item.warmth_label,
                " · ",
                item.strength,
                "%",
                color=rx.match(
                    item.warmth_label, ("Warm", "grass"), ("Steady", "amber"), "gray"
                ),
            ),
            class_name="rt-TableCell",
        ),
        # hidden on a phone, as its column header (Tailwind md = Reflex sm)
        rx.el.td(plain.text(item.last), class_name="rt-TableCell hidden md:table-cell"),
        class_name="rt-TableRow",
    )


def _connections() -> rx.Component:
    return _section(
        "Your connections",
        rx.cond(
            NetworkState.connections.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Person"),
                        rx.table.column_header_cell("Warmth"),
                        rx.table.column_header_cell(
                            "Last together",
                            display=rx.breakpoints(initial="none", sm="table-cell"),
                        ),
                    )
                ),
                rx.table.body(rx.foreach(NetworkState.connections, _connection_row)),
                width="100%",
                variant="ghost",
            ),
            _empty("No connections yet: find people on the People page."),
        ),
    )


def _cold(item) -> rx.Component:
    """A connection going cold, or one of my contacts due a word (its link
    is the contact's own page, issue 23)."""
    return plain.stack(
        plain.stack(
            plain.link(item.person_name, href=item.link, weight="bold"),
            plain.text(item.reason, color="gray"),
            gap="0",
        ),
        plain.link(
            "Reach out",
            href=item.link,
            size="2",
            aria_label="Reach out to " + item.person_name,
        ),
        direction="row",
        align="center",
        justify="between",
        class_name="w-full",
    )


def _going_cold() -> rx.Component:
    return rx.cond(
        NetworkState.going_cold.length() > 0,
        _section(
            "Going cold",
            rx.text(
                "People you worked closely with and haven't been in touch with "
                "for a while, and a reason to reach out now.",
                size="2",
                color_scheme="gray",
            ),
            rx.foreach(NetworkState.going_cold, _cold),
        ),
    )


def _sent(item) -> rx.Component:
    return rx.hstack(
        rx.text(
            "To ", _person_link(item.name, item.handle), " · ", item.sent, size="2"
        ),
        rx.button(
            "Withdraw",
            size="1",
            variant="ghost",
            color_scheme="gray",
            on_click=NetworkState.withdraw(item.handle),
            aria_label="Withdraw the request to " + item.name,
        ),
        justify="between",
        width="100%",
    )


def _context_item(item, mine: bool) -> rx.Component:
    return rx.el.div(
        plain.stack(
            plain.text(rx.cond(mine, item.kind_label, item.sentence), weight="medium"),
            rx.cond(mine, plain.text(item.title)),
            plain.stack(
                rx.cond(item.dates != "", plain.text(item.dates, size="1")),
                rx.foreach(item.tags, lambda t: plain.badge(t, color="violet")),
                direction="row",
                align="center",
                gap="1",
                wrap=True,
            ),
            rx.cond(
                mine,
                plain.button(
                    "Close",
                    size="1",
                    variant="ghost",
                    color="gray",
                    on_click=NetworkState.close_context(item.id),
                    aria_label="Close " + item.title,
                ),
            ),
            gap="1",
            class_name="w-full",
        ),
        class_name="w-full py-[0.4rem] border-b border-[var(--gray-a4)]",
    )


def _context_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.grid(
                select_field("What's going on", "kind", KIND_LABELS, "event"),
                field(
                    "Title",
                    "title",
                    required=True,
                    max_length=120,
                    placeholder="Northstar SaaS Summit 2027",
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            text_area("Details", "description", max_length=1000, rows="2"),
            field(
                "Tags",
                "tags",
                placeholder="event-marketing, sponsorship-sales",
                hint="What help would be welcome; comma-separated.",
            ),
            rx.grid(
                field("Starts", "starts_on", type="date"),
                field("Ends", "ends_on", type="date"),
                columns="2",
                spacing="3",
                width="100%",
            ),
            form_error(NetworkState.context_error),
            form_key("context"),
            rx.button("Post context", type="submit"),
            spacing="3",
            width="100%",
        ),
        on_submit=NetworkState.post_context,
        key=NetworkState.context_form_version.to_string(),
        width="100%",
    )


def _contexts() -> rx.Component:
    return rx.grid(
        _section(
            "What you're up to",
            rx.text(
                "Organizing, hiring, fundraising, launching? Say so: the people "
                "within two steps who know at least half of what you ask for "
                "are told at once; others whose expertise fits see a nudge.",
                size="2",
                color_scheme="gray",
            ),
            rx.foreach(NetworkState.my_contexts, lambda c: _context_item(c, True)),
            _context_form(),
        ),
        _section(
            "What your connections are up to",
            rx.cond(
                NetworkState.network_contexts.length() > 0,
                rx.vstack(
                    rx.foreach(
                        NetworkState.network_contexts,
                        lambda c: _context_item(c, False),
                    ),
                    width="100%",
                ),
                _empty("Nothing announced yet."),
            ),
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="4",
        width="100%",
    )


def _give_and_get() -> rx.Component:
    """The motivation graph: help given and received over the year and by
    topic, and a kind word about the balance. Only the member sees it."""
    return _section(
        "Your give and get",
        rx.hstack(
            rx.badge(NetworkState.balance_label, size="2", variant="soft"),
            rx.text(NetworkState.balance_sentence, size="2"),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.grid(
            rx.box(
                rx.text("Help by month, last 12 months", size="2", weight="medium"),
                month_bars(NetworkState.help_by_month),
                role="figure",
                aria_label="Bar chart of help given and received per month",
            ),
            rx.box(
                rx.text("Help by topic", size="2", weight="medium"),
                topic_bars(NetworkState.help_by_tag),
                role="figure",
                aria_label="Bar chart of help given and received by topic",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        rx.text("Only you see this.", size="1", color_scheme="gray", align="right"),
    )


def network_page() -> rx.Component:
    return page(
        rx.hstack(
            rx.heading("Your network", size="8", as_="h1"),
            rx.hstack(
                rx.link("Your micro-networks and groups →", href=routes.GROUPS),
                rx.link("Your contacts →", href=routes.CONTACTS),  # issue 23
                spacing="4",
                wrap="wrap",
            ),
            justify="between",
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.grid(
            _section(
                "At a glance",
                ego_picture(NetworkState.picture),
            ),
            rx.vstack(
                _requests(),
                _going_cold(),
                _intros(),
                rx.cond(
                    NetworkState.outgoing.length() > 0,
                    _section(
                        "Requests you sent", rx.foreach(NetworkState.outgoing, _sent)
                    ),
                ),
                spacing="4",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        _contexts(),
        _connections(),
        _give_and_get(),
    )
