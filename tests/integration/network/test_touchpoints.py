"""Logging the conversations that happen elsewhere: what a logged coffee does
to a relationship's strength (between connected members only, once a day),
how it clears a going-cold reminder, keep-in-touch reminders for private
contacts, and that nobody reaches what another member logged. On SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import func, select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput, NotFound, TooManyAttempts
from marketplace.domain.strength import WEIGHTS, Kind, decayed
from marketplace.models import Connection, Contact, ContactAddress, Interaction
from marketplace.models import LoggedInteraction as Logged
from marketplace.network import graph_index, interactions, nudges, touchpoints
from tests.integration.network.test_graph_index import add_members, connect

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
CLOCK = FixedClock(NOW)


@pytest.fixture(autouse=True)
def fresh_index(engine):
    graph_index.use_index(None)
    yield
    graph_index.use_index(None)


def add_contact(owner: int, name: str, *, email: str = "", key: str = "") -> int:
    """A contact as the importer would leave it (inserted directly)."""
    with unit_of_work() as s:
        row = Contact(
            owner_id=owner,
            name=name,
            company="Acme",
            position="CTO",
            source="manual",
            source_key=key or f"test:{name}",
            created_at=NOW - 400 * DAY,
            updated_at=NOW - 400 * DAY,
        )
        s.add(row)
        s.flush()
        if email:
            s.add(
                ContactAddress(
                    contact_id=row.id, owner_id=owner, kind="email", value=email
                )
            )
        return row.id


def log(actor: int, clock=CLOCK, **kw):
    kw = {"kind": "coffee", "happened_on": TODAY} | kw
    with unit_of_work() as s:
        return touchpoints.log_conversation(s, actor_id=actor, clock=clock, **kw).id


def warmth(a: int, b: int) -> float:
    """The pair's warmth now (the cache decayed from its moment to NOW)."""
    with read_only() as s:
        row = s.exec(
            select(Connection).where(
                ((Connection.requester_id == a) & (Connection.addressee_id == b))
                | ((Connection.requester_id == b) & (Connection.addressee_id == a))
            )
        ).first()
        return decayed(row.warmth, row.warmth_at, NOW) if row else 0.0


def logs() -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(Logged)).one()


def interaction_rows() -> int:
    with read_only() as s:
        return s.exec(select(func.count()).select_from(Interaction)).one()


# --------------------------------------------------------------------------- strength


def test_a_logged_coffee_with_a_connection_warms_it_by_a_quarter_of_help(engine):
    ada, bob = add_members("ada", "bob")
    connect(ada, bob)
    log(ada, member_id=bob, note="Talked about her seed round")
    assert warmth(ada, bob) == pytest.approx(WEIGHTS[Kind.LOGGED])
    assert WEIGHTS[Kind.LOGGED] < WEIGHTS[Kind.ENGAGEMENT] / 3
    with read_only() as s:
        kinds = s.exec(select(Interaction.kind, Interaction.ref)).all()
    assert kinds == [("logged", f"logged:{_only_log_id()}")]


def _only_log_id() -> int:
    with read_only() as s:
        return s.exec(select(Logged.id)).one()


def test_a_conversation_logged_for_last_month_counts_as_decayed(engine):
    ada, bob = add_members("ada", "bob")
    connect(ada, bob)
    log(ada, member_id=bob, happened_on=(NOW - 90 * DAY).date().isoformat())
    # about one half-life ago: about half a fresh coffee
    assert warmth(ada, bob) == pytest.approx(WEIGHTS[Kind.LOGGED] / 2, rel=0.02)


def test_only_one_log_a_day_per_pair_counts_whoever_logs_it(engine):
    ada, bob = add_members("ada", "bob")
    connect(ada, bob)
    for _ in range(100):  # the strength farmer
        log(ada, member_id=bob)
    log(bob, member_id=ada)  # the same coffee, from Bob's side
    assert logs() == 101  # all kept, as asked
    assert warmth(ada, bob) == pytest.approx(WEIGHTS[Kind.LOGGED])
    assert interaction_rows() == 1
    log(ada, member_id=bob, happened_on=TODAY - DAY)  # another day counts
    assert interaction_rows() == 2


