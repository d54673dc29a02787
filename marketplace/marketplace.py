"""The Reflex app: pages, their load events, and what a shared link shows.

Every page carries a share card (link_previews.py: the product's, and a
public listing's own). The files in the top-level `assets/` folder are
served at the site's root. Every address a page or a notification links to
is one of these routes (tests/integration/test_routes.py walks them).
"""

import reflex as rx

from marketplace import routes
from marketplace.api import api
from marketplace.cluster import leave_when_state_store_restarts
from marketplace.link_previews import LISTING_TITLE, share_card
from marketplace.pages.account import account_settings_page
from marketplace.pages.account_data import account_data_page
from marketplace.pages.alerts import alerts_page
from marketplace.pages.auth import (
    forgot_password_page,
    login_page,
    reset_password_page,
    signup_page,
    verify_page,
)
from marketplace.pages.availability import availability_page
from marketplace.pages.contact_person import contact_person_page
from marketplace.pages.contacts import contacts_page  # issue 23
from marketplace.pages.engagements import (
    disputes_page,
    engagement_page,
    engagements_page,
)
from marketplace.pages.groups import group_page, groups_page
from marketplace.pages.home import home_page
from marketplace.pages.inbox import inbox_page
from marketplace.pages.integrity import integrity_page
from marketplace.pages.invite_contacts import invite_contacts_page  # issue 23
from marketplace.pages.ious import ious_page
from marketplace.pages.market import listing_form_page, market_page
from marketplace.pages.messages import conversation_page, messages_page
from marketplace.pages.moderation import moderation_page, suspended_page
from marketplace.pages.network import network_page
from marketplace.pages.not_found import not_found_page
from marketplace.pages.people import dashboard_page, directory_page, person_page
from marketplace.pages.privacy import privacy_page
from marketplace.pages.profile_edit import profile_edit_page
from marketplace.pages.public_listing import listing_route_page
from marketplace.pages.receipt import receipt_page
from marketplace.pages.wallet import wallet_page
from marketplace.states import page_load
from marketplace.states.account import AccountState
from marketplace.states.account_data import AccountDataState
from marketplace.states.alerts import AlertsState
from marketplace.states.auth import (
    ForgotPasswordState,
    LoginState,
    ResetPasswordState,
    SignupState,
    VerifyState,
)
from marketplace.states.availability import AvailabilityState
from marketplace.states.contact_person import ContactPersonState
from marketplace.states.contacts import ContactsState  # issue 23
from marketplace.states.engagements import (
    DisputesState,
    EngagementsState,
    EngagementState,
)
from marketplace.states.groups import GroupsState, GroupState
from marketplace.states.inbox import InboxState
from marketplace.states.integrity import IntegrityState
from marketplace.states.invitations import InvitationsState  # issue 23
from marketplace.states.ious import IousState
from marketplace.states.market import ListingFormState, MarketState
from marketplace.states.messages import (
    ConversationState,
    MessageButtonState,
    MessagesState,
)
from marketplace.states.moderation import ModerationState, ReauthState
from marketplace.states.nav import HomeState
from marketplace.states.network import NetworkState
from marketplace.states.people import DashboardState, PeopleState
from marketplace.states.privacy import PrivacyState
from marketplace.states.profile import ProfileEditState, PublicProfileState
from marketplace.states.public_listing import PublicListingState
from marketplace.states.receipts import CardPaymentsState, ReceiptState
from marketplace.states.touchpoints import ProfileTouchState
from marketplace.states.wallet import WalletState
from marketplace.tasks import (
    clear_ious_forever,
    expire_holds_forever,
    send_digests_daily,
)

ICONS = (
    rx.el.link(rel="icon", href="/favicon.ico", sizes="16x16 32x32 48x48"),
    rx.el.link(rel="icon", href="/logo.svg", type="image/svg+xml"),
    rx.el.link(rel="apple-touch-icon", href="/apple-touch-icon.png"),
)


