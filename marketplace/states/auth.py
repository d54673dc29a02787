"""Sign-up and login forms, and the way back to the page a guest asked for.

A guest who opens a member's page (or a shared link, a notification email)
lands on `/login?next=/market/34`; the log-in (or the sign-up it links to)
carries `next` through `/api/session/start` and ends on that page. `next` is
text anyone can put in a link, so it is checked (routes.same_site_path) when
it is read, and again where the browser is sent.
"""

from __future__ import annotations

import time

import reflex as rx

from marketplace import routes
from marketplace.accounts import (
    accounts,
    moderation,
    passwords,
    throttles,
    verification,
)
from marketplace.accounts.accounts import SignedIn
from marketplace.accounts.mailboxes import KnownAddress, known_address_email
from marketplace.adapters.mailer import Email, send_in_background
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError
from marketplace.network import invitations
from marketplace.states.session import SessionState, member_only


def _text(form: object, key: str) -> object:
    return form.get(key, "") if isinstance(form, dict) else None


class ReturnState(SessionState):
    """Where to go once signed in: the `next` of the page's link ('' for the
    default), and the links between log-in and sign-up that keep it."""

    return_to: str = ""

    @rx.var
    def login_link(self) -> str:
        return routes.login_to(self.return_to)

    @rx.var
    def signup_link(self) -> str:
        return routes.signup_to(self.return_to)

    def _read_return_to(self):
        """On load: remember `next`; a member already signed in goes there."""
        raw = self.router.url.query_parameters.get(routes.NEXT, "")
        self.return_to = routes.same_site_path(raw, fallback="")
        if self._member() is not None:
            return rx.redirect(self._destination(routes.DASHBOARD), replace=True)
        return None

    def _destination(self, default: str) -> str:
        return routes.same_site_path(self.return_to, fallback=default)


CHECK_MAILBOX = (
    "Check your mailbox: we've sent a message to that address. "
    "Open the link in it to go on."
)


def _owner_notice(known: KnownAddress) -> Email | None:
    """Tell the owner, not the stranger (at most a few times an hour)."""
    try:
        throttles.allow_mail(known.owner_id, "known")
    except throttles.Throttled:
        return None
    return known_address_email(known.email)


class SignupState(ReturnState):
    signup_error: str = ""
    signup_notice: str = ""
    # From a sign-up link `/signup?invite=CODE`, to prefill the form; the
    # service checks the code again when the form is sent.
    invite_code: str = ""
    invited_handle: str = ""
    # or a member's invitation link (network/invitations.py): the name and
    # address they typed, and who invited
    invited_name: str = ""
    invited_email: str = ""
    invited_by: str = ""

    @rx.var
    def invited_notice(self) -> str:
        if not self.invited_by:
            return ""
        return f"{self.invited_by} invited you: once you join, you are connected."

    @rx.event
    def sign_up(self, form: dict):
        """Every sign-up that passes the form's checks answers the same:
        check your mailbox. A new member's mail holds the link that verifies
        and signs them in; a known address's owner hears someone tried."""
        try:
            # before the sign-up's own transaction (its own counter write);
            # the address as the login throttle sees it (REFLEX_TRUSTED_PROXY_HOPS)
            throttles.allow_signup(self.router.session.client_ip, _text(form, "email"))
            with unit_of_work() as session:
                done = accounts.register(
                    session,
                    email=_text(form, "email"),
                    handle=_text(form, "handle"),
                    display_name=_text(form, "display_name"),
                    password=_text(form, "password"),
                    invite_code=_text(form, "invite_code"),
                    # a newcomer fills in their card first, unless they came
                    # to do something
                    next_path=self._destination(routes.PROFILE_EDIT),
                )
                # a member's invitation link: joined and connected in the
                # same transaction; any other code is no invitation (no-op)
                invitations.accept_invitation(
                    session,
                    token=_text(form, "invite_code"),
                    new_member_id=done.member_id,
                )
            mail = done.mail
        except KnownAddress as known:
            mail = _owner_notice(known)
        except DomainError as error:
            self.signup_error = str(error)
            return rx.toast.error(str(error))
        send_in_background(mail)
        self.signup_error = ""
        self.signup_notice = CHECK_MAILBOX
        return rx.toast.info(CHECK_MAILBOX)

    @rx.event
    def clear(self):
        self.signup_error = ""
        self.signup_notice = ""
        code = self.router.url.query_parameters.get("invite", "")
        if not isinstance(code, str) or len(code) > accounts.INVITE_CODE_MAX:
            code = ""
        code = code.strip()
        with read_only() as session:
            # an IOU import's code first, then a member's invitation link
            self.invited_handle = accounts.invited_handle(session, code)
            invited = None
            if code and not self.invited_handle:
                invited = invitations.invitation_for_signup(session, code)
        self.invited_name = invited.name if invited else ""
        self.invited_email = invited.email if invited else ""
        self.invited_by = invited.inviter_name if invited else ""
        self.invite_code = code
        return self._read_return_to()


