"""The Reflex app: pages and their load events."""

import reflex as rx

from marketplace import routes
from marketplace.pages.auth import login_page, signup_page
from marketplace.pages.home import home_page
from marketplace.pages.ious import ious_page
from marketplace.pages.people import dashboard_page, directory_page, person_page
from marketplace.pages.profile_edit import profile_edit_page
from marketplace.pages.wallet import wallet_page
from marketplace.states.auth import LoginState, SignupState
from marketplace.states.ious import IousState
from marketplace.states.people import DashboardState, PeopleState
from marketplace.states.profile import ProfileEditState, PublicProfileState
from marketplace.states.wallet import WalletState
from marketplace.tasks import clear_ious_forever, expire_holds_forever

app = rx.App()
app.register_lifespan_task(expire_holds_forever)
app.register_lifespan_task(clear_ious_forever)
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
