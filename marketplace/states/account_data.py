"""Settings > Your data: download my data, delete my account.

The archive is made on a thread (accounts/export.py); while it is, the page
mounts a heartbeat (components/heartbeat.py) whose ticks ask its progress for
the signed-in member only -- an archive id the browser forged finds nothing --
and the download is an HTTP route that checks the session cookie again
(api.py). Progress lives in `export_dir`, so every worker on the host sees it."""

from __future__ import annotations

import reflex as rx

from marketplace import routes
from marketplace.accounts import closing, export
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError
from marketplace.states.session import SessionState, SignedIn, _backend_url, member_only


class AccountDataState(SessionState):
    archive_id: str = ""
    export_percent: int = 0
    export_step: str = ""
    export_ready: bool = False
    export_error: str = ""
    delete_error: str = ""
    blockers: list[dict[str, str]] = []
    _export_member: int = 0

    @rx.var
    def download_url(self) -> str:
        if not self.export_ready or not self.archive_id:
            return ""
        return _backend_url() + routes.export_download(self.archive_id)

    @rx.var
    def exporting(self) -> bool:
        return self.archive_id != "" and not self.export_ready and not self.export_error

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.delete_error, self.blockers = "", []
        if self._export_member != member.id:
            self._reset_export()

    def _reset_export(self) -> None:
        self.archive_id, self.export_percent, self.export_step = "", 0, ""
        self.export_ready, self.export_error, self._export_member = False, "", 0

    @rx.event
    @member_only
    def start_export(self, member: SignedIn):
        if self.exporting:
            return None
        self._reset_export()
        self._export_member = member.id
        self.archive_id = export.start(member.id, read_only)
        self.export_step = "starting"
        return None

    @rx.event
    @member_only
    def check_export(self, member: SignedIn):
        """The page's heartbeat while an archive is being made: how far."""
        if not self.exporting:
            return
        seen = export.status(member.id, self.archive_id)
        if seen is None or seen.percent < 0:
            self.export_error = "The archive could not be made; try again."
            return
        if (seen.percent, seen.step) != (self.export_percent, self.export_step):
            self.export_percent, self.export_step = seen.percent, seen.step
        self.export_ready = seen.ready

    @rx.event
    @member_only
    def delete_account(self, member: SignedIn, form: dict):
        password = form.get("password") if isinstance(form, dict) else None
        try:
            with unit_of_work() as session:
                closing.close_account(session, member.id, password)
        except closing.AccountOpen as refused:
            self.delete_error = "Your account can't be deleted yet. First finish:"
            self.blockers = [{"text": b.text, "link": b.link} for b in refused.blockers]
            return None
        except DomainError as error:
            self.delete_error, self.blockers = str(error), []
            return None
        return self._forget_cookie()
