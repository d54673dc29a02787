"""Direct messages: /messages (conversations, message requests, search) and
/messages/<handle> (one conversation, a message request form, or why not)."""

import reflex as rx

from marketplace import routes
from marketplace.components.buttons import link_button
from marketplace.components.forms import form_error, form_key, text_area
from marketplace.components.layout import page
from marketplace.components.moderation import report_button
from marketplace.network.conversations import MESSAGE_MAX, REASON_MAX
from marketplace.states.messages import ConversationState, MessagesState

WIDTH = "880px"


# --------------------------------------------------------------------- the list


def _conversation_row(c) -> rx.Component:
    unread = c.unread > 0
    return rx.card(
        rx.hstack(
            rx.avatar(fallback=c.name.to(str)[:1], size="3", radius="full"),
            rx.vstack(
                rx.hstack(
                    rx.link(
                        c.name,
                        href=routes.MESSAGES + "/" + c.handle,
                        weight=rx.cond(unread, "bold", "medium"),
                        size="3",
                    ),
                    rx.cond(
                        unread,
                        rx.badge(c.unread.to_string() + " unread", variant="solid"),
                    ),
                    rx.spacer(),
                    rx.text(c.last_sent, size="1", color_scheme="gray"),
                    align="center",
                    width="100%",
                    wrap="wrap",
                ),
                rx.text(
                    c.last_message,
                    size="2",
                    color=rx.cond(unread, "var(--gray-12)", "var(--gray-11)"),
                    white_space="pre-wrap",
                ),
                rx.cond(
                    unread,
                    rx.button(
                        "Mark as read",
                        size="1",
                        variant="ghost",
                        on_click=MessagesState.mark_read(c.id),
                    ),
                ),
                spacing="1",
                width="100%",
                align="start",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        role="listitem",
        width="100%",
        background=rx.cond(unread, "var(--accent-2)", "var(--color-panel)"),
    )


def _request_card(r) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.link(r.name, href=routes.PEOPLE + "/" + r.handle, weight="bold"),
                rx.text(r.headline, size="2", color_scheme="gray"),
                rx.spacer(),
                rx.text(r.sent, size="1", color_scheme="gray"),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.text("What you share: ", r.shared, size="2", color_scheme="gray"),
            rx.blockquote(r.reason, size="2", white_space="pre-wrap"),
            rx.hstack(
                rx.button(
                    "Accept and reply",
                    on_click=MessagesState.answer_request(r.id, "accept"),
                ),
                rx.button(
                    "Ignore",
                    variant="soft",
                    color_scheme="gray",
                    on_click=MessagesState.answer_request(r.id, "ignore"),
                ),
                rx.button(
                    "Block " + r.name,
                    variant="ghost",
                    color_scheme="red",
                    on_click=MessagesState.answer_request(r.id, "block"),
                ),
                spacing="3",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        role="listitem",
        width="100%",
    )


def _requests() -> rx.Component:
    return rx.cond(
        MessagesState.requests.length() > 0,
        rx.vstack(
            rx.heading("Message requests", size="4", as_="h2"),
            rx.text(
                "People you're not connected to who asked to talk. Ignoring is "
                "silent: they are not told.",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                rx.foreach(MessagesState.requests, _request_card),
                role="list",
                aria_label="Message requests",
                spacing="2",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
    )


def _search() -> rx.Component:
    return rx.form(
        rx.flex(
            rx.el.label(
                "Search my messages",
                html_for="message-search",
                class_name="rt-Text rt-r-size-2 rt-r-weight-medium",
                white_space="nowrap",
            ),
            rx.hstack(
                rx.input(
                    id="message-search",
                    name="q",
                    type="search",
                    max_length=100,
                    placeholder="a word or a name",
                    width="100%",
                ),
                rx.button("Search", type="submit", variant="soft"),
                spacing="2",
                width="100%",
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            align=rx.breakpoints(initial="start", sm="center"),
            gap="2",
            width="100%",
        ),
        on_submit=MessagesState.search,
        role="search",
        width="100%",
    )


def _hit(h) -> rx.Component:
    return rx.hstack(
        rx.link(h.name, href=routes.MESSAGES + "/" + h.handle, weight="medium"),
        rx.text(h.body, size="2", flex="1"),
        rx.text(h.sent, size="1", color_scheme="gray"),
        role="listitem",
        spacing="3",
        width="100%",
        align="baseline",
    )


def _hits() -> rx.Component:
    return rx.cond(
        MessagesState.query != "",
        rx.card(
            rx.vstack(
                rx.heading(
                    "Messages with “" + MessagesState.query + "”", size="3", as_="h2"
                ),
                rx.cond(
                    MessagesState.hits.length() > 0,
                    rx.vstack(
                        rx.foreach(MessagesState.hits, _hit),
                        role="list",
                        spacing="2",
                        width="100%",
                    ),
                    rx.text("No message says that.", size="2", color_scheme="gray"),
                ),
                spacing="2",
                width="100%",
            ),
            width="100%",
        ),
    )


def _conversations() -> rx.Component:
    return rx.vstack(
        rx.heading("Conversations", size="4", as_="h2"),
        rx.cond(
            MessagesState.conversations.length() > 0,
            rx.vstack(
                rx.foreach(MessagesState.conversations, _conversation_row),
                role="list",
                aria_label="Conversations",
                spacing="2",
                width="100%",
            ),
            rx.card(
                rx.text(
                    "No conversations yet. Write to a connection from their "
                    "profile: the Message button.",
                    color_scheme="gray",
                ),
                size="3",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def messages_page() -> rx.Component:
    return page(
        rx.vstack(
            rx.heading("Messages", size="8", as_="h1"),
            rx.text(
                "Write to your connections. Others can send you one message "
                "request with a reason.",
                color_scheme="gray",
            ),
            spacing="1",
        ),
        _search(),
        form_error(MessagesState.messages_error),
        _hits(),
        _requests(),
        _conversations(),
        width=WIDTH,
    )


# ------------------------------------------------------------ one conversation


def _bubble(m) -> rx.Component:
    return rx.box(
        rx.text(m.author_name, " · ", m.sent, size="1", color_scheme="gray"),
        rx.text(
            m.body,
            white_space="pre-wrap",
            overflow_wrap="anywhere",
            font_style=rx.cond(m.hidden, "italic", "normal"),
        ),
        # the other one's words may be reported; one's own and removed ones not
        rx.cond(~m.mine & ~m.hidden, report_button("dm", m.id)),
        background=rx.cond(m.mine, "var(--accent-3)", "var(--gray-3)"),
        border_radius="10px",
        padding="0.6rem 0.8rem",
        max_width="85%",
        align_self=rx.cond(m.mine, "flex-end", "flex-start"),
        role="listitem",
    )


def _thread() -> rx.Component:
    state = ConversationState
    return rx.card(
        rx.vstack(
            rx.cond(
                state.messages.length() > 0,
                rx.vstack(
                    rx.foreach(state.messages, _bubble),
                    role="list",
                    aria_label="Messages with " + state.name,
                    aria_live="polite",
                    width="100%",
                    spacing="2",
                ),
                rx.text("No messages yet: say hello.", size="2", color_scheme="gray"),
            ),
            rx.cond(
                state.can_write,
                rx.form(
                    rx.vstack(
                        form_key("message"),
                        text_area(
                            "Write to " + state.name,
                            "body",
                            max_length=MESSAGE_MAX,
                            rows="3",
                        ),
                        form_error(state.conversation_error),
                        rx.button("Send message", type="submit"),
                        spacing="2",
                        width="100%",
                        align="end",
                    ),
                    on_submit=state.send,
                    reset_on_submit=True,
                    width="100%",
                ),
                rx.callout(
                    state.notice, icon="lock", color_scheme="gray", width="100%"
                ),
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _request_form() -> rx.Component:
    state = ConversationState
    return rx.card(
        rx.vstack(
            rx.heading("Send a message request", size="4", as_="h2"),
            rx.text(
                "You're not connected with ",
                state.name,
                ". You may send one request, with a reason; they choose to "
                "accept, ignore or block it.",
                size="2",
            ),
            rx.callout(
                rx.text("What you share: ", rx.text.strong(state.shared)),
                icon="users",
                color_scheme=rx.cond(state.cold, "amber", "grass"),
                width="100%",
            ),
            rx.form(
                rx.vstack(
                    form_key("message_request"),
                    text_area(
                        "Reason (required)",
                        "reason",
                        max_length=REASON_MAX,
                        rows="3",
                        hint="Say who you are and why you'd like to talk. "
                        "It becomes the first message if they accept.",
                    ),
                    rx.cond(
                        state.cold,
                        rx.el.label(
                            rx.el.input(type="checkbox", name="confirm", id="confirm"),
                            " We have nothing in common yet; I still want to write.",
                            html_for="confirm",
                            class_name="rt-Text rt-r-size-2",
                        ),
                    ),
                    form_error(state.conversation_error),
                    rx.button("Send message request", type="submit"),
                    spacing="3",
                    width="100%",
                    align="start",
                ),
                on_submit=state.request,
                reset_on_submit=True,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _start() -> rx.Component:
    """No conversation yet and no writing: a request form, or why not."""
    state = ConversationState
    return rx.cond(
        state.action == "request",
        _request_form(),
        rx.card(
            rx.vstack(
                rx.text(state.why),
                rx.cond(
                    state.action == "answer",
                    link_button("Open message requests", routes.MESSAGES),
                    link_button(
                        "See " + state.name + "'s profile",
                        routes.PEOPLE + "/" + state.handle,
                        variant="soft",
                    ),
                ),
                spacing="3",
                align="start",
            ),
            size="3",
            width="100%",
        ),
    )


def conversation_page() -> rx.Component:
    state = ConversationState
    return page(
        rx.link("← All messages", href=routes.MESSAGES, size="2"),
        rx.cond(
            state.missing != "",
            rx.vstack(
                rx.heading("Messages", size="7", as_="h1"),
                rx.callout(state.missing, icon="info", width="100%"),
                width="100%",
            ),
            rx.vstack(
                rx.vstack(
                    rx.heading(state.name, size="7", as_="h1"),
                    rx.cond(
                        state.headline != "",
                        rx.text(state.headline, color_scheme="gray"),
                    ),
                    rx.link(
                        "View profile",
                        href=routes.PEOPLE + "/" + state.handle,
                        size="2",
                    ),
                    spacing="1",
                ),
                rx.cond(
                    state.can_write | (state.messages.length() > 0),
                    _thread(),
                    _start(),
                ),
                spacing="4",
                width="100%",
            ),
        ),
        width=WIDTH,
    )
