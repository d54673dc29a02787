"""Your contacts: bring your address book from LinkedIn, your phone or Google,
see who is already here and ask them to connect, and keep or remove what
you imported. Nobody else ever sees any of it."""

import reflex as rx

from marketplace import routes
from marketplace.components.invitations import invite_section
from marketplace.components.layout import page, section_card
from marketplace.components.pager import pager
from marketplace.domain.contact_files import MAX_BYTES
from marketplace.states.contacts import UPLOAD_ID, ContactsState

ACCEPTED = {
    "text/csv": [".csv"],
    "text/vcard": [".vcf", ".vcard"],
    "text/x-vcard": [".vcf"],
}


def _muted(*text, **props) -> rx.Component:
    return rx.text(*text, size="2", color_scheme="gray", **props)


# ------------------------------------------------------------------ importing


def _file_picker() -> rx.Component:
    return rx.vstack(
        rx.el.label(
            "Contacts file (.csv or .vcf)",
            html_for=UPLOAD_ID + "_input",
            class_name="rt-Text rt-r-size-2 rt-r-weight-medium",
        ),
        rx.upload.root(
            rx.vstack(
                rx.icon("upload", aria_hidden="true"),
                rx.text("Drop your export here, or click to choose a file", size="2"),
                _muted(
                    "LinkedIn Connections.csv, Google Contacts CSV or vCard, "
                    f"up to {MAX_BYTES // 1_048_576} MB"
                ),
                align="center",
                spacing="1",
            ),
            id=UPLOAD_ID,
            accept=ACCEPTED,
            max_files=1,
            multiple=False,
            max_size=MAX_BYTES,
            border="1px dashed var(--gray-8)",
            border_radius="var(--radius-3)",
            padding="1.5rem",
            width="100%",
            cursor="pointer",
            custom_attrs={"aria-label": "Contacts file (.csv or .vcf)"},
        ),
        rx.foreach(
            rx.selected_files(UPLOAD_ID),
            lambda name: rx.text("Chosen: ", name, size="2"),
        ),
        spacing="2",
        width="100%",
    )


def _progress() -> rx.Component:
    return rx.cond(
        ContactsState.importing,
        rx.vstack(
            rx.progress(
                value=ContactsState.import_percent,
                max=100,
                aria_label="Import progress",
                width="100%",
            ),
            rx.text(
                rx.cond(
                    ContactsState.import_total > 0,
                    rx.fragment(
                        "Importing: ",
                        ContactsState.import_done,
                        " of ",
                        ContactsState.import_total,
                        " contacts",
                    ),
                    "Reading your file…",
                ),
                size="2",
                role="status",
            ),
            width="100%",
        ),
    )


def _report() -> rx.Component:
    return rx.cond(
        ContactsState.report_ready,
        rx.vstack(
            rx.heading("Import report", size="3", as_="h3"),
            rx.data_list.root(
                rx.foreach(
                    ContactsState.report_figures,
                    lambda item: rx.data_list.item(
                        rx.data_list.label(item[0]), rx.data_list.value(item[1])
                    ),
                ),
            ),
            rx.cond(
                ContactsState.report_errors.length() > 0,
                rx.vstack(
                    rx.text("Rows not imported", weight="bold", size="2"),
                    rx.el.ul(
                        rx.foreach(
                            ContactsState.report_errors,
                            lambda e: rx.el.li(
                                rx.text("Row ", e.row, ": ", e.reason, size="2")
                            ),
                        ),
                    ),
                    spacing="1",
                ),
            ),
            spacing="2",
            width="100%",
            role="status",
        ),
    )


def _import_section() -> rx.Component:
    return section_card(
        "Import contacts",
        _muted(
            "On LinkedIn: Settings, Data privacy, Get a copy of your data, "
            "Connections. On a phone or in Google Contacts: export as vCard "
            "or CSV. Your contacts stay private to you; importing the same "
            "file again changes nothing."
        ),
        _file_picker(),
        rx.button(
            "Import contacts",
            on_click=ContactsState.import_file(rx.upload_files(upload_id=UPLOAD_ID)),
            loading=ContactsState.importing,
            size="3",
        ),
        _progress(),
        rx.cond(
            ContactsState.import_error != "",
            rx.callout(ContactsState.import_error, color_scheme="red", role="alert"),
        ),
        _report(),
    )


# ---------------------------------------------------------------- who is here


