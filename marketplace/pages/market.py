"""Marketplace pages: browse and search, post or edit a listing, one listing."""

import reflex as rx

from marketplace import routes
from marketplace.components import plain
from marketplace.components.buttons import link_button
from marketplace.components.forms import (
    field,
    form_error,
    form_key,
    select_field,
    text_area,
)
from marketplace.components.layout import page
from marketplace.components.market import (
    KIND_COLORS,
    STATUS_COLORS,
    kind_badge,
    listing_card,
    sort_select,
)
from marketplace.components.moderation import report_button
from marketplace.components.pager import pager
from marketplace.components.slots import time_radio, time_tick, times_group
from marketplace.domain.listings import (
    AUDIENCES,
    AVAILABLE_TERMS,
    DURATION_CHOICES,
    KINDS,
    RATE_KINDS,
    TERMS,
)
from marketplace.domain.money import CURRENCIES
from marketplace.market.market_search import DEGREES, SORTS
from marketplace.states.market import ListingFormState, ListingState, MarketState


def _filters() -> rx.Component:
    return rx.form(
        plain.stack(
            field(
                "Search listings",
                "query",
                placeholder="pricing, SEO, intro to…",
                max_length=100,
            ),
            rx.el.div(
                select_field(
                    "Kind",
                    "kind",
                    {"any": "Offers and requests", **KINDS},
                    MarketState.filters.get("kind", "any"),
                ),
                select_field(
                    "Terms",
                    "terms",
                    {"any": "Any terms", **TERMS},
                    MarketState.filters.get("terms", "any"),
                ),
                select_field(
                    "Posted by",
                    "degree",
                    DEGREES,
                    MarketState.filters.get("degree", "any"),
                ),
                select_field(
                    "Posted",
                    "recency",
                    {"any": "Any time", "7": "This week", "30": "This month"},
                    MarketState.filters.get("recency", "any"),
                ),
                field("Tag", "tag", placeholder="seo", max_length=40),
                # Radix Grid's classes; Reflex's md is 62em
                class_name="rt-Grid rt-r-gtc-2 md:rt-r-gtc-5 rt-r-gap-3 w-full",
            ),
            plain.stack(
                rx.button("Search", type="submit", size="3"),
                direction="row",
                justify="end",
                class_name="w-full",
            ),
            form_error(MarketState.search_error),
            class_name="w-full",
        ),
        on_submit=MarketState.search,
        width="100%",
    )


def _my_listing_row(item) -> rx.Component:
    """One of my listings beside the results; plain elements
    (components/plain.py), as the column repeats it."""
    return plain.stack(
        plain.link(
            plain.text(
                item.title,
                weight="medium",
                title=item.title,
                class_name="line-clamp-2 " + plain.CUT_TEXT,
            ),
            href="/market/" + item.id.to_string(),
        ),
        plain.stack(
            plain.badge(
                item.kind_label,
                color=rx.match(item.kind, *KIND_COLORS, "gray"),
                size="2",
            ),
            plain.badge(
                item.status_label, color=rx.match(item.status, *STATUS_COLORS, "gray")
            ),
            plain.text(item.price_label, size="1", color="gray"),
            direction="row",
            align="center",
            gap="2",
        ),
        gap="1",
        class_name="w-full pb-2 border-b border-[var(--gray-a4)]",
    )


def _mine() -> rx.Component:
    return plain.card(
        plain.stack(
            rx.el.h2("My listings", class_name="rt-Heading rt-r-size-4"),
            rx.cond(
                MarketState.mine.length() > 0,
                plain.stack(
                    rx.foreach(MarketState.mine, _my_listing_row),
                    gap="2",
                    class_name="w-full",
                ),
                plain.text(
                    "Nothing posted yet. What can you give, or what do you need?",
                    color="gray",
                ),
            ),
            class_name="w-full",
        ),
        class_name="w-full",
    )


