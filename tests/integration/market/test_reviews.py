"""Two-way reviews after the help is confirmed, and the reputation a profile
shows: reviews given and received, the rating with how many different people
gave it, and how fast a member answers. Every refused review writes nothing.
(What a review ring gets: test_reputation.py.) SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from reflex.istate.data import ReflexURL, RouterData
from sqlalchemy import func
from sqlmodel import select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.market import engagements, reviews
from marketplace.market.reviews import Reputation
from marketplace.models import Connection, Engagement, Member, Notification, Review
from marketplace.states.profile import PublicProfileState
from tests.integration.ledger.test_wallet import member
from tests.integration.market.test_engagements import act, post, propose
from tests.integration.test_state_security import state_of
from tests.members import trusted

START = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def confirmed(asker, helper, **listing) -> int:
    """The asker's request, answered by the helper, delivered and confirmed."""
    engagement = propose(helper, post(asker, terms="free", price=0, **listing))
    act(asker, engagement, "accept")
    act(helper, engagement, "deliver")
    act(asker, engagement, "confirm")
    return engagement


def review(actor, engagement_id, rating=5, body="Clear, kind and quick.", clock=None):
    extra = {"clock": clock} if clock else {}
    with unit_of_work() as s:
        return reviews.leave_review(
            s,
            actor_id=actor.member_id,
            engagement_id=engagement_id,
            rating=rating,
            body=body,
            **extra,
        )


def received(someone, viewer=None) -> list[reviews.ReviewView]:
    with read_only() as s:
        return reviews.reviews_received(
            s, someone.member_id, viewer_id=viewer.member_id if viewer else None
        )


def reputation(someone) -> Reputation:
    with read_only() as s:
        return reviews.reputation(s, someone.member_id)


def written():
    """Everything a refused review must leave alone."""
    with read_only() as s:
        return (
            s.exec(select(Review.id, Review.rating, Review.body)).all(),
            s.exec(select(func.count()).select_from(Notification)).one(),
        )


# ------------------------------------------------------------------------ two ways


def test_after_confirmation_each_side_reviews_the_other(ada, bo):
    engagement = confirmed(ada, bo)
    review(ada, engagement, 5, "Bob found three things to fix in an hour.")
    review(bo, engagement, 4, "Ada came prepared.")
    [for_bob] = received(bo)
    assert (for_bob.reviewer_name, for_bob.reviewer_handle) == ("Ada", "ada")
    assert (for_bob.rating, for_bob.body) == (
        5,
        "Bob found three things to fix in an hour.",
    )
    assert for_bob.listing_title == "Review my SaaS pricing page"
    assert [r.rating for r in received(ada)] == [4]


def test_a_review_is_dated_and_tells_the_person_reviewed(ada, bo):
    engagement = confirmed(ada, bo)
    review(ada, engagement, 4, clock=FixedClock(START))
    assert received(bo)[0].written == "26 Nov 2026"
    with read_only() as s:
        note = s.exec(select(Notification).where(Notification.kind == "review")).one()
    assert note.member_id == bo.member_id
    assert note.text == "Ada reviewed you: ★★★★☆"


def test_a_review_may_be_just_stars(ada, bo):
    review(ada, confirmed(ada, bo), 3, body="")
    assert (received(bo)[0].rating, received(bo)[0].body) == (3, "")


def test_a_dispute_resolved_by_an_operator_can_be_reviewed(ada, bo, cy):
    with unit_of_work() as s:
        s.get(Member, cy.member_id).is_operator = True
    engagement = propose(bo, post(ada, price=2))
    act(ada, engagement, "accept")
    act(bo, engagement, "deliver")
    act(ada, engagement, "dispute", note="Half of it was missing")
    with unit_of_work() as s:
        engagements.resolve_dispute(
            s, operator_id=cy.member_id, engagement_id=engagement, resolution="refund"
        )
    review(ada, engagement, 2, "Helpful in the end, after a mix-up.")
    assert [r.rating for r in received(bo)] == [2]


def test_newest_reviews_come_first(ada, bo):
    clock = FixedClock(START)
    for stars in (3, 5, 4):
        review(ada, confirmed(ada, bo), stars, clock=clock)
        clock.advance(timedelta(days=1))
    assert [r.rating for r in received(bo)] == [4, 5, 3]


# -------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "moves",
    [
        [],
        [("ada", "accept")],
        [("ada", "accept"), ("bo", "deliver")],
        [("ada", "decline")],
        [("bo", "cancel")],
        [("ada", "accept"), ("bo", "deliver"), ("ada", "dispute")],
    ],
)
def test_no_review_before_the_help_is_confirmed(ada, bo, moves):
    engagement = propose(bo, post(ada, terms="free", price=0))
    for who, action in moves:
        act({"ada": ada, "bo": bo}[who], engagement, action, note="Not as agreed")
    before = written()
    for reviewer in (ada, bo):
        with pytest.raises(Conflict, match="once the help is confirmed"):
            review(reviewer, engagement)
    assert written() == before


