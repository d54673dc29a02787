"""The contacts page's handlers, called the way a hostile browser can: a
second member sending the first member's contact ids is refused with the
same answer as a missing contact and nothing changes; nothing of one
member's contacts reaches another's page. The owner's own clicks work,
the upload included (its progress and report)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
import reflex as rx
from sqlalchemy import func
from sqlmodel import select

from marketplace.db import read_only
from marketplace.models import Connection, Contact
from marketplace.states.contacts import ContactsState
from tests.integration.network.test_contacts import FRIENDS, bring
from tests.integration.test_state_security import state_of
from tests.unit.test_contact_files import linkedin_csv, vcards


def page_of(who) -> ContactsState:
    page = state_of(ContactsState, who.token)
    ContactsState.load.fn(page)
    return page


def ids() -> list[int]:
    with read_only() as s:
        return list(s.exec(select(Contact.id).order_by(Contact.id)))


def count(model) -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def upload(page: ContactsState, data: bytes, name: str = "contacts.vcf") -> list:
    """Run the upload handler to the end; what it yielded."""
    files = [rx.UploadFile(file=io.BytesIO(data), path=Path(name))]

    async def drain():
        return [event async for event in ContactsState.import_file.fn(page, files)]

    return asyncio.run(drain())


def test_the_owner_uploads_sees_the_report_and_who_is_here(ada, bo):
    page = page_of(ada)
    upload(page, vcards([("Bob B", ["bob@example.com"], []), ("Zed", [], [])]))
    assert page.import_error == ""
    assert page.report_ready and not page.importing
    assert page.report_figures["New contacts"] == 2
    assert page.report_figures["Members here"] == 1
    assert [m.handle for m in page.matches] == ["bob"]
    assert [c.name for c in page.contacts] == ["Bob B", "Zed"]


def test_a_refused_upload_says_why_and_writes_nothing(ada):
    page = page_of(ada)
    upload(page, b"\x00\x01binary", "contacts.csv")
    assert "isn't a text file" in page.import_error
    assert count(Contact) == 0


def test_row_errors_show_with_their_row_numbers(ada):
    page = page_of(ada)
    upload(page, linkedin_csv([*FRIENDS, ("X", "Y", "", "=1+2", "")]), "c.csv")
    assert [(e.row, "formula" in e.reason) for e in page.report_errors] == [(8, True)]


def test_the_owner_connects_with_a_match(ada, bo):
    bring(ada, vcards([("Bob", ["bob@example.com"], [])]))
    page = page_of(ada)
    ContactsState.connect.fn(page, page.matches[0].contact_id)
    assert page.contacts_error == ""
    assert page.matches == []
    assert count(Connection) == 1


@pytest.mark.parametrize("handler", ["connect", "remove"])
def test_a_second_member_can_not_use_the_first_members_contact_ids(ada, bo, handler):
    bring(ada, linkedin_csv(FRIENDS))
    page = page_of(bo)
    for forged in [*ids(), 999, "1", None, -3, True]:
        getattr(ContactsState, handler).fn(page, forged)
        assert page.contacts_error == "Contact not found."
    assert count(Contact) == 3 and count(Connection) == 0


def test_remove_all_takes_only_the_members_own(ada, bo):
    bring(ada, linkedin_csv(FRIENDS))
    bring(bo, vcards([("Ada", ["ada@example.com"], [])]))
    page = page_of(bo)
    ContactsState.ask_remove_all.fn(page)
    assert page.confirm_remove_all
    ContactsState.remove_all.fn(page)
    assert page.contacts == [] and not page.confirm_remove_all
    assert len(page_of(ada).contacts) == 3


def test_nothing_of_one_members_contacts_reaches_anothers_page(ada, bo, cy):
    bring(ada, linkedin_csv(FRIENDS))
    page = page_of(bo)
    ContactsState.search.fn(page, {"query": "Cyd"})
    assert (page.contacts, page.matches, page.total) == ([], [], 0)


def test_search_and_paging_take_only_well_formed_input(ada):
    bring(ada, linkedin_csv(FRIENDS))
    page = page_of(ada)
    ContactsState.search.fn(page, {"query": "initech"})
    assert [c.name for c in page.contacts] == ["Cyd Jones"]
    ContactsState.search.fn(page, {"query": ["not", "text"]})
    assert page.total == 3
    for odd in [None, "2", -1, 10**12, True]:
        ContactsState.go_to_page.fn(page, odd)
        assert page.page == 1
