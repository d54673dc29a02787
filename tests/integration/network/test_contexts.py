"""Contexts: a member says what they are in the middle of; people within two
degrees whose expertise fits are nudged once it commits, and no longer once
it is closed. Bad input and other people's contexts are refused with nothing
written. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import func, select

from marketplace.accounts import profiles
from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import Conflict, InvalidInput, NotFound
from marketplace.models import Connection, Context, ContextTag
from marketplace.network import contexts, graph_index
from marketplace.network.contexts import dates_label

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
CLOCK = FixedClock(NOW)
SUMMIT = {
    "kind": "event",
    "title": "Northstar SaaS Summit 2027",
    "description": "1,500 SaaS founders in Toronto.",
    "tags": "Event Marketing, sponsorship-sales, SaaS",
    "starts_on": "2027-05-12",
    "ends_on": "2027-05-14",
}


@pytest.fixture(autouse=True)
def fresh_index(engine):
    graph_index.use_index(None)
    yield
    graph_index.use_index(None)


def connect(a, b) -> None:
    with unit_of_work() as s:
        s.add(
            Connection(
                requester_id=a.member_id,
                addressee_id=b.member_id,
                status="accepted",
                created_at=NOW - timedelta(days=30),
                responded_at=NOW - timedelta(days=30),
            )
        )


def expertise(member, *tags: str) -> None:
    with unit_of_work() as s:
        profiles.replace_tags(s, member.member_id, {"give": list(tags)})


def post(member, form=SUMMIT, clock=CLOCK) -> int:
    with unit_of_work() as s:
        return contexts.post_context(
            s, actor_id=member.member_id, form=form, clock=clock
        ).id


def close(member, context_id) -> str:
    with unit_of_work() as s:
        return contexts.close_context(
            s, actor_id=member.member_id, context_id=context_id, clock=CLOCK
        ).status


def nudged(member) -> list[tuple[int, int | None]]:
    """(context, via) of each context nudge the member gets."""
    return [
        (n.context_id, n.via_id)
        for n in graph_index.context_nudges(member.member_id, CLOCK)
    ]


def rows() -> tuple[int, int]:
    with read_only() as s:
        return (
            s.exec(select(func.count()).select_from(Context)).one(),
            s.exec(select(func.count()).select_from(ContextTag)).one(),
        )


@pytest.fixture
def chain(ada, bo, cy):
    """ada - bob - cyd; cyd knows event marketing, bob knows nothing useful."""
    connect(ada, bo)
    connect(bo, cy)
    expertise(cy, "event-marketing", "b2b-seo")
    expertise(bo, "python")
    return ada, bo, cy


# --------------------------------------------------------------------------- posting


def test_a_posted_context_nudges_people_within_two_degrees_whose_expertise_fits(
    chain,
):
    ada, bo, cy = chain
    graph_index.index()  # loaded before: the post reaches it at commit
    summit = post(ada)
    assert nudged(cy) == [(summit, bo.member_id)]  # through bob, 2nd degree
    assert nudged(bo) == []  # close, but knows nothing that fits
    assert nudged(ada) == []  # never nudged about my own context
    (view,) = contexts_of(ada)
    assert (view.owner_name, view.owner_handle, view.kind_label) == (
        "Ada",
        "ada",
        "Organizing an event",
    )
    assert view.tags == ["event-marketing", "sponsorship-sales", "saas"]
    assert view.dates == "12–14 May 2027"
    assert view.sentence == "Ada is organizing Northstar SaaS Summit 2027"


def contexts_of(member, **options):
    with read_only() as s:
        return contexts.contexts_of(s, member.member_id, clock=CLOCK, **options)


def test_a_rolled_back_post_nudges_nobody(chain):
    ada, _bo, cy = chain
    graph_index.index()
    with pytest.raises(RuntimeError), unit_of_work() as s:
        contexts.post_context(s, actor_id=ada.member_id, form=SUMMIT, clock=CLOCK)
        raise RuntimeError("crash before commit")
    assert nudged(cy) == [] and rows() == (0, 0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "party"}, "kind"),
        ({"kind": None}, "kind"),
        ({"title": ""}, "title"),
        ({"title": "S" * 121}, "title"),
        ({"description": "d" * 2001}, "description"),
        ({"tags": ", ".join(f"tag-{n}" for n in range(9))}, "tags"),
        ({"starts_on": "2026-11-25"}, "starts_on"),  # yesterday
        ({"ends_on": "2025-01-01"}, "ends_on"),
        ({"starts_on": "2027-05-14", "ends_on": "2027-05-12"}, "ends_on"),
        ({"starts_on": "next spring"}, "starts_on"),
        ({"starts_on": "2030-01-01"}, "starts_on"),  # more than two years out
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(ada, change, field):
    with pytest.raises(InvalidInput) as refused:
        post(ada, SUMMIT | change)
    assert refused.value.field == field
    assert rows() == (0, 0)


def test_a_malformed_form_is_refused(ada):
    for form in (None, "event", ["event"]):
        with pytest.raises(InvalidInput):
            post(ada, form)
    assert rows() == (0, 0)


def test_today_is_not_the_past_and_undated_contexts_are_fine(ada):
    post(ada, SUMMIT | {"starts_on": "2026-11-26", "ends_on": ""})
    post(ada, {"kind": "looking", "title": "a B2B SEO agency", "tags": "b2b-seo"})
    dates = [view.dates for view in contexts_of(ada)]
    assert dates == ["", "from 26 Nov 2026"]  # newest first


def test_one_member_cannot_flood_everyone_with_contexts(ada):
    for n in range(contexts.MAX_OPEN_PER_MEMBER):
        post(ada, SUMMIT | {"title": f"Meetup {n}"})
    with pytest.raises(Conflict):
        post(ada, SUMMIT | {"title": "One more"})
    assert rows()[0] == contexts.MAX_OPEN_PER_MEMBER


# --------------------------------------------------------------------------- closing


def test_the_owner_closes_a_context_and_the_nudges_stop(chain):
    ada, _bo, cy = chain
    summit = post(ada)
    assert len(nudged(cy)) == 1
    assert close(ada, summit) == "closed"
    assert nudged(cy) == []
    assert contexts_of(ada) == []
    assert [v.status for v in contexts_of(ada, include_closed=True)] == ["closed"]
    assert close(ada, summit) == "closed"  # a second click is harmless
    graph_index.use_index(None)
    assert nudged(cy) == []  # and a fresh load agrees


def test_nobody_else_closes_my_context(chain):
    ada, bo, cy = chain
    summit = post(ada)
    with pytest.raises(NotFound):
        close(bo, summit)
    assert nudged(cy) == [(summit, bo.member_id)]
    assert [v.status for v in contexts_of(ada)] == ["open"]


@pytest.mark.parametrize("forged", [0, -1, 2**40, "abc", "1 OR 1=1", None, True, 1.5])
def test_forged_ids_name_nothing(ada, forged):
    post(ada)
    with pytest.raises(NotFound):
        close(ada, forged)


def test_an_unknown_id_is_not_found(ada):
    summit = post(ada)
    with pytest.raises(NotFound):
        close(ada, summit + 1000)


# --------------------------------------------------------------------------- reading


def test_my_network_shows_what_my_connections_are_up_to_newest_first(chain):
    ada, bo, cy = chain
    later = FixedClock(NOW + timedelta(hours=1))
    hiring = {"kind": "hiring", "title": "a data engineer", "tags": "python"}
    summit = post(ada)
    role = post(cy, hiring, clock=later)
    with read_only() as s:
        for_bob = contexts.recent_contexts_in_network(s, bo.member_id, clock=CLOCK)
        for_ada = contexts.recent_contexts_in_network(s, ada.member_id, clock=CLOCK)
        only_one = contexts.recent_contexts_in_network(s, bo.member_id, 1, clock=CLOCK)
    assert [v.id for v in for_bob] == [role, summit]
    assert [(v.owner_handle, v.kind_label) for v in for_bob] == [
        ("cyd", "Hiring"),
        ("ada", "Organizing an event"),
    ]
    assert for_ada == []  # cyd is 2nd degree; my own context is not news to me
    assert [v.id for v in only_one] == [role]


def test_closed_and_finished_contexts_drop_out_of_the_network(chain):
    ada, bo, _cy = chain
    summit = post(ada)
    soon = post(ada, SUMMIT | {"title": "Dinner", "starts_on": "", "ends_on": ""})
    close(ada, soon)
    after = FixedClock(datetime(2027, 5, 15, tzinfo=UTC))
    with read_only() as s:
        now = contexts.recent_contexts_in_network(s, bo.member_id, clock=CLOCK)
        later = contexts.recent_contexts_in_network(s, bo.member_id, clock=after)
    assert [v.id for v in now] == [summit]
    assert later == []


def test_a_bad_limit_is_refused(ada):
    with read_only() as s, pytest.raises(InvalidInput):
        contexts.recent_contexts_in_network(s, ada.member_id, 0)


def test_dates_read_the_way_people_write_them():
    may12, may14 = date(2027, 5, 12), date(2027, 5, 14)
    assert dates_label(None, None) == ""
    assert dates_label(may12, None) == "from 12 May 2027"
    assert dates_label(None, may14) == "until 14 May 2027"
    assert dates_label(may12, may12) == "12 May 2027"
    assert dates_label(may12, may14) == "12–14 May 2027"
    assert dates_label(date(2027, 5, 30), date(2027, 6, 2)) == "30 May – 2 Jun 2027"
    assert dates_label(date(2027, 12, 30), date(2028, 1, 2)) == (
        "30 Dec 2027 – 2 Jan 2028"
    )
