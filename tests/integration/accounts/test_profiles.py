"""Profiles: the owner edits, everyone sees; nobody else edits, bad input
writes nothing. On SQLite and PostgreSQL."""

from datetime import UTC, datetime

import pytest

from marketplace.accounts.profiles import public_profile, update_profile
from marketplace.db import unit_of_work
from marketplace.domain.errors import InvalidInput, NotAuthorized, NotFound
from marketplace.models import Connection, Member

NOW = datetime(2026, 3, 1, tzinfo=UTC)
FORM = {
    "display_name": "Ada Lovelace",
    "headline": "Analytical engines",
    "bio": "Poetical science.\nNotes on the engine.",
    "location": "London",
    "timezone": "Europe/London",
    "availability": "limited",
    "give": "Mathematics, Machine Learning, mathematics",
    "get": "Funding",
    "background": "Royal Society",
}


def add_member(handle: str, status: str = "active") -> int:
    with unit_of_work() as s:
        member = Member(
            handle=handle,
            email=f"{handle}@example.com",
            display_name=handle.title(),
            password_hash="x",
            status=status,
            created_at=NOW,
            updated_at=NOW,
        )
        s.add(member)
        s.flush()
        return member.id


def edit(actor_id, member_id, form):
    with unit_of_work() as s:
        return update_profile(s, actor_id=actor_id, member_id=member_id, form=form)


def profile(handle):
    with unit_of_work() as s:
        return public_profile(s, handle)


@pytest.fixture
def ada(engine) -> int:
    ada = add_member("ada")
    edit(ada, ada, FORM)
    return ada


def test_the_owner_edits_and_the_public_profile_shows_it(engine):
    ada = add_member("ada")
    edit(ada, ada, FORM)
    shown = profile("ADA")
    assert (shown.display_name, shown.headline, shown.location) == (
        "Ada Lovelace",
        "Analytical engines",
        "London",
    )
    assert shown.bio == "Poetical science.\nNotes on the engine."
    assert (shown.timezone, shown.availability) == ("Europe/London", "limited")
    assert shown.expertise == ["mathematics", "machine-learning"]
    assert (shown.needs, shown.background) == (["funding"], ["royal-society"])


def test_a_second_edit_replaces_the_tags(ada):
    edit(ada, ada, {**FORM, "give": "Poetry", "get": "", "background": None})
    shown = profile("ada")
    assert (shown.expertise, shown.needs, shown.background) == (["poetry"], [], [])


def test_another_member_cannot_edit_my_profile(ada):
    mallory = add_member("mallory")
    before = profile("ada")
    hostile = {**FORM, "display_name": "Pwned", "give": "spam"}
    with pytest.raises(NotAuthorized, match="only edit your own profile"):
        edit(mallory, ada, hostile)
    assert profile("ada") == before


@pytest.mark.parametrize(
    "change,message",
    [
        ({"bio": "<script>alert(1)</script>"}, "About can't contain HTML"),
        ({"headline": "h" * 121}, "Headline is too long"),
        ({"give": ", ".join(f"t{i}" for i in range(21))}, "at most 20 tags"),
        ({"timezone": "Mars/Olympus"}, "Time zone must be"),
        ({"availability": ["open"]}, "Availability must be one of"),
        ({"display_name": ""}, "Name is required"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(ada, change, message):
    before = profile("ada")
    with pytest.raises(InvalidInput, match=message):
        edit(ada, ada, {**FORM, "give": "Poetry", **change})
    assert profile("ada") == before


@pytest.mark.parametrize("forged_id", ["1", True, 1.0, None, [1]])
def test_a_member_id_that_is_not_a_whole_number_is_refused(ada, forged_id):
    before = profile("ada")
    with pytest.raises(InvalidInput, match="Member id must be a whole number"):
        edit(ada, forged_id, {**FORM, "display_name": "Changed"})
    assert profile("ada") == before


def test_a_form_that_is_not_a_mapping_is_refused(ada):
    before = profile("ada")
    with pytest.raises(InvalidInput, match="malformed"):
        edit(ada, ada, "display_name=Changed")
    assert profile("ada") == before


@pytest.mark.parametrize("handle", ["nobody", "", "   ", None, 42])
def test_unknown_handles_have_no_public_profile(engine, handle):
    add_member("ada")
    with pytest.raises(NotFound):
        profile(handle)


def test_invited_members_have_no_public_profile_yet(engine):
    add_member("grace", status="invited")
    with pytest.raises(NotFound, match="Nobody here goes by 'grace'"):
        profile("grace")


def test_only_accepted_connections_are_counted(ada):
    others = [add_member(h) for h in ("bob", "cy", "dee", "eve", "fay")]
    statuses = ["accepted", "accepted", "pending", "declined", "blocked"]
    with unit_of_work() as s:
        for other, status in zip(others, statuses, strict=True):
            # Ada asked the first, the second asked Ada: both directions count.
            pair = (ada, other) if other != others[1] else (other, ada)
            s.add(
                Connection(
                    requester_id=pair[0],
                    addressee_id=pair[1],
                    status=status,
                    created_at=NOW,
                )
            )
    assert profile("ada").connections == 2
    assert profile("bob").connections == 1
    assert profile("dee").connections == 0
