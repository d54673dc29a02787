"""Privacy by degree, the pure rule: part x level x degree -> visible, who
may send requests, and forged settings refused before anything is kept."""

from __future__ import annotations

import pytest

from marketplace.domain import privacy
from marketplace.domain.errors import InvalidInput
from marketplace.domain.graph import Candidate
from marketplace.domain.privacy import BEYOND, FIRST, PUBLIC, SECOND, SELF

# written out by hand, not derived from the module under test
SEES = {
    "everyone": {SELF, FIRST, SECOND, BEYOND, PUBLIC},
    "second": {SELF, FIRST, SECOND},
    "first": {SELF, FIRST},
    "me": {SELF},
}
DEGREES = (SELF, FIRST, SECOND, BEYOND, PUBLIC)


@pytest.mark.parametrize("level", SEES)
@pytest.mark.parametrize("degree", DEGREES)
def test_a_part_shows_exactly_to_the_degrees_its_level_allows(level, degree):
    assert privacy.shows(level, degree) is (degree in SEES[level])


@pytest.mark.parametrize("part", privacy.PARTS)
@pytest.mark.parametrize("level", SEES)
def test_each_part_follows_its_own_setting_only(part, level):
    settings = privacy.with_level(privacy.Settings(), part, level)
    for degree in DEGREES:
        seen = privacy.visible_parts(settings, degree)
        assert (part in seen) is (degree in SEES[level])
        others = {p for p in privacy.PARTS if p != part}
        defaults = privacy.visible_parts(privacy.Settings(), degree)
        assert seen & others == defaults & others


def test_the_defaults_keep_email_karma_and_connections_to_connections():
    public = privacy.visible_parts(privacy.Settings(), PUBLIC)
    assert public == {
        "location", "background", "availability", "reviews", "give_get"
    }  # fmt: skip
    assert privacy.visible_parts(privacy.Settings(), FIRST) == set(privacy.PARTS)


@pytest.mark.parametrize(
    "level,allowed",
    [
        ("everyone", {FIRST, SECOND, BEYOND}),
        ("second", {FIRST, SECOND}),
        ("nobody", set()),
    ],
)
def test_who_may_send_a_request(level, allowed):
    for degree in DEGREES:
        assert privacy.may_request(level, degree) is (degree in allowed)


def test_hidden_from_search_shows_only_to_oneself_and_connections():
    hidden = privacy.Settings(hidden_from_search=True)
    assert [privacy.findable(hidden, d) for d in DEGREES] == [
        True, True, False, False, False
    ]  # fmt: skip
    assert all(privacy.findable(privacy.Settings(), d) for d in DEGREES)


@pytest.mark.parametrize(
    "form",
    [
        {"salary": "me"},  # unknown part
        {"email": "friends"},  # unknown level
        {"email": ["me"]},
        {"connect_requests": "me"},  # a part's level is not a request level
        {"hidden_from_search": "yes please"},
        {"member_id": 2},
    ],
)
def test_a_forged_settings_form_is_refused_whole(form):
    with pytest.raises(InvalidInput):
        privacy.parse(form)


@pytest.mark.parametrize(
    "call",
    [
        lambda: privacy.check_part("salary"),
        lambda: privacy.check_level("friends"),
        lambda: privacy.check_request_level("everyone-but-bob"),
        lambda: privacy.check_kind("poke"),
        lambda: privacy.shows("everyone", 7),
        lambda: privacy.shows("everyone", True),
    ],
)
def test_unknown_names_are_refused_with_a_reason(call):
    with pytest.raises(InvalidInput, match=r"Unknown|connect|degree"):
        call()


def test_a_whole_form_parses_to_settings():
    form = {p: "me" for p in privacy.PARTS} | {
        "connect_requests": "nobody",
        "message_requests": "everyone",
        "hidden_from_search": "on",
    }
    settings = privacy.parse(form)
    assert settings.email == settings.connections == "me"
    assert settings.requests_from("connect") == "nobody"
    assert settings.hidden_from_search is True


def _candidate(**changes) -> Candidate:
    base = dict(
        member_id=5, score=1.0, degree=2, via_id=3, path_strength=0.5,
        matched_tags=("pricing",), given=9, received=2, give_propensity=0.7,
        availability="limited", owes_me=0,
        reasons=(
            "knows pricing",
            "2nd degree, through a mutual connection (0.50)",
            "gives more than receives (9 given, 2 got)",
            "has limited time",
        ),
    )  # fmt: skip
    return Candidate(**(base | changes))


def test_a_candidate_loses_the_words_about_what_they_keep():
    c = _candidate()
    shown = privacy.redact_candidate(c, set(privacy.PARTS))
    assert shown == c
    kept = privacy.redact_candidate(
        c, set(privacy.PARTS) - {"give_get", "availability"}
    )
    assert kept.reasons == c.reasons[:2]
    assert (kept.given, kept.received, kept.availability) == (0, 0, "")
