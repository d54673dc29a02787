"""The app shell: top navigation, page frame, footer."""

import reflex as rx

from marketplace import routes
from marketplace.components import plain
from marketplace.components.buttons import link_button
from marketplace.components.heartbeat import heartbeat
from marketplace.states.auth import VerifyState
from marketplace.states.nav import (
    CONVERSATION_CHECK_SECONDS,
    UNREAD_CHECK_SECONDS,
    NavState,
)
from marketplace.states.session import SessionState

# The member links sit in the top bar from 1024 px (md) and fold into the
# account menu below that; the operator desk and the member's name, from
# 1280 px (lg). Measured: the bar holds them there without wrapping.
FOLDED = rx.breakpoints(initial="flex", md="none")
FOLDED_WIDE = rx.breakpoints(initial="flex", lg="none")
# the same widths for Tailwind classes: Reflex's md is 62em, its lg 80em
WIDE_FROM, WIDER_FROM = "min-[62em]", "min-[80em]"
LOGO = "/logo.svg"  # assets/ is served at the site's root
MEMBER_LINKS = (
    ("Dashboard", routes.DASHBOARD),
    ("Market", routes.MARKET),
    ("Engagements", routes.ENGAGEMENTS),
    ("Network", routes.NETWORK),
    ("Groups", routes.GROUPS),
    ("People", routes.PEOPLE),
    ("Wallet", routes.WALLET),
    ("IOUs", routes.IOUS),
)
# operators only; the desk's pages link each other (components/operator_nav)
OPERATOR_DESK = ("Operator desk", routes.MODERATION)


def nav_link(text: str, href: str, class_name: str = "") -> rx.Component:
    return plain.link(
        text,
        href=href,
        size="2",
        weight="medium",
        color="gray",
        high_contrast=True,
        underline="hover",
        class_name="whitespace-nowrap " + class_name,
    )


def brand() -> rx.Component:
    return plain.link(
        plain.stack(
            # decorative: the link's name says "Karma home", the text follows
            rx.el.img(
                src=LOGO, alt="", width="34", height="34", class_name="size-[34px]"
            ),
            plain.text("Karma", size="5", weight="bold", high_contrast=True),
            direction="row",
            align="center",
            gap="2",
        ),
        # a member's home is the dashboard (`/` would send them there anyway)
        href=rx.cond(SessionState.signed_in, routes.DASHBOARD, routes.HOME),
        underline="none",
        aria_label="Karma home",
        class_name="shrink-0",
    )


def _counted_link(icon: str, text: str, href: str, count, badge, label):
    """A navigation link with a live count badge; shown on phones too. The
    accessible name (`label`) carries the count, the badge is only its
    picture."""
    return plain.link(
        plain.stack(
            rx.icon(icon, size=18, aria_hidden="true"),
            rx.el.span(text, class_name=f"hidden {WIDE_FROM}:inline"),
            rx.cond(
                count > 0,
                plain.badge(
                    badge, color="red", variant="solid", round_=True, aria_hidden="true"
                ),
            ),
            direction="row",
            gap="1",
            align="center",
        ),
        href=href,
        aria_label=label,
        size="2",
        weight="medium",
        color="gray",
        high_contrast=True,
        underline="hover",
        class_name="whitespace-nowrap",
    )


def inbox_link() -> rx.Component:
    """Inbox with its unread badge ("Inbox, 3 unread")."""
    return _counted_link(
        "bell",
        "Inbox",
        routes.INBOX,
        NavState.unread_count,
        NavState.unread_badge,
        NavState.inbox_label,
    )


def messages_link() -> rx.Component:
    """Messages with its count of conversations waiting, beside the Inbox
    (the same heartbeat keeps it live)."""
    return _counted_link(
        "message-circle",
        "Messages",
        routes.MESSAGES,
        NavState.messages_unread,
        NavState.messages_unread,
        NavState.messages_label,
    )


