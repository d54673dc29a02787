"""The account settings page: change the password, see the signed-in
devices and log any of them out, or log out everywhere."""

from __future__ import annotations

import reflex as rx

from marketplace.accounts import devices, passwords
from marketplace.accounts.accounts import SignedIn
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError
from marketplace.states.session import SessionState, member_only

PASSWORD_CHANGED = "Password changed. Your other devices were logged out."
DEVICE_LOGGED_OUT = "That device is logged out."


class AccountState(SessionState):
    password_error: str = ""
    device_error: str = ""
    # what the list shows: id, what, started, last_seen, place, current
    devices: list[dict[str, str]] = []
    # a fresh form after each change (its key)
    password_form_key: int = 0

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.password_error = self.device_error = ""
        self._load_devices(member.id)

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
