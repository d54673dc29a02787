"""The network page's and a profile's handlers, called the way a hostile
browser can: a third member sending someone else's request or intro ids is
refused and nothing changes; the owner's own clicks work."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from sqlmodel import select

from marketplace.db import read_only, unit_of_work
from marketplace.models import Connection, Intro, Member
from marketplace.states.network import NetworkState
from marketplace.states.profile import PublicProfileState
from tests.integration.forms import posted, shown
from tests.integration.network.test_connections import ask, connected
from tests.integration.network.test_intros import ask_intro
from tests.integration.test_state_security import state_of


def statuses(model) -> list[str]:
    with read_only() as s:
        return [row.status for row in s.exec(select(model).order_by(model.id))]


def profile_of(viewer, handle: str) -> PublicProfileState:
    page = state_of(PublicProfileState, viewer.token)
    page.router_data = {}
    from marketplace.accounts import profiles

    with read_only() as s:
        page.profile = profiles.public_profile(s, handle)
        page._load_ties(s, viewer.member_id)
    return shown(page, "connect", "intro")


def test_the_addressee_accepts_on_the_network_page(ada, bo):
    request = ask(ada, "bob", "Hello from Ada")
    page = state_of(NetworkState, bo.token)
    list(NetworkState.load.fn(page))
    assert [r.note for r in page.incoming] == ["Hello from Ada"]
    NetworkState.answer_request.fn(page, request, "accept")
    assert page.network_error == ""
    assert [c.handle for c in page.connections] == ["ada"]
    assert ">You</text>" in page.picture and ">Ada</text>" in page.picture
    assert page.picture.count("<line ") == 1


def test_a_name_written_as_markup_shows_as_text_in_the_picture(ada, bo):
    """The picture is SVG markup the page inserts as it is: a member who
    names themselves with markup must not get it into a connection's page."""
    connected(ada, bo)
    hostile = '<img src=x onerror="alert(1)"> & "Bo\' <script>'
    with unit_of_work() as s:
        bob = s.exec(select(Member).where(Member.handle == "bob")).one()
        bob.display_name = hostile
    page = state_of(NetworkState, ada.token)
    list(NetworkState.load.fn(page))
    assert "<img" not in page.picture and "<script" not in page.picture
    svg = ElementTree.fromstring(page.picture)  # well-formed: nothing broke out
    ns = "{http://www.w3.org/2000/svg}"
    assert [e.tag for e in svg] == [ns + "line", ns + "a", ns + "a"]
    titles = [t.text for t in svg.iter(ns + "title")]
    assert any(t.startswith(hostile) for t in titles)
    links = [a.get("href") for a in svg.iter(ns + "a")]
    assert "/people/bob" in links


def test_a_browser_can_not_write_the_picture_the_page_inserts_as_markup(ada):
    """The picture is the one var a page inserts unescaped: no event may set
    it from the browser (Reflex's setvar needs a generated setter; none are)."""
    page = state_of(NetworkState, ada.token)
    with pytest.raises(AttributeError):
        NetworkState.setvar.fn(page, "picture", "<img src=x onerror=alert(1)>")
    assert page.picture == ""


@pytest.mark.parametrize("forged", [1, 999, "1", None, -3])
def test_a_third_member_can_not_answer_someone_elses_request(ada, bo, cy, forged):
    ask(ada, "bob")
    page = state_of(NetworkState, cy.token)
    NetworkState.answer_request.fn(page, forged, "accept")
    assert page.network_error == "No such connection request."
    assert statuses(Connection) == ["pending"]


def test_a_third_member_can_not_forward_or_accept_someone_elses_intro(ada, bo, cy):
    connected(ada, bo)
    connected(bo, cy)
    intro = ask_intro(ada)
    page = state_of(NetworkState, ada.token)  # the asker is not the introducer
    NetworkState.forward_intro.fn(page, intro, "forward")
    assert page.network_error == "No such introduction."
    NetworkState.answer_intro.fn(page, intro, "accept")
    assert statuses(Intro) == ["requested"]


def test_a_signed_out_browser_is_sent_to_log_in(ada, bo):
    request = ask(ada, "bob")
    page = state_of(NetworkState, "")
    NetworkState.answer_request.fn(page, request, "accept")
    assert statuses(Connection) == ["pending"]


def test_connect_and_intro_from_a_profile(ada, bo, cy):
    connected(ada, bo)
    connected(bo, cy)
    page = profile_of(ada, "cyd")
    assert page.relationship == "none"
    assert page.mutual == ["Bob"]
    assert [p.via_handle for p in page.paths] == ["bob"]
    intro = {"via": "bob", "message": "Bob says you know pricing."}
    PublicProfileState.request_intro.fn(page, posted(page, "intro", intro))
    assert page.connect_error == ""
    assert statuses(Intro) == ["requested"]
    PublicProfileState.connect.fn(page, posted(page, "connect", {"note": "Hi Cyd"}))
    assert page.relationship == "asked"
    PublicProfileState.request_intro.fn(
        page, posted(page, "intro", {"via": "cyd", "message": "x"})
    )
    assert page.connect_error != ""
    assert statuses(Intro) == ["requested"]


def test_the_picture_draws_each_person_once(ada, bo, cy):
    from marketplace.network import graph_views
    from tests.integration.ledger.test_wallet import member

    dee = member("dee")
    connected(ada, bo)
    connected(ada, cy)
    connected(bo, dee)
    connected(cy, dee)  # Dee is two steps away twice over
    with read_only() as s:
        nodes, edges = graph_views.ego_picture(s, ada.member_id)
    assert sorted(n.label for n in nodes) == ["Bob", "Cyd", "Dee", "You"]
    assert len(edges) == 3


def test_a_pending_intro_shows_on_the_profile_instead_of_a_second_ask(ada, bo, cy):
    connected(ada, bo)
    connected(bo, cy)
    page = profile_of(ada, "cyd")
    assert page.intro_pending == ""
    assert page.paths[0].reason.startswith("2 hops via Bob, who knows you both")
    PublicProfileState.request_intro.fn(
        page, posted(page, "intro", {"via": "bob", "message": "Hello"})
    )
    assert page.intro_pending.endswith("to introduce you to Cyd; waiting for Bob.")
    # Bob introduces them with a note; Ada sees it on Cyd's profile
    bobs = state_of(NetworkState, bo.token)
    list(NetworkState.load.fn(bobs))
    [intro] = bobs.intros_to_make
    NetworkState.introduce.fn(bobs, {"intro_id": str(intro.id), "note": "Meet!"})
    assert bobs.network_error == ""
    page = profile_of(ada, "cyd")
    assert page.intro_pending == "Bob introduced you to Cyd; waiting for Cyd's answer."
    assert page.intro_note == "Meet!"
    cyds = state_of(NetworkState, cy.token)
    list(NetworkState.load.fn(cyds))
    assert [i.via_note for i in cyds.intros_to_answer] == ["Meet!"]


@pytest.mark.parametrize("forged", [{"intro_id": "999"}, {"intro_id": "x"}, {}, None])
def test_introducing_with_a_forged_or_someone_elses_intro_is_refused(
    ada, bo, cy, forged
):
    connected(ada, bo)
    connected(bo, cy)
    intro = ask_intro(ada)
    for who, form in ((bo, forged), (cy, {"intro_id": str(intro)})):
        page = state_of(NetworkState, who.token)
        NetworkState.introduce.fn(page, form)
        assert page.network_error == "No such introduction."
    assert statuses(Intro) == ["requested"]
