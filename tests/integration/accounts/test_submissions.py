"""A double click writes once: every form that creates something, sent twice
with the key the page showed it with, writes one thing, and the second answer
is the first one's. Someone else's key is refused and shows nothing of theirs.
SQLite and PostgreSQL."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.accounts import submissions
from marketplace.adapters.clock import FixedClock, system_clock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput
from marketplace.models import (
    Connection,
    Context,
    Engagement,
    EngagementEvent,
    Intro,
    Iou,
    IouEvent,
    LedgerTransfer,
    Listing,
    MemberGroup,
    Message,
    Notification,
    Review,
    Submission,
)
from marketplace.states.engagements import EngagementState
from marketplace.states.groups import GroupsState
from marketplace.states.ious import IousState
from marketplace.states.market import ListingFormState, ListingState
from marketplace.states.network import NetworkState
from marketplace.states.profile import PublicProfileState
from marketplace.states.session import FORM_KEY
from tests.integration.forms import posted, shown
from tests.integration.ious.test_ious import open_iou
from tests.integration.ledger.test_wallet import available
from tests.integration.market.test_engagements import act, post, propose
from tests.integration.network.test_connections import connected
from tests.integration.test_state_security import state_of
from tests.members import credit_limit

WRITTEN = (
    Listing,
    Engagement,
    EngagementEvent,
    Message,
    Review,
    Iou,
    IouEvent,
    Context,
    MemberGroup,
    Connection,
    Intro,
    Notification,
    LedgerTransfer,
)


def counts() -> dict[str, int]:
    with read_only() as s:
        return {
            model.__name__: s.exec(select(func.count()).select_from(model)).one()
            for model in WRITTEN
        }


def opened(answer) -> list[str]:
    """The pages a handler's answer sends the browser to."""
    return re.findall(r"'(/(?:market|engagements|groups)/[\w-]+)'", str(answer))


# ------------------------------------------------------------------- every form


@dataclass(frozen=True)
class CreateForm:
    """One create form: its state, handler and key name, what to set up
    first (returns the fields the page posts), and the error var."""

    state: type
    handler: str
    form: str
    error_var: str
    setup: Callable
    grows: str  # the table that gains exactly one row

    def __str__(self) -> str:
        return self.form


def a_listing(ada, bob, page):
    page.editing_id = 0
    return {
        "kind": "request",
        "title": "Review my SaaS pricing page",
        "terms": "karma",
        "price": "5",
        "capacity": "1",
        "audience": "public",
    }


def a_booking(ada, bob, page):
    return {"listing_id": post(bob), "note": "I can help"}


def confirmed_engagement(ada, bob) -> int:
    engagement = propose(ada, post(bob, price=2))
    act(bob, engagement, "accept")
    act(ada, engagement, "deliver")
    act(bob, engagement, "confirm")
    return engagement


def a_message(ada, bob, page):
    engagement = propose(ada, post(bob))
    return {"engagement_id": engagement, "body": "See you Friday"}


def a_review(ada, bob, page):
    return {"engagement_id": confirmed_engagement(ada, bob), "rating": "5"}


def an_iou(ada, bob, page):
    credit_limit(ada.member_id, 3)  # room to owe it
    return {"counterpart": "bob", "direction": "i_owe", "amount": "3"}


def a_settlement(ada, bob, page):
    credit_limit(bob.member_id, 8)
    owed = open_iou(ada, bob, 8)  # Bob owes Ada
    return {"iou_id": str(owed), "kind": "settled_help", "amount": "3"}


def a_context(ada, bob, page):
    return {
        "kind": "event",
        "title": "Northstar SaaS Summit",
        "tags": "event-marketing",
        "starts_on": (system_clock.now().date() + timedelta(days=60)).isoformat(),
    }


def a_group(ada, bob, page):
    return {"name": "SaaS marketers", "description": "Growth"}


def a_profile(handle: str):
    def on_profile(ada, bob, page):
        from marketplace.accounts import profiles

        with read_only() as s:
            page.profile = profiles.public_profile(s, handle)

    return on_profile


def a_connection(ada, bob, page):
    a_profile("bob")(ada, bob, page)
    return {"note": "Hi Bob", "confirm": "on"}  # nothing in common: confirmed


def an_intro(ada, bob, page):
    from tests.integration.ledger.test_wallet import member

    cyd = member("cyd")
    connected(ada, bob)
    connected(bob, cyd)
    a_profile("cyd")(ada, bob, page)
    return {"via": "bob", "message": "Bob says you know pricing."}