class LoginState(ReturnState):
    login_error: str = ""
    # A suspended member who typed the right password: why, and their appeal
    # (accounts/moderation.py). Who they are stays on the server, for the
    # appeal only, and only for a while.
    suspension_reason: str = ""
    appeal_sent: bool = False
    appeal_error: str = ""
    _suspended_id: int = 0
    _suspended_seen: float = 0.0

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
        except accounts.Suspended as suspended:
            return self._show_suspension(suspended)
        except DomainError as error:
            self.login_error = str(error)
            return rx.toast.error(str(error))
        if result is None:
            self.login_error = accounts.WRONG_CREDENTIALS
            return rx.toast.error(accounts.WRONG_CREDENTIALS)
        self.login_error = ""
        return self._hand_over(result, self._destination(routes.DASHBOARD))

    @rx.event
    def clear(self):
        self.login_error = ""
        return self._read_return_to()

    def _show_suspension(self, suspended: accounts.Suspended):
        self._suspended_id, self._suspended_seen = suspended.member_id, time.time()
        self.suspension_reason = suspended.reason or "No reason was given."
        self.login_error, self.appeal_sent, self.appeal_error = "", False, ""
        return rx.redirect(routes.SUSPENDED)

    @rx.event
    def appeal(self, form: dict):
        """The suspended member's appeal: who they are is what their password
        proved a moment ago, kept server-side; the form sends only words."""
        fresh = time.time() - self._suspended_seen < APPEAL_WINDOW_SECONDS
        if not self._suspended_id or not fresh:
            self.appeal_error = "Log in again to appeal."
            return rx.toast.error(self.appeal_error)
        try:
            with unit_of_work() as session:
                moderation.appeal(
                    session, member_id=self._suspended_id, body=_text(form, "appeal")
                )
        except DomainError as error:
            self.appeal_error = str(error)
            return rx.toast.error(str(error))
        self.appeal_sent, self.appeal_error = True, ""
        return rx.toast.success(APPEAL_SENT)


APPEAL_WINDOW_SECONDS = 30 * 60
APPEAL_SENT = (
    "Your appeal is with the operators. Log in again later to see if it was granted."
)


class ForgotPasswordState(SessionState):
    """Asking for a reset link: the same answer whether or not the address
    has an account (passwords.request_reset)."""

    forgot_error: str = ""
    forgot_sent: str = ""

    @rx.event
    def ask_for_link(self, form: dict):
        try:
            with unit_of_work() as session:
                mail = passwords.request_reset(session, _text(form, "email"))
        except DomainError as error:  # a malformed address: says nothing of accounts
            self.forgot_error, self.forgot_sent = str(error), ""
            return rx.toast.error(str(error))
        send_in_background(mail)
        self.forgot_error, self.forgot_sent = "", passwords.RESET_SENT
        return rx.toast.success(passwords.RESET_SENT)

    @rx.event
    def clear(self):
        self.forgot_error = self.forgot_sent = ""


class ResetPasswordState(SessionState):
    """The page an emailed reset link opens. The token stays on the server
    once read from the link; the browser sends only the new password."""

    reset_error: str = ""
    link_works: bool = True
    _reset_token: str = ""

    @rx.event
    def load(self):
        token = self.router.url.query_parameters.get("token", "")
        self._reset_token = token if isinstance(token, str) else ""
        self.reset_error = ""
        with read_only() as session:
            self.link_works = passwords.reset_token_works(session, self._reset_token)

    @rx.event
    def set_new_password(self, form: dict):
        new, again = _text(form, "password"), _text(form, "password_again")
        if new != again:
            self.reset_error = "The two passwords differ. Type the same one twice."
            return rx.toast.error(self.reset_error)
        try:
            with unit_of_work() as session:
                passwords.reset_password(session, self._reset_token, new)
        except DomainError as error:
            self.reset_error = str(error)
            self.link_works = str(error) != passwords.BAD_LINK
            return rx.toast.error(str(error))
        self._reset_token, self.reset_error = "", ""
        return [
            rx.toast.success(PASSWORD_SET),
            rx.redirect(routes.LOGIN, replace=True),
        ]


PASSWORD_SET = "Your new password is set; every device was logged out. Log in with it."


def _signs_in(done: verification.Verified) -> bool:
    """Only a sign-up's own link: the address the account was made with."""
    return done.purpose == verification.ADDRESS and done.changed_from is None


class VerifyState(SessionState):
    """The page a verification link opens (`/verify?token=`), logged in or not,
    and the banner's "Resend verification email". A sign-up's link followed
    while logged out signs its member in: it proves they read the mailbox the
    account was made with, as a reset link would. A work address's or a new
    address's link does not: neither mailbox is yet the way into the account."""

    verified: bool = False
    verify_message: str = ""

    @rx.event
    def check_link(self):
        query = self.router.url.query_parameters
        member = self._member()
        try:
            with unit_of_work() as session:
                done = verification.verify_email(
                    session,
                    query.get("token", ""),
                    signed_in_id=member.id if member else None,
                )
                login = None
                if member is None and _signs_in(done):
                    login = accounts.open_session(session, done.member_id)
        except DomainError as error:
            self.verified, self.verify_message = False, str(error)
            return None
        send_in_background(done.notice)
        self.verified = True
        self.verify_message = f"Thank you: {done.email} is verified."
        if login is None:
            self._member()  # the banner goes
            return rx.toast.success(self.verify_message)
        next_path = routes.same_site_path(query.get(routes.NEXT, ""), fallback="")
        return self._hand_over(login, next_path or routes.DASHBOARD)

    @rx.event
    @member_only
    def resend(self, member: SignedIn):
        try:
            with unit_of_work() as session:
                mail = verification.resend_verification(session, member.id)
        except DomainError as error:
            return rx.toast.error(str(error))
        send_in_background(mail)
        return rx.toast.success(f"We sent a new link to {mail.to}.")
