"""Engagement pages: my engagements, one engagement, the operator's disputes."""

import reflex as rx

from marketplace import routes
from marketplace.components import plain
from marketplace.components.forms import form_error, form_key, select_field, text_area
from marketplace.components.layout import page
from marketplace.components.market import ENGAGEMENT_COLORS, status_badge
from marketplace.components.moderation import report_button
from marketplace.components.operator_nav import operator_tabs
from marketplace.components.slots import time_radio, times_group
from marketplace.states.engagements import (
    DisputesState,
    EngagementsState,
    EngagementState,
)


def _role_line(item) -> rx.Component:
    return rx.cond(
        item.my_role == "helper",
        plain.text("You help ", rx.el.strong(item.other_name, class_name="rt-Strong")),
        plain.text(rx.el.strong(item.other_name, class_name="rt-Strong"), " helps you"),
    )


def _engagement_row(item) -> rx.Component:
    """An engagement in my list; plain elements (components/plain.py), as
    the list repeats it."""
    return plain.card(
        plain.stack(
            plain.stack(
                plain.link(
                    plain.heading(item.title, size="3"),
                    href="/engagements/" + item.id.to_string(),
                    underline="hover",
                    inherit=True,
                ),
                plain.stack(
                    _role_line(item),
                    plain.text("· ", item.terms_label, color="gray"),
                    plain.text("· since ", item.started, color="gray"),
                    rx.cond(
                        item.call_time != "",
                        plain.text("· call ", item.call_time, weight="medium"),
                    ),
                    direction="row",
                    gap="1",
                    wrap=True,
                ),
                gap="1",
            ),
            plain.spacer(),
            rx.cond(
                item.needs_me,
                plain.badge("Your move", color="orange", variant="solid"),
            ),
            plain.badge(
                item.status_label,
                color=rx.match(item.status, *ENGAGEMENT_COLORS, "gray"),
            ),
            direction="row",
            align="center",
            wrap=True,
            class_name="w-full",
        ),
        class_name="w-full",
    )


def engagements_page() -> rx.Component:
    return page(
        rx.heading("Engagements", size="8", as_="h1"),
        rx.text(
            "Help you give and get, from proposal to review. Ones waiting for "
            "you come first.",
            color_scheme="gray",
        ),
        rx.cond(
            EngagementsState.items.length() > 0,
            rx.vstack(
                rx.foreach(EngagementsState.items, _engagement_row),
                spacing="3",
                width="100%",
            ),
            rx.card(
                rx.text(
                    "No engagements yet. Book an offer or answer a request in the ",
                    rx.link("marketplace", href=routes.MARKET),
                    ".",
                ),
                width="100%",
            ),
        ),
        width="900px",
    )


# --------------------------------------------------------------------------- one


def _action_button(action) -> rx.Component:
    return rx.form(
        rx.el.input(
            type="hidden", name="engagement_id", value=EngagementState.engagement.id
        ),
        rx.el.input(type="hidden", name="action", value=action["action"]),
        rx.button(
            rx.cond(
                (action["action"] == "cancel")
                & (EngagementState.engagement.late_cancel != ""),
                "Cancel (late: they are paid)",
                action["label"],
            ),
            type="submit",
            size="3",
            variant=rx.match(
                action["action"], ("decline", "soft"), ("cancel", "soft"), "solid"
            ),
            color_scheme=rx.match(
                action["action"],
                ("decline", "gray"),
                ("cancel", "red"),
                ("dispute", "red"),
                "accent",
            ),
        ),
        on_submit=EngagementState.act,
        width="auto",
    )


def _dispute_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.el.input(
                type="hidden", name="engagement_id", value=EngagementState.engagement.id
            ),
            rx.el.input(type="hidden", name="action", value="dispute"),
            text_area(
                "What went wrong?",
                "note",
                max_length=500,
                rows="2",
                hint=EngagementState.engagement.dispute_hint,
            ),
            rx.button(
                "Open a dispute", type="submit", variant="soft", color_scheme="red"
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=EngagementState.act,
        reset_on_submit=True,
        width="100%",
    )


def _answer_form() -> rx.Component:
    """The helper's side of a dispute, read by the operator beside the asker's."""
    return rx.form(
        rx.vstack(
            rx.el.input(
                type="hidden", name="engagement_id", value=EngagementState.engagement.id
            ),
            text_area(
                "Your side of the story",
                "statement",
                max_length=500,
                rows="3",
                hint="The operator reads it beside the asker's reason before "
                "deciding. You can answer once; add more as messages.",
            ),
            form_error(EngagementState.answer_error),
            rx.button("Send your side", type="submit", variant="soft"),
            spacing="2",
            width="100%",
        ),
        on_submit=EngagementState.answer_dispute,
        width="100%",
    )


