"""Privacy by degree, on SQLite and PostgreSQL: each setting hides its part
from each degree on the profile, in people search and in who-to-ask; hide
me from search; who may send a connection request; forged settings refused
with nothing written.

The network is a chain: Ola - Fst - Snd - Trd. Seen from Ola, Fst is 1st
degree, Snd 2nd, Trd 3rd; a signed-out visitor is "public".
"""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.accounts import export, privacy, profiles, seen_profile
from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain import privacy as rules
from marketplace.domain.errors import InvalidInput, NotAuthorized
from marketplace.market import asks, listings
from marketplace.models import Connection, PrivacySetting
from marketplace.network import (
    connections,
    directory,
    graph_index,
    graph_views,
    groups,
)
from tests.integration.network.test_graph_index import NOW, add_members, connect

CLOCK = FixedClock(NOW)
# who sees a part kept at each level, written out by hand
SEES = {
    "everyone": {"self", "first", "second", "third", "public"},
    "second": {"self", "first", "second"},
    "first": {"self", "first"},
    "me": {"self"},
}
VIEWERS = ("self", "first", "second", "third", "public")


@pytest.fixture
def chain(engine):
    ola, fst, snd, trd = add_members("ola", "fst", "snd", "trd")
    with unit_of_work() as s:
        form = {
            "display_name": "Ola Nordmann",
            "location": "Lisbon",
            "background": "stripe",
            "give": "pricing",
            "availability": "limited",
        }
        profiles.update_profile(s, actor_id=ola, member_id=ola, form=form)
    connect(ola, fst, warmth=1.0)
    connect(fst, snd, warmth=1.0)
    connect(snd, trd, warmth=1.0)
    return {"self": ola, "first": fst, "second": snd, "third": trd, "public": None}


def keep(member_id: int, name: str, value) -> None:
    with unit_of_work() as s:
        privacy.change(
            s, actor_id=member_id, member_id=member_id, name=name, value=value
        )


def keep_all(member_id: int, level: str) -> None:
    for part in rules.PARTS:
        keep(member_id, part, level)


def profile_as(viewer: int | None) -> seen_profile.SeenProfile:
    with read_only() as s:
        return seen_profile.public_profile(s, "ola", viewer)


def what_shows(seen: seen_profile.SeenProfile) -> set[str]:
    """The parts whose values actually reached the viewer."""
    p = seen.profile
    found = {
        "email": p.email == "ola@example.com",
        "location": p.location == "Lisbon",
        "background": p.background == ["stripe"],
        "availability": p.availability == "limited",
        "karma": seen.karma == "0",
        "reviews": "reviews" in p.shown,
        "give_get": len(seen.help_by_month) == 12,
        "connections": [c.handle for c in seen.connection_list] == ["fst"]
        and p.connections == 1,
    }
    assert set(p.shown) == {part for part, shown in found.items() if shown}
    return {part for part, shown in found.items() if shown}


def search_card(viewer: int | None, query: str):
    with read_only() as s:
        cards, _ = directory.browse(s, query=query, viewer_id=viewer)
    return next((c for c in cards if c.handle == "ola"), None)


def asked_about_pricing(viewer: int) -> list[asks.AskCandidate]:
    """Who-to-ask for the viewer's request on pricing: near and beyond."""
    form = {
        "kind": "request",
        "title": "Pricing page teardown",
        "description": "",
        "tags": "pricing",
        "terms": "free",
        "price": 0,
        "capacity": 1,
        "audience": "public",
    }
    with unit_of_work() as s:
        listing = listings.create_listing(s, actor_id=viewer, form=form, clock=CLOCK)
    with read_only() as s:
        panel = asks.ask_panel(s, actor_id=viewer, listing_id=listing.id, clock=CLOCK)
    return [c for c in panel.near + panel.beyond if c.handle == "ola"]


# ------------------------------------------------------------ table-driven


@pytest.mark.parametrize("level", SEES)
def test_each_level_hides_every_part_from_the_degrees_it_excludes(chain, level):
    keep_all(chain["self"], level)
    for viewer in VIEWERS:
        shown = what_shows(profile_as(chain[viewer]))
        expected = set(rules.PARTS) if viewer in SEES[level] else set()
        assert shown == expected, (level, viewer)


