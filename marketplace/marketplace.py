"""The Reflex app: pages and their load events."""

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

page_load.install()  # two events per navigation instead of four
app = rx.App(api_transformer=api)  # /api/stripe/webhook beside the app
app.register_lifespan_task(expire_holds_forever)
app.register_lifespan_task(clear_ious_forever)
app.register_lifespan_task(send_digests_daily)
app.register_lifespan_task(leave_when_state_store_restarts)
app.add_page(
    home_page,
    route=routes.HOME,
    title="Karma — give help, get help",
    on_load=PeopleState.load,
)
app.add_page(
    signup_page, route=routes.SIGNUP, title="Join Karma", on_load=SignupState.clear
)
app.add_page(
    login_page, route=routes.LOGIN, title="Log in · Karma", on_load=LoginState.clear
)
app.add_page(
    dashboard_page,
    route=routes.DASHBOARD,
    title="Dashboard · Karma",
    on_load=DashboardState.load,
)
app.add_page(
    groups_page, route=routes.GROUPS, title="Groups · Karma", on_load=GroupsState.load
)
app.add_page(
    group_page, route=routes.GROUP, title="Group · Karma", on_load=GroupState.load
)
app.add_page(
    network_page,
    route=routes.NETWORK,
    title="Network · Karma",
    on_load=NetworkState.load,
)
app.add_page(
    directory_page,
    route=routes.PEOPLE,
    title="People · Karma",
    on_load=PeopleState.load,
)
app.add_page(
    person_page,
    route=routes.PERSON,
    title="Profile · Karma",
    on_load=PublicProfileState.load,
)
app.add_page(
    profile_edit_page,
    route=routes.PROFILE_EDIT,
    title="Edit profile · Karma",
    on_load=ProfileEditState.load,
)
app.add_page(
    wallet_page, route=routes.WALLET, title="Wallet · Karma", on_load=WalletState.load
)
app.add_page(ious_page, route=routes.IOUS, title="IOUs · Karma", on_load=IousState.load)
app.add_page(
    inbox_page, route=routes.INBOX, title="Inbox · Karma", on_load=InboxState.load
)
app.add_page(
    market_page,
    route=routes.MARKET,
    title="Marketplace · Karma",
    on_load=MarketState.load,
)
app.add_page(
    listing_form_page,
    route=routes.LISTING_NEW,
    title="Post a listing · Karma",
    on_load=ListingFormState.load_new,
)
app.add_page(
    listing_form_page,
    route=routes.LISTING_EDIT,
    title="Edit listing · Karma",
    on_load=ListingFormState.load_edit,
)
app.add_page(
    listing_page,
    route=routes.LISTING,
    title="Listing · Karma",
    on_load=ListingState.load,
)
app.add_page(
    engagements_page,
    route=routes.ENGAGEMENTS,
    title="Engagements · Karma",
    on_load=EngagementsState.load,
)
app.add_page(
    engagement_page,
    route=routes.ENGAGEMENT,
    title="Engagement · Karma",
    on_load=EngagementState.load,
)
app.add_page(
    disputes_page,
    route=routes.DISPUTES,
    title="Disputes · Karma",
    on_load=DisputesState.load,
)
