"""Reports, the moderation desk and the password check operator actions need.

Every handler derives the member from the server-side session; ids in a
form are only what the browser claims, and the services check them. The
desk's actions also need a password check made in this very session within
15 minutes (accounts/reauth.py), found by the session cookie's token, which
no event payload can carry.
"""

from __future__ import annotations

import reflex as rx

from marketplace.accounts import moderation, reauth, reports
from marketplace.accounts.accounts import SignedIn
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError
from marketplace.states.session import SessionState, member_only

REASON_OPTIONS = reports.REASONS
THANKS = reports.THANKS


def _field(form: object, name: str) -> object:
    return form.get(name) if isinstance(form, dict) else None


class ReportState(SessionState):
    """The "Report" dialogs: the browser opens and closes them; the server
    says which one's report was just sent ("listing:12"), to thank for it."""

    report_sent: str = ""
    report_error: str = ""

    @rx.event
    def dialog_changed(self, _is_open: bool = False):
        self.report_sent, self.report_error = "", ""

    @rx.event
    @member_only
    def send(self, member: SignedIn, form: dict):
        try:
            with unit_of_work() as session:
                reports.file_report(
                    session,
                    reporter_id=member.id,
                    kind=_field(form, "kind"),
                    item=_field(form, "item"),
                    reason=_field(form, "reason"),
                    note=_field(form, "note") or "",
                )
        except DomainError as error:
            self.report_error = str(error)
            return rx.toast.error(str(error))
        kind, item = _field(form, "kind"), _field(form, "item")
        self.report_sent, self.report_error = f"{kind}:{item}"[:60], ""
        return rx.toast.success(reports.THANKS)


class ReauthState(SessionState):
    """ "Confirm your password to act": the operator's recent password check."""

    confirmed_until: str = ""  # "20:41 UTC" while it holds
    reauth_error: str = ""

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self._show_until(member)

    def _show_until(self, member: SignedIn) -> None:
        with read_only() as session:
            until = reauth.confirmed_until(
                session, member_id=member.id, token=self._token()
            )
        self.confirmed_until = until.strftime("%H:%M UTC") if until else ""

    @rx.event
    @member_only
    def confirm(self, member: SignedIn, form: dict):
        try:
            with unit_of_work() as session:
                until = reauth.confirm_password(
                    session,
                    member_id=member.id,
                    token=self._token(),
                    password=_field(form, "password"),
                )
        except DomainError as error:
            self.reauth_error = str(error)
            return rx.toast.error(str(error))
        if until is None:
            self.reauth_error = "That password is wrong."
            return rx.toast.error(self.reauth_error)
        self.reauth_error = ""
        self._show_until(member)
        return rx.toast.success(f"Confirmed: you can act until {self.confirmed_until}.")


class ModerationState(SessionState):
    """The desk: open reports by item, open appeals, and the operator log."""

    allowed: bool = False
    queue: list[moderation.QueueItem] = []
    appeals: list[dict] = []
    log: list[dict] = []
    desk_error: str = ""

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self._refresh(member.id)

    def _refresh(self, member_id: int) -> None:
        # read now, not from the remembered session: a dismissed operator
        # stops seeing the desk at once
        try:
            with read_only() as session:
                queue = moderation.queue(session, operator_id=member_id)
                appeals = moderation.open_appeals(session, operator_id=member_id)
                log = moderation.operator_log(session, operator_id=member_id)
        except DomainError:
            self.allowed, self.queue, self.appeals, self.log = False, [], [], []
            return
        self.allowed = True
        self.queue = queue
        self.appeals, self.log = appeals, log

    def _desk(self, work, done: str):
        attempt = self._attempt(work, "desk_error")
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        return rx.toast.success(done)

    @rx.event
    def act(self, form: dict):
        """Dismiss, hide, warn or suspend, on one item's open reports."""
        return self._desk(
            lambda session, me: moderation.act(
                session,
                operator_id=me,
                token=self._token(),
                action=_field(form, "action"),
                kind=_field(form, "kind"),
                item_id=_field(form, "item_id"),
                reason=_field(form, "reason"),
            ),
            "Done, and written in the operator log.",
        )

    @rx.event
    def unsuspend(self, form: dict):
        return self._desk(
            lambda session, me: moderation.unsuspend(
                session,
                operator_id=me,
                token=self._token(),
                member_id=_field(form, "member_id"),
                reason=_field(form, "reason"),
            ),
            "Unsuspended: they can log in again.",
        )

    @rx.event
    def keep_suspended(self, form: dict):
        return self._desk(
            lambda session, me: moderation.close_appeal(
                session,
                operator_id=me,
                token=self._token(),
                appeal_id=_field(form, "appeal_id"),
                reason=_field(form, "reason"),
            ),
            "The appeal is closed; the suspension stays.",
        )