@pytest.mark.parametrize("part", rules.PARTS)
@pytest.mark.parametrize("level", SEES)
def test_each_part_follows_its_own_setting_on_the_profile(chain, part, level):
    keep(chain["self"], part, level)
    for viewer in ("self", "first", "second", "third"):
        shown = what_shows(profile_as(chain[viewer]))
        assert (part in shown) is (viewer in SEES[level]), (part, level, viewer)


@pytest.mark.parametrize("level", SEES)
def test_search_shows_location_and_matches_background_only_where_they_show(
    chain, level
):
    keep(chain["self"], "location", level)
    keep(chain["self"], "background", level)
    for viewer in VIEWERS:
        by_name = search_card(chain[viewer], "ola")
        assert by_name is not None  # the name is never kept
        sees = viewer in SEES[level]
        assert (by_name.location == "Lisbon") is sees, (level, viewer)
        assert by_name.location in ("Lisbon", "")
        by_background = search_card(chain[viewer], "stripe")
        assert (by_background is not None) is sees, (level, viewer)


@pytest.mark.parametrize("level", SEES)
def test_who_to_ask_words_leave_out_kept_availability_and_give_get(chain, level):
    keep(chain["self"], "availability", level)
    keep(chain["self"], "give_get", level)
    graph = graph_index.index().graph
    with graph_index.lock():
        graph.set_give_counts(chain["self"], 9, 2)  # as if Ola helped often
    for viewer in ("first", "second", "third"):
        (ola,) = asked_about_pricing(chain[viewer])
        sees = viewer in SEES[level]
        assert ("has limited time" in ola.reasons) is sees, (level, viewer)
        assert ("gives more than receives" in ola.reasons) is sees, (level, viewer)


# ---------------------------------------------------------- hide from search


def test_hidden_from_search_shows_only_to_connections(chain):
    keep(chain["self"], "hidden_from_search", True)
    found = {v: search_card(chain[v], "ola") is not None for v in VIEWERS}
    assert found == {
        "self": True, "first": True, "second": False, "third": False,
        "public": False,
    }  # fmt: skip
    with read_only() as s:
        everyone, total = directory.browse(s, viewer_id=None)
    assert "ola" not in [c.handle for c in everyone] and total == 3


def test_hidden_from_search_leaves_who_to_ask_but_for_connections(chain):
    keep(chain["self"], "hidden_from_search", True)
    assert [c.degree for c in asked_about_pricing(chain["first"])] == [
        "Your connection"
    ]
    assert asked_about_pricing(chain["second"]) == []
    assert asked_about_pricing(chain["third"]) == []


def test_hidden_from_search_leaves_dashboard_matches_but_for_connections(chain):
    keep(chain["self"], "hidden_from_search", True)
    with unit_of_work() as s:
        for viewer in ("first", "second"):
            member_id = chain[viewer]
            form = {"display_name": viewer.title(), "get": "pricing"}
            profiles.update_profile(
                s, actor_id=member_id, member_id=member_id, form=form
            )
    with read_only() as s:
        near = directory.matches(s, member_id=chain["first"], mine="get", theirs="give")
        far = directory.matches(s, member_id=chain["second"], mine="get", theirs="give")
    assert [c.handle for c in near] == ["ola"] and far == []


def test_hidden_from_search_still_opens_the_profile_by_its_address(chain):
    keep(chain["self"], "hidden_from_search", True)
    assert profile_as(chain["third"]).profile.handle == "ola"


# ----------------------------------------------------------------- paths


def test_a_three_hop_path_names_a_middle_member_only_if_they_show_whom_they_know(
    chain,
):
    """Trd reaches Ola through Snd (Trd's connection) and Fst (2nd degree to
    Trd): the path names whom Fst knows."""
    with read_only() as s:
        default = graph_views.paths_to(s, chain["third"], chain["self"], CLOCK)
    assert default == []  # Fst's connections list: connections only
    keep(chain["first"], "connections", "second")
    with read_only() as s:
        shown = graph_views.paths_to(s, chain["third"], chain["self"], CLOCK)
    assert [p.names for p in shown] == [["You", "Snd", "Fst", "Ola Nordmann"]]
    keep(chain["first"], "hidden_from_search", True)
    with read_only() as s:
        assert graph_views.paths_to(s, chain["third"], chain["self"], CLOCK) == []


