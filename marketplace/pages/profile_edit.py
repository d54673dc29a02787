"""The owner's profile editor: the give/get card."""

import reflex as rx

from marketplace import routes
from marketplace.components.forms import field, form_error, select_field, text_area
from marketplace.components.layout import page
from marketplace.domain.profiles import AVAILABILITY
from marketplace.states.profile import ProfileEditState

TAG_HINT = "Comma-separated, e.g. b2b-seo, pricing strategy, react."


def _section(title: str, *children: rx.Component) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, size="4", as_="h2"), *children, spacing="4", width="100%"
        ),
        size="3",
        width="100%",
    )


def _digest_checkbox() -> rx.Component:
    """A native checkbox inside a real label: the form posts 'on' or nothing."""
    return rx.vstack(
        rx.el.label(
            rx.el.input(
                type="checkbox",
                id="digest",
                name="digest",
                default_checked=ProfileEditState.digest_opt_in,
                style={"width": "1.1rem", "height": "1.1rem"},
            ),
            "Email me a daily digest",
            html_for="digest",
            class_name="rt-Text rt-r-size-2 rt-r-weight-medium",
            style={"display": "flex", "gap": "0.5rem", "alignItems": "center"},
        ),
        rx.text(
            "One email a day with what you have not read yet, only when there "
            "is something new.",
            size="1",
            color_scheme="gray",
        ),
        spacing="1",
        width="100%",
    )


def _form() -> rx.Component:
    d = ProfileEditState.draft
    return rx.form(
        rx.vstack(
            form_error(ProfileEditState.edit_error),
            _section(
                "About you",
                field(
                    "Name",
                    "display_name",
                    default_value=d.display_name,
                    required=True,
                    max_length=80,
                ),
                field(
                    "Headline",
                    "headline",
                    default_value=d.headline,
                    max_length=120,
                    placeholder="Growth marketer for B2B SaaS, first 100 customers",
                ),
                text_area(
                    "About",
                    "bio",
                    default_value=d.bio,
                    max_length=2000,
                    hint="Plain text. What you have done, how you like to help.",
                ),
            ),
            _section(
                "Give and get",
                field(
                    "Expertise (what you can give)",
                    "give",
                    default_value=ProfileEditState.give_text,
                    hint=TAG_HINT,
                ),
                field(
                    "Needs (what you want to get)",
                    "get",
                    default_value=ProfileEditState.get_text,
                    hint=TAG_HINT,
                ),
                field(
                    "Background (companies, schools, industries)",
                    "background",
                    default_value=ProfileEditState.background_text,
                    hint=TAG_HINT,
                ),
            ),
            _section(
                "Where and when",
                rx.grid(
                    field(
                        "Location",
                        "location",
                        default_value=d.location,
                        max_length=80,
                        placeholder="Berlin, Germany",
                    ),
                    field(
                        "Time zone",
                        "timezone",
                        default_value=d.timezone,
                        placeholder="Europe/Berlin",
                    ),
                    select_field(
                        "Availability", "availability", AVAILABILITY, d.availability
                    ),
                    columns=rx.breakpoints(initial="1", md="3"),
                    spacing="4",
                    width="100%",
                ),
                rx.text(
                    "The hours people can book calls with you are set in ",
                    rx.link("When I take calls", href=routes.SETTINGS_AVAILABILITY),
                    ".",
                    size="1",
                    color_scheme="gray",
                ),
            ),
            _section("Email", _digest_checkbox()),
            rx.hstack(
                rx.button("Save profile", type="submit", size="3"),
                justify="end",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=ProfileEditState.save,
        reset_on_submit=False,
        width="100%",
        # Re-mount when the draft arrives so default values fill in.
        key=ProfileEditState.draft.handle,
    )


def profile_edit_page() -> rx.Component:
    return page(
        rx.heading("Edit your profile", size="8", as_="h1"),
        rx.text(
            "Your give/get card is how the right people find you.", color_scheme="gray"
        ),
        rx.cond(ProfileEditState.loaded, _form(), rx.spinner(size="3")),
        width="820px",
    )