def member_menu() -> rx.Component:
    return rx.hstack(
        # Only signed-in pages tick: guests never poll.
        heartbeat(
            on_tick=NavState.check_unread,
            seconds=UNREAD_CHECK_SECONDS,
            quick_paths=[routes.MESSAGES],
            quick_seconds=CONVERSATION_CHECK_SECONDS,
        ),
        plain.stack(
            *[nav_link(text, href) for text, href in MEMBER_LINKS],
            # shown to operators; every operator action checks the role again
            rx.cond(
                SessionState.am_operator,
                nav_link(*OPERATOR_DESK, class_name=f"hidden {WIDER_FROM}:flex"),
            ),
            direction="row",
            gap="4",
            class_name=f"hidden {WIDE_FROM}:flex",
        ),
        messages_link(),
        inbox_link(),
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.avatar(
                        fallback=SessionState.my_initials, size="1", radius="full"
                    ),
                    rx.text(
                        SessionState.my_name,
                        white_space="nowrap",
                        display=rx.breakpoints(initial="none", lg="inline"),
                    ),
                    rx.icon("chevron-down", size=14),
                    variant="ghost",
                    aria_label="Account menu",
                ),
            ),
            rx.menu.content(
                # Below 1024 px the top links fold into this menu.
                *[
                    rx.menu.item(text, on_click=rx.redirect(href), display=FOLDED)
                    for text, href in MEMBER_LINKS
                ],
                rx.menu.separator(display=FOLDED),
                rx.menu.item(
                    "My public profile",
                    on_click=rx.redirect(SessionState.my_profile_url),
                ),
                rx.menu.item("Edit profile", on_click=rx.redirect(routes.PROFILE_EDIT)),
                rx.menu.item("Your data", on_click=rx.redirect(routes.SETTINGS_DATA)),
                rx.menu.item(
                    "Account and devices",
                    on_click=rx.redirect(routes.ACCOUNT_SETTINGS),
                ),
                rx.menu.item(
                    "Email alerts", on_click=rx.redirect(routes.SETTINGS_ALERTS)
                ),
                rx.menu.item("Privacy", on_click=rx.redirect(routes.SETTINGS_PRIVACY)),
                rx.menu.item(
                    "When I take calls",
                    on_click=rx.redirect(routes.SETTINGS_AVAILABILITY),
                ),
                rx.cond(
                    SessionState.am_operator,
                    rx.menu.item(
                        OPERATOR_DESK[0],
                        on_click=rx.redirect(OPERATOR_DESK[1]),
                        display=FOLDED_WIDE,
                    ),
                ),
                rx.menu.separator(),
                rx.menu.item("Log out", on_click=SessionState.log_out, color="red"),
                rx.menu.item(
                    "Log out everywhere",
                    on_click=SessionState.log_out_everywhere,
                    color="red",
                ),
            ),
        ),
        spacing="4",
        align="center",
    )


def guest_menu() -> rx.Component:
    return rx.hstack(
        nav_link("People", routes.PEOPLE, class_name="hidden min-[30em]:flex"),
        link_button("Log in", routes.LOGIN, variant="soft"),
        link_button("Join Karma", routes.SIGNUP),
        spacing="3",
        align="center",
        flex_shrink="0",
    )


def navbar() -> rx.Component:
    return rx.el.header(
        plain.stack(
            brand(),
            plain.spacer(),
            rx.cond(SessionState.signed_in, member_menu(), guest_menu()),
            direction="row",
            align="center",
            class_name="w-full max-w-[1120px] mx-auto px-5 py-3",
        ),
        class_name="sticky top-0 z-10 w-full border-b border-[var(--gray-a5)] "
        "bg-[var(--color-panel-solid)]",
    )


def section_card(title: str, *children: rx.Component, **props) -> rx.Component:
    """One titled part of a settings page: a card with an h2 and its content."""
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4", as_="h2"),
            *children,
            spacing="4",
            width="100%",
            **props,
        ),
        size="3",
        width="100%",
    )


def verify_banner() -> rx.Component:
    """For a signed-in member whose address is not verified yet: what they
    can't do until they are, and a fresh link. The services refuse anyway."""
    return rx.cond(
        SessionState.email_unverified,
        rx.callout.root(
            rx.callout.icon(rx.icon("mail_warning")),
            rx.flex(
                rx.callout.text(
                    "Verify your email address to post, book, send karma or "
                    "write IOUs: follow the link we mailed you."
                ),
                rx.button(
                    "Resend verification email",
                    on_click=VerifyState.resend,
                    size="2",
                    variant="soft",
                ),
                direction=rx.breakpoints(initial="column", sm="row"),
                align=rx.breakpoints(initial="start", sm="center"),
                justify="between",
                gap="3",
                width="100%",
            ),
            color_scheme="amber",
            role="status",
            width="100%",
        ),
    )


def page(*children: rx.Component, width: str = "1120px") -> rx.Component:
    """Every page: navigation, a centred main column, a quiet footer. Plain
    elements (components/plain.py): every page draws this frame."""
    return rx.el.div(
        navbar(),
        rx.el.main(
            plain.stack(verify_banner(), *children, gap="5", class_name="w-full"),
            # members' words may be one 300-character word: wrap, never widen
            class_name="mx-auto px-5 py-8 w-full " + plain.CUT_TEXT,
            custom_attrs={"style": {"maxWidth": width}},
        ),
        rx.el.footer(
            plain.text(
                "Karma — give help, get help, pay it forward.", size="1", color="gray"
            ),
            class_name="text-center p-8",
        ),
        class_name="min-h-screen bg-[var(--gray-2)]",
    )
