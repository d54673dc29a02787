"""Who is signed in: the session cookie and the member behind it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from marketplace import routes
from marketplace.db import unit_of_work
from marketplace.domain.errors import DomainError
from marketplace.services import accounts, signed_in
from marketplace.settings import get_settings

log = logging.getLogger(__name__)

SESSION_COOKIE = "karma_session"
T = TypeVar("T")


@dataclass(frozen=True)
class Attempt:
    """What `SessionState._attempt` did: who acted, what the service returned,
    and the event to return instead when it was refused."""

    member_id: int | None
    result: Any
    refusal: Any


class SessionState(rx.State):
    """Root of every member-aware state. Holds only the opaque session token
    (stored hashed server-side, revocable) and what the navigation shows."""

    auth_token: str = rx.Cookie(
        "",
        name=SESSION_COOKIE,
        same_site="strict",
        max_age=get_settings().session_ttl_hours * 3600,
    )
    my_name: str = ""
    my_handle: str = ""
    # only shows the operator's menu entry; every operator action re-checks
    am_operator: bool = False

    @rx.var
    def signed_in(self) -> bool:
        return self.my_handle != ""

    @rx.var
    def my_initials(self) -> str:
        return "".join(part[:1] for part in self.my_name.split()[:2]).upper() or "?"

    @rx.var
    def my_profile_url(self) -> str:
        return routes.person(self.my_handle) if self.my_handle else routes.LOGIN

    def _member(self) -> accounts.SignedIn | None:
        """The member behind the cookie, checked against the server-side
        session (expired and revoked sessions yield None); session_cache says
        how long a worker remembers the answer."""
        member = signed_in.member_for(self.auth_token)
        self._show(member)
        return member

    def _show(self, member: accounts.SignedIn | None) -> None:
        name = member.display_name if member else ""
        handle = member.handle if member else ""
        operator = member.is_operator if member else False
        # Assign only on change: an assignment is sent to the browser, and the
        # navigation's heartbeat re-derives the member every few seconds.
        if (name, handle) != (self.my_name, self.my_handle):
            self.my_name, self.my_handle = name, handle
        if operator != self.am_operator:
            self.am_operator = operator

    def _attempt(self, work: Callable[[Session, int], T], error_var: str) -> Attempt:
        """Run `work(session, member_id)` in one unit of work as the signed-in
        member. A refusal lands in `error_var` and a toast; a guest goes to the
        login page. Either way `refusal` is what the handler returns."""
        member = self._member()
        if member is None:
            return Attempt(None, None, rx.redirect(routes.LOGIN))
        try:
            with unit_of_work() as session:
                result = work(session, member.id)
        except DomainError as error:
            setattr(self, error_var, str(error))
            return Attempt(member.id, None, rx.toast.error(str(error)))
        setattr(self, error_var, "")
        return Attempt(member.id, result, None)

    def _start(self, result: accounts.LoginResult, name: str) -> None:
        self.auth_token = result.token
        self.my_handle = result.handle
        self.my_name = name

    @rx.event
    def refresh_session(self):
        """on_load of public pages: show the navigation for who is signed in."""
        self._member()

    @rx.event
    def require_member(self):
        """on_load of private pages: send guests to the login page."""
        if self._member() is None:
            return rx.redirect(routes.LOGIN)

    @rx.event
    def log_out(self):
        with unit_of_work() as session:
            accounts.log_out(session, self.auth_token)
        self.auth_token = ""
        self._show(None)
        return [rx.redirect(routes.HOME), rx.toast.info("You are logged out.")]

    @rx.event
    def log_out_everywhere(self):
        """Revoke every session of this member (a lost laptop, a shared PC)."""
        member = self._member()
        if member is not None:
            with unit_of_work() as session:
                count = accounts.revoke_all_sessions(session, member.id)
        self.auth_token = ""
        self._show(None)
        message = (
            f"Logged out of {count} sessions." if member else "You are logged out."
        )
        return [rx.redirect(routes.HOME), rx.toast.info(message)]
