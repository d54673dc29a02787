"""The private calendar feed through its HTTP route, as a calendar app
fetches it (no cookie; both databases): a new link works, a rotated or
revoked one is a 404, a member's token shows only their own calls, and a
malformed token is a 404 that never reaches the database."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from starlette.testclient import TestClient

from marketplace import api, routes
from marketplace.db import read_only, unit_of_work
from marketplace.domain.calendar_invites import call_uid
from marketplace.domain.errors import NotFound
from marketplace.market import calendar_feed
from marketplace.market.call_invites import public_host
from marketplace.models import CalendarFeed, Listing
from tests.integration.market.call_fixtures import (
    MONDAY,
    act,
    agreed_call,
    book,
    call_offer,
    clock_at,
)
from tests.integration.market.test_engagements import post

TUESDAY_TEN = MONDAY.replace(day=1, month=12, hour=10)


def new_link(who) -> str:
    with unit_of_work() as s:
        return calendar_feed.new_feed_link(s, actor_id=who.member_id, clock=clock_at())


def path_of(url: str) -> str:
    return urlsplit(url).path


def events(response) -> list:
    return Calendar.from_ical(response.content).walk("VEVENT")


@pytest.fixture
def client() -> TestClient:
    return TestClient(api.make_api())


def test_a_new_link_serves_the_members_calls(ada, bo, client):
    engagement_id = agreed_call(ada, bo, clock_at(), TUESDAY_TEN)
    url = new_link(ada)
    assert url.endswith(".ics") and routes.CALENDAR_FEEDS + "/" in url
    got = client.get(path_of(url))
    assert got.status_code == 200
    assert got.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "no-store" in got.headers["cache-control"]
    assert "private" in got.headers["cache-control"]
    assert "set-cookie" not in got.headers
    [event] = events(got)
    assert str(event["UID"]) == call_uid(engagement_id, public_host())
    assert event["SUMMARY"] == "Review my SaaS pricing page with Bob"
    assert event.decoded("DTSTART") == TUESDAY_TEN
    assert Calendar.from_ical(got.content)["X-WR-CALNAME"]


def test_only_the_hash_is_kept_and_the_link_is_shown_once(ada):
    url = new_link(ada)
    token = path_of(url).rsplit("/", 1)[1].removesuffix(".ics")
    with read_only() as s:
        row = s.get(CalendarFeed, ada.member_id)
        assert row.token_hash == calendar_feed.token_hash(token) != token
        assert calendar_feed.has_feed(s, ada.member_id)
        assert calendar_feed.feed_link(s, ada.member_id) == ""


def test_a_member_without_a_feed_has_no_link(ada):
    with read_only() as s:
        assert not calendar_feed.has_feed(s, ada.member_id)
        assert calendar_feed.feed_link(s, ada.member_id) is None


def test_a_new_link_makes_the_old_one_stop_working(ada, client):
    old, new = new_link(ada), new_link(ada)
    assert old != new
    refused = client.get(path_of(old))
    assert (refused.status_code, refused.text) == (404, calendar_feed.GONE)
    assert client.get(path_of(new)).status_code == 200


def test_a_revoked_link_is_not_found(ada, client):
    url = new_link(ada)
    with unit_of_work() as s:
        assert calendar_feed.revoke_feed(s, actor_id=ada.member_id)
    assert client.get(path_of(url)).status_code == 404
    with unit_of_work() as s:
        assert not calendar_feed.revoke_feed(s, actor_id=ada.member_id)
        assert not calendar_feed.has_feed(s, ada.member_id)


def test_each_token_shows_only_its_own_members_calls(ada, bo, cy, client):
    clock = clock_at()
    listing_id = call_offer(bo, clock)
    adas = agreed_call(ada, bo, clock, TUESDAY_TEN, listing_id=listing_id)
    other_offer = post(bo, kind="offer", terms="free", price=0, title="Second offer")
    with unit_of_work() as s:
        s.get(Listing, other_offer).duration_minutes = 30
    cys = agreed_call(cy, bo, clock, TUESDAY_TEN + timedelta(hours=1), other_offer)
    host = public_host()

    def uids(who) -> list[str]:
        return [str(e["UID"]) for e in events(client.get(path_of(new_link(who))))]

    assert uids(ada) == [call_uid(adas, host)]
    assert uids(cy) == [call_uid(cys, host)]
    assert uids(bo) == [call_uid(adas, host), call_uid(cys, host)]


def test_cancelled_and_unanswered_calls_are_not_in_the_feed(ada, bo, client):
    clock = clock_at()
    listing_id = call_offer(bo, clock)
    cancelled = agreed_call(ada, bo, clock, TUESDAY_TEN, listing_id=listing_id)
    act(ada, cancelled, "cancel", clock)
    book(ada, listing_id, clock, TUESDAY_TEN + timedelta(hours=2))  # proposed only
    assert events(client.get(path_of(new_link(ada)))) == []


@pytest.mark.parametrize(
    "token",
    [
        "abc",
        "x" * 300,
        "%27%20OR%201%3D1--",
        "%00" * 40,
        "..%2F..%2Fetc%2Fpasswd",
        "A" * 43,  # well formed, never made
    ],
)
def test_a_malformed_or_made_up_token_is_not_found(ada, client, token):
    new_link(ada)
    got = client.get(f"{routes.CALENDAR_FEEDS}/{token}.ics")
    assert got.status_code == 404
    # a slash in it doesn't even reach the feed's route
    assert got.text == (calendar_feed.GONE if "%2F" not in token else "Not Found")


def test_the_service_refuses_anything_but_a_token(ada):
    with read_only() as s:
        for token in (None, 42, ["x"], {"a": 1}, ""):
            with pytest.raises(NotFound):
                calendar_feed.feed_ics(s, token, clock_at())