def _hidden_id() -> rx.Component:
    return rx.el.input(
        type="hidden", name="engagement_id", value=EngagementState.engagement.id
    )


def _accept_with_time() -> rx.Component:
    """A request's answer proposed times: accepting takes the one I pick."""
    e = EngagementState.engagement
    return rx.form(
        rx.vstack(
            _hidden_id(),
            rx.el.input(type="hidden", name="action", value="accept"),
            times_group(
                "Pick one of the times " + e.other_name + " proposed",
                e.proposed_times,
                lambda t: time_radio(t["value"], t["label"], t["label"]),
            ),
            rx.button("Accept at this time", type="submit", size="3"),
            spacing="3",
            width="100%",
        ),
        on_submit=EngagementState.act,
        width="100%",
    )


def _move_day(day) -> rx.Component:
    return times_group(
        day.day, day.slots, lambda t: time_radio(t.value, t.label, t.time)
    )


def _move_call() -> rx.Component:
    """Another of the helper's free times, inside the policy."""
    return rx.form(
        rx.vstack(
            rx.heading("Move the call", size="3", as_="h3"),
            _hidden_id(),
            rx.cond(
                EngagementState.move_days.length() > 0,
                rx.vstack(
                    rx.foreach(EngagementState.move_days, _move_day),
                    spacing="3",
                    width="100%",
                    max_height="18rem",
                    overflow_y="auto",
                ),
                rx.text(
                    "No other free times in their hours. Message them to agree one.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            form_error(EngagementState.move_error),
            rx.cond(
                EngagementState.move_days.length() > 0,
                rx.button("Move the call to this time", type="submit", variant="soft"),
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=EngagementState.reschedule,
        width="100%",
    )


def _no_show_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            _hidden_id(),
            rx.el.input(type="hidden", name="action", value="no_show"),
            text_area(
                "Didn't they come? Say what happened",
                "note",
                max_length=500,
                rows="2",
                hint="An operator reads it and hears their side too.",
            ),
            rx.button(
                "Report a no-show", type="submit", variant="soft", color_scheme="red"
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=EngagementState.act,
        reset_on_submit=True,
        width="100%",
    )


def _meeting_link(link) -> rx.Component:
    return rx.cond(
        link.startswith("https://"),
        rx.link(link, href=link, is_external=True),
        rx.link(link, href="tel:" + link),
    )


def _call_card() -> rx.Component:
    """When the call is, where, on what terms it may move, and its moves."""
    e = EngagementState.engagement
    return rx.card(
        rx.vstack(
            rx.heading("The call", size="4", as_="h2"),
            rx.cond(
                e.call_time != "",
                rx.data_list.root(
                    rx.data_list.item(
                        rx.data_list.label("When"),
                        rx.data_list.value(
                            rx.vstack(
                                rx.text(e.call_time, weight="medium"),
                                rx.cond(
                                    e.call_time_other != "",
                                    rx.text(
                                        e.call_time_other,
                                        size="1",
                                        color_scheme="gray",
                                    ),
                                ),
                                spacing="0",
                            )
                        ),
                    ),
                    rx.data_list.item(
                        rx.data_list.label("Length"),
                        rx.data_list.value(e.call_length),
                    ),
                    rx.data_list.item(
                        rx.data_list.label("Where"),
                        rx.data_list.value(
                            rx.cond(
                                e.meeting_link != "",
                                _meeting_link(e.meeting_link),
                                rx.cond(
                                    e.status == "proposed",
                                    "The link is shared once it is accepted.",
                                    "No link set: agree where in messages.",
                                ),
                            )
                        ),
                    ),
                ),
            ),
            rx.cond(
                e.call_policy != "",
                rx.text(e.call_policy, size="2", color_scheme="gray"),
            ),
            rx.cond(
                e.proposed_times.length() > 0,
                rx.cond(
                    (e.my_role == "asker") & (e.status == "proposed"),
                    _accept_with_time(),
                    rx.vstack(
                        rx.text("Times proposed:", size="2", weight="medium"),
                        rx.foreach(
                            e.proposed_times, lambda t: rx.text(t["label"], size="2")
                        ),
                        spacing="1",
                    ),
                ),
            ),
            rx.cond(e.can_move, _move_call()),
            rx.cond(e.can_report_no_show, _no_show_form()),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _step_button(a) -> rx.Component:
    """A move's button; accepting proposed times happens in the call card."""
    e = EngagementState.engagement
    return rx.cond(
        (a["action"] == "dispute")
        | ((a["action"] == "accept") & (e.proposed_times.length() > 0)),
        rx.fragment(),
        _action_button(a),
    )


def _next_steps() -> rx.Component:
    e = EngagementState.engagement
    buttons = rx.foreach(e.actions, _step_button)
    return rx.card(
        rx.vstack(
            rx.heading("Next step", size="4", as_="h2"),
            # a card wait says more than the hint ("Accept to start") does
            rx.cond(e.card_wait != "", _card_wait(), rx.text(e.hint)),
            rx.cond(
                e.late_cancel != "",
                rx.callout(e.late_cancel, icon="triangle_alert", color_scheme="amber"),
            ),
            rx.cond(
                e.actions.length() > 0,
                rx.flex(buttons, spacing="3", wrap="wrap", direction="row"),
            ),
            rx.cond(
                e.confirm_due != "",
                rx.text(
                    "Confirmed automatically on ",
                    e.confirm_due,
                    " unless disputed.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.cond(
                (e.status == "delivered") & (e.my_role == "asker"), _dispute_form()
            ),
            rx.cond(
                (e.status == "disputed")
                & (e.my_role == "helper")
                & (e.dispute_answer == ""),
                _answer_form(),
            ),
            form_error(EngagementState.action_error),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _card_wait() -> rx.Component:
    """Why the paid help hasn't started, and the payer's way forward."""
    e = EngagementState.engagement
    return rx.callout.root(
        rx.callout.icon(rx.icon("credit_card")),
        rx.callout.text(e.card_wait),
        rx.cond(
            e.card_step == "add_card",
            rx.link(
                "Add a card in your wallet",
                href=EngagementState.add_card_url,
                weight="bold",
            ),
        ),
        rx.cond(
            e.card_step == "authenticate",
            rx.form(
                rx.el.input(type="hidden", name="engagement_id", value=e.id),
                rx.button(
                    rx.icon("shield_check"),
                    "Authenticate the payment",
                    type="submit",
                ),
                on_submit=EngagementState.authenticate,
            ),
        ),
        color_scheme="amber",
        role="status",
        width="100%",
    )


def _message(m) -> rx.Component:
    return rx.box(
        rx.text(m.author_name, " · ", m.sent, size="1", color_scheme="gray"),
        rx.text(m.body, white_space="pre-wrap"),
        rx.cond(~m.mine, report_button("message", m.id)),
        background=rx.cond(m.mine, "var(--accent-3)", "var(--gray-3)"),
        border_radius="10px",
        padding="0.6rem 0.8rem",
        max_width="85%",
        align_self=rx.cond(m.mine, "flex-end", "flex-start"),
    )


def _thread() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Messages", size="4", as_="h2"),
            rx.cond(
                EngagementState.messages.length() > 0,
                rx.vstack(
                    rx.foreach(EngagementState.messages, _message),
                    width="100%",
                    spacing="2",
                ),
                rx.text("No messages yet.", size="2", color_scheme="gray"),
            ),
            rx.form(
                rx.vstack(
                    rx.el.input(
                        type="hidden",
                        name="engagement_id",
                        value=EngagementState.engagement.id,
                    ),
                    form_key("message"),
                    text_area("Write a message", "body", max_length=4000, rows="3"),
                    form_error(EngagementState.message_error),
                    rx.button("Send message", type="submit"),
                    spacing="2",
                    width="100%",
                    align="end",
                ),
                on_submit=EngagementState.send_message,
                reset_on_submit=True,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _review_box() -> rx.Component:
    e = EngagementState.engagement
    form = rx.form(
        rx.vstack(
            rx.el.input(type="hidden", name="engagement_id", value=e.id),
            form_key("review"),
            select_field(
                "Rating",
                "rating",
                {
                    "5": "★★★★★ Excellent",
                    "4": "★★★★ Good",
                    "3": "★★★ Fine",
                    "2": "★★ Poor",
                    "1": "★ Bad",
                },
                "5",
            ),
            text_area("Your review", "review", max_length=2000, rows="3"),
            form_error(EngagementState.review_error),
            rx.button("Post review", type="submit"),
            spacing="2",
            width="100%",
        ),
        on_submit=EngagementState.review,
        width="100%",
    )
    return rx.card(
        rx.vstack(
            rx.heading("Reviews", size="4", as_="h2"),
            rx.cond(
                (e.status != "confirmed") & (e.status != "resolved"),
                rx.text(
                    "Both of you can review once the help is confirmed.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.cond(e.can_review, form),
            rx.cond(e.my_review != "", rx.text("You wrote: ", e.my_review, size="2")),
            rx.cond(
                e.their_review != "",
                rx.text(e.other_name, " wrote: ", e.their_review, size="2"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _summary() -> rx.Component:
    e = EngagementState.engagement
    return rx.card(
        rx.vstack(
            rx.hstack(
                status_badge(e.status, e.status_label),
                rx.spacer(),
                rx.text(e.terms_label, weight="bold"),
                width="100%",
            ),
            rx.heading(e.title, size="7", as_="h1"),
            rx.text(
                rx.cond(
                    e.my_role == "helper",
                    "You are helping ",
                    "You are getting help from ",
                ),
                rx.link(e.other_name, href="/people/" + e.other_handle),
                ".",
            ),
            rx.cond(e.note != "", rx.blockquote(e.note, size="2")),
            rx.cond(
                e.payment != "",
                rx.callout(e.payment, icon="credit_card", color_scheme="gray"),
            ),
            rx.cond(
                e.dispute_reason != "",
                rx.callout(
                    "Disputed: " + e.dispute_reason,
                    color_scheme="red",
                    icon="triangle_alert",
                ),
            ),
            rx.cond(
                e.dispute_answer != "",
                rx.callout(
                    "The helper's side: " + e.dispute_answer,
                    color_scheme="gray",
                    icon="message_square",
                ),
            ),
            rx.cond(
                e.resolution != "",
                rx.text("Resolved by an operator: ", e.resolution, size="2"),
            ),
            rx.link("See the listing", href=EngagementState.listing_url, size="2"),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
    )


# Steps whose words the page already shows elsewhere (the proposal's note in
# the summary, each side of a dispute on its own), not repeated in a timeline.
SHOWN_ELSEWHERE = ("Disputed", "Answered the dispute")


def _step(t, shown_elsewhere: tuple[str, ...] = SHOWN_ELSEWHERE) -> rx.Component:
    """One step of a timeline: what, who and when, and the words said with it."""
    repeated = rx.Var.create(list(shown_elsewhere)).contains(t["what"])
    return rx.vstack(
        rx.text(t["what"], weight="medium", size="2"),
        rx.text(t["who"], " · ", t["when"], size="1", color_scheme="gray"),
        rx.cond(
            (t["note"] != "") & ~repeated,
            rx.text(
                t["note"],
                size="1",
                color_scheme="gray",
                font_style="italic",
                overflow_wrap="anywhere",
            ),
        ),
        spacing="0",
    )


def _timeline() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Timeline", size="4", as_="h2"),
            rx.foreach(
                EngagementState.timeline,
                lambda t: _step(t, ("Proposed", *SHOWN_ELSEWHERE)),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def engagement_page() -> rx.Component:
    return page(
        rx.link("← Engagements", href=routes.ENGAGEMENTS, size="2"),
        rx.cond(
            EngagementState.not_found,
            rx.vstack(
                rx.heading("Engagement not found", size="7", as_="h1"),
                rx.text("It doesn't exist, or you aren't part of it."),
            ),
            rx.grid(
                rx.vstack(
                    _summary(),
                    rx.cond(
                        (EngagementState.engagement.call_time != "")
                        | (EngagementState.engagement.proposed_times.length() > 0),
                        _call_card(),
                    ),
                    _next_steps(),
                    _thread(),
                    spacing="4",
                    width="100%",
                ),
                rx.vstack(_review_box(), _timeline(), spacing="4", width="100%"),
                columns=rx.breakpoints(initial="1", md="2fr 1fr"),
                spacing="5",
                width="100%",
                align_items="start",
            ),
        ),
    )


# --------------------------------------------------------------------------- operator


def _side(label: str, name, words, empty: str) -> rx.Component:
    """One party's statement, in their words."""
    return rx.card(
        rx.vstack(
            rx.text(label, " · ", rx.text.strong(name), size="2"),
            rx.cond(
                words != "",
                rx.text(words, white_space="pre-wrap", overflow_wrap="anywhere"),
                rx.text(empty, size="2", color_scheme="gray", font_style="italic"),
            ),
            spacing="1",
            width="100%",
        ),
        variant="surface",
        width="100%",
        role="group",
        aria_label=label,
    )


def _desk_message(m) -> rx.Component:
    return rx.box(
        rx.text(m.author_name, " · ", m.sent, size="1", color_scheme="gray"),
        rx.text(m.body, white_space="pre-wrap", overflow_wrap="anywhere"),
        background="var(--gray-3)",
        border_radius="10px",
        padding="0.5rem 0.75rem",
        width="100%",
    )


def _desk_thread(d) -> rx.Component:
    return rx.vstack(
        rx.heading("Messages", size="3", as_="h3"),
        rx.cond(
            d.messages.length() > 0,
            rx.vstack(
                rx.foreach(d.messages, _desk_message),
                spacing="2",
                width="100%",
                max_height="22rem",
                overflow_y="auto",
                tab_index=0,
                aria_label="Messages between " + d.asker + " and " + d.helper,
            ),
            rx.text("They wrote no messages.", size="2", color_scheme="gray"),
        ),
        spacing="2",
        width="100%",
    )


def _desk_timeline(d) -> rx.Component:
    return rx.vstack(
        rx.heading("Timeline", size="3", as_="h3"),
        rx.foreach(d.timeline, lambda t: _step(t)),
        spacing="2",
        width="100%",
    )


def _dispute_card(d) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(d.title, size="5", as_="h2", overflow_wrap="anywhere"),
            rx.text(
                rx.link(d.asker, href="/people/" + d.asker_handle),
                " asked, ",
                rx.link(d.helper, href="/people/" + d.helper_handle),
                " helped · ",
                d.terms,
                " · disputed ",
                d.since,
                size="2",
                color_scheme="gray",
            ),
            rx.grid(
                _side("The asker", d.asker, d.reason, "No reason given."),
                _side(
                    "The helper",
                    d.helper,
                    d.answer,
                    "Hasn't given their side yet.",
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.grid(
                _desk_thread(d),
                _desk_timeline(d),
                columns=rx.breakpoints(initial="1", md="3fr 2fr"),
                spacing="4",
                width="100%",
            ),
            rx.separator(size="4"),
            rx.text("Decide", weight="medium"),
            rx.flex(
                _resolve_dialog(d, "refund", "Refund the asker", d.refund_means),
                _resolve_dialog(d, "release", "Pay the helper", d.release_means),
                spacing="3",
                wrap="wrap",
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _resolve_dialog(d, resolution: str, label: str, means) -> rx.Component:
    """An outcome: a plain button (neither is the default) that asks first."""
    note_id = "note-" + resolution + "-" + d.id.to_string()
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(label, variant="surface", color_scheme="gray", size="3"),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(label + "?"),
            rx.alert_dialog.description(means, size="2"),
            rx.form(
                rx.el.input(type="hidden", name="engagement_id", value=d.id),
                rx.el.input(type="hidden", name="resolution", value=resolution),
                rx.vstack(
                    rx.el.label(
                        "Note to both (optional)",
                        html_for=note_id,
                        class_name="rt-Text rt-r-size-2 rt-r-weight-medium",
                    ),
                    rx.text_area(
                        id=note_id, name="note", max_length=500, rows="2", width="100%"
                    ),
                    form_error(DisputesState.resolve_error),
                    rx.flex(
                        rx.alert_dialog.cancel(
                            rx.button("Go back", variant="soft", color_scheme="gray")
                        ),
                        rx.button("Yes, " + label.lower(), type="submit"),
                        spacing="3",
                        justify="end",
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                    margin_top="1rem",
                ),
                on_submit=DisputesState.resolve,
                reset_on_submit=True,
            ),
            max_width="480px",
        ),
    )


def disputes_page() -> rx.Component:
    return page(
        rx.heading("Disputes", size="8", as_="h1"),
        rx.cond(
            DisputesState.allowed,
            rx.vstack(
                operator_tabs(routes.DISPUTES),
                rx.text(
                    "Read both sides, the messages and the timeline, then decide. "
                    "Each decision is final and both people are told.",
                    color_scheme="gray",
                ),
                form_error(DisputesState.resolve_error),
                rx.cond(
                    DisputesState.disputes.length() > 0,
                    rx.vstack(
                        rx.foreach(DisputesState.disputes, _dispute_card),
                        spacing="4",
                        width="100%",
                    ),
                    rx.text("No open disputes.", color_scheme="gray"),
                ),
                spacing="3",
                width="100%",
            ),
            rx.text("This page is for operators."),
        ),
        width="1000px",
    )
