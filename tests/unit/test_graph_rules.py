"""The relationship graph's rules: strength and decay, warm paths (checked
against brute force on random graphs), who to ask, context nudges,
micro-networks, and the context rules."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.domain.contexts import ContextBoard, ContextSignal, check_context
from marketplace.domain.errors import InvalidInput
from marketplace.domain.graph import STRENGTH_FLOOR, RelationshipGraph
from marketplace.domain.strength import (
    WEIGHTS,
    Kind,
    Tie,
    Warmth,
    add_interaction,
    decayed,
    going_cold,
    is_going_cold,
    ordered_pair,
    strength,
    warmth_from,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
warmths = st.floats(min_value=0, max_value=1e6, allow_nan=False)
offsets = st.floats(min_value=0, max_value=3650, allow_nan=False)  # days


# --------------------------------------------------------------------------- strength


def test_helping_each_other_counts_most_and_connecting_least():
    order = [Kind.ENGAGEMENT, Kind.INTRO, Kind.REVIEW, Kind.IOU, Kind.LOGGED]
    order += [Kind.MESSAGE, Kind.CONNECT]
    assert [WEIGHTS[k] for k in order] == sorted(WEIGHTS.values(), reverse=True)
    assert len(set(WEIGHTS.values())) == len(WEIGHTS)


def test_one_engagement_makes_a_relationship_of_strength_0_63():
    warmth = add_interaction(Warmth(0.0, None), "engagement", NOW)
    assert warmth == Warmth(1.0, NOW)
    assert strength(warmth.value) == pytest.approx(0.632, abs=1e-3)


def test_warmth_halves_every_half_life():
    assert decayed(2.0, NOW, NOW + 30 * DAY, half_life_days=30) == pytest.approx(1.0)
    assert decayed(2.0, NOW, NOW + 60 * DAY, half_life_days=30) == pytest.approx(0.5)


def test_warmth_never_grows_by_itself_even_when_asked_about_the_past():
    assert decayed(2.0, NOW, NOW - 10 * DAY) == 2.0


def test_an_interaction_resets_the_cadence():
    old = Warmth(1.0, NOW - 180 * DAY)
    warmed = add_interaction(old, "message", NOW)
    assert warmed.at == NOW
    assert warmed.value == pytest.approx(0.25 + 0.1)


@given(warmths, warmths, offsets)
def test_strength_is_always_in_zero_to_one_excluding_one(warmth, extra, days):
    value = strength(warmth + extra, NOW, NOW + timedelta(days=days))
    assert 0.0 <= value < 1.0


@given(warmths, offsets, offsets)
def test_decay_is_monotone_in_time(warmth, first, second):
    earlier, later = sorted((first, second))
    at_earlier = decayed(warmth, NOW, NOW + timedelta(days=earlier))
    at_later = decayed(warmth, NOW, NOW + timedelta(days=later))
    assert at_later <= at_earlier <= warmth


@given(
    st.lists(
        st.tuples(st.sampled_from(list(Kind)), st.integers(0, 400)),
        min_size=1,
        max_size=12,
    )
)
def test_the_order_interactions_arrive_in_does_not_matter(events):
    def fold(seq):
        total = Warmth(0.0, None)
        for kind, day in seq:
            total = add_interaction(total, kind, NOW + day * DAY)
        return decayed(total.value, total.at, NOW + 500 * DAY)

    shuffled = list(events)
    random.Random(len(events)).shuffle(shuffled)
    assert fold(shuffled) == pytest.approx(fold(sorted(events, key=lambda e: e[1])))


def test_warmth_can_be_rederived_from_the_interactions():
    rows = [(1.0, NOW - 90 * DAY), (0.1, NOW), (0.4, NOW - 45 * DAY)]
    derived = warmth_from(rows)
    assert derived.at == NOW
    assert derived.value == pytest.approx(0.5 + 0.1 + 0.4 * 0.5**0.5)


@pytest.mark.parametrize(
    "call",
    [
        lambda: decayed(-1.0, NOW, NOW),
        lambda: decayed(math.inf, NOW, NOW),
        lambda: decayed(1.0, NOW, NOW, half_life_days=0),
        lambda: add_interaction(Warmth(0.0, None), "coffee", NOW),
        lambda: is_going_cold(0.9, 0.1, threshold=0.7, mattered=0.5),
        lambda: ordered_pair(3, 3),
    ],
)
def test_bad_strength_input_is_refused_clearly(call):
    with pytest.raises(InvalidInput):
        call()


def test_a_relationship_that_mattered_and_faded_is_going_cold():
    assert is_going_cold(0.8, 0.2)
    assert not is_going_cold(0.8, 0.5)  # still warm
    assert not is_going_cold(0.3, 0.1)  # never mattered


def test_going_cold_lists_faded_ties_that_mattered_most_first():
    ties = [
        Tie(2, 1.0, NOW - 365 * DAY),  # mattered, now cold
        Tie(3, 3.0, NOW - 400 * DAY),  # mattered more, cold
        Tie(4, 3.0, NOW - 5 * DAY),  # still warm
        Tie(5, 0.2, NOW - 400 * DAY),  # never mattered
        Tie(6, 0.0, None),  # never used
    ]
    cold = going_cold(ties, NOW)
    assert [c.other_id for c in cold] == [3, 2]
    assert cold[0].quiet_days == pytest.approx(400)
    assert cold[0].current_strength < 0.25 <= 0.5 <= cold[0].past_strength


# --------------------------------------------------------------------------- graph


def chain_graph() -> RelationshipGraph:
    """1 - 2 - 3 - 4 warm, 1 - 5 - 4 lukewarm, 1 - 6 unused."""
    graph = RelationshipGraph()
    for a, b, warmth in [(1, 2, 1.0), (2, 3, 2.0), (3, 4, 1.0), (1, 5, 0.5)]:
        graph.add_edge(a, b, warmth, NOW)
    graph.add_edge(5, 4, 0.5, NOW)
    graph.add_edge(1, 6)
    return graph


def test_the_warmest_path_wins_even_when_longer():
    paths = chain_graph().warm_paths(1, 4, NOW)
    assert [p.members for p in paths] == [(1, 2, 3, 4), (1, 5, 4)]
    best = paths[0]
    assert best.first_hop == 2
    assert best.hops == 3
    assert best.strength == pytest.approx(math.prod(best.strengths))
    assert best.strength == pytest.approx(0.632 * 0.865 * 0.632, abs=1e-3)


def test_intro_paths_offer_mutual_connections_before_warmer_detours():
    """Marcus (2) and Priya (5) both know Dana (4): the profile shows them
    as mutuals, so their two hops come first, however warm the detour
    2 - 3 - 4 is; a stranger's three hops follow."""
    graph = chain_graph()
    graph.add_edge(2, 4, 0.05, NOW)  # Marcus barely knows Dana
    graph.add_edge(1, 7, 2.0, NOW)
    graph.add_edge(7, 8, 2.0, NOW)
    graph.add_edge(8, 4, 2.0, NOW)
    paths = graph.intro_paths(1, 4, NOW)
    assert [p.members for p in paths] == [(1, 5, 4), (1, 2, 4), (1, 7, 8, 4)]
    assert graph.mutual_connections(1, 4) == [2, 5]
    assert [p.members for p in graph.intro_paths(1, 4, NOW, k=1)] == [(1, 5, 4)]
    assert graph.intro_paths(1, 4, NOW, avoid={5, 2})[0].members == (1, 7, 8, 4)
    assert graph.intro_paths(1, 2, NOW) == []  # already connected