FORMS = [
    CreateForm(ListingFormState, "save", "listing", "form_error", a_listing, "Listing"),
    CreateForm(
        ListingState, "propose", "booking", "action_error", a_booking, "Engagement"
    ),
    CreateForm(
        EngagementState,
        "send_message",
        "message",
        "message_error",
        a_message,
        "Message",
    ),
    CreateForm(EngagementState, "review", "review", "review_error", a_review, "Review"),
    CreateForm(IousState, "propose", "iou", "propose_error", an_iou, "Iou"),
    CreateForm(
        IousState, "record", "settlement", "action_error", a_settlement, "IouEvent"
    ),
    CreateForm(
        NetworkState, "post_context", "context", "context_error", a_context, "Context"
    ),
    CreateForm(GroupsState, "create", "group", "groups_error", a_group, "MemberGroup"),
    CreateForm(
        PublicProfileState,
        "connect",
        "connect",
        "connect_error",
        a_connection,
        "Connection",
    ),
    CreateForm(
        PublicProfileState, "request_intro", "intro", "connect_error", an_intro, "Intro"
    ),
]


@pytest.mark.parametrize("create", FORMS, ids=str)
def test_a_form_sent_twice_writes_once_and_answers_alike(ada, bo, create):
    page = shown(state_of(create.state, ada.token), create.form)
    fields = posted(page, create.form, create.setup(ada, bo, page))
    before = counts()

    handler = getattr(create.state, create.handler).fn
    first = handler(page, fields)
    assert getattr(page, create.error_var) == ""
    after_first = counts()
    assert after_first[create.grows] == before[create.grows] + 1
    second = handler(page, fields)  # the double click

    assert getattr(page, create.error_var) == ""
    assert counts() == after_first
    assert opened(second) == opened(first)
    assert "success" in str(second)


def test_a_double_clicked_post_listing_leaves_one_listing(ada):
    page = state_of(ListingFormState, ada.token)
    ListingFormState.load_new.fn(page)
    form = posted(page, "listing", page.draft | {"title": "Pricing page review"})

    first = ListingFormState.save.fn(page, form)
    second = ListingFormState.save.fn(page, form)

    with read_only() as s:
        titles = s.exec(select(Listing.title)).all()
    assert titles == ["Pricing page review"]
    assert opened(first) == opened(second) == [f"/market/{_only(Listing)}"]


def test_the_next_form_shown_writes_a_new_thing(ada):
    page = state_of(ListingFormState, ada.token)
    ListingFormState.load_new.fn(page)
    first = page.form_keys["listing"]
    ListingFormState.save.fn(
        page, posted(page, "listing", page.draft | {"title": "Review my pricing page"})
    )
    assert page.form_keys["listing"] != first  # the page moved on
    ListingFormState.load_new.fn(page)
    ListingFormState.save.fn(
        page, posted(page, "listing", page.draft | {"title": "Teach me SQL joins"})
    )
    with read_only() as s:
        assert sorted(s.exec(select(Listing.title)).all()) == [
            "Review my pricing page",
            "Teach me SQL joins",
        ]


def test_a_refused_submit_leaves_the_key_for_the_corrected_form(ada):
    page = state_of(ListingFormState, ada.token)
    ListingFormState.load_new.fn(page)
    key = page.form_keys["listing"]
    ListingFormState.save.fn(page, posted(page, "listing", page.draft | {"title": ""}))
    assert page.form_error != ""
    assert page.form_keys["listing"] == key
    ListingFormState.save.fn(
        page, posted(page, "listing", page.draft | {"title": "Review my pricing page"})
    )
    assert page.form_error == ""
    assert _only(Listing) > 0


def _only(model) -> int:
    with read_only() as s:
        return s.exec(select(model.id)).one()


# -------------------------------------------------------------- whose key it is


def test_someone_elses_key_neither_writes_nor_shows_their_result(ada, bo):
    adas = state_of(ListingFormState, ada.token)
    ListingFormState.load_new.fn(adas)
    form = posted(adas, "listing", adas.draft | {"title": "Ada's private request"})
    ListingFormState.save.fn(adas, form)
    before = counts()

    bobs = state_of(ListingFormState, bo.token)
    ListingFormState.load_new.fn(bobs)
    answer = ListingFormState.save.fn(bobs, form)  # Ada's key, on Bob's socket

    assert bobs.form_error == submissions.STALE
    assert opened(answer) == []  # nothing of Ada's listing
    assert counts() == before