page_load.install()  # two events per navigation instead of four
app = rx.App(
    api_transformer=api,  # /api/stripe/webhook beside the app
    head_components=list(ICONS),
    html_lang="en",
    # Explicit, so the toast area (sonner) reads the direction from the
    # attribute: without it, every render of it asked for the document's
    # computed style, a forced style pass (21 ms of a market page's load).
    html_custom_attrs={"dir": "ltr"},
)
app.register_lifespan_task(expire_holds_forever)
app.register_lifespan_task(clear_ious_forever)
app.register_lifespan_task(send_digests_daily)
app.register_lifespan_task(leave_when_state_store_restarts)
app.add_page(
    home_page,
    route=routes.HOME,
    **share_card("Karma — give help, get help"),
    on_load=[HomeState.send_members_on, PeopleState.load],
)
app.add_page(
    not_found_page,
    route="404",  # Reflex's name for every address without a page
    **share_card("Page not found · Karma"),
    on_load=HomeState.show_member,
)
app.add_page(
    alerts_page,
    route=routes.SETTINGS_ALERTS,
    **share_card("Email alerts · Karma"),
    on_load=AlertsState.load,
)
app.add_page(
    availability_page,
    route=routes.SETTINGS_AVAILABILITY,
    **share_card("When I take calls · Karma"),
    on_load=AvailabilityState.load,
)
app.add_page(
    privacy_page,
    route=routes.SETTINGS_PRIVACY,
    **share_card("Privacy · Karma"),
    on_load=PrivacyState.load,
)
app.add_page(
    signup_page,
    route=routes.SIGNUP,
    **share_card("Join Karma"),
    on_load=SignupState.clear,
)
app.add_page(
    verify_page,
    route=routes.VERIFY,
    **share_card("Verify your email · Karma"),
    on_load=VerifyState.check_link,
)
app.add_page(
    login_page,
    route=routes.LOGIN,
    **share_card("Log in · Karma"),
    on_load=LoginState.clear,
)
app.add_page(
    account_data_page,
    route=routes.SETTINGS_DATA,
    **share_card("Your data · Karma"),
    on_load=AccountDataState.load,
)
app.add_page(
    forgot_password_page,
    route=routes.FORGOT_PASSWORD,
    **share_card("Forgot your password? · Karma"),
    on_load=ForgotPasswordState.clear,
)
app.add_page(
    reset_password_page,
    route=routes.RESET_PASSWORD,
    **share_card("Choose a new password · Karma"),
    on_load=ResetPasswordState.load,
)
app.add_page(
    account_settings_page,
    route=routes.ACCOUNT_SETTINGS,
    **share_card("Account · Karma"),
    on_load=AccountState.load,
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
# issue 23, invitations: invite people you know ------------------------------
app.add_page(
    invite_contacts_page,
    route=routes.INVITE_CONTACTS,
    **share_card("Invite people · Karma"),
    on_load=InvitationsState.load,
)
# ------------------------------------------------------------------------------
app.add_page(  # where intro notifications point: the network page's intros
    network_page,
    route=routes.INTROS,
    **share_card("Intros · Karma"),
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
    on_load=[
        PublicProfileState.load,
        MessageButtonState.load,
        ProfileTouchState.load,  # issue 23: the private section
    ],
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
    on_load=[WalletState.load, CardPaymentsState.load],
)
app.add_page(
    receipt_page,
    route=routes.RECEIPT,
    **share_card("Receipt · Karma"),
    on_load=ReceiptState.load,
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
    listing_route_page,  # members and visitors (a public listing) alike
    route=routes.LISTING,
    # the tab shows the listing; link previews get theirs from link_previews
    **share_card(PublicListingState.tab_title, card_title=LISTING_TITLE),
    on_load=PublicListingState.load,
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
app.add_page(
    integrity_page,
    route=routes.INTEGRITY,
    **share_card("Integrity report · Karma"),
    on_load=[IntegrityState.load, ReauthState.load],
)
app.add_page(
    moderation_page,
    route=routes.MODERATION,
    **share_card("Moderation desk · Karma"),
    on_load=[ModerationState.load, ReauthState.load],
)
app.add_page(
    suspended_page,
    route=routes.SUSPENDED,
    **share_card("Account suspended · Karma"),
    on_load=HomeState.show_member,
)
# direct messages (network/conversations.py)
app.add_page(
    messages_page,
    route=routes.MESSAGES,
    **share_card("Messages · Karma"),
    on_load=MessagesState.load,
)
app.add_page(
    conversation_page,
    route=routes.CONVERSATION,
    **share_card("Messages · Karma"),
    on_load=ConversationState.load,
)
# -- issue 23, touchpoints: a contact's page, for its owner
app.add_page(
    contact_person_page,
    route=routes.CONTACT,
    **share_card("Contact · Karma"),
    on_load=ContactPersonState.load,
)
# -- end touchpoints
# issue 23: a member's imported contacts and who among them is here
app.add_page(
    contacts_page,
    route=routes.CONTACTS,
    **share_card("Your contacts · Karma"),
    on_load=[ContactsState.load, InvitationsState.load],
)