# -------------------------------------------------------------- requests


@pytest.mark.parametrize(
    "level,allowed",
    [
        ("everyone", {"first", "second", "third"}),
        ("second", {"first", "second"}),
        ("nobody", set()),
    ],
)
def test_may_send_request_follows_the_recipients_choice(chain, level, allowed):
    keep(chain["self"], "connect_requests", level)
    with read_only() as s:
        for viewer in ("first", "second", "third"):
            may = privacy.may_send_request(s, chain[viewer], chain["self"], "connect")
            assert may is (viewer in allowed), (level, viewer)
        assert not privacy.may_send_request(s, chain["self"], chain["self"], "connect")


@pytest.mark.parametrize(
    "level,sender,refusal",
    [
        ("nobody", "second", "Ola Nordmann doesn't take connection requests."),
        ("second", "third", "only from people who share a connection"),
    ],
)
def test_a_refused_connection_request_says_why_and_writes_nothing(
    chain, level, sender, refusal
):
    keep(chain["self"], "connect_requests", level)
    with pytest.raises(NotAuthorized, match=refusal), unit_of_work() as s:
        connections.request_connection(s, actor_id=chain[sender], handle="ola")
    with read_only() as s:
        rows = s.exec(
            select(Connection).where(Connection.addressee_id == chain["self"])
        ).all()
    assert [r.requester_id for r in rows] == []


def test_someone_who_asked_me_can_be_answered_whatever_my_setting(chain):
    keep(chain["third"], "connect_requests", "nobody")
    with unit_of_work() as s:
        connections.request_connection(
            s, actor_id=chain["third"], handle="ola", note="We met at the meetup"
        )
    with unit_of_work() as s:  # Ola asking back accepts Trd's request
        row = connections.request_connection(s, actor_id=chain["self"], handle="trd")
    assert row.status == "accepted"


def test_a_second_degree_member_may_ask_by_default(chain):
    with unit_of_work() as s:
        row = connections.request_connection(s, actor_id=chain["second"], handle="ola")
    assert row.status == "pending"


# ---------------------------------------------------------- forged input


def settings_rows() -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(PrivacySetting)).one()


@pytest.mark.parametrize(
    "name,value,refusal",
    [
        ("salary", "me", "Unknown privacy setting"),
        ("member_id", 2, "Unknown privacy setting"),
        ("email", "friends", "Unknown privacy level"),
        ("email", {"level": "me"}, "Unknown privacy level"),
        ("connect_requests", "me", "Unknown request setting"),
        ("hidden_from_search", "on", "on or off"),
        (None, None, "Unknown privacy setting"),
    ],
)
def test_forged_settings_are_refused_and_nothing_is_written(
    chain, name, value, refusal
):
    with pytest.raises(InvalidInput, match=refusal), unit_of_work() as s:
        privacy.change(
            s, actor_id=chain["self"], member_id=chain["self"], name=name, value=value
        )
    assert settings_rows() == 0


@pytest.mark.parametrize("forged", ["first", "second", "2", None, True])
def test_nobody_changes_someone_elses_settings(chain, forged):
    target = chain.get(forged, forged) if isinstance(forged, str) else forged
    with pytest.raises((NotAuthorized, InvalidInput)), unit_of_work() as s:
        privacy.change(
            s, actor_id=chain["third"], member_id=target, name="email", value="everyone"
        )
    with pytest.raises((NotAuthorized, InvalidInput)), unit_of_work() as s:
        privacy.save_all(s, actor_id=chain["third"], member_id=target, form={})
    assert settings_rows() == 0


def test_a_whole_form_with_one_bad_field_changes_nothing(chain):
    keep(chain["self"], "email", "me")
    form = {"email": "everyone", "location": "galaxy"}
    with (
        pytest.raises(InvalidInput, match="Unknown privacy level"),
        unit_of_work() as s,
    ):
        privacy.save_all(s, actor_id=chain["self"], member_id=chain["self"], form=form)
    with read_only() as s:
        assert privacy.settings_of(s, chain["self"]).email == "me"


# ----------------------------------------------------------------- export


