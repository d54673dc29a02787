"""The account settings page: the email address and a work address (each
changed through a link, after the current password), the password, the
signed-in devices (log any of them out, or log out everywhere)."""

from __future__ import annotations

import reflex as rx

from marketplace.accounts import addresses, devices, passwords
from marketplace.accounts.accounts import SignedIn
from marketplace.accounts.addresses import Addresses, LinkSent
from marketplace.adapters.mailer import send_in_background
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError
from marketplace.states.session import SessionState, member_only

PASSWORD_CHANGED = "Password changed. Your other devices were logged out."
DEVICE_LOGGED_OUT = "That device is logged out."


class AccountState(SessionState):
    password_error: str = ""
    device_error: str = ""
    # the member's addresses (addresses.Addresses), and each form's answer
    email: str = ""
    email_verified: bool = False
    pending_email: str = ""
    email_error: str = ""
    email_sent: str = ""
    work_email: str = ""
    work_domain: str = ""
    pending_work_email: str = ""
    work_error: str = ""
    work_sent: str = ""
    # a fresh form after each link sent (its key)
    email_form_key: int = 0
    work_form_key: int = 0
    # what the list shows: id, what, started, last_seen, place, current
    devices: list[dict[str, str]] = []
    # a fresh form after each change (its key)
    password_form_key: int = 0

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.password_error = self.device_error = ""
        self.email_error = self.email_sent = self.work_error = self.work_sent = ""
        self._load_addresses(member.id)
        self._load_devices(member.id)

    def _load_addresses(self, member_id: int) -> None:
        with read_only() as session:
            shown: Addresses = addresses.addresses_of(session, member_id)
        self.email, self.email_verified = shown.email, shown.verified
        self.pending_email = shown.pending_email
        self.work_email, self.work_domain = shown.work_email, shown.work_domain
        self.pending_work_email = shown.pending_work_email

    def _load_devices(self, member_id: int) -> None:
        with read_only() as session:
            listed = devices.signed_in_devices(session, member_id, self._token())
        self.devices = [
            {
                "id": str(d.session_id),
                "what": f"{d.browser} on {d.system}",
                "started": d.started,  # on the member's clock
                "last_seen": d.last_seen,
                "place": d.place,
                "current": "yes" if d.current else "",
            }
            for d in listed
        ]

    @rx.event
    @member_only
    def change_password(self, member: SignedIn, form: dict):
        fields = form if isinstance(form, dict) else {}
        new, again = fields.get("new_password"), fields.get("new_password_again")
        if new != again:
            self.password_error = "The two new passwords differ. Type the same twice."
            return rx.toast.error(self.password_error)
        try:
            with unit_of_work() as session:
                passwords.change_password(
                    session,
                    member.id,
                    fields.get("current_password"),
                    new,
                    self._token(),
                )
        except DomainError as error:
            self.password_error = str(error)
            return rx.toast.error(str(error))
        self.password_error = ""
        self.password_form_key += 1
        self._load_devices(member.id)
        return rx.toast.success(PASSWORD_CHANGED)

    @rx.event
    @member_only
    def change_email(self, member: SignedIn, form: dict):
        """Mail a link to the new address; the same answer whoever owns it."""
        fields = form if isinstance(form, dict) else {}
        try:
            with unit_of_work() as session:
                sent = addresses.change_email(
                    session,
                    member.id,
                    fields.get("new_email"),
                    fields.get("email_password"),
                )
        except DomainError as error:
            self.email_error, self.email_sent = str(error), ""
            return rx.toast.error(str(error))
        self.email_error, self.email_sent = "", sent.answer
        self.email_form_key += 1
        return self._link_sent(member.id, sent)

    @rx.event
    @member_only
    def add_work_email(self, member: SignedIn, form: dict):
        """Mail a link that proves a work address (free mail refused)."""
        fields = form if isinstance(form, dict) else {}
        try:
            with unit_of_work() as session:
                sent = addresses.request_work_email(
                    session,
                    member.id,
                    fields.get("work_email"),
                    fields.get("work_password"),
                )
        except DomainError as error:
            self.work_error, self.work_sent = str(error), ""
            return rx.toast.error(str(error))
        self.work_error, self.work_sent = "", sent.answer
        self.work_form_key += 1
        return self._link_sent(member.id, sent)

    def _link_sent(self, member_id: int, sent: LinkSent):
        send_in_background(sent.mail)  # committed: the link works
        self._load_addresses(member_id)
        return rx.toast.success(sent.answer)

    @rx.event
    @member_only
    def remove_work_email(self, member: SignedIn):
        try:
            with unit_of_work() as session:
                addresses.remove_work_email(session, member.id)
        except DomainError as error:
            self.work_error = str(error)
            return rx.toast.error(str(error))
        self.work_error, self.work_sent = "", ""
        self._load_addresses(member.id)
        return rx.toast.success(addresses.WORK_REMOVED)

    @rx.event
    @member_only
    def log_out_device(self, member: SignedIn, session_id: str):
        """End one of this member's sessions; any other id is refused."""
        raw = str(session_id)
        chosen = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 12 else None
        current = next((d for d in self.devices if d["current"]), None)
        try:
            with unit_of_work() as session:
                devices.log_out_device(session, member.id, chosen)
        except DomainError as error:
            self.device_error = str(error)
            return rx.toast.error(str(error))
        self.device_error = ""
        if current is not None and current["id"] == str(chosen):
            return self._forget_cookie()
        self._load_devices(member.id)
        return rx.toast.success(DEVICE_LOGGED_OUT)