def test_a_stranger_logging_coffee_changes_nothing_anyone_else_sees(engine):
    mal, ada = add_members("mal", "ada")
    for days in range(30):
        log(mal, member_id=ada, happened_on=TODAY - days * DAY)
    assert logs() == 30
    assert interaction_rows() == 0
    # ... nor later: accepting a connection starts from the shared history,
    # and nothing of Mal's logs is in it
    with read_only() as s:
        assert interactions.warmth_between(s, mal, ada).value == 0.0
    # nor does a pending request or a declined one count
    connect(mal, ada, status="pending")
    log(mal, member_id=ada, happened_on=TODAY - 31 * DAY)
    assert warmth(mal, ada) == 0.0 and interaction_rows() == 0


def test_blocked_either_way_reads_as_no_such_member(engine):
    ada, bob, _cyd = add_members("ada", "bob", "cyd")
    connect(ada, bob, status="blocked")
    with unit_of_work() as s:
        s.exec(select(Connection)).one().blocked_by_id = bob
    for actor, other in ((ada, bob), (bob, ada)):
        with pytest.raises(NotFound, match="No such member"):
            log(actor, member_id=other)
    with pytest.raises(NotFound, match="No such member"):
        log(ada, member_id=ada)  # oneself
    with pytest.raises(NotFound, match="No such member"):
        log(ada, member_id=99999)
    log(ada, member_handle="@Cyd")  # a handle works too
    assert logs() == 1


def test_a_logged_coffee_clears_the_going_cold_reminder(engine):
    ada, eve = add_members("ada", "eve")
    connect(ada, eve, warmth=2.0, days=300)
    with read_only() as s:
        before = {n.key for n in nudges.feed(s, ada, clock=CLOCK)}
        assert [t.other_id for t in interactions.cold_ties(s, ada, CLOCK)] == [eve]
    assert f"reconnect:{eve}" in before
    log(ada, member_id=eve, note="Caught up over coffee")
    with read_only() as s:
        after = {n.key for n in nudges.feed(s, ada, clock=CLOCK)}
        assert interactions.cold_ties(s, ada, CLOCK) == []
    assert f"reconnect:{eve}" not in after
    assert warmth(ada, eve) > 2.0 * 0.5 ** (300 / 90)


# --------------------------------------------------------------------------- contacts


def test_logging_with_a_contact_warms_it_and_shows_last_talked(engine):
    (ada,) = add_members("ada")
    dana = add_contact(ada, "Dana Reyes", email="dana@example.org")
    log(ada, contact_id=dana, kind="call", note="Intro call")
    log(ada, contact_id=dana, kind="email")  # the same day: stored, not counted
    with read_only() as s:
        row = s.get(Contact, dana)
        assert row.warmth == pytest.approx(WEIGHTS[Kind.LOGGED])
        assert touchpoints.last_talked(row, CLOCK) == "Last talked recently"
        later = FixedClock(NOW + 95 * DAY)
        assert touchpoints.last_talked(row, later) == "Last talked 3 months ago"
        seen = touchpoints.interactions_with(s, actor_id=ada, contact_id=dana)
    assert [(v.kind_label, v.note) for v in seen] == [
        ("Email", ""),
        ("Call", "Intro call"),
    ]
    assert seen[0].happened_on == TODAY.isoformat()


def test_a_faded_contact_gets_a_keep_in_touch_reminder_for_its_owner_only(engine):
    ada, bob = add_members("ada", "bob")
    dana = add_contact(ada, "Dana Reyes")
    add_contact(ada, "Never Logged")  # an imported contact nobody talked to
    log(ada, contact_id=dana)
    soon, later = FixedClock(NOW + 20 * DAY), FixedClock(NOW + 80 * DAY)
    with read_only() as s:
        assert not _contact_nudges(nudges.feed(s, ada, clock=soon))
        due = _contact_nudges(nudges.feed(s, ada, clock=later))
        assert not _contact_nudges(nudges.feed(s, bob, clock=later))
        # the network page's going-cold list names it too, for Ada only
        listed = nudges.going_cold(s, ada, clock=later)
        assert [n.key for n in listed] == [f"contact:{dana}"]
        assert nudges.going_cold(s, bob, clock=later) == []
    assert [(n.key, n.text, n.link, n.person_id) for n in due] == [
        (f"contact:{dana}", "Keep in touch with Dana", f"/network/contacts/{dana}", 0)
    ]
    assert due[0].reason == "You last talked 3 months ago."
    with unit_of_work() as s:
        nudges.dismiss(s, member_id=ada, key=f"contact:{dana}", clock=later)
    with read_only() as s:
        assert not _contact_nudges(nudges.feed(s, ada, clock=later))
    log(bob, member_id=ada)  # nothing of Bob's reaches Ada's contacts