def _match(item) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.vstack(
                rx.link(item.name, href="/people/" + item.handle, weight="bold"),
                rx.cond(item.headline != "", rx.text(item.headline, size="2")),
                _muted(
                    "In your ",
                    item.source,
                    " contacts as ",
                    item.contact_name,
                    rx.cond(item.position != "", ", " + item.position, ""),
                    rx.cond(item.company != "", " at " + item.company, ""),
                ),
                spacing="1",
            ),
            rx.button(
                "Connect",
                on_click=ContactsState.connect(item.contact_id),
                aria_label="Connect with " + item.name,
            ),
            justify="between",
            align="center",
            width="100%",
        ),
        width="100%",
    )


def _matches_section() -> rx.Component:
    return section_card(
        "People you know who are here",
        rx.cond(
            ContactsState.matches.length() > 0,
            rx.vstack(rx.foreach(ContactsState.matches, _match), width="100%"),
            _muted(
                "Nobody from your contacts yet, or you are already connected "
                "with everyone who is."
            ),
        ),
    )


# --------------------------------------------------------------- the contacts


def _contact(item) -> rx.Component:
    """One contact: a row on a wide screen, stacked on a phone."""
    return rx.el.li(
        rx.flex(
            rx.vstack(
                # their own page: log a conversation, keep private notes
                rx.link(
                    item.name,
                    href=routes.CONTACTS + "/" + item.id.to_string(),
                    weight="medium",
                ),
                rx.cond(
                    (item.position != "") | (item.company != ""),
                    _muted(
                        item.position,
                        rx.cond((item.position != "") & (item.company != ""), ", ", ""),
                        item.company,
                    ),
                ),
                rx.cond(
                    item.member_handle != "",
                    rx.link("Member here", href="/people/" + item.member_handle),
                ),
                spacing="0",
                flex="2",
                min_width="12rem",
            ),
            rx.vstack(
                rx.foreach(item.emails, lambda e: rx.text(e, size="2")),
                rx.foreach(item.phones, lambda p: rx.text(p, size="2")),
                spacing="0",
                flex="2",
                min_width="12rem",
            ),
            rx.hstack(
                rx.badge(item.source, variant="soft", color_scheme="gray"),
                rx.button(
                    "Remove",
                    variant="soft",
                    color_scheme="gray",
                    size="1",
                    on_click=ContactsState.remove(item.id),
                    aria_label="Remove " + item.name,
                ),
                align="center",
                spacing="3",
            ),
            gap="3",
            wrap="wrap",
            align="center",
            justify="between",
            width="100%",
        ),
        border_top="1px solid var(--gray-5)",
        padding_y="0.75rem",
        list_style="none",
    )


def _search() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.el.label(
                "Search your contacts",
                html_for="contacts_query",
                class_name="rt-Text rt-r-size-2 rt-r-weight-medium",
            ),
            rx.input(
                id="contacts_query",
                name="query",
                type="search",
                max_length=100,
                default_value=ContactsState.query,
            ),
            rx.button("Search", type="submit", variant="soft"),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
        on_submit=ContactsState.search,
        width="100%",
    )


def _remove_all() -> rx.Component:
    return rx.cond(
        ContactsState.confirm_remove_all,
        rx.callout.root(
            rx.callout.text(
                "Remove all ",
                ContactsState.total,
                " of your contacts? This can't be undone; you can import "
                "them again later.",
            ),
            rx.hstack(
                rx.button(
                    "Yes, remove all my contacts",
                    color_scheme="red",
                    on_click=ContactsState.remove_all,
                ),
                rx.button("Keep them", variant="soft", on_click=ContactsState.keep_all),
                spacing="2",
            ),
            color_scheme="red",
            role="alert",
        ),
        rx.button(
            "Remove all my contacts",
            variant="soft",
            color_scheme="red",
            on_click=ContactsState.ask_remove_all,
            disabled=ContactsState.total == 0,
        ),
    )


def _contacts_section() -> rx.Component:
    return section_card(
        "All your contacts",
        _search(),
        _muted(ContactsState.total, " contact(s)"),
        rx.cond(
            ContactsState.contacts.length() > 0,
            rx.el.ul(
                rx.foreach(ContactsState.contacts, _contact),
                aria_label="Your contacts",
                padding="0",
                margin="0",
                width="100%",
            ),
            _muted("No contacts to show."),
        ),
        rx.cond(ContactsState.pages > 1, pager(ContactsState)),
        _remove_all(),
    )


def contacts_page() -> rx.Component:
    return page(
        rx.heading("Your contacts", size="7", as_="h1"),
        rx.link("Back to your network", href=routes.NETWORK, size="2"),
        _import_section(),
        _matches_section(),
        invite_section(),
        _contacts_section(),
        width="960px",
    )