def market_page() -> rx.Component:
    # plain elements (components/plain.py): the frame hydrates before the
    # page can ask for its listings
    return page(
        plain.stack(
            plain.stack(
                rx.el.h1("Marketplace", class_name="rt-Heading rt-r-size-8"),
                plain.text(
                    "Offers of help and requests for it, paid in karma, IOUs or "
                    "kindness.",
                    size=None,
                    color="gray",
                ),
                gap="1",
            ),
            plain.spacer(),
            link_button("Post a listing", routes.LISTING_NEW, size="3"),
            direction="row",
            align="end",
            wrap=True,
            class_name="w-full",
        ),
        plain.card(_filters(), class_name="w-full"),
        rx.el.div(
            plain.stack(
                rx.hstack(
                    rx.text(
                        MarketState.total,
                        rx.cond(MarketState.total == 1, " listing", " listings"),
                        size="2",
                        color_scheme="gray",
                    ),
                    sort_select(
                        SORTS,
                        MarketState.filters.get("sort", "newest"),
                        MarketState.sort_by,
                    ),
                    justify="between",
                    align="center",
                    width="100%",
                    wrap="wrap",
                    spacing="2",
                ),
                rx.cond(
                    MarketState.total > 0,
                    rx.vstack(
                        rx.foreach(MarketState.results, listing_card),
                        width="100%",
                        spacing="3",
                    ),
                    rx.card(
                        rx.text(
                            "No listings match. Try fewer words or other "
                            "filters — or post what you need.",
                            color_scheme="gray",
                        ),
                        width="100%",
                    ),
                ),
                pager(MarketState),
                class_name="w-full",
            ),
            _mine(),
            # Radix Grid's classes, its two columns from 1024 px
            class_name="rt-Grid rt-r-gtc-1 md:rt-r-gtc rt-r-gap-5 w-full items-start",
            custom_attrs={"style": {"--grid-template-columns-md": "2fr 1fr"}},
        ),
    )


# --------------------------------------------------------------------------- form


