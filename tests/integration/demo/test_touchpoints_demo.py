"""The demo's logged conversations and notes: priya's coffee with marcus
warms their tie, a contact she last messaged months ago is due a
keep-in-touch reminder, her connections going cold stay so (the demo's
nudges), and seeding again writes nothing. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.demo.touchpoints import seed_touchpoints
from marketplace.models import Member
from marketplace.network import interactions, nudges, person_notes, touchpoints
from tests.integration.demo.seeded import NOW

CLOCK = FixedClock(NOW)


def test_priya_logs_conversations_and_keeps_notes(demo):
    demo.fresh(30)  # the seed logs priya's conversations
    with read_only() as s:
        priya = s.exec(select(Member.id).where(Member.handle == "priya")).one()
        marcus = s.exec(select(Member.id).where(Member.handle == "marcus")).one()
        cold = interactions.cold_ties(s, priya, CLOCK)
        feed = nudges.feed(s, priya, clock=CLOCK, limit=50)
        logged = touchpoints.interactions_with(s, actor_id=priya, member_id=marcus)
        notes = person_notes.notes_about(s, actor_id=priya, member_id=marcus)
        hits = person_notes.search_notes(s, actor_id=priya, query="Lisbon")
    assert cold  # the going-cold reminders are still there
    assert [v.kind_label for v in logged] == ["We had coffee"]
    assert len(notes) == 1
    keep = [n for n in feed if n.key.startswith("contact:")]
    assert [n.text for n in keep] == ["Keep in touch with Ines"]
    assert {h.kind for h in hits} == {"note", "conversation"}
    with unit_of_work() as s:
        assert seed_touchpoints(s, CLOCK) == 0
