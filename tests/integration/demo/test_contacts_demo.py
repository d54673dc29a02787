"""The demo's contacts: priya's LinkedIn export, in which some people are
members here she can ask to connect and some are not here yet (with emails,
to invite). Seeding them again changes nothing."""

from __future__ import annotations

from sqlmodel import select

from marketplace.db import read_only, unit_of_work
from marketplace.demo.contacts import NOT_HERE, STRANGERS_HERE, seed_contacts
from marketplace.models import Member
from marketplace.network import contacts


def demo_ids() -> dict[str, int]:
    with read_only() as s:
        return {h: i for h, i in s.exec(select(Member.handle, Member.id)).all()}


def test_priya_imports_her_linkedin_export(demo):
    demo.fresh(30)  # the seed imports priya's export
    ids = demo_ids()
    with read_only() as s:
        here = contacts.matched_members(s, actor_id=ids["priya"])
        mine = contacts.contacts_of(s, actor_id=ids["priya"]).contacts
    assert len(mine) == 2 + STRANGERS_HERE + len(NOT_HERE)
    assert len(here) == STRANGERS_HERE  # marcus and lena: already connected
    assert {c.member_handle for c in mine} >= {"marcus", "lena"}
    not_here = [c for c in mine if not c.member_handle]
    assert len(not_here) == len(NOT_HERE)
    assert len([c for c in not_here if c.emails]) == 4  # with an email to invite
    with unit_of_work() as s:
        again = seed_contacts(s, ids)
    assert again.errors == []
    assert (again.imported, again.updated) == (0, 0)  # the same export again


def test_without_priya_nothing_is_seeded(engine):
    with unit_of_work() as s:
        assert seed_contacts(s, {}) is None
