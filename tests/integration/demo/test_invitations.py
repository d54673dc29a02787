"""The demo's invitations: priya has invited a few people, one of whom
joined and is connected with her through it; seeding again adds nothing.
SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.demo.invitations import WAITING, seed_invitations
from marketplace.models import Member
from marketplace.network import connections, invitations
from tests.integration.demo.seeded import NOW


def seed() -> int:
    with unit_of_work() as s:
        ids = dict(s.exec(select(Member.handle, Member.id)).all())
        return seed_invitations(s, ids, FixedClock(NOW))


def test_priya_has_invited_a_few_and_one_joined_connected(demo):
    demo.fresh(30)
    assert seed() == len(WAITING) + 1
    with read_only() as s:
        priya = s.exec(select(Member.id).where(Member.handle == "priya")).one()
        sent = invitations.invitations_of(s, actor_id=priya)
        joined = [v for v in sent if v.status == invitations.JOINED]
        assert len(sent) == len(WAITING) + 1 and len(joined) == 1
        newcomer = s.exec(
            select(Member.id).where(Member.handle == joined[0].joined_handle)
        ).one()
        assert connections.relationship(s, priya, newcomer) == "connected"
    assert seed() == 0  # a re-run adds nothing