def test_a_second_review_of_the_same_help_is_refused(ada, bo):
    engagement = confirmed(ada, bo)
    review(ada, engagement, 5, "Great")
    before = written()
    with pytest.raises(Conflict, match="already reviewed"):
        review(ada, engagement, 1, "Changed my mind")
    assert written() == before
    assert [r.body for r in received(bo)] == ["Great"]


def test_another_engagement_with_the_same_person_can_be_reviewed_again(ada, bo):
    review(ada, confirmed(ada, bo), 5)
    review(ada, confirmed(ada, bo), 3)
    assert reputation(bo).received == 2


@pytest.mark.parametrize(
    "rating", [0, 6, -1, "five", "", None, True, False, 4.5, 5.0, "4.0", "٥", [5]]
)
def test_a_rating_that_is_not_one_to_five_whole_stars_is_refused(ada, bo, rating):
    engagement = confirmed(ada, bo)
    before = written()
    with pytest.raises(InvalidInput, match="from 1 to 5") as refused:
        review(ada, engagement, rating)
    assert refused.value.field == "rating"
    assert written() == before


@pytest.mark.parametrize("typed", ["1", " 3 ", "5"])
def test_a_rating_typed_as_digits_is_read(ada, bo, typed):
    review(ada, confirmed(ada, bo), typed)
    assert received(bo)[0].rating == int(typed)


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert('x')</script>",
        "Great! <img src=x onerror=alert(1)>",
        "<a href='https://evil.example'>more</a>",
        "see javascript:alert(1)",
        "x" * (reviews.REVIEW_MAX + 1),
        12345,
    ],
)
def test_markup_or_overlong_text_in_a_review_is_refused(ada, bo, body):
    engagement = confirmed(ada, bo)
    before = written()
    with pytest.raises(InvalidInput):
        review(ada, engagement, 5, body)
    assert written() == before


def test_plain_text_that_only_looks_odd_is_kept_as_written(ada, bo):
    review(ada, confirmed(ada, bo), 5, "I <3 how fast it was; 2 < 3 days.\nThanks!")
    assert received(bo)[0].body == "I <3 how fast it was; 2 < 3 days.\nThanks!"


@pytest.mark.parametrize("forged", [None, 0, -5, "1; --", True, 2**40, "abc"])
def test_a_forged_engagement_id_is_not_found(ada, bo, forged):
    confirmed(ada, bo)
    before = written()
    with pytest.raises(NotFound):
        review(ada, forged)
    assert written() == before


def test_a_third_member_cannot_review_someone_elses_help(ada, bo, cy):
    engagement = confirmed(ada, bo)
    before = written()
    with pytest.raises(NotFound):
        review(cy, engagement, 1, "Never worked with them, but...")
    assert written() == before
    assert reputation(bo).received == 0


# ------------------------------------------------------------ what a profile shows


def test_someone_new_has_no_reputation_yet(ada):
    assert reputation(ada) == Reputation(0, 0, "", "")
    assert received(ada) == []


def test_the_reputation_counts_reviews_given_and_received_and_averages_them(
    ada, bo, cy
):
    trusted(ada.member_id, cy.member_id)
    review(ada, confirmed(ada, bo), 5)
    review(cy, confirmed(cy, bo), 4)
    review(bo, confirmed(cy, bo), 4)
    rep = reputation(bo)
    # (2 * 4.0 + 5 + 4) / (2 + 1 + 1): two trusted people, each counted fully
    assert (rep.received, rep.given, rep.average) == (2, 1, "4.2")
    assert (rep.people, rep.from_people) == (2, "from 2 different people")
    assert rep.counts == "2 reviews received · 1 given"
    assert reputation(cy).counts == "1 review received · 1 given"
    assert reputation(ada).counts == "1 review given"
    assert reputation(ada).average == ""


def test_one_person_counts_once_per_window_with_their_newest_review(ada, bo):
    trusted(ada.member_id)
    first, later = START, START + timedelta(days=200)
    review(ada, confirmed(ada, bo), 5, clock=FixedClock(first))
    review(ada, confirmed(ada, bo), 2, clock=FixedClock(later))
    review(ada, confirmed(ada, bo), 5, clock=FixedClock(later + timedelta(hours=1)))
    rep = reputation(bo)
    # the 2 was followed within its window: (2 * 4.0 + 5 + 5) / (2 + 2)
    assert (rep.received, rep.average) == (3, "4.5")
    assert rep.from_people == "from 1 different person"


def test_response_time_is_the_median_time_to_answer_a_proposal(ada, bo, cy):
    clock = FixedClock(START)
    for hours, answer in ((3, "accept"), (1, "decline"), (2, "accept")):
        with unit_of_work() as s:
            engagement = engagements.propose(
                s, actor_id=bo.member_id, listing_id=post(ada), clock=clock
            ).id
        clock.advance(timedelta(hours=hours))
        act(ada, engagement, answer, clock=clock)
    assert reputation(ada).response_time == "within 2 hours"
    assert reputation(bo).response_time == ""  # bo proposed; he never answered


