"""Demo seeding: a believable, connected network that re-running never duplicates."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from marketplace.adapters.clock import FixedClock
from marketplace.db import unit_of_work
from marketplace.domain.accounts import (
    clean_display_name,
    normalize_email,
    normalize_handle,
)
from marketplace.domain.errors import InvalidInput
from marketplace.domain.profiles import clean_profile, normalize_tag
from marketplace.models import Connection, Member, MemberTag
from marketplace.services import accounts
from marketplace.services.seed import (
    DEMO_HANDLES,
    DEMO_PASSWORD,
    plan_network,
    seed_network,
)

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
DEMO = len(DEMO_HANDLES)


def seed(members: int, seed: int = 7):
    with unit_of_work() as s:
        return seed_network(s, members=members, seed=seed, clock=FixedClock(NOW))


def count(model) -> int:
    with unit_of_work() as s:
        return s.exec(select(func.count(model.id))).one()


def members_by_handle() -> dict[str, Member]:
    with unit_of_work() as s:
        return {m.handle: m for m in s.exec(select(Member))}


def connections() -> list[Connection]:
    with unit_of_work() as s:
        return list(s.exec(select(Connection)))


def test_seeding_creates_the_members_plus_demo_accounts_with_tags(engine):
    report = seed(30)
    assert (report.members_created, report.members_existing) == (30 + DEMO, 0)
    assert count(Member) == 30 + DEMO
    with unit_of_work() as s:
        rows = s.exec(select(MemberTag.member_id, MemberTag.kind)).all()
    for member in members_by_handle().values():
        kinds = [kind for mid, kind in rows if mid == member.id]
        assert 3 <= kinds.count("give") <= 6, member.handle
        assert 2 <= kinds.count("get") <= 4, member.handle
        assert 2 <= kinds.count("background") <= 3, member.handle


def test_every_member_is_connected_and_the_graph_is_simple(engine):
    report = seed(30)
    rows = connections()
    assert report.connections_created == len(rows) > 30
    pairs = [frozenset((c.requester_id, c.addressee_id)) for c in rows]
    assert len(set(pairs)) == len(pairs)  # no pair twice, in either direction
    assert all(len(p) == 2 for p in pairs)  # nobody connected to themselves
    assert {c.status for c in rows} == {"accepted"}
    connected = set().union(*pairs)
    assert connected == {m.id for m in members_by_handle().values()}


def test_connections_happen_after_both_members_joined_within_two_years(engine):
    seed(30)
    joined = {m.id: m.created_at for m in members_by_handle().values()}
    for c in connections():
        assert NOW - timedelta(days=731) <= c.created_at <= NOW
        assert c.created_at >= max(joined[c.requester_id], joined[c.addressee_id])
        assert c.created_at <= c.responded_at <= NOW


def test_demo_accounts_know_each_other_and_several_members(engine):
    seed(30)
    by_handle = members_by_handle()
    demo_ids = {by_handle[h].id for h in DEMO_HANDLES}
    rows = connections()
    for handle in DEMO_HANDLES:
        me = by_handle[handle].id
        friends = {
            c.addressee_id if c.requester_id == me else c.requester_id
            for c in rows
            if me in (c.requester_id, c.addressee_id)
        }
        assert demo_ids - {me} <= friends
        assert len(friends - demo_ids) >= 5, handle


def test_seeding_again_with_the_same_arguments_adds_nothing(engine):
    seed(30)
    before = (count(Member), count(MemberTag), count(Connection))
    report = seed(30)
    assert report.members_created == report.connections_created == 0
    assert report.members_existing == 30 + DEMO
    assert (count(Member), count(MemberTag), count(Connection)) == before


def test_raising_the_count_adds_exactly_the_missing_members(engine):
    seed(30)
    handles_before = set(members_by_handle())
    connections_before = count(Connection)
    report = seed(40)
    assert report.members_created == 10
    assert report.members_existing == 30 + DEMO
    assert count(Member) == 40 + DEMO
    assert handles_before < set(members_by_handle())
    assert count(Connection) == connections_before + report.connections_created
    assert report.connections_created > 10


def test_seeding_past_one_batch_is_idempotent_too(engine):
    first = seed(620)
    assert first.members_created == 620 + DEMO
    again = seed(620)
    assert again.members_created == again.connections_created == 0
    degrees = 2 * count(Connection) / count(Member)
    assert 6 <= degrees <= 10  # about eight connections each


def test_demo_accounts_log_in_with_the_demo_password(engine):
    seed(5)
    generated = next(h for h in members_by_handle() if h not in DEMO_HANDLES)
    for handle in (*DEMO_HANDLES, generated):
        with unit_of_work() as s:
            result = accounts.log_in(
                s, email=f"{handle}@example.com", password=DEMO_PASSWORD
            )
        assert result is not None and result.handle == handle


def test_every_generated_field_passes_the_domain_validators(engine):
    seed(60)
    with unit_of_work() as s:
        tags = s.exec(select(MemberTag)).all()
    for tag in tags:
        assert normalize_tag(tag.tag) == tag.tag
    by_member = {}
    for tag in tags:
        by_member.setdefault(tag.member_id, {}).setdefault(tag.kind, []).append(tag.tag)
    for member in members_by_handle().values():
        assert normalize_handle(member.handle) == member.handle
        assert normalize_email(member.email) == member.email
        assert clean_display_name(member.display_name) == member.display_name
        form = {**member.model_dump(), **by_member[member.id]}
        cleaned = clean_profile(form)  # raises on any invalid field
        assert cleaned.headline == member.headline and cleaned.bio == member.bio
        assert cleaned.timezone == member.timezone


def test_a_handle_taken_by_a_real_member_is_skipped_not_hijacked(engine):
    first_generated = plan_network(1).members[DEMO].handle
    with unit_of_work() as s:
        accounts.sign_up(
            s,
            email="someone@real.example",
            handle=first_generated,
            display_name="Real Person",
            password="a real long passphrase",
        )
    report = seed(10)
    assert report.members_skipped == 1
    assert report.members_created == 9 + DEMO
    real = members_by_handle()[first_generated]
    assert real.email == "someone@real.example"
    assert not [c for c in connections() if real.id in (c.requester_id, c.addressee_id)]


@pytest.mark.parametrize("bad", [0, -1, 200_001, "10", True])
def test_a_bad_member_count_is_refused(engine, bad):
    with pytest.raises(InvalidInput, match="Number of members"):
        seed(bad)
    assert count(Member) == 0


def test_the_plan_is_deterministic_and_prefix_stable():
    small, large = plan_network(30, seed=3), plan_network(45, seed=3)
    assert small == plan_network(30, seed=3)
    assert large.members[: 30 + DEMO] == small.members
    pairs = {(link.requester, link.addressee) for link in large.links}
    assert {(link.requester, link.addressee) for link in small.links} <= pairs
    assert plan_network(30, seed=4).members[DEMO:] != small.members[DEMO:]