def test_each_intro_path_says_why_in_words():
    from marketplace.domain.graph import intro_reason

    assert intro_reason(["Marcus", "Dana"], [0.8, 0.7]) == (
        "2 hops via Marcus, who talks to both of you often"
    )
    assert intro_reason(["Marcus", "Dana"], [0.8, 0.1]) == (
        "2 hops via Marcus, who knows you well, and Dana less so"
    )
    assert intro_reason(["Marcus", "Dana"], [0.1, 0.9]) == (
        "2 hops via Marcus, who talks to Dana often"
    )
    assert intro_reason(["Marcus", "Dana"], [0.1, 0.1]).endswith(
        "though neither tie is warm right now"
    )
    assert intro_reason(["Marcus", "Priya", "Dana"], [0.9, 0.9, 0.9]) == (
        "3 hops: via Marcus, then Priya, who knows Dana"
    )
    with pytest.raises(InvalidInput):
        intro_reason(["Dana"], [0.5])


def test_paths_are_limited_by_hops_and_alternatives():
    graph = chain_graph()
    assert [p.members for p in graph.warm_paths(1, 4, NOW, max_hops=2)] == [(1, 5, 4)]
    assert graph.warm_paths(1, 4, NOW, max_hops=1) == []
    assert [p.members for p in graph.warm_paths(1, 4, NOW, k=1)] == [(1, 2, 3, 4)]


