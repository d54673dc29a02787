"""Finding people: the directory search and give/get matches.
On SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.accounts.profiles import update_profile
from marketplace.db import unit_of_work
from marketplace.domain.errors import InvalidInput
from marketplace.models import Member
from marketplace.network.directory import PAGE_SIZE, browse, matches

START = datetime(2026, 1, 1, tzinfo=UTC)


def add_member(handle, *, days=0, status="active", **profile) -> int:
    """A member who joined `days` after START, with the given profile fields."""
    with unit_of_work() as s:
        member = Member(
            handle=handle,
            email=f"{handle}@example.com",
            display_name=profile.pop("name", handle.title()),
            password_hash="x",
            status=status,
            created_at=START + timedelta(days=days),
            updated_at=START,
        )
        s.add(member)
        s.flush()
        form = {"display_name": member.display_name, **profile}
        update_profile(s, actor_id=member.id, member_id=member.id, form=form)
        return member.id


def search(query="", page=1):
    with unit_of_work() as s:
        cards, total = browse(s, query=query, page=page)
    return [c.handle for c in cards], total


@pytest.fixture
def people(engine):
    add_member("ada", days=1, name="Ada Lovelace", give="Mathematics, Poetry")
    add_member("grace", days=2, name="Grace Hopper", headline="COBOL and compilers")
    add_member("linus", days=3, give="Machine Learning, C++")
    add_member("ghost", days=4, status="invited", give="Mathematics")


def test_an_empty_search_lists_active_members_newest_first(people):
    assert search() == (["linus", "grace", "ada"], 3)


@pytest.mark.parametrize(
    "query,found",
    [
        ("lovelace", ["ada"]),  # name, any case
        ("GRACE", ["grace"]),  # handle
        ("compilers", ["grace"]),  # headline
        ("mathematics", ["ada"]),  # tag; the invited member stays hidden
        ("Machine Learning", ["linus"]),  # tag, as typed in plain words
        ("c++", ["linus"]),
        ("  poetry ", ["ada"]),
        ("nobody-like-this", []),
    ],
)
def test_search_finds_people_by_name_handle_headline_or_tag(people, query, found):
    assert search(query) == (found, len(found))


@pytest.mark.parametrize("query", ["%", "_", "a%e", "\\"])
def test_wildcard_characters_are_searched_literally(people, query):
    assert search(query) == ([], 0)


def test_cards_show_a_few_expertise_tags(people):
    with unit_of_work() as s:
        (card,), _ = browse(s, query="ada")
    assert (card.display_name, card.tags) == ("Ada Lovelace", ["mathematics", "poetry"])


def test_results_come_in_pages_with_the_total(engine):
    for i in range(PAGE_SIZE + 5):
        add_member(f"member{i:02d}", days=i)
    first, total = search(page=1)
    second, _ = search(page=2)
    assert total == PAGE_SIZE + 5
    assert len(first) == PAGE_SIZE and first[0] == f"member{PAGE_SIZE + 4:02d}"
    assert second == ["member04", "member03", "member02", "member01", "member00"]
    assert search(page=3) == ([], PAGE_SIZE + 5)


@pytest.mark.parametrize(
    "query,page,message",
    [
        ("x" * 81, 1, "at most 80 characters"),
        (None, 1, "at most 80 characters"),
        (["ada"], 1, "at most 80 characters"),
        ("", 0, "whole number from 1"),
        ("", "2", "whole number from 1"),
        ("", True, "whole number from 1"),
        ("", 1.5, "whole number from 1"),
        ("", 10_001, "whole number from 1"),
    ],
)
def test_bad_search_input_is_refused(engine, query, page, message):
    with pytest.raises(InvalidInput, match=message):
        search(query, page)


# --------------------------------------------------------------------------- matches


def test_matches_rank_by_shared_tags_and_skip_me_and_invited_members(engine):
    me = add_member("me", give="sales", get="seo, fundraising, hiring")
    add_member("one", give="seo")
    add_member("three", give="hiring, seo, fundraising, design")
    add_member("two", give="fundraising, hiring")
    add_member("ghost", status="invited", give="seo, fundraising, hiring")
    add_member("other", give="sales", get="design")
    with unit_of_work() as s:
        found = matches(s, member_id=me, mine="get", theirs="give")
    assert [(c.handle, sorted(c.shared)) for c in found] == [
        ("three", ["fundraising", "hiring", "seo"]),
        ("two", ["fundraising", "hiring"]),
        ("one", ["seo"]),
    ]


def test_matches_work_the_other_way_round_and_respect_the_limit(engine):
    me = add_member("me", give="seo, sales")
    for handle in ("ann", "ben", "cat"):
        add_member(handle, get="seo")
    add_member("dan", get="seo, sales")
    with unit_of_work() as s:
        found = matches(s, member_id=me, mine="give", theirs="get", limit=2)
    assert [c.handle for c in found] == ["dan", "ann"]  # ties: who joined first


def test_a_member_without_tags_has_no_matches(engine):
    me = add_member("me")
    add_member("ann", give="seo")
    with unit_of_work() as s:
        assert matches(s, member_id=me, mine="get", theirs="give") == []


def test_people_i_could_help_show_the_need_that_matched_not_their_expertise(ada):
    """The dashboard's "People you could help": Ann knows design and needs
    SEO; I know SEO. Her card says what she needs, not what she knows."""
    from marketplace.states.people import DashboardState
    from tests.integration.test_state_security import state_of

    with unit_of_work() as s:
        form = {"display_name": "Ada", "give": "seo, sales"}
        update_profile(s, actor_id=ada.member_id, member_id=ada.member_id, form=form)
    add_member("ann", give="design, figma", get="hiring, seo")
    page = state_of(DashboardState, ada.token)
    list(DashboardState.load.fn(page))
    [ann] = page.i_can_help
    assert (ann.shared_label, ann.shared) == ("Needs", ["seo"])
    assert ann.tags == ["seo", "hiring"]  # the matched need first, no design
    assert page.i_can_help_count == 1
