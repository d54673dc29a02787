"""Your contacts: import an export, see who is here, ask them to connect,
search and remove what you imported.

Every handler acts as the signed-in member (`_member`, from the session
cookie); a contact id from the browser only names what to act on, and the
service refuses another member's as a missing one. The import runs in a
worker thread while the handler yields progress to the page.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import reflex as rx

from marketplace.db import read_only, unit_of_work
from marketplace.domain.contact_files import MAX_BYTES
from marketplace.domain.errors import DomainError, InvalidInput
from marketplace.network import contacts
from marketplace.network.contacts import ContactView, ImportReport, MatchView
from marketplace.states.invitations import InvitationsState
from marketplace.states.session import SessionState, SignedIn, member_only, to_login

UPLOAD_ID = "contacts_file"
PROGRESS_EVERY = 0.2  # seconds between progress pushes while importing


@dataclass
class RowProblem:
    row: int
    reason: str


@dataclass
class _Progress:
    """Shared between the import's worker thread and the handler."""

    done: int = 0
    total: int = 0


class ContactsState(SessionState):
    contacts: list[ContactView] = []
    matches: list[MatchView] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    query: str = ""
    contacts_error: str = ""
    # the import in progress and its outcome
    importing: bool = False
    import_done: int = 0
    import_total: int = 0
    import_error: str = ""
    report_ready: bool = False
    report_figures: dict[str, int] = {}
    report_errors: list[RowProblem] = []
    confirm_remove_all: bool = False

    @rx.var
    def import_percent(self) -> int:
        if not self.import_total:
            return 0
        return min(100, self.import_done * 100 // self.import_total)

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.contacts_error = self.import_error = ""
        self.query, self.page, self.confirm_remove_all = "", 1, False
        self._refresh(member.id)

    def _refresh(self, member_id: int) -> None:
        with read_only() as session:
            found = contacts.contacts_of(
                session, actor_id=member_id, query=self.query, page=self.page
            )
            self.matches = contacts.matched_members(session, actor_id=member_id)
        self.contacts, self.total = found.contacts, found.total
        self.page, self.pages = found.page, found.pages

    # ------------------------------------------------------------ importing

    @rx.event
    async def import_file(self, files: list[rx.UploadFile]):
        """The chosen file, read (up to the size cap) and imported, with the
        figures shown as it goes."""
        member = self._member()
        if member is None:
            yield to_login(self)
            return
        self.report_ready, self.import_error = False, ""
        try:
            data, name = await _one_file(files)
        except DomainError as error:
            self.import_error = str(error)
            yield rx.toast.error(str(error))
            return
        self.importing, self.import_done, self.import_total = True, 0, 0
        yield
        progress = _Progress()
        work = asyncio.create_task(
            asyncio.to_thread(_import, member.id, data, name, progress)
        )
        while not work.done():
            await asyncio.sleep(PROGRESS_EVERY)
            self.import_done, self.import_total = progress.done, progress.total
            yield
        self.importing = False
        try:
            report = work.result()
        except DomainError as error:
            self.import_error = str(error)
            yield rx.toast.error(str(error))
            return
        self._show_report(report)
        self._refresh(member.id)
        yield rx.clear_selected_files(UPLOAD_ID)
        yield rx.toast.success(f"Imported {report.imported} new contact(s).")
        yield InvitationsState.load  # new people to invite

    def _show_report(self, report: ImportReport) -> None:
        self.report_figures = {
            "Rows read": report.rows,
            "New contacts": report.imported,
            "Updated": report.updated,
            "Unchanged": report.unchanged,
            "Members here": report.matched,
            "Duplicates merged": report.duplicates,
        }
        self.report_errors = [RowProblem(row, reason) for row, reason in report.errors]
        self.report_ready = True

    # -------------------------------------------------------------- the list

    @rx.event
    @member_only
    def search(self, member: SignedIn, form: dict):
        query = form.get("query", "") if isinstance(form, dict) else ""
        if not isinstance(query, str):
            query = ""
        self.query = query.strip()[: contacts.QUERY_MAX]
        self.page = 1
        self._refresh(member.id)

    @rx.event
    @member_only
    def go_to_page(self, member: SignedIn, page: int):
        self.page = page if isinstance(page, int) and not isinstance(page, bool) else 1
        self._refresh(member.id)

    def _act(self, work, toast: str):
        attempt = self._attempt(work, "contacts_error")
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        # whom one may invite follows the contacts
        return [rx.toast.success(toast), InvitationsState.load]

    @rx.event
    def connect(self, contact_id: int):
        return self._act(
            lambda session, me: contacts.connect_with_match(
                session, actor_id=me, contact_id=contact_id
            ),
            "Request sent.",
        )

    @rx.event
    def remove(self, contact_id: int):
        return self._act(
            lambda session, me: contacts.remove_contact(
                session, actor_id=me, contact_id=contact_id
            ),
            "Contact removed.",
        )

    @rx.event
    @member_only
    def ask_remove_all(self, member: SignedIn):
        self.confirm_remove_all = True

    @rx.event
    @member_only
    def keep_all(self, member: SignedIn):
        self.confirm_remove_all = False

    @rx.event
    def remove_all(self):
        self.confirm_remove_all = False
        return self._act(
            lambda session, me: contacts.remove_all(session, actor_id=me),
            "All your contacts are removed.",
        )


async def _one_file(files: object) -> tuple[bytes, str]:
    """The bytes (at most one more than the cap, so the cap can refuse it)
    and the name of the single uploaded file."""
    if not isinstance(files, list) or len(files) != 1:
        raise InvalidInput("Choose one contacts file to import.", "file")
    upload = files[0]
    if not hasattr(upload, "read"):
        raise InvalidInput("Choose one contacts file to import.", "file")
    data = await upload.read(MAX_BYTES + 1)
    name = getattr(upload, "name", "") or ""
    return data, name if isinstance(name, str) else ""


def _import(member_id: int, data: bytes, name: str, progress: _Progress):
    """The import in its own unit of work (in a worker thread)."""

    def advance(done: int, total: int) -> None:
        progress.done, progress.total = done, total

    with unit_of_work() as session:
        return contacts.import_contacts(
            session, actor_id=member_id, data=data, filename=name, progress=advance
        )