def test_no_path_within_three_hops_or_an_unknown_member_gives_nothing():
    graph = chain_graph()
    graph.add_edge(4, 7, 1.0, NOW)
    graph.add_edge(7, 8, 1.0, NOW)
    assert graph.warm_paths(1, 8, NOW) == []  # four hops away
    assert graph.warm_paths(1, 999, NOW) == []


@pytest.mark.parametrize(
    "args", [(1, 1, NOW), (1, 4, NOW, 4), (1, 4, NOW, 3, 0), ("1", 4, NOW)]
)
def test_bad_path_questions_are_refused(args):
    with pytest.raises(InvalidInput):
        chain_graph().warm_paths(*args)


def test_paths_never_pass_through_or_end_at_an_avoided_member():
    graph = chain_graph()
    assert [p.members for p in graph.warm_paths(1, 4, NOW, avoid={2})] == [(1, 5, 4)]
    assert [p.members for p in graph.warm_paths(1, 4, NOW, avoid={3})] == [(1, 5, 4)]
    assert [p.members for p in graph.warm_paths(1, 4, NOW, avoid={5})] == [(1, 2, 3, 4)]
    assert graph.warm_paths(1, 4, NOW, avoid={4}) == []


def test_two_degrees_are_a_connection_or_a_connection_of_one():
    graph = chain_graph()
    assert graph.within_two_degrees(1, 2) and graph.within_two_degrees(1, 3)
    assert graph.within_two_degrees(1, 4)  # through 5
    assert graph.within_two_degrees(6, 2) and not graph.within_two_degrees(6, 3)
    assert not graph.within_two_degrees(1, 1)
    assert not graph.within_two_degrees(1, 999)


def test_an_unused_connection_still_links_two_people_weakly():
    graph = chain_graph()
    assert graph.strength(1, 6, NOW) == STRENGTH_FLOOR
    assert graph.warm_paths(6, 2, NOW)[0].members == (6, 1, 2)


def test_paths_cool_with_time_but_keep_their_order():
    graph = chain_graph()
    later = graph.warm_paths(1, 4, NOW + 180 * DAY)
    assert [p.members for p in later] == [(1, 2, 3, 4), (1, 5, 4)]
    assert later[0].strength < graph.warm_paths(1, 4, NOW)[0].strength


def test_the_graph_changes_one_edge_at_a_time():
    graph = chain_graph()
    assert graph.edge_count == 6
    assert graph.remove_edge(2, 3)
    assert not graph.remove_edge(2, 3)
    assert graph.edge_count == 5
    assert [p.members for p in graph.warm_paths(1, 4, NOW)] == [(1, 5, 4)]
    graph.add_edge(2, 4, 3.0, NOW)
    assert graph.warm_paths(1, 4, NOW)[0].members == (1, 2, 4)
    graph.add_edge(2, 4, 3.0, NOW)  # again: an update, not a second edge
    assert graph.edge_count == 6
    with pytest.raises(InvalidInput):
        graph.add_edge(3, 3)


