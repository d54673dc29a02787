"""The Reflex app: pages, their load events, and what a shared link shows.

Every page carries the same share card (Open Graph and X/Twitter meta tags,
the 1200x630 `assets/social-preview.png`): most pages are private, so a link
to one should show the product, not a member's data. The files in the
top-level `assets/` folder are served at the site's root.
"""

from typing import Any

import reflex as rx

from marketplace import routes
from marketplace.api import api
from marketplace.cluster import leave_when_state_store_restarts
from marketplace.pages.auth import login_page, signup_page
from marketplace.pages.engagements import (
    disputes_page,
    engagement_page,
    engagements_page,
)
from marketplace.pages.groups import group_page, groups_page
from marketplace.pages.home import home_page
from marketplace.pages.inbox import inbox_page
from marketplace.pages.ious import ious_page
from marketplace.pages.market import listing_form_page, listing_page, market_page
from marketplace.pages.network import network_page
from marketplace.pages.people import dashboard_page, directory_page, person_page
from marketplace.pages.profile_edit import profile_edit_page
from marketplace.pages.wallet import wallet_page
from marketplace.settings import get_settings
from marketplace.states import page_load
from marketplace.states.auth import LoginState, SignupState
from marketplace.states.engagements import (
    DisputesState,
    EngagementsState,
    EngagementState,
)
from marketplace.states.groups import GroupsState, GroupState
from marketplace.states.inbox import InboxState
from marketplace.states.ious import IousState
from marketplace.states.market import ListingFormState, ListingState, MarketState
from marketplace.states.network import NetworkState
from marketplace.states.people import DashboardState, PeopleState
from marketplace.states.profile import ProfileEditState, PublicProfileState
from marketplace.states.wallet import WalletState
from marketplace.tasks import (
    clear_ious_forever,
    expire_holds_forever,
    send_digests_daily,
)

SITE_NAME = "Karma"
DESCRIPTION = (
    "Karma is a professional give/get network: list what you can give, ask for "
    "what you need, and settle help in karma, IOUs or money."
)
SOCIAL_IMAGE = "/social-preview.png"
SOCIAL_IMAGE_ALT = "Karma: give help, get help"
ICONS = (
    rx.el.link(rel="icon", href="/favicon.ico", sizes="16x16 32x32 48x48"),
    rx.el.link(rel="icon", href="/logo.svg", type="image/svg+xml"),
    rx.el.link(rel="apple-touch-icon", href="/apple-touch-icon.png"),
)


def public_url(path: str) -> str:
    """An absolute address on this site: link previews (Slack, LinkedIn, X)
    fetch og:image from another host, where a relative path means nothing."""
    return get_settings().base_url.rstrip("/") + path


def share_card(title: str) -> dict[str, Any]:
    """`add_page` arguments for a page's title, description and share card.
    Reflex writes `description` and `image` as the description and og:image
    tags; the rest are plain meta tags."""
    return {
        "title": title,
        "description": DESCRIPTION,
        "image": public_url(SOCIAL_IMAGE),
        "meta": [
            {"property": "og:type", "content": "website"},
            {"property": "og:site_name", "content": SITE_NAME},
            {"property": "og:title", "content": title},
            {"property": "og:description", "content": DESCRIPTION},
            {"property": "og:image:width", "content": "1200"},
            {"property": "og:image:height", "content": "630"},
            {"property": "og:image:alt", "content": SOCIAL_IMAGE_ALT},
            # X reads og:title, og:description and og:image for the rest
            {"name": "twitter:card", "content": "summary_large_image"},
        ],
    }


page_load.install()  # two events per navigation instead of four
app = rx.App(
    api_transformer=api,  # /api/stripe/webhook beside the app
    head_components=list(ICONS),
)
app.register_lifespan_task(expire_holds_forever)
app.register_lifespan_task(clear_ious_forever)
app.register_lifespan_task(send_digests_daily)
app.register_lifespan_task(leave_when_state_store_restarts)
app.add_page(
    home_page,
    route=routes.HOME,
    **share_card("Karma — give help, get help"),
    on_load=PeopleState.load,
)
app.add_page(
    signup_page,
    route=routes.SIGNUP,
    **share_card("Join Karma"),
    on_load=SignupState.clear,
)
app.add_page(
    login_page,
    route=routes.LOGIN,
    **share_card("Log in · Karma"),
    on_load=LoginState.clear,
)
app.add_page(
    dashboard_page,
    route=routes.DASHBOARD,
    **share_card("Dashboard · Karma"),
    on_load=DashboardState.load,
)
app.add_page(
    groups_page,
    route=routes.GROUPS,
    **share_card("Groups · Karma"),
    on_load=GroupsState.load,
)
app.add_page(
    group_page,
    route=routes.GROUP,
    **share_card("Group · Karma"),
    on_load=GroupState.load,
)
app.add_page(
    network_page,
    route=routes.NETWORK,
    **share_card("Network · Karma"),
    on_load=NetworkState.load,
)
app.add_page(
    directory_page,
    route=routes.PEOPLE,
    **share_card("People · Karma"),
    on_load=PeopleState.load,
)
app.add_page(
    person_page,
    route=routes.PERSON,
    **share_card("Profile · Karma"),
    on_load=PublicProfileState.load,
)
app.add_page(
    profile_edit_page,
    route=routes.PROFILE_EDIT,
    **share_card("Edit profile · Karma"),
    on_load=ProfileEditState.load,
)
app.add_page(
    wallet_page,
    route=routes.WALLET,
    **share_card("Wallet · Karma"),
    on_load=WalletState.load,
)
app.add_page(
    ious_page, route=routes.IOUS, **share_card("IOUs · Karma"), on_load=IousState.load
)
app.add_page(
    inbox_page,
    route=routes.INBOX,
    **share_card("Inbox · Karma"),
    on_load=InboxState.load,
)
app.add_page(
    market_page,
    route=routes.MARKET,
    **share_card("Marketplace · Karma"),
    on_load=MarketState.load,
)
app.add_page(
    listing_form_page,
    route=routes.LISTING_NEW,
    **share_card("Post a listing · Karma"),
    on_load=ListingFormState.load_new,
)
app.add_page(
    listing_form_page,
    route=routes.LISTING_EDIT,
    **share_card("Edit listing · Karma"),
    on_load=ListingFormState.load_edit,
)
app.add_page(
    listing_page,
    route=routes.LISTING,
    **share_card("Listing · Karma"),
    on_load=ListingState.load,
)
app.add_page(
    engagements_page,
    route=routes.ENGAGEMENTS,
    **share_card("Engagements · Karma"),
    on_load=EngagementsState.load,
)
app.add_page(
    engagement_page,
    route=routes.ENGAGEMENT,
    **share_card("Engagement · Karma"),
    on_load=EngagementState.load,
)
app.add_page(
    disputes_page,
    route=routes.DISPUTES,
    **share_card("Disputes · Karma"),
    on_load=DisputesState.load,
)
