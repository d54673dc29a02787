"""Sign-up and login forms."""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.accounts import accounts
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError
from marketplace.states.session import SessionState


def _text(form: object, key: str) -> object:
    return form.get(key, "") if isinstance(form, dict) else None


class SignupState(SessionState):
    signup_error: str = ""
    # From a sign-up link `/signup?invite=CODE`, to prefill the form; the
    # service checks the code again when the form is sent.
    invite_code: str = ""
    invited_handle: str = ""

    @rx.event
    def sign_up(self, form: dict):
        try:
            with unit_of_work() as session:
                result = accounts.sign_up(
                    session,
                    email=_text(form, "email"),
                    handle=_text(form, "handle"),
                    display_name=_text(form, "display_name"),
                    password=_text(form, "password"),
                    invite_code=_text(form, "invite_code"),
                )
        except DomainError as error:
            self.signup_error = str(error)
            return rx.toast.error(str(error))
        self.signup_error = ""
        return self._hand_over(result, routes.PROFILE_EDIT)

    @rx.event
    def clear(self):
        self.signup_error = ""
        code = self.router.url.query_parameters.get("invite", "")
        if not isinstance(code, str) or len(code) > accounts.INVITE_CODE_MAX:
            code = ""
        code = code.strip()
        with read_only() as session:
            self.invited_handle = accounts.invited_handle(session, code)
        self.invite_code = code
        self._member()


class LoginState(SessionState):
    login_error: str = ""

    @rx.event
    def log_in(self, form: dict):
        try:
            with unit_of_work() as session:
                result = accounts.log_in(
                    session,
                    email=_text(form, "email"),
                    password=_text(form, "password"),
                    # the socket's peer, or X-Forwarded-For only behind as many
                    # proxies as REFLEX_TRUSTED_PROXY_HOPS says (Reflex's rule)
                    client=self.router.session.client_ip,
                )
        except DomainError as error:
            self.login_error = str(error)
            return rx.toast.error(str(error))
        if result is None:
            self.login_error = accounts.WRONG_CREDENTIALS
            return rx.toast.error(accounts.WRONG_CREDENTIALS)
        self.login_error = ""
        return self._hand_over(result, routes.DASHBOARD)

    @rx.event
    def clear(self):
        self.login_error = ""
        self._member()