def test_an_interaction_warms_an_edge_as_the_rules_say():
    graph = chain_graph()
    assert graph.record_interaction(1, 5, "engagement", NOW + 30 * DAY)
    expected = add_interaction(Warmth(0.5, NOW), "engagement", NOW + 30 * DAY)
    later = NOW + 60 * DAY
    assert graph.warmth(5, 1, later) == pytest.approx(
        decayed(expected.value, expected.at, later)
    )
    assert not graph.record_interaction(1, 4, "message", NOW)  # not connected
    assert graph.warmth(1, 4, NOW) is None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(list(Kind)), st.integers(-300, 300)),
        min_size=1,
        max_size=15,
    )
)
def test_the_graph_keeps_warmth_exactly_like_the_database_cache(events):
    graph = RelationshipGraph(half_life_days=45)
    graph.add_edge(1, 2)
    cache = Warmth(0.0, None)
    for kind, day in events:
        at = NOW + day * DAY
        graph.record_interaction(2, 1, kind, at)
        cache = add_interaction(cache, kind, at, half_life_days=45)
    seen = NOW + 400 * DAY
    expected = decayed(cache.value, cache.at, seen, half_life_days=45)
    assert graph.warmth(1, 2, seen) == pytest.approx(expected, rel=1e-9)


def test_mutual_connections_strongest_first():
    graph = chain_graph()
    graph.add_edge(1, 3, 0.2, NOW)
    graph.add_edge(5, 3, 0.2, NOW)
    assert graph.mutual_connections(1, 3) == [2, 5]
    assert graph.mutual_connections(1, 3, NOW) == [2, 5]
    graph.add_edge(5, 3, 9.0, NOW)
    graph.add_edge(1, 5, 9.0, NOW)
    assert graph.mutual_connections(1, 3, NOW) == [5, 2]
    assert graph.mutual_connections(1, 999) == []


# ------------------------------------------------------------ paths vs brute force


def random_graph(seed: int, nodes: int, density: float) -> RelationshipGraph:
    rng = random.Random(seed)
    graph = RelationshipGraph()
    for a in range(nodes):
        for b in range(a + 1, nodes):
            if rng.random() < density:
                warmth = rng.choice([0.0, rng.uniform(0.01, 4.0)])
                graph.add_edge(a, b, warmth, NOW - rng.uniform(0, 300) * DAY)
    return graph


def plain_graph(graph: RelationshipGraph) -> nx.Graph:
    plain = nx.Graph()
    for a in range(graph.node_count + 20):
        plain.add_edges_from((a, b) for b in graph.neighbours(a))
    return plain


def brute_force(
    graph: RelationshipGraph, source: int, target: int, avoid=frozenset()
) -> dict:
    """The best path strength for each first hop, over every simple path of
    at most three hops that meets no member in `avoid` after the source."""
    plain = plain_graph(graph)
    best: dict[int, float] = {}
    if source not in plain or target not in plain:
        return best
    for path in nx.all_simple_paths(plain, source, target, cutoff=3):
        if avoid & set(path[1:]):
            continue
        pairs = pairwise(path)
        product = math.prod(graph.strength(a, b, NOW) for a, b in pairs)
        best[path[1]] = max(best.get(path[1], 0.0), product)
    return best


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 10_000),
    st.integers(4, 10),
    st.floats(0.15, 0.6),
    st.integers(1, 4),
)
def test_warm_paths_match_brute_force_on_random_graphs(seed, nodes, density, k):
    graph = random_graph(seed, nodes, density)
    source, target = random.Random(seed).sample(range(nodes), 2)
    expected = brute_force(graph, source, target)
    paths = graph.warm_paths(source, target, NOW, k=k)

    assert len(paths) == min(k, len(expected))
    best_first = sorted(expected.values(), reverse=True)[:k]
    assert [p.strength for p in paths] == pytest.approx(best_first, rel=1e-9)
    for path in paths:
        assert path.members[0] == source and path.members[-1] == target
        assert len(set(path.members)) == len(path.members) <= 4
        assert path.strength == pytest.approx(expected[path.first_hop], rel=1e-9)
    assert len({p.first_hop for p in paths}) == len(paths)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10_000), st.integers(4, 10), st.floats(0.15, 0.6))
