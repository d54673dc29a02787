"""The privacy page's handlers called the way a hostile browser can: any
handler, any arguments. The member whose settings change is always the one
behind the session; unknown names and values are refused with the reason
shown, and nothing is written. The public profile page shows each viewer
only the parts they may see."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.accounts import privacy
from marketplace.db import read_only, unit_of_work
from marketplace.models import PrivacySetting
from marketplace.states.privacy import PrivacyState
from marketplace.states.profile import PublicProfileState
from tests.integration.network.test_connections import connected
from tests.integration.test_state_security import member, state_of


def settings_of(member_id: int):
    with read_only() as s:
        return privacy.settings_of(s, member_id)


def rows() -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(PrivacySetting)).one()


@pytest.fixture
def two(engine):
    return member("ada"), member("bob")


def page_of(who) -> PrivacyState:
    page = state_of(PrivacyState, who.token)
    PrivacyState.load.fn(page)
    return page


def test_a_member_changes_a_part_and_the_preview_follows(two):
    ada, _bob = two
    page = page_of(ada)
    assert {r.name: r.choice for r in page.parts}["location"] == "everyone"
    PrivacyState.preview.fn(page, "public")
    assert "location" in page.profile.shown
    PrivacyState.choose.fn(page, "location", "first")
    assert settings_of(ada.member_id).location == "first"
    assert "location" not in page.profile.shown
    assert {r.name: r.choice for r in page.parts}["location"] == "first"
    PrivacyState.preview.fn(page, "first")
    assert "location" in page.profile.shown


def test_hide_me_from_search_is_a_switch(two):
    ada, _bob = two
    page = page_of(ada)
    PrivacyState.hide_me.fn(page, True)
    assert page.hidden_from_search and settings_of(ada.member_id).hidden_from_search
    PrivacyState.hide_me.fn(page, False)
    assert not settings_of(ada.member_id).hidden_from_search


@pytest.mark.parametrize(
    "name,value",
    [
        ("member_id", 1),
        ("salary", "me"),
        ("email", "friends"),
        ("email", {"member_id": 1, "level": "me"}),
        ("message_requests", "first"),
        (["email"], "me"),
    ],
)
def test_forged_choices_are_refused_and_nothing_is_written(two, name, value):
    _ada, bob = two
    page = page_of(bob)
    answer = PrivacyState.choose.fn(page, name, value)
    assert "error" in str(answer).lower()
    assert page.privacy_error != ""
    assert rows() == 0


def test_member_b_only_ever_changes_member_b(two):
    ada, bob = two
    page = page_of(bob)
    # a page whose vars name Ada (as a forged state might) still acts as Bob
    page.profile = replace(page.profile, id=ada.member_id, handle="ada")
    PrivacyState.choose.fn(page, "email", "everyone")
    assert settings_of(bob.member_id).email == "everyone"
    assert settings_of(ada.member_id) == privacy.rules.DEFAULT_SETTINGS


@pytest.mark.parametrize("token", ["", "forged-token-" + "x" * 30, None])
def test_a_guest_or_forged_session_changes_nothing(two, token):
    page = state_of(PrivacyState, token)
    PrivacyState.choose.fn(page, "email", "everyone")
    PrivacyState.hide_me.fn(page, True)
    assert rows() == 0


def test_a_forged_preview_degree_is_refused(two):
    ada, _bob = two
    page = page_of(ada)
    answer = PrivacyState.preview.fn(page, "enemy")
    assert "error" in str(answer).lower() and page.preview_as == "public"


def profile_page(viewer, handle: str) -> PublicProfileState:
    token = viewer.token if viewer else ""
    page = state_of(PublicProfileState, token, url=f"/people/{handle}")
    PublicProfileState.load.fn(page)
    return page


def test_the_profile_page_shows_the_email_to_connections_only(two):
    ada, bob = two
    cyd = member("cyd")
    connected(ada, bob)
    assert profile_page(bob, "ada").profile.email == "ada@example.com"
    assert profile_page(cyd, "ada").profile.email == ""
    assert profile_page(None, "ada").profile.email == ""
    with unit_of_work() as s:
        privacy.change(
            s, actor_id=ada.member_id, member_id=ada.member_id, name="email", value="me"
        )
    assert profile_page(bob, "ada").profile.email == ""
    assert profile_page(ada, "ada").profile.email == "ada@example.com"
