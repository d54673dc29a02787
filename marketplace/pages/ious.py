"""The IOU page: net per person, writing an IOU down, answering and settling."""

import reflex as rx

from marketplace.components.forms import field, form_error, form_key, select_field
from marketplace.components.layout import page
from marketplace.settings import get_settings
from marketplace.states.ious import IousState

STATUS_COLORS = {
    "proposed": "amber",
    "acknowledged": "amber",
    "open": "blue",
    "settled": "green",
    "forgiven": "green",
    "declined": "gray",
    "cancelled": "gray",
}


def _status(iou) -> rx.Component:
    return rx.badge(
        iou.status_label,
        color_scheme=rx.match(iou.status, *STATUS_COLORS.items(), "gray"),
        variant="soft",
    )


def _inline_amount(label: str, iou, prefix: str) -> rx.Component:
    """A small labelled number input; ids are unique per IOU."""
    input_id = prefix + "-" + iou.id.to_string()
    return rx.hstack(
        rx.el.label(label, html_for=input_id, class_name="rt-Text rt-r-size-2"),
        rx.input(
            id=input_id,
            name="amount",
            type="number",
            min=1,
            placeholder=iou.outstanding.to_string(),
            width="6rem",
        ),
        align="center",
        spacing="2",
    )


def _pay_form(iou) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="iou_id", value=iou.id),
            rx.el.input(type="hidden", name="key", value=IousState.form_key),
            _inline_amount("Karma to pay", iou, "pay"),
            rx.button(
                "Pay in karma",
                type="submit",
                size="2",
                aria_label="Pay in karma to " + iou.other_name,
            ),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        on_submit=IousState.settle,
        reset_on_submit=True,
    )


def _creditor_form(iou) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="iou_id", value=iou.id),
            form_key("settlement"),
            _inline_amount("Karma", iou, "settle"),
            rx.el.select(
                rx.el.option("Return help received", value="settled_help"),
                rx.el.option("Payment received", value="settled_payment"),
                rx.el.option("Forgive", value="forgiven"),
                name="kind",
                aria_label="How it was settled",
                style={
                    "padding": "0.35rem",
                    "borderRadius": "6px",
                    "border": "1px solid var(--gray-a7)",
                },
            ),
            rx.button(
                "Record",
                type="submit",
                size="2",
                variant="soft",
                aria_label="Record settlement from " + iou.other_name,
            ),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        on_submit=IousState.record,
        reset_on_submit=True,
    )


