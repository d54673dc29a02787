"""Private notes about a person: written, edited and deleted by their author
only, shown only to them, and found by their own search (notes and logged
conversations) -- never anyone else's. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput, NotFound, TooManyAttempts
from marketplace.models import PersonNote
from marketplace.network import graph_index, person_notes, touchpoints
from tests.integration.network.test_graph_index import add_members
from tests.integration.network.test_touchpoints import CLOCK, DAY, NOW, add_contact


@pytest.fixture(autouse=True)
def fresh_index(engine):
    graph_index.use_index(None)
    yield
    graph_index.use_index(None)


def note(actor: int, body: str, clock=CLOCK, **about) -> int:
    with unit_of_work() as s:
        return person_notes.add_note(
            s, actor_id=actor, body=body, clock=clock, **about
        ).id


def notes_count() -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(PersonNote)).one()


def about(actor: int, **who) -> list[str]:
    with read_only() as s:
        return [n.body for n in person_notes.notes_about(s, actor_id=actor, **who)]


def test_notes_about_a_member_and_a_contact_are_shown_to_their_author(engine):
    ada, bob = add_members("ada", "bob")
    dana = add_contact(ada, "Dana Reyes")
    note(ada, "Bob's kids: Sam and Lee", member_id=bob)
    note(ada, "Prefers mornings", member_handle="bob", clock=FixedClock(NOW + DAY))
    note(ada, "Met at SaaStr", contact_id=dana)
    assert about(ada, member_id=bob) == ["Prefers mornings", "Bob's kids: Sam and Lee"]
    assert about(ada, contact_id=dana) == ["Met at SaaStr"]
    assert about(bob, member_id=ada) == []  # Bob never sees Ada's notes on him


def test_editing_and_deleting_a_note(engine):
    ada, bob = add_members("ada", "bob")
    first = note(ada, "Old words", member_id=bob)
    with unit_of_work() as s:
        person_notes.edit_note(
            s,
            actor_id=ada,
            note_id=first,
            body=" New words ",
            clock=FixedClock(NOW + DAY),
        )
    with read_only() as s:
        [seen] = person_notes.notes_about(s, actor_id=ada, member_id=bob)
    assert (seen.body, seen.edited) == ("New words", True)
    with unit_of_work() as s:
        person_notes.delete_note(s, actor_id=ada, note_id=first)
    assert notes_count() == 0


@pytest.mark.parametrize("forged", ["mine", 99999, 0, -5, True, "1", None, 2**40])
def test_another_members_note_id_reads_like_a_missing_one(engine, forged):
    ada, mal = add_members("ada", "mal")
    mine = note(ada, "Private", member_id=mal)
    note_id = mine if forged == "mine" else forged
    with unit_of_work() as s, pytest.raises(NotFound, match="Note not found"):
        person_notes.edit_note(s, actor_id=mal, note_id=note_id, body="Pwned")
    with unit_of_work() as s, pytest.raises(NotFound, match="Note not found"):
        person_notes.delete_note(s, actor_id=mal, note_id=note_id)
    assert about(ada, member_id=mal) == ["Private"]


def test_notes_about_another_members_contact_are_refused(engine):
    ada, mal = add_members("ada", "mal")
    dana = add_contact(ada, "Dana Reyes")
    note(ada, "Ada's note", contact_id=dana)
    with pytest.raises(NotFound, match="Contact not found"):
        note(mal, "Mal's note", contact_id=dana)
    with read_only() as s, pytest.raises(NotFound, match="Contact not found"):
        person_notes.notes_about(s, actor_id=mal, contact_id=dana)
    assert notes_count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Write something"), ("   ", "Write something"), (None, "Write something")],
)
def test_empty_notes_are_refused(engine, body, message):
    ada, bob = add_members("ada", "bob")
    with pytest.raises(InvalidInput, match=message):
        note(ada, body, member_id=bob)


def test_a_very_long_note_is_refused(engine):
    ada, bob = add_members("ada", "bob")
    with pytest.raises(InvalidInput, match="under 5000 characters"):
        note(ada, "x" * 5001, member_id=bob)
    assert notes_count() == 0


def test_search_finds_my_notes_and_logged_conversations_only(engine):
    ada, bob, cyd = add_members("ada", "bob", "cyd")
    dana = add_contact(ada, "Dana Reyes")
    note(ada, "Bob is raising a SEED round", member_id=bob)
    note(ada, "Dana knows seed investors", contact_id=dana)
    note(cyd, "Cyd's seed note about Bob", member_id=bob)
    with unit_of_work() as s:
        touchpoints.log_conversation(
            s,
            actor_id=ada,
            kind="coffee",
            happened_on=NOW.date(),
            note="Seed deck feedback",
            member_id=cyd,
            clock=CLOCK,
        )
    with read_only() as s:
        hits = person_notes.search_notes(s, actor_id=ada, query="seed")
        none = person_notes.search_notes(s, actor_id=bob, query="seed")
    assert sorted((h.kind, h.person_name, h.link) for h in hits) == [
        ("conversation", "Cyd", "/people/cyd"),
        ("note", "Bob", "/people/bob"),
        ("note", "Dana Reyes", f"/network/contacts/{dana}"),
    ]
    assert {h.label for h in hits} == {"Note", "We had coffee"}
    assert none == []


def test_search_wildcards_are_taken_literally(engine):
    ada, bob = add_members("ada", "bob")
    note(ada, "100% sure", member_id=bob)
    note(ada, "nothing here", member_id=bob)
    with read_only() as s:
        assert len(person_notes.search_notes(s, actor_id=ada, query="0%")) == 1
        assert person_notes.search_notes(s, actor_id=ada, query="_o") == []


@pytest.mark.parametrize("query", ["", "a", "x" * 101, None, 5])
def test_search_needs_two_to_a_hundred_characters(engine, query):
    (ada,) = add_members("ada")
    with read_only() as s, pytest.raises(InvalidInput, match="2 to 100"):
        person_notes.search_notes(s, actor_id=ada, query=query)


def test_notes_are_capped_per_day(engine, monkeypatch):
    ada, bob = add_members("ada", "bob")
    monkeypatch.setattr(person_notes, "NOTES_PER_DAY", 2)
    note(ada, "one", member_id=bob)
    note(ada, "two", member_id=bob)
    with pytest.raises(TooManyAttempts, match="2 in a day"):
        note(ada, "three", member_id=bob)
    assert notes_count() == 2