@pytest.mark.parametrize(
    "key", [None, "", "short", "x" * 65, 12345, ["k" * 32], "k" * 32]
)
def test_a_key_the_server_never_made_is_refused(ada, key):
    page = state_of(ListingFormState, ada.token)
    ListingFormState.load_new.fn(page)
    before = counts()
    ListingFormState.save.fn(
        page, page.draft | {"title": "Review my pricing page", FORM_KEY: key}
    )
    assert page.form_error == submissions.STALE
    assert counts() == before


def test_a_guest_resending_a_members_form_goes_to_log_in(ada):
    page = state_of(ListingFormState, ada.token)
    ListingFormState.load_new.fn(page)
    form = posted(page, "listing", page.draft | {"title": "Review my pricing page"})
    ListingFormState.save.fn(page, form)
    guest = state_of(ListingFormState, "")
    answer = ListingFormState.save.fn(guest, form)
    assert "login" in str(answer) and opened(answer) == []


# ------------------------------------------------------------------ the service


def test_two_submits_of_one_key_at_the_same_moment_write_once(ada):
    """Two transactions race with one key: the unique key makes the second
    wait for the first and return its result."""
    key = submissions.new_key()
    made, answers = [], []
    start = threading.Barrier(2)

    def write() -> int:
        made.append(1)
        time.sleep(0.2)  # widen the window in which both are in flight
        return 42

    def submit() -> None:
        start.wait()
        with unit_of_work() as s:
            answers.append(
                submissions.once(
                    s,
                    member_id=ada.member_id,
                    form="listing",
                    key=key,
                    issued=key,
                    write=write,
                )
            )

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 1
    assert sorted((a.ref, a.replayed) for a in answers) == [
        ("42", False),
        ("42", True),
    ]


def test_old_submissions_are_forgotten_by_the_sweep(ada):
    now = system_clock.now()
    key = submissions.new_key()
    with unit_of_work() as s:
        submissions.once(
            s,
            member_id=ada.member_id,
            form="listing",
            key=key,
            issued=key,
            write=lambda: 1,
            clock=FixedClock(now - timedelta(days=3)),
        )
    with unit_of_work() as s:
        assert submissions.forget_old_submissions(s) == 1
        assert s.exec(select(Submission)).all() == []


def test_the_service_refuses_an_unissued_fresh_key(ada):
    with unit_of_work() as s, pytest.raises(InvalidInput, match="out of date"):
        submissions.once(
            s,
            member_id=ada.member_id,
            form="listing",
            key=submissions.new_key(),
            issued=submissions.new_key(),
            write=lambda: 1,
        )


# ---------------------------------------------------- moves already made succeed


def test_a_double_clicked_confirm_shows_success_and_pays_once(ada, bo):
    engagement = propose(ada, post(bo, price=4))  # Bob asks, Ada helps
    act(bo, engagement, "accept")
    act(ada, engagement, "deliver")
    page = state_of(EngagementState, bo.token)
    confirm = {"engagement_id": engagement, "action": "confirm"}

    first = EngagementState.act.fn(page, confirm)
    transfers = counts()["LedgerTransfer"]
    second = EngagementState.act.fn(page, confirm)

    assert page.action_error == ""
    assert "success" in str(first) and "success" in str(second)
    assert counts()["LedgerTransfer"] == transfers
    assert (available(ada.member_id), available(bo.member_id)) == (4, -4)


@pytest.mark.parametrize(
    ("moves", "again", "by"),
    [
        ([("bob", "accept")], "accept", "bob"),
        ([("bob", "decline")], "decline", "bob"),
        ([("ada", "cancel")], "cancel", "ada"),
        ([("bob", "accept"), ("ada", "deliver")], "deliver", "ada"),
    ],
)
def test_a_move_made_twice_succeeds_once(ada, bo, moves, again, by):
    people = {"ada": ada, "bob": bo}
    engagement = propose(ada, post(bo, price=2))
    for who, action in moves:
        act(people[who], engagement, action)
    with read_only() as s:
        events = s.exec(select(func.count()).select_from(EngagementEvent)).one()
    act(people[by], engagement, again)
    with read_only() as s:
        assert s.exec(select(func.count()).select_from(EngagementEvent)).one() == events


def test_a_move_the_other_party_may_not_make_is_still_refused(ada, bo):
    engagement = propose(ada, post(bo, price=2))
    act(bo, engagement, "accept")
    act(ada, engagement, "deliver")
    act(bo, engagement, "confirm")
    page = state_of(EngagementState, ada.token)  # the helper can't confirm
    EngagementState.act.fn(page, {"engagement_id": engagement, "action": "confirm"})
    assert page.action_error.startswith("This engagement is confirmed")
