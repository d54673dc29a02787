"""Logged conversations and private notes leave with their author: in
"download my data" (their own only), and erased when the account closes --
theirs, and what others wrote about them. SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlmodel import func, select

from marketplace.accounts import closing, export
from marketplace.db import read_only, unit_of_work
from marketplace.models import LoggedInteraction, PersonNote
from marketplace.network import person_notes, touchpoints
from marketplace.settings import get_settings
from tests.integration.ledger.test_wallet import PASSWORD
from tests.integration.network.test_touchpoints import add_contact


@pytest.fixture(autouse=True)
def exports_here(tmp_path, monkeypatch):
    monkeypatch.setenv("MARKETPLACE_EXPORT_DIR", str(tmp_path / "exports"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _write(author: int, **about) -> None:
    with unit_of_work() as s:
        touchpoints.log_conversation(
            s,
            actor_id=author,
            kind="call",
            happened_on=touchpoints.system_clock.now().date(),
            note=f"call by {author}",
            **about,
        )
        person_notes.add_note(s, actor_id=author, body=f"note by {author}", **about)


def test_the_archive_holds_my_logs_and_notes_and_nobody_elses(ada, bo):
    me, bob = ada.member_id, bo.member_id
    dana = add_contact(me, "Dana Reyes")
    _write(me, member_id=bob)
    _write(me, contact_id=dana)
    _write(bob, member_id=me)  # Bob's words about Ada stay Bob's
    with read_only() as s:
        data = export.collect(s, me)
    logs, notes = data["logged_conversations"], data["person_notes"]
    assert [(r["kind"], r["note"], r["about"]) for r in logs] == [
        ("call", f"call by {me}", {"member": {"handle": "bob", "name": "Bob"}}),
        ("call", f"call by {me}", {"contact": {"id": dana, "name": "Dana Reyes"}}),
    ]
    assert [n["body"] for n in notes] == [f"note by {me}", f"note by {me}"]
    assert f"by {bob}" not in json.dumps(data, default=str)


def test_closing_erases_my_logs_and_notes_and_those_about_me(ada, bo, cy):
    me, bob, cyd = ada.member_id, bo.member_id, cy.member_id
    dana = add_contact(me, "Dana Reyes")
    _write(me, member_id=bob)
    _write(me, contact_id=dana)
    _write(bob, member_id=me)
    _write(bob, member_id=cyd)  # untouched: neither by nor about Ada
    with unit_of_work() as s:
        closing.close_account(s, me, PASSWORD)
    with read_only() as s:
        for table in (LoggedInteraction, PersonNote):
            rows = s.exec(select(table.author_id, table.member_id)).all()
            assert rows == [(bob, cyd)]
            total = s.exec(select(func.count()).select_from(table)).one()
            assert total == 1
