"""`@member_only`: a handler only a signed-in member may run. Called the way a
hostile browser can (any handler, any arguments, no session) and the way
Reflex does (by the argument names and types the handler's signature shows)."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import pkgutil
import typing

import pytest
import reflex as rx
from reflex_base.event import EventHandler, EventSpec

import marketplace.states
from marketplace import routes
from marketplace.accounts.accounts import SignedIn
from marketplace.states.market import MarketState
from marketplace.states.profile import ProfileEditState
from marketplace.states.session import SessionState, member_only
from tests.integration.test_state_security import member, state_of

ADA = SignedIn(id=7, handle="ada", display_name="Ada Lovelace")

# Handlers a guest may run: signing up and in, the public directory and
# profiles, the navigation's own bookkeeping. Every other handler of every
# state must send a guest to the login page before doing anything.
FOR_GUESTS = {
    "SessionState": {"refresh_session", "log_out", "log_out_everywhere"},
    "SignupState": {"sign_up", "clear"},
    # a suspended member's appeal: the password the log-in just checked is
    # the credential (kept server-side, accounts/moderation.py)
    "LoginState": {"log_in", "clear", "appeal"},
    "ReportState": {"dialog_changed"},  # forgets the dialog's last answer
    # a forgotten password: the emailed link's token is the credential
    "ForgotPasswordState": {"ask_for_link", "clear"},
    "ResetPasswordState": {"load", "set_new_password"},
    "VerifyState": {"check_link"},  # a verification link works logged out
    "NavState": {"check_unread"},
    "PeopleState": {"load", "search", "go_to_page"},
    "PublicProfileState": {"load"},
    "PublicListingState": {"load"},  # a public listing, or ListingState's load
    # `/`: members on to the dashboard; not found and suspended: the navigation
    "HomeState": {"send_members_on", "show_member"},
    "ListingFormState": {"choose_terms"},  # which form fields to show
    # the heartbeat's refreshes (a guest's do nothing), and a profile's
    # Message button, which a visitor's profile doesn't show
    "MessagesState": {"tick"},
    "ConversationState": {"tick"},
    "MessageButtonState": {"load"},
    # a profile's private section: a guest's load hides it (issue 23)
    "ProfileTouchState": {"load"},
}


class Tab:
    """Stands in for a state: who its socket's session cookie says it is."""

    def __init__(self, signed_in: SignedIn | None) -> None:
        self.signed_in = signed_in

    def _member(self) -> SignedIn | None:
        return self.signed_in


@member_only
def go_to_page(self: Tab, member: SignedIn, page: int) -> tuple[str, int]:
    """Turn a page of something private."""
    return member.handle, page


def redirected_to(event: object) -> str | None:
    """The path a handler's answer sends the browser to, if it redirects."""
    if not isinstance(event, EventSpec) or event.handler.fn.__qualname__ != "_redirect":
        return None
    return json.loads(str(dict((str(k), v) for k, v in event.args)["path"]))


# ---------------------------------------------------------------- the decorator


def test_a_guest_is_sent_to_log_in_and_the_handler_does_not_run():
    assert redirected_to(go_to_page(Tab(None), page=2)) == routes.LOGIN


def test_a_guest_comes_back_to_the_page_they_were_on_after_logging_in(engine):
    """The log-in page is told where the guest was (`next`), as a path of
    this site only."""
    state = state_of(MarketState, "", url="http://localhost:3000/market?kind=offer")
    answer = MarketState.go_to_page.fn(state, 2)
    assert redirected_to(answer) == "/login?next=%2Fmarket%3Fkind%3Doffer"


def test_the_member_comes_from_the_session_and_the_rest_from_the_browser():
    assert go_to_page(Tab(ADA), page=2) == ("ada", 2)
    assert go_to_page(Tab(ADA), 3) == ("ada", 3)


def test_reflex_sees_the_browser_s_arguments_and_not_the_member():
    assert list(inspect.signature(go_to_page).parameters) == ["self", "page"]
    hints = typing.get_type_hints(go_to_page)
    assert hints == {"self": Tab, "page": int, "return": tuple[str, int]}
    assert go_to_page.__name__ == "go_to_page"
    assert go_to_page.__doc__ == "Turn a page of something private."