def _contact_nudges(feed) -> list:
    return [n for n in feed if n.key.startswith("contact:")]


def test_another_members_contact_reads_exactly_like_a_missing_one(engine):
    ada, mal = add_members("ada", "mal")
    dana = add_contact(ada, "Dana Reyes")
    for contact_id in (dana, 99999, 0, -1, True, "1", None):
        if contact_id is None:
            continue
        with pytest.raises(NotFound) as refused:
            log(mal, contact_id=contact_id)
        assert str(refused.value) == "Contact not found."
        with read_only() as s, pytest.raises(NotFound, match="Contact not found"):
            touchpoints.interactions_with(s, actor_id=mal, contact_id=contact_id)
    assert logs() == 0
    with read_only() as s:
        assert s.get(Contact, dana).warmth == 0.0


def test_what_i_logged_about_a_member_is_mine_alone(engine):
    ada, bob, cyd = add_members("ada", "bob", "cyd")
    log(ada, member_id=bob, note="Ada's private word")
    log(cyd, member_id=bob, note="Cyd's private word")
    with read_only() as s:
        mine = touchpoints.interactions_with(s, actor_id=ada, member_id=bob)
        bobs = touchpoints.interactions_with(s, actor_id=bob, member_id=ada)
    assert [v.note for v in mine] == ["Ada's private word"]
    assert bobs == []  # what Ada logged about Bob, Bob never sees


# --------------------------------------------------------------------------- input


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"kind": "lunch"}, "Choose what it was"),
        ({"kind": None}, "Choose what it was"),
        ({"happened_on": "tomorrow"}, "YYYY-MM-DD"),
        ({"happened_on": (TODAY + 2 * DAY).isoformat()}, "in the future"),
        ({"happened_on": date(2010, 1, 1)}, "more than ten years"),
        ({"happened_on": NOW}, "YYYY-MM-DD"),
        ({"happened_on": 20261126}, "YYYY-MM-DD"),
        ({"note": "x" * 2001}, "under 2000 characters"),
        ({"note": ["a"]}, "must be text"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(engine, kw, message):
    ada, bob = add_members("ada", "bob")
    with pytest.raises(InvalidInput, match=message):
        log(ada, member_id=bob, **kw)
    assert logs() == 0


def test_exactly_one_person_is_named(engine):
    ada, bob = add_members("ada", "bob")
    dana = add_contact(ada, "Dana")
    with pytest.raises(InvalidInput, match="one member or one contact"):
        log(ada)
    with pytest.raises(InvalidInput, match="one member or one contact"):
        log(ada, member_id=bob, contact_id=dana)


def test_today_is_the_actors_today(engine):
    """Late evening in UTC is already tomorrow in Sydney."""
    (ada,) = add_members("ada")
    dana = add_contact(ada, "Dana")
    with unit_of_work() as s:
        from marketplace.models import Member

        s.get(Member, ada).timezone = "Australia/Sydney"
    late = FixedClock(datetime(2026, 11, 26, 22, 0, tzinfo=UTC))
    log(ada, late, contact_id=dana, happened_on="2026-11-27")
    with pytest.raises(InvalidInput, match="future"):
        log(ada, late, contact_id=dana, happened_on="2026-11-28")


def test_a_script_can_not_fill_the_database(engine, monkeypatch):
    ada, bob = add_members("ada", "bob")
    monkeypatch.setattr(touchpoints, "LOGS_PER_DAY", 3)
    for _ in range(3):
        log(ada, member_id=bob)
    with pytest.raises(TooManyAttempts, match="3 in a day"):
        log(ada, member_id=bob)
    log(ada, FixedClock(NOW + 25 * HOUR), member_id=bob)  # a day later, fine
    assert logs() == 4