def _listing_form() -> rx.Component:
    draft = ListingFormState.draft
    return rx.form(
        rx.vstack(
            form_key("listing"),
            form_error(ListingFormState.form_error),
            rx.grid(
                select_field(
                    "Kind",
                    "kind",
                    {"request": "Request — I need help", "offer": "Offer — I can help"},
                    draft.get("kind", "request"),
                ),
                select_field(
                    "Who can see it",
                    "audience",
                    AUDIENCES,
                    draft.get("audience", "public"),
                ),
                columns="2",
                spacing="3",
                width="100%",
            ),
            field(
                "Title",
                "title",
                required=True,
                max_length=120,
                default_value=draft.get("title", ""),
                placeholder="Review my SaaS pricing page, 30 min",
            ),
            text_area(
                "Description",
                "description",
                max_length=4000,
                rows="5",
                default_value=draft.get("description", ""),
                hint="What the help is, how long it takes, what you need to start.",
            ),
            field(
                "Tags",
                "tags",
                default_value=draft.get("tags", ""),
                placeholder="pricing, saas",
                hint="Comma-separated, up to 8.",
            ),
            rx.grid(
                _terms_select(draft.get("terms", "karma")),
                field(
                    "Price",
                    "price",
                    input_mode="decimal",
                    default_value=draft.get("price", ""),
                    hint="In karma for karma or IOU; an amount (45.50) when paid.",
                ),
                field(
                    "Capacity (people)",
                    "capacity",
                    type="number",
                    default_value=draft.get("capacity", "1"),
                ),
                field(
                    "Deadline",
                    "deadline",
                    type="date",
                    default_value=draft.get("deadline", ""),
                ),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            _paid_fields(draft),
            _duration_select(draft),
            field(
                "Chosen people (handles)",
                "chosen",
                default_value=draft.get("chosen", ""),
                placeholder="marcus, lena",
                hint="Only for 'People I choose'.",
            ),
            rx.hstack(
                link_button(
                    "Cancel", routes.MARKET, variant="soft", color_scheme="gray"
                ),
                rx.button(
                    rx.cond(
                        ListingFormState.editing_id > 0, "Save changes", "Post listing"
                    ),
                    type="submit",
                    size="3",
                ),
                justify="end",
                width="100%",
                spacing="3",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=ListingFormState.save,
        key=ListingFormState.form_version.to_string(),
        width="100%",
    )


def _terms_select(value) -> rx.Component:
    """Paid terms are offered only where card payments are set up."""
    return rx.cond(
        ListingFormState.paid_available,
        select_field(
            "Terms", "terms", TERMS, value, on_change=ListingFormState.choose_terms
        ),
        select_field(
            "Terms",
            "terms",
            {k: TERMS[k] for k in AVAILABLE_TERMS},
            value,
            on_change=ListingFormState.choose_terms,
        ),
    )


def _duration_select(draft) -> rx.Component:
    """A call length puts the listing on a calendar: offers show free times."""
    return rx.vstack(
        select_field("Call", "duration", DURATION_CHOICES, draft.get("duration", "")),
        rx.text(
            "A call offer shows people your next free times; set them in ",
            rx.link("When I take calls", href=routes.SETTINGS_AVAILABILITY),
            ". On an hourly paid offer, a call length means it is booked by "
            "the hour on your calendar.",
            size="1",
            color_scheme="gray",
        ),
        spacing="1",
        width="100%",
    )


def _paid_fields(draft) -> rx.Component:
    """Currency and rate for paid terms, or why paid terms are unavailable."""
    return rx.cond(
        ListingFormState.paid_available,
        rx.cond(
            ListingFormState.terms_choice == "paid",
            rx.grid(
                select_field(
                    "Currency",
                    "currency",
                    {code: code.upper() for code in CURRENCIES},
                    draft.get("currency", "usd"),
                ),
                select_field(
                    "Rate", "rate_kind", RATE_KINDS, draft.get("rate_kind", "hourly")
                ),
                rx.text(
                    "The asker's card is held at acceptance and charged at "
                    "confirmation; the helper receives the price less the "
                    "platform fee.",
                    size="1",
                    color_scheme="gray",
                    grid_column=rx.breakpoints(initial="span 2", md="span 1"),
                ),
                columns=rx.breakpoints(initial="2", md="3"),
                spacing="3",
                width="100%",
                align_items="end",
            ),
        ),
        rx.text(
            ListingFormState.paid_unavailable_reason, size="1", color_scheme="gray"
        ),
    )


def listing_form_page() -> rx.Component:
    return page(
        rx.heading(
            rx.cond(ListingFormState.editing_id > 0, "Edit listing", "Post a listing"),
            size="8",
            as_="h1",
        ),
        rx.card(_listing_form(), width="100%", size="3"),
        width="760px",
    )


# ------------------------------------------------------------------------ one listing


def _propose_box() -> rx.Component:
    verb = rx.cond(
        ListingState.listing.kind == "offer", "Book this offer", "Offer to help"
    )
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(verb, size="4", as_="h2"),
                rx.el.input(
                    type="hidden", name="listing_id", value=ListingState.listing.id
                ),
                form_key("booking"),
                _paid_booking(),
                rx.cond(ListingState.is_call, _slot_picker()),
                text_area(
                    "Message",
                    "note",
                    max_length=500,
                    rows="3",
                    hint="Say hello and what you have in mind.",
                ),
                form_error(ListingState.action_error),
                rx.cond(
                    ListingState.can_book,
                    rx.button(verb, type="submit", size="3", width="100%"),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=ListingState.propose,
            reset_on_submit=True,
        ),
        width="100%",
    )


def _paid_booking() -> rx.Component:
    """Hours for an hourly rate, and what happens to the card, before booking."""
    listing = ListingState.listing
    return rx.cond(
        listing.terms == "paid",
        rx.vstack(
            rx.cond(
                (listing.rate_kind == "hourly") & (listing.kind == "offer"),
                rx.vstack(
                    select_field(
                        "Hours",
                        "hours",
                        {
                            str(n): f"{n} hour{'s' if n > 1 else ''}"
                            for n in range(1, 9)
                        },
                        "1",
                        on_change=ListingState.change_hours,
                    ),
                    rx.text(
                        "At " + listing.price_label + ".",
                        size="1",
                        color_scheme="gray",
                    ),
                    spacing="1",
                    width="100%",
                ),
            ),
            rx.text(
                rx.cond(
                    listing.kind == "offer",
                    "Your card is held when they accept and charged only when you "
                    "confirm the help was delivered; cancel before then and the "
                    "hold is released.",
                    "They pay by card: held when they accept your offer, paid to "
                    "you less the platform fee when they confirm delivery.",
                ),
                size="1",
                color_scheme="gray",
            ),
            spacing="2",
            width="100%",
        ),
    )


def _slot_day(day) -> rx.Component:
    """A day's free times: pick one to book an offer, tick mine to propose."""
    return times_group(
        day.day,
        day.slots,
        lambda slot: rx.cond(
            ListingState.listing.kind == "offer",
            time_radio(slot.value, slot.label, slot.time),
            time_tick(slot.value, slot.label, slot.time),
        ),
    )


def _slot_picker() -> rx.Component:
    """The free times: pick one to book an offer; tick up to three of mine
    to propose when answering a request."""
    offer = ListingState.listing.kind == "offer"
    return rx.vstack(
        rx.heading(
            rx.cond(offer, "Pick a time", "Propose times (optional)"),
            size="3",
            as_="h3",
        ),
        rx.text(
            "Times in " + ListingState.slot_zone + " — ",
            rx.link("change in your profile", href=routes.PROFILE_EDIT),
            ".",
            rx.cond(ListingState.slot_policy != "", " " + ListingState.slot_policy, ""),
            size="1",
            color_scheme="gray",
        ),
        rx.cond(
            ListingState.slot_days.length() > 0,
            rx.vstack(
                rx.cond(
                    ~offer,
                    rx.text(
                        "Tick up to three of your free times; they pick one.",
                        size="1",
                    ),
                ),
                rx.foreach(ListingState.slot_days, _slot_day),
                spacing="3",
                width="100%",
                max_height="22rem",
                overflow_y="auto",
            ),
            rx.callout(
                rx.cond(
                    offer,
                    rx.cond(
                        ListingState.helper_has_hours,
                        "No free times in the next "
                        + ListingState.slot_horizon.to_string()
                        + " days. Message them to ask for another time.",
                        "They haven't set the hours they take calls yet.",
                    ),
                    rx.fragment(
                        "You have no free times to propose. ",
                        rx.link("Set your hours", href=routes.SETTINGS_AVAILABILITY),
                        ", or agree a time in messages.",
                    ),
                ),
                icon="calendar",
                color_scheme="gray",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _not_bookable() -> rx.Component:
    """Why there is no booking form: mine under way, full, paused or closed."""
    return rx.card(
        rx.cond(
            ListingState.my_engagement_id > 0,
            rx.vstack(
                rx.text("You already have an engagement on this listing."),
                rx.link("Open your engagement", href=ListingState.my_engagement_url),
                spacing="2",
            ),
            rx.text(ListingState.why_closed, color_scheme="gray"),
        ),
        width="100%",
    )


def _proposal_row(item) -> rx.Component:
    return rx.hstack(
        rx.link(
            item.other_name, href="/engagements/" + item.id.to_string(), weight="medium"
        ),
        rx.spacer(),
        rx.badge(item.status_label, variant="soft"),
        width="100%",
        align="center",
    )


def _owner_box() -> rx.Component:
    listing = ListingState.listing
    return rx.card(
        rx.vstack(
            rx.heading("Your listing", size="4", as_="h2"),
            rx.hstack(
                link_button(
                    "Edit",
                    "/market/" + listing.id.to_string() + "/edit",
                    variant="soft",
                ),
                rx.cond(
                    listing.status == "open",
                    rx.button(
                        "Pause",
                        variant="soft",
                        color_scheme="amber",
                        on_click=ListingState.change_status(listing.id, "pause"),
                    ),
                ),
                rx.cond(
                    listing.status == "paused",
                    rx.button(
                        "Reopen",
                        variant="soft",
                        on_click=ListingState.change_status(listing.id, "reopen"),
                    ),
                ),
                rx.cond(
                    listing.status != "closed",
                    rx.button(
                        "Close",
                        variant="soft",
                        color_scheme="red",
                        on_click=ListingState.change_status(listing.id, "close"),
                    ),
                ),
                spacing="2",
                wrap="wrap",
            ),
            rx.cond(
                listing.needs_hours,
                rx.callout(
                    rx.fragment(
                        "Set your hours so people can book a time: ",
                        rx.link("When I take calls", href=routes.SETTINGS_AVAILABILITY),
                        ".",
                    ),
                    icon="calendar",
                    color_scheme="amber",
                    width="100%",
                ),
            ),
            form_error(ListingState.action_error),
            rx.heading("Engagements", size="3", as_="h3"),
            rx.cond(
                ListingState.proposals.length() > 0,
                rx.vstack(
                    rx.foreach(ListingState.proposals, _proposal_row), width="100%"
                ),
                rx.text("No one yet.", size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _detail(listing=None) -> rx.Component:
    """The listing itself; `listing` is ListingState's, or a visitor's view."""
    listing = ListingState.listing if listing is None else listing
    return rx.card(
        rx.vstack(
            rx.hstack(
                kind_badge(listing.kind, listing.kind_label),
                rx.badge(
                    listing.status_label,
                    color_scheme=rx.match(listing.status, *STATUS_COLORS, "gray"),
                    variant="soft",
                ),
                rx.spacer(),
                rx.text(listing.price_label, size="4", weight="bold"),
                width="100%",
                align="center",
            ),
            rx.heading(listing.title, size="7", as_="h1"),
            rx.cond(
                listing.hidden,
                rx.callout(
                    "A moderator hid this listing: only you see it. "
                    "Your inbox says why.",
                    icon="eye_off",
                    color_scheme="red",
                    role="status",
                    width="100%",
                ),
            ),
            rx.text(
                "Posted by ",
                rx.link(listing.author_name, href="/people/" + listing.author_handle),
                " on ",
                listing.posted,
                size="2",
                color_scheme="gray",
            ),
            rx.text(listing.description, white_space="pre-wrap"),
            rx.hstack(
                rx.foreach(listing.tags, lambda t: rx.badge(t, variant="soft")),
                wrap="wrap",
                spacing="1",
            ),
            rx.data_list.root(
                rx.data_list.item(
                    rx.data_list.label("Terms"), rx.data_list.value(listing.terms_label)
                ),
                rx.data_list.item(
                    rx.data_list.label("Spots"),
                    rx.data_list.value(
                        listing.spots_left.to_string()
                        + " of "
                        + listing.capacity.to_string()
                        + " left"
                    ),
                ),
                rx.data_list.item(
                    rx.data_list.label("Deadline"),
                    rx.data_list.value(
                        rx.cond(listing.deadline != "", listing.deadline_label, "None")
                    ),
                ),
                rx.cond(
                    listing.duration_label != "",
                    rx.data_list.item(
                        rx.data_list.label("Call"),
                        rx.data_list.value(listing.duration_label),
                    ),
                ),
                rx.data_list.item(
                    rx.data_list.label("Visible to"),
                    rx.data_list.value(listing.audience_label),
                ),
            ),
            spacing="4",
            width="100%",
        ),
        size="3",
        width="100%",
    )


def _ask_row(c) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.checkbox(
                name="ask:" + c.handle,
                disabled=c.asked,
                aria_label="Ask " + c.name,
                margin_top="0.2rem",
            ),
            rx.vstack(
                rx.hstack(
                    rx.text(c.name, weight="bold", size="2"),
                    rx.text(c.degree, size="1", color_scheme="gray"),
                    rx.cond(c.asked, rx.badge("Asked", size="1", color_scheme="grass")),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
                rx.text(c.reasons, size="1", color_scheme="gray"),
                rx.progress(value=c.score, max=100, size="1", width="100%"),
                spacing="1",
                width="100%",
            ),
            align="start",
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _connect_action(c) -> rx.Component:
    """Connect first, or where a request to connect stands."""
    return rx.match(
        c.relationship,
        (
            "none",
            rx.button(
                "Connect first",
                type="button",
                size="1",
                variant="soft",
                on_click=ListingState.connect_first(c.handle),
                aria_label="Connect with " + c.name + " first",
            ),
        ),
        ("asked", rx.badge("Request to connect sent", size="1", color_scheme="gray")),
        (
            "asked_me",
            rx.link(
                "They asked to connect: answer",
                href="/people/" + c.handle,
                size="1",
            ),
        ),
        rx.fragment(),
    )


def _beyond_row(c) -> rx.Component:
    """Someone beyond my network: ask anyway where they may see the
    request, connect first either way."""
    return rx.vstack(
        rx.hstack(
            rx.link(c.name, href="/people/" + c.handle, weight="bold", size="2"),
            rx.text(c.degree, size="1", color_scheme="gray"),
            rx.cond(c.asked, rx.badge("Asked", size="1", color_scheme="grass")),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(c.headline != "", rx.text(c.headline, size="1")),
        rx.text(c.reasons, size="1", color_scheme="gray"),
        rx.hstack(
            rx.cond(
                c.can_ask,
                rx.el.label(
                    rx.hstack(
                        rx.checkbox(
                            name="ask:" + c.handle,
                            disabled=c.asked,
                            aria_label="Ask " + c.name + " anyway",
                        ),
                        rx.text("Ask anyway", size="1"),
                        spacing="1",
                        align="center",
                    ),
                ),
                rx.text(c.hint, size="1", color_scheme="amber"),
            ),
            _connect_action(c),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        spacing="1",
        width="100%",
        padding_top="0.5rem",
        border_top="1px solid var(--gray-a4)",
    )


def _beyond_section() -> rx.Component:
    return rx.vstack(
        rx.text(ListingState.ask_why, size="2"),
        rx.foreach(ListingState.ask_beyond, _beyond_row),
        rx.cond(
            ListingState.ask_connecting != "",
            rx.text(ListingState.ask_connecting, size="1", color_scheme="gray"),
        ),
        spacing="2",
        width="100%",
    )


def _who_to_ask() -> rx.Component:
    """For my open request: the best people within two steps, and a send to
    the few I tick instead of a broadcast; when those are few (a newcomer
    has none), the best beyond my network and why."""
    near = ListingState.ask_candidates.length() > 0
    beyond = ListingState.ask_beyond.length() > 0
    return rx.cond(
        near | beyond | (ListingState.ask_why != ""),
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Who to ask", size="4", as_="h2"),
                    rx.cond(
                        near,
                        rx.text(
                            "People within two steps of you who know this, "
                            "warmest and likeliest first.",
                            size="1",
                            color_scheme="gray",
                        ),
                    ),
                    rx.foreach(ListingState.ask_candidates, _ask_row),
                    rx.cond(beyond | (ListingState.ask_why != ""), _beyond_section()),
                    form_error(ListingState.ask_error),
                    rx.cond(
                        ListingState.ask_can_send,
                        rx.button(
                            "Send to the people ticked", type="submit", width="100%"
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=ListingState.send_to_chosen,
                reset_on_submit=True,
            ),
            width="100%",
        ),
    )


def listing_page() -> rx.Component:
    return page(
        rx.link("← Marketplace", href=routes.MARKET, size="2"),
        rx.cond(
            ListingState.not_found,
            rx.vstack(
                rx.heading("Listing not found", size="7", as_="h1"),
                rx.text("It may have been removed, or it isn't shown to you."),
            ),
            rx.grid(
                _detail(),
                rx.cond(
                    ListingState.listing.is_mine,
                    rx.vstack(_owner_box(), _who_to_ask(), spacing="4", width="100%"),
                    rx.vstack(
                        rx.cond(
                            ListingState.can_propose,
                            _propose_box(),
                            _not_bookable(),
                        ),
                        report_button("listing", ListingState.listing.id),
                        spacing="3",
                        width="100%",
                        align="end",
                    ),
                ),
                columns=rx.breakpoints(initial="1", md="2fr 1fr"),
                spacing="5",
                width="100%",
                align_items="start",
            ),
        ),
    )