def test_a_payload_that_names_a_member_is_refused_like_any_unknown_argument():
    with pytest.raises(TypeError):
        go_to_page(Tab(ADA), member=SignedIn(1, "root", "Root"), page=1)
    with pytest.raises(TypeError):
        go_to_page(Tab(ADA), page=1, bogus=True)


def test_only_a_plain_handler_that_takes_the_member_second_can_be_guarded():
    async def coroutine(self, member):
        return None

    async def stream(self, member):
        yield None

    def no_member(self):
        return None

    def keyword_member(self, *, member):
        return None

    for handler in (coroutine, stream, no_member, keyword_member):
        with pytest.raises(TypeError):
            member_only(handler)


def test_a_handler_in_steps_runs_none_of_them_for_a_guest_and_all_for_a_member():
    """A page that loads in steps (a bare `yield` between them) is guarded as
    a whole: a guest gets one redirect and no step runs."""
    ran = []

    @member_only
    def load(self, member: SignedIn, page: int):
        ran.append((member.handle, page, "top"))
        yield
        ran.append((member.handle, page, "below"))

    assert list(inspect.signature(load).parameters) == ["self", "page"]
    assert [redirected_to(a) for a in load(Tab(None), 2)] == [routes.LOGIN]
    assert ran == []
    assert list(load(Tab(ADA), 2)) == [None]
    assert ran == [("ada", 2, "top"), ("ada", 2, "below")]


# ----------------------------------------------------------- as Reflex sees it


def test_guarded_handlers_stay_reflex_events_with_their_own_arguments():
    save = ProfileEditState.save
    assert isinstance(save, EventHandler)
    assert ProfileEditState.event_handlers["save"] is save
    assert list(inspect.signature(save.fn).parameters) == ["self", "form"]
    assert list(inspect.signature(SessionState.require_member.fn).parameters) == [
        "self"
    ]
    # what the compiled page sends: the form's data under the name `form`
    hooks = "".join(rx.form(on_submit=save)._get_all_hooks())
    assert '["form"] : form_data' in hooks
    assert [str(name) for name, _ in MarketState.go_to_page(3).args] == ["page"]


def test_every_members_handler_sends_a_guest_to_log_in(engine):
    unguarded = []
    for state in _app_states():
        for name, handler in state.event_handlers.items():
            if name == "setvar" or name in FOR_GUESTS.get(state.__name__, ()):
                continue
            answer = handler.fn(state_of(state, ""), **_plausible_arguments(handler))
            answer = _first_answer(answer)
            if redirected_to(answer) != routes.LOGIN:
                unguarded.append(f"{state.__name__}.{name}")
    assert unguarded == []


def test_a_signed_in_member_gets_their_own_page(engine):
    ada = member("ada")
    state = state_of(ProfileEditState, ada.token)
    assert ProfileEditState.load.fn(state) is None
    assert state.draft.handle == "ada" and state.loaded


def _app_states() -> list[type[SessionState]]:
    """Every state under SessionState that the app's modules define."""
    for module in pkgutil.iter_modules(marketplace.states.__path__):
        importlib.import_module(f"marketplace.states.{module.name}")
    found, todo = [], [SessionState]
    while todo:
        state = todo.pop()
        found.append(state)
        todo.extend(state.get_substates())
    return [s for s in found if s.__module__.startswith("marketplace.states.")]


def _first_answer(answer: object) -> object:
    """What a streaming handler (an upload's, which yields progress) sends
    first: for a guest, the way to the login page."""
    if inspect.isasyncgen(answer):
        return asyncio.run(answer.__anext__())
    if inspect.isgenerator(answer):
        return next(answer)
    return answer


def _plausible_arguments(handler: EventHandler) -> dict[str, object]:
    """Well-formed arguments of the types the handler asks for, so that a
    refusal comes from the guard, not from input checks."""
    samples = {dict: {}, int: 1, str: "x", bool: True}
    hints = typing.get_type_hints(handler.fn)
    return {
        name: samples.get(hints.get(name), "x")
        for name in list(inspect.signature(handler.fn).parameters)[1:]
    }
