"""The private section's handlers (a profile's and a contact's page), called
the way a hostile browser can: a guest sees nothing, a member reads only
their own logs and notes, and another member's contact or note ids are
refused like missing ones, with nothing changed."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from marketplace.db import read_only, unit_of_work
from marketplace.models import Contact, LoggedInteraction, PersonNote
from marketplace.network import person_notes
from marketplace.states.contact_person import ContactPersonState
from marketplace.states.touchpoints import ProfileTouchState
from tests.integration.forms import keyed
from tests.integration.network.test_touchpoints import add_contact
from tests.integration.test_state_security import state_of


def count(model) -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def profile(viewer, handle: str) -> ProfileTouchState:
    page = state_of(
        ProfileTouchState, viewer.token if viewer else "", url=f"/people/{handle}"
    )
    ProfileTouchState.load.fn(page)
    return page


def contact_page(viewer, contact_id) -> ContactPersonState:
    page = state_of(
        ContactPersonState, viewer.token, url=f"/network/contacts/{contact_id}"
    )
    ContactPersonState.load.fn(page)
    return page


def test_a_member_logs_a_coffee_and_notes_on_a_profile(ada, bo):
    page = profile(ada, "bob")
    assert page.touch_shown and page.logs == [] and page.today
    form = {"kind": "coffee", "happened_on": page.today, "note": "Talked pricing"}
    ProfileTouchState.log_it.fn(page, keyed(page, "log", form))
    assert page.log_error == ""
    assert [(v.kind_label, v.note) for v in page.logs] == [
        ("We had coffee", "Talked pricing")
    ]
    ProfileTouchState.add_note.fn(page, keyed(page, "note", {"body": "Likes tea"}))
    [note] = page.notes
    assert note.body == "Likes tea"
    ProfileTouchState.edit.fn(page, note.id)
    assert page.editing_note == note.id
    ProfileTouchState.save_note.fn(page, {"note_id": str(note.id), "body": "Tea!"})
    assert [n.body for n in page.notes] == ["Tea!"] and page.editing_note == 0
    ProfileTouchState.search_my_notes.fn(page, {"q": "pricing"})
    assert [h.person_name for h in page.search_hits] == ["Bob"]
    ProfileTouchState.delete_note.fn(page, note.id)
    assert page.notes == []


def test_a_resent_log_form_writes_once(ada, bo):
    page = profile(ada, "bob")
    form = keyed(page, "log", {"kind": "call", "happened_on": page.today})
    ProfileTouchState.log_it.fn(page, form)
    ProfileTouchState.log_it.fn(page, form)
    assert count(LoggedInteraction) == 1


def test_bad_input_shows_the_services_message(ada, bo):
    page = profile(ada, "bob")
    form = {"kind": "lunch", "happened_on": page.today}
    ProfileTouchState.log_it.fn(page, keyed(page, "log", form))
    assert page.log_error.startswith("Choose what it was")
    ProfileTouchState.add_note.fn(page, keyed(page, "note", {"body": "  "}))
    assert page.note_error == "Write something in the note."
    ProfileTouchState.log_it.fn(page, "not a form")
    assert count(LoggedInteraction) == 0 and count(PersonNote) == 0


def test_the_section_is_never_shown_to_a_guest_or_on_my_own_profile(ada, bo):
    assert not profile(None, "bob").touch_shown
    assert not profile(ada, "ada").touch_shown
    assert not profile(ada, "nobody-here").touch_shown


def test_a_guest_is_sent_to_log_in_and_nothing_is_written(ada, bo):
    page = profile(None, "bob")
    ProfileTouchState.log_it.fn(page, {"kind": "coffee", "happened_on": "2026-01-01"})
    ProfileTouchState.add_note.fn(page, {"body": "x"})
    assert count(LoggedInteraction) == 0 and count(PersonNote) == 0


def test_another_member_never_sees_what_i_wrote_about_bob(ada, bo, cy):
    mine = profile(ada, "bob")
    ProfileTouchState.add_note.fn(mine, keyed(mine, "note", {"body": "Ada's secret"}))
    form = {"kind": "call", "happened_on": mine.today, "note": "Ada's call"}
    ProfileTouchState.log_it.fn(mine, keyed(mine, "log", form))
    theirs = profile(cy, "bob")
    assert theirs.touch_shown and theirs.notes == [] and theirs.logs == []
    ProfileTouchState.search_my_notes.fn(theirs, {"q": "secret"})
    assert theirs.search_hits == []
    bobs = profile(bo, "ada")  # nor Bob, on Ada's profile
    assert bobs.notes == [] and bobs.logs == []


@pytest.mark.parametrize("forged", ["ada's", 99999, "1", None, -1, True, [1], {}])
def test_another_members_note_ids_are_refused(ada, bo, cy, forged):
    with unit_of_work() as s:
        ada_note = person_notes.add_note(
            s, actor_id=ada.member_id, body="Ada's", member_handle="bob"
        ).id
    note_id = ada_note if forged == "ada's" else forged
    page = profile(cy, "bob")
    ProfileTouchState.edit.fn(page, note_id)
    assert page.editing_note == 0
    ProfileTouchState.save_note.fn(page, {"note_id": str(note_id), "body": "Cyd's"})
    assert page.note_error == "Note not found."
    ProfileTouchState.delete_note.fn(page, note_id)
    assert page.note_error == "Note not found."
    with read_only() as s:
        assert [n.body for n in s.exec(select(PersonNote))] == ["Ada's"]


# --------------------------------------------------------------------------- contacts


def test_the_owner_sees_the_contact_and_logs_a_call(ada):
    dana = add_contact(ada.member_id, "Dana Reyes", email="dana@example.org")
    page = contact_page(ada, dana)
    assert not page.not_found and page.touch_shown
    c = page.contact
    assert (c.name, c.company, c.position, c.emails) == (
        "Dana Reyes",
        "Acme",
        "CTO",
        ["dana@example.org"],
    )
    assert c.last_talked == ""
    form = {"kind": "call", "happened_on": page.today, "note": "Catch-up"}
    ContactPersonState.log_it.fn(page, keyed(page, "log", form))
    assert page.contact.last_talked == "Last talked recently"
    assert [v.note for v in page.logs] == ["Catch-up"]
    with read_only() as s:
        assert s.get(Contact, dana).warmth > 0


@pytest.mark.parametrize("which", ["ada's", "missing"])
def test_another_members_contact_page_reads_contact_not_found(ada, bo, which):
    dana = add_contact(ada.member_id, "Dana Reyes", email="dana@example.org")
    contact_id = dana if which == "ada's" else 99999
    page = contact_page(bo, contact_id)
    assert page.not_found and not page.touch_shown
    assert page.contact.name == "" and page.contact.emails == []
    # handlers sent anyway, as a hostile browser would
    form = {"kind": "call", "happened_on": "2026-01-01", "note": "x"}
    ContactPersonState.log_it.fn(page, keyed(page, "log", form))
    assert page.log_error == "Contact not found."
    ContactPersonState.add_note.fn(page, keyed(page, "note", {"body": "x"}))
    assert page.note_error == "Contact not found."
    assert count(LoggedInteraction) == 0 and count(PersonNote) == 0


def test_a_guest_opening_a_contact_goes_to_log_in(ada):
    dana = add_contact(ada.member_id, "Dana Reyes")
    page = state_of(ContactPersonState, "", url=f"/network/contacts/{dana}")
    event = ContactPersonState.load.fn(page)
    assert "login" in str(event) and page.contact.name == ""