def test_paths_around_avoided_members_match_brute_force(seed, nodes, density):
    graph = random_graph(seed, nodes, density)
    rng = random.Random(seed)
    source, target = rng.sample(range(nodes), 2)
    avoid = frozenset(rng.sample(range(nodes), 2)) - {source}
    expected = brute_force(graph, source, target, avoid)
    paths = graph.warm_paths(source, target, NOW, k=4, avoid=avoid)

    best_first = sorted(expected.values(), reverse=True)[:4]
    assert [p.strength for p in paths] == pytest.approx(best_first, rel=1e-9)
    assert all(not avoid & set(p.members) for p in paths)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 10), st.floats(0.1, 0.6))
def test_two_degrees_match_the_shortest_path(seed, nodes, density):
    graph = random_graph(seed, nodes, density)
    plain = plain_graph(graph)
    a, b = random.Random(seed).sample(range(nodes), 2)
    near = a in plain and b in plain and nx.has_path(plain, a, b)
    near = near and nx.shortest_path_length(plain, a, b) <= 2
    assert graph.within_two_degrees(a, b) == near


# --------------------------------------------------------------------------- who to ask


def ask_graph() -> RelationshipGraph:
    """Me (1): Ben (2) and Cleo (3) directly; Dan (4) and Eve (5) through Ben."""
    graph = RelationshipGraph()
    graph.add_edge(1, 2, 2.0, NOW)
    graph.add_edge(1, 3, 0.3, NOW)
    graph.add_edge(2, 4, 2.0, NOW)
    graph.add_edge(2, 5, 2.0, NOW)
    graph.add_edge(4, 6, 2.0, NOW)  # Fay (6) is three hops away
    graph.set_tags(2, ["pricing"])
    graph.set_tags(3, ["b2b-seo", "content-marketing"])
    graph.set_tags(4, ["b2b-seo"])
    graph.set_tags(5, ["b2b-seo", "content-marketing"], background=["stripe"])
    graph.set_tags(6, ["b2b-seo", "content-marketing"])
    return graph


def test_who_to_ask_ranks_only_able_people_within_two_degrees():
    ranked = ask_graph().who_to_ask(1, ["b2b-seo", "content-marketing"], NOW)
    assert [c.member_id for c in ranked] == [5, 3, 4]
    eve = ranked[0]
    assert (eve.degree, eve.via_id) == (2, 2)
    assert eve.matched_tags == ("b2b-seo", "content-marketing")
    assert eve.reasons[0] == "knows b2b seo and content marketing"
    assert ranked[1].degree == 1 and ranked[1].via_id is None


def test_givers_available_people_and_those_who_owe_me_rise():
    graph = ask_graph()
    tags = ["b2b-seo"]
    graph.set_give_counts(4, given=12, received=1)
    graph.set_owed(debtor=4, creditor=1, open_ious=2)
    graph.set_availability(5, "away")
    ranked = graph.who_to_ask(1, tags, NOW)
    assert ranked[0].member_id == 4
    assert "owes you 2 favours" in ranked[0].reasons
    assert "gives more than receives (12 given, 1 got)" in ranked[0].reasons
    assert ranked[-1].member_id == 5
    assert ranked[-1].availability == "away"


def test_help_given_is_counted_one_engagement_at_a_time():
    graph = ask_graph()
    graph.record_help(helper=3, asker=1)
    graph.record_help(helper=3, asker=1)
    assert graph.give_counts(3) == (2, 0)
    assert graph.give_counts(1) == (0, 2)


def test_who_to_ask_leaves_out_whoever_i_exclude_and_respects_the_limit():
    graph = ask_graph()
    ranked = graph.who_to_ask(1, ["b2b-seo"], NOW, limit=2, exclude={5})
    assert [c.member_id for c in ranked] == [4, 3]  # Dan's path is warmer