def _iou_card(iou, sentence: rx.Component, actions: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                sentence, rx.spacer(), _status(iou), width="100%", align="center"
            ),
            rx.cond(iou.note != "", rx.text(iou.note, size="2", color_scheme="gray")),
            rx.hstack(
                rx.text("Written ", iou.created, size="1", color_scheme="gray"),
                rx.cond(
                    iou.due_on != "",
                    rx.text(
                        "· due ",
                        iou.due_on,
                        size="1",
                        color=rx.cond(iou.overdue, "var(--red-11)", "var(--gray-11)"),
                    ),
                ),
                rx.cond(iou.overdue, rx.badge("overdue", color_scheme="red")),
                rx.cond(
                    iou.outstanding != iou.amount,
                    rx.text(
                        "· ",
                        iou.outstanding,
                        " of ",
                        iou.amount,
                        " karma left",
                        size="1",
                        color_scheme="gray",
                    ),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            actions,
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _is_live(iou):
    """Open, or waiting for an answer: the sentence is about what is owed now."""
    return (
        (iou.status == "open")
        | (iou.status == "proposed")
        | (iou.status == "acknowledged")
    )


def _answer(iou) -> rx.Component:
    """Accept or decline an IOU the other person wrote."""
    return rx.hstack(
        rx.button(
            "Accept",
            on_click=IousState.accept(iou.id),
            size="2",
            aria_label="Accept IOU from " + iou.other_name,
        ),
        rx.button(
            "Decline",
            on_click=IousState.decline(iou.id),
            size="2",
            variant="soft",
            color_scheme="gray",
            aria_label="Decline IOU from " + iou.other_name,
        ),
        spacing="2",
    )


def _waiting(iou) -> rx.Component:
    """One I wrote, waiting for the other person: it can be withdrawn."""
    return rx.hstack(
        rx.text(
            "Waiting for ",
            iou.other_name,
            " to accept.",
            size="2",
            color_scheme="gray",
        ),
        rx.button(
            "Withdraw",
            on_click=IousState.cancel(iou.id),
            size="1",
            variant="ghost",
            aria_label="Withdraw IOU to " + iou.other_name,
        ),
        align="center",
    )


def _mine_to_answer(iou) -> rx.Component:
    return rx.cond(iou.waiting_for_me, _answer(iou), rx.fragment())


def _owed_by_me(iou) -> rx.Component:
    sentence = rx.cond(
        _is_live(iou),
        rx.text(
            "You owe ",
            rx.text.strong(iou.other_name),
            " ",
            rx.text.strong(iou.outstanding),
            " karma",
        ),
        rx.text(
            "You owed ",
            rx.text.strong(iou.other_name),
            " ",
            rx.text.strong(iou.amount),
            " karma",
        ),
    )
    actions = rx.match(
        iou.status,
        ("open", _pay_form(iou)),
        ("proposed", _mine_to_answer(iou)),
        ("acknowledged", _waiting(iou)),
        rx.fragment(),
    )
    return _iou_card(iou, sentence, actions)


def _owed_to_me(iou) -> rx.Component:
    sentence = rx.cond(
        _is_live(iou),
        rx.text(
            rx.text.strong(iou.other_name),
            " owes you ",
            rx.text.strong(iou.outstanding),
            " karma",
        ),
        rx.text(
            rx.text.strong(iou.other_name),
            " owed you ",
            rx.text.strong(iou.amount),
            " karma",
        ),
    )
    actions = rx.match(
        iou.status,
        ("open", _creditor_form(iou)),
        ("proposed", _waiting(iou)),
        ("acknowledged", _mine_to_answer(iou)),
        rx.fragment(),
    )
    return _iou_card(iou, sentence, actions)


def _propose_form() -> rx.Component:
    favour = get_settings().favour_points
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Write down an IOU", size="4", as_="h2"),
                rx.text(
                    f"A favour is worth {favour} karma. An IOU counts once the "
                    "other person accepts it; what you owe in IOUs stays within "
                    "your credit limit.",
                    size="2",
                    color_scheme="gray",
                ),
                form_error(IousState.propose_error),
                form_key("iou"),
                field(
                    "With (their handle)",
                    "counterpart",
                    placeholder="marcus",
                    required=True,
                    max_length=31,
                ),
                select_field(
                    "Who owes whom",
                    "direction",
                    {"i_owe": "I owe them", "owes_me": "They owe me"},
                    "i_owe",
                ),
                field(
                    "Amount (karma)",
                    "amount",
                    type="number",
                    placeholder=str(favour),
                    required=True,
                ),
                field(
                    "What for",
                    "note",
                    placeholder="Intro to your design lead",
                    max_length=300,
                ),
                field("Due by (optional)", "due_on", type="date"),
                rx.button("Write it down", type="submit", size="3"),
                spacing="3",
                width="100%",
                align="start",
            ),
            on_submit=IousState.propose,
            reset_on_submit=True,
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _net(n) -> rx.Component:
    net = n["net"].to(int)
    return rx.cond(
        net > 0,
        rx.text("+", net, " to you", weight="bold", color="var(--grass-11)"),
        rx.cond(net < 0, rx.text(-net, " from you", weight="bold"), rx.text("even")),
    )


def _offset_button(n) -> rx.Component:
    return rx.cond(
        n["can_offset"],
        rx.button(
            "Offset",
            size="1",
            variant="soft",
            on_click=IousState.propose_offset(n["handle"].to(str)),
            aria_label="Offset mutual debt with " + n["name"].to(str),
        ),
    )


def _offset(offer) -> rx.Component:
    answer = rx.hstack(
        rx.button(
            "Agree",
            size="1",
            on_click=IousState.accept_offset(offer.id),
            aria_label="Agree to offset with " + offer.other_name,
        ),
        rx.button(
            "Decline",
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=IousState.decline_offset(offer.id),
            aria_label="Decline offset with " + offer.other_name,
        ),
    )
    return rx.callout(
        rx.hstack(
            rx.cond(
                offer.mine,
                rx.text(
                    "You proposed to ",
                    offer.other_name,
                    " to cancel ",
                    offer.amount,
                    " karma both ways. Waiting for an answer.",
                ),
                rx.text(
                    offer.other_name,
                    " proposes to cancel ",
                    offer.amount,
                    " karma of debt both ways.",
                ),
            ),
            rx.cond(offer.mine, rx.fragment(), answer),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        icon="arrow-left-right",
        width="100%",
    )


def _nets() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Net per person", size="4", as_="h2"),
            rx.cond(
                IousState.nets.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell("Person"),
                            rx.table.column_header_cell("You owe", justify="end"),
                            rx.table.column_header_cell("Owes you", justify="end"),
                            rx.table.column_header_cell("Net", justify="end"),
                            rx.table.column_header_cell("Offset"),
                        )
                    ),
                    rx.table.body(
                        rx.foreach(
                            IousState.nets,
                            lambda n: rx.table.row(
                                rx.table.cell(n["name"]),
                                rx.table.cell(n["i_owe"], justify="end"),
                                rx.table.cell(n["owed_to_me"], justify="end"),
                                rx.table.cell(_net(n), justify="end"),
                                rx.table.cell(_offset_button(n)),
                            ),
                        )
                    ),
                    variant="ghost",
                    width="100%",
                ),
                rx.text(
                    "No open IOUs. Write one down when someone does you a favour.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _list(title: str, items, render, empty: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="5", as_="h2"),
        rx.cond(
            items.length() > 0,
            rx.vstack(rx.foreach(items, render), width="100%"),
            rx.text(empty, size="2", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
    )


def _clearing_entry(entry) -> rx.Component:
    return rx.vstack(
        rx.text(
            rx.text.strong(entry.when),
            ": ",
            entry.owing_removed,
            " karma you owed and ",
            entry.owed_removed,
            " karma owed to you were cancelled.",
            size="2",
        ),
        rx.foreach(
            entry.cycles,
            lambda loop: rx.text("↻ ", loop, size="1", color_scheme="gray"),
        ),
        spacing="1",
        width="100%",
    )


def _clearing() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Clearing", size="4", as_="h2"),
            rx.text(
                "When favours run in a loop (you owe Ben, Ben owes Cleo, Cleo "
                "owes you), Karma cancels the loop: everyone's net stays the "
                "same and there is less to settle.",
                size="2",
                color_scheme="gray",
            ),
            rx.el.label(
                rx.hstack(
                    rx.checkbox(
                        checked=IousState.in_clearing,
                        on_change=IousState.set_in_clearing,
                    ),
                    rx.text("Include my IOUs in clearing", size="2"),
                    align="center",
                    spacing="2",
                ),
            ),
            rx.cond(
                IousState.clearings.length() > 0,
                rx.vstack(
                    rx.foreach(IousState.clearings, _clearing_entry),
                    spacing="3",
                    width="100%",
                ),
                rx.text(
                    "No clearing has touched your IOUs yet.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def ious_page() -> rx.Component:
    return page(
        rx.heading("IOUs", size="8", as_="h1"),
        rx.text(
            "\u201cI owe you one\u201d, written down: settle in karma, with return "
            "help, or forgive.",
            color_scheme="gray",
        ),
        form_error(IousState.action_error),
        rx.foreach(IousState.offsets, _offset),
        rx.grid(
            _nets(),
            _propose_form(),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        rx.grid(
            _list("You owe", IousState.owed_by_me, _owed_by_me, "You owe nobody."),
            _list(
                "Owed to you",
                IousState.owed_to_me,
                _owed_to_me,
                "Nobody owes you anything yet.",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="5",
            width="100%",
        ),
        _clearing(),
    )