@pytest.mark.parametrize(
    ("wait", "shown"),
    [
        (timedelta(minutes=20), "within an hour"),
        (timedelta(hours=1), "within an hour"),
        (timedelta(hours=3), "within 3 hours"),
        (timedelta(hours=3, minutes=10), "within 4 hours"),
        (timedelta(hours=24), "within a day"),
        (timedelta(hours=30), "within 2 days"),
        (timedelta(days=3), "within 3 days"),
    ],
)
def test_response_time_reads_as_a_member_would_say_it(ada, bo, wait, shown):
    clock = FixedClock(START)
    with unit_of_work() as s:
        engagement = engagements.propose(
            s, actor_id=bo.member_id, listing_id=post(ada), clock=clock
        ).id
    clock.advance(wait)
    act(ada, engagement, "accept", clock=clock)
    assert reputation(ada).response_time == shown


def test_withdrawing_your_own_proposal_is_not_answering_one(ada, bo):
    clock = FixedClock(START)
    with unit_of_work() as s:
        engagement = engagements.propose(
            s, actor_id=bo.member_id, listing_id=post(ada), clock=clock
        ).id
    clock.advance(timedelta(minutes=5))
    act(bo, engagement, "cancel", clock=clock)
    assert reputation(bo).response_time == ""
    assert reputation(ada).response_time == ""


# ------------------------------------------------- a review does not leak a listing


def test_a_review_of_help_on_a_hidden_listing_hides_the_listings_title(ada, bo, cy):
    engagement = confirmed(ada, bo, audience="chosen", chosen="bob")
    review(ada, engagement, 5, "Thorough.")
    assert received(bo, viewer=bo)[0].listing_title == "Review my SaaS pricing page"
    assert received(bo, viewer=ada)[0].listing_title == "Review my SaaS pricing page"
    for stranger in (cy, None):
        [shown] = received(bo, viewer=stranger)
        assert shown.listing_title == reviews.PRIVATE_LISTING
        assert shown.listing_id == 0
        assert (shown.rating, shown.body) == (5, "Thorough.")  # the review is public


def test_a_connection_sees_the_title_of_a_network_listing(ada, bo, cy, engine):
    dee = member("dee")
    with unit_of_work() as s:
        for friend in (bo, cy):
            s.add(
                Connection(
                    requester_id=friend.member_id,
                    addressee_id=ada.member_id,
                    status="accepted",
                    created_at=START,
                )
            )
    engagement = confirmed(ada, bo, audience="network")
    review(ada, engagement, 4)
    [shown] = received(bo, viewer=cy)
    with read_only() as s:
        listing_id = s.get(Engagement, engagement).listing_id
    assert (shown.listing_title, shown.listing_id) == (
        "Review my SaaS pricing page",
        listing_id,
    )
    assert received(bo, viewer=dee)[0].listing_title == reviews.PRIVATE_LISTING


# ------------------------------------------------------------------ the profile page


def profile_page(handle: str, token: str = "") -> PublicProfileState:
    url = f"http://localhost:3000/people/{handle}"
    state = state_of(PublicProfileState, token, url=url)
    PublicProfileState.load.fn(state)
    return state


def test_the_profile_page_shows_the_reputation_and_the_reviews(ada, bo, cy):
    review(ada, confirmed(ada, bo), 5, "Sharp and generous.")
    review(bo, confirmed(cy, bo, audience="chosen", chosen="bob"), 3)  # bo gives one
    review(cy, confirmed(cy, bo, audience="chosen", chosen="bob"), 4)
    trusted(ada.member_id, cy.member_id)
    page = profile_page("bob", ada.token)
    assert (
        page.reputation.average,
        page.reputation.from_people,
        page.reputation.counts,
    ) == ("4.2", "from 2 different people", "2 reviews received · 1 given")
    assert [(r.reviewer_handle, r.rating) for r in page.reviews_received] == [
        ("cyd", 4),
        ("ada", 5),
    ]
    # Ada was not chosen for Cyd's listing, so she does not learn its title
    assert [r.listing_title for r in page.reviews_received] == [
        reviews.PRIVATE_LISTING,
        "Review my SaaS pricing page",
    ]
    assert profile_page("bob", cy.token).reviews_received[0].listing_title == (
        "Review my SaaS pricing page"
    )


def test_a_guest_sees_the_reviews_but_no_hidden_titles(ada, bo):
    review(ada, confirmed(ada, bo, audience="chosen", chosen="bob"), 4, "Good")
    page = profile_page("bob")
    assert page.reputation.received == 1
    assert page.reviews_received[0].listing_title == reviews.PRIVATE_LISTING


def test_a_profile_with_no_reviews_reads_as_new(ada):
    page = profile_page("ada")
    assert page.reputation == Reputation(0, 0, "", "") and page.reviews_received == []


def test_an_unknown_handle_shows_nothing_of_the_last_profile_seen(ada, bo):
    review(ada, confirmed(ada, bo), 5)
    page = profile_page("bob", ada.token)
    page.router = RouterData(url=ReflexURL("http://localhost:3000/people/nobody"))
    PublicProfileState.load.fn(page)
    assert page.not_found
    assert page.reputation.received == 0 and page.reviews_received == []
