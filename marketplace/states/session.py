"""Who is signed in: the session cookie and the member behind it.

The cookie is HttpOnly (session_cookie.py): no page script can read it, so it
is never a state var. The server reads it from the event socket's handshake,
which Reflex hands every event as `router.headers.cookie` and which a client
cannot forge in an event's payload (Reflex overwrites the payload's headers
with the connection's). Logging in, signing up and logging out end with a
full navigation through `/api/session/...`, which sets or clears the cookie;
the page that loads after it opens a new socket that carries it.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlencode

import reflex as rx
from sqlmodel import Session

from marketplace import routes, session_cookie
from marketplace.accounts import accounts, signed_in, submissions
from marketplace.accounts.accounts import SignedIn
from marketplace.db import unit_of_work
from marketplace.domain.errors import DomainError

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")
S = TypeVar("S", bound="SessionState")
# the hidden field in which every create form echoes its key (_submit_once)
FORM_KEY = "form_key"


def to_login(state: object = None):
    """Where a guest who tried a member's handler goes: the log-in page, which
    brings them back to the page they were on (`page_asked_for`)."""
    return rx.redirect(routes.login_to(page_asked_for(state)))


def page_asked_for(state: object) -> str:
    """The path and query of the page an event came from ('' if unknown).
    The browser reports it, so it is only a suggestion: every use goes
    through `routes.same_site_path`."""
    try:
        url = state.router.url  # type: ignore[union-attr]
    except AttributeError:
        return ""
    path = getattr(url, "path", "")
    if not isinstance(path, str) or not path:
        return ""
    query = getattr(url, "query", "")
    return f"{path}?{query}" if isinstance(query, str) and query else path


def member_only(
    handler: Callable[Concatenate[S, SignedIn, P], Any],
) -> Callable[Concatenate[S, P], Any]:
    """For a handler only a signed-in member may run; place it under
    `@rx.event`. The handler's second parameter receives the member, derived
    from the socket's session cookie (`SessionState._member`), never from the
    payload; a guest is sent to the login page (and back here after it) and the
    handler does not run.

        @rx.event
        @member_only
        def go_to_page(self, member: SignedIn, page: int): ...

    Reflex reads a handler's signature (which arguments the browser sends, by
    name) and its type hints (how it converts them): the wrapper shows the
    handler's own, minus `member`, so no page can pass a member and a payload
    that names one is refused as an unknown argument would be."""
    if not inspect.isfunction(handler) or _is_async(handler):
        raise TypeError(f"@member_only wraps a plain handler, not {handler!r}")
    if inspect.isgeneratorfunction(handler):
        return _guarded_steps(handler)

    @functools.wraps(handler)
    def guarded(self: S, *args: P.args, **kwargs: P.kwargs) -> Any:
        member = self._member()
        if member is None:
            return to_login(self)
        return handler(self, member, *args, **kwargs)

    _hide_member_parameter(guarded, handler)
    return guarded


def _guarded_steps(handler: Callable[..., Any]) -> Callable[..., Any]:
    """member_only for a handler that works in steps: each bare `yield`
    sends what changed so far, within the one event (a page's top before its
    lower half; an extra on_load event would load and store the state tree
    again)."""

    @functools.wraps(handler)
    def guarded(self, *args, **kwargs):
        member = self._member()
        if member is None:
            yield to_login(self)
            return
        yield from handler(self, member, *args, **kwargs)

    _hide_member_parameter(guarded, handler)
    return guarded


def _is_async(handler: Callable[..., Any]) -> bool:
    # Reflex runs these differently (awaits, background tasks); none needs the
    # guard yet, and a sync wrapper would hide what they are.
    return inspect.iscoroutinefunction(handler) or inspect.isasyncgenfunction(handler)


_POSITIONAL = (
    inspect.Parameter.POSITIONAL_ONLY,
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
)


def _hide_member_parameter(
    guarded: Callable[..., Any], handler: Callable[..., Any]
) -> None:
    """Give `guarded` the signature and annotations of `handler` without its
    `member` parameter: what Reflex inspects to call it from the browser."""
    signature = inspect.signature(handler)
    parameters = list(signature.parameters.values())
    if len(parameters) < 2 or parameters[1].kind not in _POSITIONAL:
        raise TypeError(f"{handler.__qualname__} must take (self, member, ...)")
    self_, member, *rest = parameters
    guarded.__signature__ = signature.replace(parameters=[self_, *rest])  # type: ignore[attr-defined]
    # a new dict: functools.wraps shared the handler's own
    guarded.__annotations__ = {
        name: hint
        for name, hint in handler.__annotations__.items()
        if name != member.name
    }


@dataclass(frozen=True)
class Attempt:
    """What `SessionState._attempt` did: who acted, what the service returned,
    and the event to return instead when it was refused."""

    member_id: int | None
    result: Any
    refusal: Any
    replayed: bool = False  # a resubmitted form: `result` is the first one's


class SessionState(rx.State):
    """Root of every member-aware state: who the socket's session cookie says
    is signed in, and what the navigation shows of them."""

    my_name: str = ""
    my_handle: str = ""
    # only shows the operator's menu entry; every operator action re-checks
    am_operator: bool = False
    # shows the "verify your email" banner; the services refuse regardless
    email_unverified: bool = False
    # The key of each create form the page shows, by form name, made here
    # when the page shows it; the form echoes it back (components/forms.py
    # `form_key`), and a second submit with it writes nothing (_submit_once).
    form_keys: dict[str, str] = {}

    @rx.var
    def signed_in(self) -> bool:
        return self.my_handle != ""

    @rx.var
    def my_initials(self) -> str:
        return "".join(part[:1] for part in self.my_name.split()[:2]).upper() or "?"

    @rx.var
    def my_profile_url(self) -> str:
        return routes.person(self.my_handle) if self.my_handle else routes.LOGIN

    def _token(self) -> str:
        """The session token the browser sent when it opened this socket."""
        return session_cookie.token_from(self.router.headers.cookie)

    def _member(self) -> SignedIn | None:
        """The member behind the cookie, checked against the server-side
        session (expired and revoked sessions yield None); session_cache says
        how long a worker remembers the answer."""
        member = signed_in.member_for(self._token())
        self._show(member)
        return member

    def _show(self, member: SignedIn | None) -> None:
        name = member.display_name if member else ""
        handle = member.handle if member else ""
        operator = member.is_operator if member else False
        unverified = member is not None and not member.email_verified
        # Assign only on change: an assignment is sent to the browser, and the
        # navigation's heartbeat re-derives the member every few seconds.
        if (name, handle) != (self.my_name, self.my_handle):
            self.my_name, self.my_handle = name, handle
        if operator != self.am_operator:
            self.am_operator = operator
        if unverified != self.email_unverified:
            self.email_unverified = unverified

    def _attempt(self, work: Callable[[Session, int], T], error_var: str) -> Attempt:
        """Run `work(session, member_id)` in one unit of work as the signed-in
        member. A refusal lands in `error_var` and a toast; a guest goes to the
        login page. Either way `refusal` is what the handler returns."""
        member = self._member()
        if member is None:
            return Attempt(None, None, to_login(self))
        try:
            with unit_of_work() as session:
                result = work(session, member.id)
        except DomainError as error:
            setattr(self, error_var, str(error))
            return Attempt(member.id, None, rx.toast.error(str(error)))
        setattr(self, error_var, "")
        return Attempt(member.id, result, None)

    def _show_forms(self, *forms: str) -> None:
        """Fresh keys for the create forms a page is about to show."""
        fresh = {form: submissions.new_key() for form in forms}
        self.form_keys = {**self.form_keys, **fresh}

    def _submit_once(
        self,
        form: str,
        fields: object,
        work: Callable[[Session, int], object],
        error_var: str,
    ) -> Attempt:
        """`_attempt(work)` for a create form, once per key: a double click's
        second submit returns the first one's result (what `work` returned,
        as text) with `replayed` set, and writes nothing."""
        posted = fields.get(FORM_KEY) if isinstance(fields, dict) else None
        issued = self.form_keys.get(form, "")
        attempt = self._attempt(
            lambda session, me: submissions.once(
                session,
                member_id=me,
                form=form,
                key=posted,
                issued=issued,
                write=lambda: work(session, me),
            ),
            error_var,
        )
        if attempt.refusal is not None:
            return attempt
        self._show_forms(form)  # the next submit of this form is a new one
        outcome: submissions.Outcome = attempt.result
        return Attempt(attempt.member_id, outcome.ref, None, outcome.replayed)

    def _hand_over(self, result: accounts.LoginResult, next_path: str):
        """Send the browser to take the new session over as its cookie, then
        on to `next_path`: a full navigation, so the next page's socket
        carries the cookie. The token itself never leaves the server."""
        with unit_of_work() as session:
            ticket = accounts.hand_over(session, result.token)
        query = urlencode({"ticket": ticket, "next": next_path})
        return _navigate(f"{_backend_url()}{routes.SESSION_START}?{query}")

    def _forget_cookie(self, next_path: str = routes.HOME):
        """Clear the (already revoked) cookie and land on `next_path`."""
        self._show(None)
        query = urlencode({"next": next_path})
        return _navigate(f"{_backend_url()}{routes.SESSION_END}?{query}")

    @rx.event
    def refresh_session(self):
        """on_load of public pages: show the navigation for who is signed in."""
        self._member()

    @rx.event
    @member_only
    def require_member(self, member: SignedIn):
        """on_load of private pages: send guests to the login page."""

    @rx.event
    def log_out(self):
        with unit_of_work() as session:
            accounts.log_out(session, self._token())
        return self._forget_cookie()

    @rx.event
    def log_out_everywhere(self):
        """Revoke every session of this member (a lost laptop, a shared PC)."""
        member = self._member()
        if member is not None:
            with unit_of_work() as session:
                accounts.revoke_all_sessions(session, member.id)
        return self._forget_cookie()


def _backend_url() -> str:
    """Where the HTTP routes live: the backend the pages' socket talks to."""
    return rx.config.get_config().api_url.rstrip("/")


def _navigate(url: str):
    """A full page load (the client-side router would keep the old socket)."""
    return rx.call_script(f"window.location.replace({json.dumps(url)})")