def test_my_export_holds_my_settings_and_nothing_others_keep(chain):
    keep(chain["self"], "email", "me")
    keep(chain["first"], "location", "me")
    with read_only() as s:
        mine = export.collect(s, chain["first"])
    assert mine["privacy"]["location"] == "me"
    text = str(mine)
    assert "ola@example.com" not in text and "Lisbon" not in text
    assert "fst@example.com" in text  # my own address is mine


# ---------------------------------------------------------------- preview


@pytest.mark.parametrize(
    "as_degree,parts",
    [
        ("first", set(rules.PARTS)),
        ("second", {"location", "background", "availability", "reviews", "give_get"}),
        ("public", {"location", "background", "availability", "reviews", "give_get"}),
    ],
)
def test_the_preview_is_the_profile_others_get(chain, as_degree, parts):
    with read_only() as s:
        seen = seen_profile.preview(s, chain["self"], as_degree)
    assert what_shows(seen) == parts
    viewer = {"first": "first", "second": "second", "public": "public"}[as_degree]
    assert seen == profile_as(chain[viewer])


def test_a_preview_for_an_unknown_degree_is_refused(chain):
    with pytest.raises(InvalidInput, match="Preview as"), read_only() as s:
        seen_profile.preview(s, chain["self"], "enemy")


# ----------------------------------------------------------------- groups


def test_a_group_names_a_member_hidden_from_search_only_to_their_connections(
    chain,
):
    graph_index.use_index(None)
    groups.forget_communities()
    with unit_of_work() as s:
        club = groups.create_group(
            s, actor_id=chain["third"], name="Pricing club", clock=CLOCK
        )
        groups.join_group(s, member_id=chain["self"], group_id=club.id, clock=CLOCK)
    keep(chain["self"], "hidden_from_search", True)
    with read_only() as s:
        seen = {
            v: [m.handle for m in groups.group_view(s, chain[v], club.slug).members]
            for v in ("self", "first", "second", "third")
        }
        counted = groups.group_view(s, chain["third"], club.slug).group.member_count
    assert seen["self"] == seen["first"] == ["trd", "ola"]
    assert seen["second"] == seen["third"] == ["trd"]
    assert counted == 2


def test_detected_communities_leave_out_a_face_hidden_from_search(chain):
    amy, ben = add_members("amy", "ben")
    circle = [chain["self"], chain["first"], amy, ben]
    for i, a in enumerate(circle):
        for b in circle[i + 1 :]:
            if {a, b} != {chain["self"], chain["first"]}:
                connect(a, b, warmth=2.0)

    def faces(viewer: str) -> set[str]:
        graph_index.use_index(None)
        groups.forget_communities()
        with read_only() as s:
            found = groups.detected_communities(s, CLOCK, chain[viewer])
        return {m.handle for c in found for m in c.members}

    assert "ola" in faces("second")
    keep(chain["self"], "hidden_from_search", True)
    assert "ola" not in faces("second")
    assert "ola" in faces("first")
    groups.forget_communities()


# ------------------------------------------------------------------- demo


def test_the_demo_gives_a_few_members_their_own_choices_once(chain):
    from marketplace.demo.privacy import seed_privacy

    ids = {"marcus": chain["first"], "g1": chain["second"], "g2": chain["third"]}
    with unit_of_work() as s:
        assert seed_privacy(s, ids, ["g1", "g2"], CLOCK) == 3
    keep(chain["second"], "hidden_from_search", False)  # the member's own choice
    with unit_of_work() as s:
        assert seed_privacy(s, ids, ["g1", "g2"], CLOCK) == 0
    with read_only() as s:
        assert privacy.settings_of(s, chain["first"]).email == "me"
        assert not privacy.settings_of(s, chain["second"]).hidden_from_search
        assert privacy.settings_of(s, chain["third"]).location == "first"


def test_the_network_picture_draws_beyond_my_connections_only_what_they_show(
    chain,
):
    def drawn() -> set[str]:
        with read_only() as s:
            nodes, _ = graph_views.ego_picture(s, chain["self"], CLOCK)
        return {n.handle for n in nodes}

    assert drawn() == {"ola", "fst", "snd"}
    keep(chain["second"], "hidden_from_search", True)
    assert drawn() == {"ola", "fst"}
    keep(chain["second"], "hidden_from_search", False)
    keep(chain["first"], "connections", "me")
    assert drawn() == {"ola", "fst"}