def test_a_newcomer_with_no_connections_is_shown_who_else_can_help():
    graph = ask_graph()
    graph.set_tags(9, ["b2b-seo"])  # Nia: nobody's connection yet
    graph.set_give_counts(6, given=5, received=0)  # Fay gives a lot
    newcomer = graph.who_else_to_ask(42, ["b2b-seo", "content-marketing"], NOW)
    # both tags first (Fay, who gives, ahead), then one of them
    assert [c.member_id for c in newcomer] == [6, 3, 5, 4, 9]
    assert {c.degree for c in newcomer} == {3}
    assert newcomer[0].reasons[1] == "not in your network yet"
    # for me, only who is beyond my two degrees: Fay and Nia
    mine = graph.who_else_to_ask(1, ["b2b-seo"], NOW)
    assert [c.member_id for c in mine] == [6, 9]
    assert (
        graph.who_else_to_ask(1, ["b2b-seo"], NOW, exclude={6}, limit=1)[0].member_id
        == 9
    )


def test_tags_changed_later_are_seen_at_once():
    graph = ask_graph()
    graph.set_tags(5, ["design"])
    graph.set_tags(2, ["b2b-seo"])
    ids = [c.member_id for c in graph.who_to_ask(1, ["b2b-seo"], NOW)]
    assert 5 not in ids and 2 in ids


@pytest.mark.parametrize(
    "call",
    [
        lambda g: g.who_to_ask(1, [], NOW),
        lambda g: g.who_to_ask(1, "b2b-seo", NOW),
        lambda g: g.who_to_ask(1, ["b2b-seo"], NOW, limit=0),
        lambda g: g.set_availability(1, "sleeping"),
        lambda g: g.set_give_counts(1, -1, 0),
    ],
)
def test_bad_ranking_input_is_refused(call):
    with pytest.raises(InvalidInput):
        call(ask_graph())


# --------------------------------------------------------------------------- nudges


def summit(**fields) -> ContextSignal:
    values = {
        "id": 7,
        "member_id": 4,
        "owner_name": "Priya",
        "kind": "event",
        "title": "SaaS Summit 2027",
        "tags": frozenset({"saas-marketing", "events"}),
        "starts_on": date(2026, 12, 10),
    }
    return ContextSignal(**(values | fields))


def test_a_context_two_degrees_away_that_fits_my_expertise_becomes_a_nudge():
    graph = ask_graph()
    graph.set_tags(1, ["saas-marketing", "pricing"])
    [nudge] = graph.context_nudges(1, [summit()], NOW)
    assert nudge.reason == (
        "Priya is organizing SaaS Summit 2027 — you know saas marketing"
    )
    assert (nudge.key, nudge.degree, nudge.via_id) == ("context:7", 2, 2)


def test_contexts_too_far_not_fitting_over_mine_or_dismissed_give_no_nudge():
    graph = ask_graph()
    graph.set_tags(1, ["saas-marketing"])
    contexts = [
        summit(id=1, member_id=6),  # three hops away
        summit(id=2, tags=frozenset({"hiring"})),  # not my expertise
        summit(id=3, member_id=1),  # my own
        summit(id=4, starts_on=date(2026, 1, 1)),  # over
        summit(id=5),  # dismissed
    ]
    assert graph.context_nudges(1, contexts, NOW, skip={"context:5"}) == []


def test_closer_better_fitting_and_sooner_contexts_rank_first():
    graph = ask_graph()
    graph.set_tags(1, ["saas-marketing", "events"])
    contexts = [
        summit(id=1, member_id=5, starts_on=date(2027, 6, 1)),
        summit(id=2, member_id=2),  # a direct connection, soon
        summit(id=3, member_id=5, tags=frozenset({"events", "rust"})),
    ]
    keys = [n.key for n in graph.context_nudges(1, contexts, NOW)]
    assert keys == ["context:2", "context:1", "context:3"]


def test_an_exact_fit_from_a_cold_direct_tie_outranks_a_partial_warm_one():
    """The case from the field: she knows exactly what her new connection's
    event asks for, yet ranked below warmer, vaguer matches."""
    graph = ask_graph()
    graph.add_edge(1, 7)  # Gus: connected, never used (a cold tie)
    graph.set_tags(1, ["event-marketing", "saas-marketing", "pricing"])
    contexts = [
        summit(id=1, member_id=7, tags=frozenset({"event-marketing"})),
        summit(
            id=2,
            member_id=2,  # Ben, a warm connection, soon
            tags=frozenset({"saas-marketing", "video", "venues", "catering"}),
        ),
        summit(id=3, member_id=4, tags=frozenset({"event-marketing"})),  # 2nd
    ]
    ranked = graph.context_nudges(1, contexts, NOW)
    assert [n.key for n in ranked] == ["context:1", "context:3", "context:2"]
    exact = ranked[0]
    assert (exact.fit, exact.asked, exact.strong, exact.degree) == (1.0, 1, True, 1)
    assert not ranked[2].strong  # one thing of four: a nudge, not news


