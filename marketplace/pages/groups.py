"""Micro-networks: communities found around me, groups to join, one group."""

import reflex as rx

from marketplace import routes
from marketplace.components.forms import field, form_error, form_key, text_area
from marketplace.components.layout import page
from marketplace.states.groups import GroupsState, GroupState


def _chip(person) -> rx.Component:
    return rx.link(
        rx.badge(person.name, variant="surface", size="2"),
        href="/people/" + person.handle,
        underline="none",
    )


def _tags(tags) -> rx.Component:
    return rx.hstack(
        rx.foreach(tags, lambda t: rx.badge(t, variant="soft", color_scheme="indigo")),
        wrap="wrap",
        spacing="1",
    )


def _community(c) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(c.tags[:2].join(" & "), size="3", as_="h3"),
                rx.cond(c.includes_me, rx.badge("Yours", color_scheme="grass")),
                justify="between",
                width="100%",
            ),
            _tags(c.tags),
            rx.text(c.size, " people", size="2", color_scheme="gray"),
            rx.hstack(rx.foreach(c.members, _chip), wrap="wrap", spacing="1"),
            spacing="2",
        ),
        width="100%",
    )


def _group_card(g) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.link(rx.heading(g.name, size="3", as_="h3"), href="/groups/" + g.slug),
            rx.text(g.description, size="2", color_scheme="gray"),
            rx.hstack(
                rx.text(g.member_count, " members", size="2"),
                rx.cond(
                    g.is_member,
                    rx.button(
                        "Leave",
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=GroupsState.leave(g.id),
                        aria_label="Leave " + g.name,
                    ),
                    rx.button(
                        "Join",
                        size="1",
                        on_click=GroupsState.join(g.id),
                        aria_label="Join " + g.name,
                    ),
                ),
                justify="between",
                align="center",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _create_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Start a group", size="4", as_="h2"),
                field("Group name", "name", required=True, max_length=80),
                text_area("What it is about", "description", max_length=500, rows="2"),
                form_error(GroupsState.groups_error),
                form_key("group"),
                rx.button("Create group", type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=GroupsState.create,
            reset_on_submit=True,
        ),
        width="100%",
    )


def groups_page() -> rx.Component:
    return page(
        rx.heading("Micro-networks", size="8", as_="h1"),
        rx.text(
            "Circles of people around shared work, found in who helps whom, "
            "and groups you can join.",
            color_scheme="gray",
        ),
        rx.heading("Communities around you", size="5", as_="h2"),
        rx.cond(
            GroupsState.communities.length() > 0,
            rx.grid(
                rx.foreach(GroupsState.communities, _community),
                columns=rx.breakpoints(initial="1", sm="2", md="3"),
                spacing="3",
                width="100%",
            ),
            rx.text("Connect with a few people to see your circles.", size="2"),
        ),
        rx.heading("Groups", size="5", as_="h2"),
        rx.grid(
            rx.foreach(GroupsState.groups, _group_card),
            _create_form(),
            columns=rx.breakpoints(initial="1", sm="2", md="3"),
            spacing="3",
            width="100%",
        ),
    )


# ------------------------------------------------------------------------ one group


def _feed_item(item) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(
                    rx.cond(item.kind == "request", "Request", "Context"),
                    color_scheme=rx.cond(item.kind == "request", "amber", "violet"),
                ),
                rx.text(item.posted, size="1", color_scheme="gray"),
                spacing="2",
            ),
            rx.link(rx.text(item.title, weight="bold"), href=item.link),
            rx.text(item.sentence, size="2"),
            _tags(item.tags),
            spacing="2",
        ),
        width="100%",
    )


def group_page() -> rx.Component:
    g = GroupState.group
    return page(
        rx.cond(
            GroupState.not_found,
            rx.vstack(
                rx.heading("No such group", size="7", as_="h1"),
                rx.link("All groups", href=routes.GROUPS),
            ),
            rx.vstack(
                rx.link("← Micro-networks", href=routes.GROUPS, size="2"),
                rx.heading(g.name, size="8", as_="h1"),
                rx.text(g.description, color_scheme="gray"),
                rx.hstack(
                    rx.text(g.member_count, " members", size="2"),
                    rx.cond(
                        g.is_member,
                        rx.button(
                            "Leave group",
                            variant="soft",
                            color_scheme="gray",
                            on_click=GroupState.leave,
                        ),
                        rx.button("Join group", on_click=GroupState.join),
                    ),
                    align="center",
                    spacing="3",
                ),
                rx.hstack(rx.foreach(GroupState.members, _chip), wrap="wrap"),
                rx.heading(
                    "What the group is asking for and up to", size="5", as_="h2"
                ),
                rx.cond(
                    GroupState.feed.length() > 0,
                    rx.vstack(rx.foreach(GroupState.feed, _feed_item), width="100%"),
                    rx.text("Nothing posted yet.", size="2", color_scheme="gray"),
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )
