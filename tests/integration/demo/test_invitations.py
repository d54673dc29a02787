"""The demo's invitations: priya has invited three people from her LinkedIn
export, and one of her connections joined through an invitation of hers;
seeding again adds nothing. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.demo.invitations import WAITING, seed_invitations
from marketplace.models import Member
from marketplace.network import connections, contacts, invitations
from tests.integration.demo.seeded import NOW


def seed() -> int:
    with unit_of_work() as s:
        ids = dict(s.exec(select(Member.handle, Member.id)).all())
        return seed_invitations(s, ids, FixedClock(NOW))


def test_priya_has_invited_a_few_and_one_joined_connected(demo):
    demo.fresh(30)  # the seed writes priya's invitations
    with read_only() as s:
        priya = s.exec(select(Member.id).where(Member.handle == "priya")).one()
        sent = invitations.invitations_of(s, actor_id=priya)
        joined = [v for v in sent if v.status == invitations.JOINED]
        assert len(sent) == len(WAITING) + 1 and len(joined) == 1
        newcomer = s.exec(
            select(Member.id).where(Member.handle == joined[0].joined_handle)
        ).one()
        assert connections.relationship(s, priya, newcomer) == "connected"
        # the waiting ones are people from her export: no longer offered
        mine = contacts.contacts_of(s, actor_id=priya).contacts
        invited = {v.email for v in sent}
        assert {e for c in mine for e in c.emails} >= invited - {joined[0].email}
        offered = invitations.invitable_contacts(s, actor_id=priya)
        assert offered and not {c.email for c in offered} & invited
    assert seed() == 0  # a re-run adds nothing