def test_fit_grows_with_what_is_known_of_what_is_asked():
    from marketplace.domain.graph import closeness, context_fit, is_strong_fit

    asked = {"a", "b", "c", "d"}
    fits = [context_fit(asked, known) for known in ([], ["a"], ["a", "b"], asked)]
    assert fits == [0.0, pytest.approx(0.55), pytest.approx(0.7), 1.0]
    assert [is_strong_fit(f) for f in fits] == [False, False, True, True]
    assert closeness(1, 0.0) > closeness(2, 0.99)  # any direct tie first


def test_a_member_without_expertise_gets_no_context_nudges():
    assert ask_graph().context_nudges(1, [summit()], NOW) == []


def test_the_context_board_finds_contexts_by_tag_and_forgets_closed_ones():
    board = ContextBoard()
    board.put(summit(id=1))
    board.put(summit(id=2, tags=frozenset({"rust"})))
    assert {s.id for s in board.matching(["events", "saas-marketing"])} == {1}
    board.put(summit(id=1, tags=frozenset({"rust"})))  # its tags changed
    assert {s.id for s in board.matching(["rust"])} == {1, 2}
    board.remove(2)
    board.remove(99)
    assert [s.id for s in board] == [1]
    assert list(board.matching(["events"])) == []


# ------------------------------------------------------------------------ communities


def test_communities_follow_dense_warm_clusters_and_are_named_by_their_tags():
    graph = RelationshipGraph()
    growth, climate = range(1, 6), range(11, 16)
    for group, tags in ((growth, ["growth", "b2b-seo"]), (climate, ["climate"])):
        for a in group:
            graph.set_tags(a, tags, background=["yc"])
            for b in group:
                if a < b:
                    graph.add_edge(a, b, 2.0, NOW)
    graph.add_edge(5, 11, 0.1, NOW)  # one weak bridge
    found = graph.communities(NOW)
    assert [set(c.members) for c in found] == [set(growth), set(climate)]
    assert found[0].top_tags[:2] == ("b2b-seo", "growth")
    assert found[1].name.startswith("climate")
    assert graph.communities(NOW) == found  # a fixed seed: same answer
    assert graph.communities(NOW, members=growth)[0].members == frozenset(growth)


# --------------------------------------------------------------------------- contexts


TODAY = date(2026, 11, 26)


def test_a_context_is_cleaned_and_checked():
    draft = check_context(
        {
            "kind": "event",
            "title": "  SaaS Summit 2027 ",
            "tags": "SaaS Marketing, events",
            "starts_on": "2027-03-01",
            "ends_on": "2027-03-02",
        },
        today=TODAY,
    )
    assert draft.title == "SaaS Summit 2027"
    assert draft.tags == ["saas-marketing", "events"]
    assert draft.starts_on == date(2027, 3, 1)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"kind": "party", "title": "x"}, "kind"),
        ({"kind": "event", "title": ""}, "title"),
        ({"kind": "event", "title": "x" * 121}, "title"),
        ({"kind": "event", "title": "Meetup", "starts_on": "2026-11-25"}, "starts_on"),
        (
            {
                "kind": "event",
                "title": "Meetup",
                "starts_on": "2027-01-02",
                "ends_on": "2027-01-01",
            },
            "ends_on",
        ),
        ({"kind": "hiring", "title": "CTO", "ends_on": "soon"}, "ends_on"),
    ],
)
def test_bad_contexts_are_refused_naming_the_field(form, field):
    with pytest.raises(InvalidInput) as refused:
        check_context(form, today=TODAY)
    assert refused.value.field == field
