"""Micro-networks: communities found in the graph, and groups members create,
join and leave, with a feed of what their members ask for and are up to --
never showing a request to someone who may not see it. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import combinations

import pytest
from sqlmodel import func, select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.models import GroupMembership, Listing, MemberGroup
from marketplace.network import graph_index, groups
from tests.integration.network.test_graph_index import add_members, connect, tag
from tests.integration.network.test_nudges import announce, post

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CLOCK = FixedClock(NOW)


@pytest.fixture(autouse=True)
def fresh_index(engine):
    """Each test loads the graph from its own database, and finds its own
    communities."""
    graph_index.use_index(None)
    groups.forget_communities()
    yield
    graph_index.use_index(None)
    groups.forget_communities()


def rows() -> tuple[int, int]:
    with read_only() as s:
        return (
            s.exec(select(func.count()).select_from(MemberGroup)).one(),
            s.exec(select(func.count()).select_from(GroupMembership)).one(),
        )


def create(actor: int, name: str, description: str = "") -> groups.GroupSummary:
    with unit_of_work() as s:
        return groups.create_group(
            s, actor_id=actor, name=name, description=description, clock=CLOCK
        )


def join(member: int, group_id) -> groups.GroupSummary:
    with unit_of_work() as s:
        return groups.join_group(s, member_id=member, group_id=group_id, clock=CLOCK)


def leave(member: int, group_id) -> groups.GroupSummary:
    with unit_of_work() as s:
        return groups.leave_group(s, member_id=member, group_id=group_id)


def page(viewer: int, slug) -> groups.GroupView:
    with read_only() as s:
        return groups.group_view(s, viewer, slug, CLOCK)


# --------------------------------------------------------------------------- groups


def test_a_new_group_has_its_creator_as_first_member(engine):
    (ada,) = add_members("ada")
    made = create(ada, "  B2B SaaS Founders, Berlin ", "Monthly breakfast.")
    assert (made.name, made.slug) == (
        "B2B SaaS Founders, Berlin",
        "b2b-saas-founders-berlin",
    )
    assert (made.member_count, made.is_member, made.created) == (1, True, "26 Nov 2026")
    assert made.description == "Monthly breakfast."
    found = page(ada, made.slug)
    assert [m.handle for m in found.members] == ["ada"]
    assert found.group == made
    with read_only() as s:
        assert [g.slug for g in groups.groups_of(s, ada)] == [made.slug]


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("ab", InvalidInput),
        ("  a  ", InvalidInput),
        ("x" * 81, InvalidInput),
        ("", InvalidInput),
        (None, InvalidInput),
        ("🙂🙂🙂", InvalidInput),
        ("<script>x</script>", InvalidInput),
        ("new", InvalidInput),
        ("b2b saas founders berlin", Conflict),
        ("B2B SaaS Founders — Berlin!", Conflict),
    ],
)
def test_bad_or_taken_names_are_refused_and_nothing_is_written(engine, name, error):
    (ada,) = add_members("ada")
    create(ada, "B2B SaaS Founders, Berlin")
    with pytest.raises(error) as refused:
        create(ada, name)
    if error is Conflict:
        assert "B2B SaaS Founders, Berlin" in str(refused.value)
    assert rows() == (1, 1)


def test_an_overlong_description_is_refused(engine):
    (ada,) = add_members("ada")
    with pytest.raises(InvalidInput, match="Description"):
        create(ada, "Founders", "x" * 1001)
    assert rows() == (0, 0)


def test_joining_and_leaving_are_idempotent(engine):
    ada, bob = add_members("ada", "bob")
    group = create(ada, "SaaS marketers")
    assert join(bob, group.id).member_count == 2
    joined = join(bob, group.id)
    assert (joined.member_count, joined.is_member) == (2, True)
    assert rows() == (1, 2)
    left = leave(bob, group.id)
    assert (left.member_count, left.is_member) == (1, False)
    assert leave(bob, group.id).member_count == 1
    assert leave(ada, group.id).member_count == 0  # the group stays
    assert rows() == (1, 0)
    assert join(bob, str(group.id)).is_member  # an id from a URL works too


@pytest.mark.parametrize(
    "group_id", [0, -1, 999_999, 10**12, "abc", "1; drop", None, True, 1.0]
)
def test_forged_group_ids_are_not_found_and_nothing_is_written(engine, group_id):
    ada, bob = add_members("ada", "bob")
    create(ada, "SaaS marketers")
    for move in (join, leave):
        with pytest.raises(NotFound):
            move(bob, group_id)
    assert rows() == (1, 1)


@pytest.mark.parametrize("member", [0, -1, 10**12, "1", None, True])
def test_forged_members_are_not_found_and_nothing_is_written(engine, member):
    (ada,) = add_members("ada")
    group = create(ada, "SaaS marketers")
    with pytest.raises(NotFound):
        create(member, "Another group")
    with pytest.raises(NotFound):
        join(member, group.id)
    with pytest.raises(NotFound):
        leave(member, group.id)
    assert rows() == (1, 1)


@pytest.mark.parametrize("slug", ["nope", "", "Caps", "../etc", None, 7, "x" * 90])
def test_unknown_or_malformed_slugs_are_not_found(engine, slug):
    (ada,) = add_members("ada")
    create(ada, "SaaS marketers")
    with pytest.raises(NotFound):
        page(ada, slug)


def test_browsing_lists_the_busiest_groups_first(engine):
    ada, bob, cyd = add_members("ada", "bob", "cyd")
    quiet = create(ada, "Quiet corner")
    busy = create(bob, "Busy corner")
    join(cyd, busy.id)
    with read_only() as s:
        found = groups.browse_groups(s, ada)
        assert [(g.slug, g.member_count, g.is_member) for g in found] == [
            (busy.slug, 2, False),
            (quiet.slug, 1, True),
        ]
        with pytest.raises(InvalidInput):
            groups.browse_groups(s, ada, limit=0)


# --------------------------------------------------------------------------- feed


@pytest.fixture
def club(engine):
    """A group of Ada and Bob; Cyd is Bob's connection, Dee a stranger, Eve
    posts but is not in the group."""
    ada, bob, cyd, dee, eve = add_members("ada", "bob", "cyd", "dee", "eve")
    connect(bob, cyd)
    group = create(ada, "SaaS marketers")
    join(bob, group.id)
    return ada, bob, cyd, dee, eve, group


def test_the_feed_shows_open_requests_and_contexts_newest_first(club):
    ada, bob, cyd, dee, eve, group = club
    first = post(ada, "Landing page review", "copywriting")
    summit = announce(bob, "SaaS Summit 2027", "events")
    latest = post(bob, "Pricing teardown", "pricing")
    closed = post(bob, "Old question", "pricing")
    with unit_of_work() as s:
        s.get(Listing, closed).status = "closed"
        s.get(Listing, latest).created_at = NOW + timedelta(minutes=5)
        s.get(Listing, first).created_at = NOW - timedelta(days=2)
    announce(bob, "Closed context", "events", status="closed")
    over = announce(ada, "Last year's meetup", "events")
    with unit_of_work() as s:
        from marketplace.models import Context

        s.get(Context, over).ends_on = date(2026, 1, 1)
    post(eve, "Not a member's request", "pricing")  # Eve is not in the group
    post(ada, "An offer, not a request", "pricing", kind="offer")
    found = page(cyd, group.slug)  # not in the group, but Bob's connection
    assert [(f.kind, f.title) for f in found.feed] == [
        ("request", "Pricing teardown"),
        ("context", "SaaS Summit 2027"),
        ("request", "Landing page review"),
    ]
    # a stranger sees the public requests, and no context: contexts show
    # only within two degrees of their owner (contexts.audience_of)
    assert [f.title for f in page(dee, group.slug).feed] == [
        "Pricing teardown",
        "Landing page review",
    ]
    item = found.feed[1]
    assert (item.id, item.sentence, item.tags) == (
        summit,
        "Bob is organizing",
        ["events"],
    )
    assert found.feed[0].link == f"/market/{latest}"
    assert found.feed[0].author_handle == "bob"
    assert not found.group.is_member and found.group.member_count == 2


def test_the_feed_hides_requests_the_viewer_may_not_see(club):
    ada, bob, cyd, dee, _eve, group = club
    network = post(bob, "For my network only", "pricing", audience="network")
    chosen = post(bob, "For Dee only", "pricing", audience="chosen", chosen="dee")
    public = post(bob, "For everyone", "pricing")

    def seen_by(viewer: int) -> set[int]:
        return {f.id for f in page(viewer, group.slug).feed if f.kind == "request"}

    assert seen_by(cyd) == {network, public}  # Bob's connection
    assert seen_by(dee) == {chosen, public}  # the one chosen
    assert seen_by(ada) == {public}  # in the group, but neither
    assert seen_by(bob) == {network, chosen, public}  # the author


# --------------------------------------------------------------------------- detected


@pytest.fixture
def two_circles(engine):
    """Four marketers all connected, four founders all connected, one weak
    bridge between them; and a loner."""
    marketers = add_members("mia", "max", "meg", "mo")
    founders = add_members("fin", "flo", "fay", "fox")
    (loner,) = add_members("lou")
    for a, b in combinations(marketers, 2):
        connect(a, b, warmth=2.0)
    for a, b in combinations(founders, 2):
        connect(a, b, warmth=2.0)
    connect(marketers[0], founders[0], warmth=0.1)
    for m in marketers:
        tag(m, "saas-marketing", "seo")
    for f in founders:
        tag(f, "fundraising", "pitch-decks")
    return marketers, founders, loner


def communities(member: int | None = None) -> list[groups.CommunityView]:
    with read_only() as s:
        return groups.detected_communities(s, CLOCK, member)


def test_communities_are_found_and_named_by_their_tags(two_circles):
    found = communities()
    assert sorted(c.size for c in found) == [4, 4]
    names = {c.name for c in found}
    assert names == {"saas-marketing · seo", "fundraising · pitch-decks"}
    assert not any(c.includes_me for c in found)


def test_a_members_communities_come_from_their_neighbourhood_their_own_first(
    two_circles,
):
    _marketers, founders, loner = two_circles
    mine = communities(founders[1])
    assert mine[0].includes_me and mine[0].tags == ["fundraising", "pitch-decks"]
    shown = [m.handle for m in mine[0].members]
    assert "flo" not in shown  # never myself
    assert shown[:3] == ["fin", "fay", "fox"]  # my connections first
    # Mia, at the edge of Flo's two degrees, joins the circle she touches
    # there: seen from Flo, her own circle lies beyond the horizon.
    assert set(shown) <= {"fin", "fay", "fox", "mia"}
    assert communities(loner) == []
    with pytest.raises(NotFound):
        communities(10**12)


def test_communities_are_cached_until_the_index_reloads(two_circles):
    marketers, _founders, _loner = two_circles
    before = communities(marketers[1])
    extra = add_members("ned", "nia", "nat")
    for other in extra:
        connect(marketers[1], other, warmth=3.0)
    assert communities(marketers[1]) == before  # cached
    graph_index.use_index(None)  # a reload drops what was cached
    assert communities(marketers[1]) != before
