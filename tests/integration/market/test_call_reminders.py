"""Reminders before a call and the sweep that lets passed proposals go
(both databases): a day and an hour before, each once however often or
however concurrently the sweep runs, by email only as each member's alert
choice says, again after a reschedule; no "tomorrow" reminder for a call
booked hours ahead."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from marketplace import tasks
from marketplace.db import read_only, unit_of_work
from marketplace.inbox import alerts
from marketplace.market import call_reminders, engagements
from marketplace.models import (
    BookedSlot,
    CallReminder,
    Engagement,
    MailOutbox,
    Notification,
)
from tests.integration.market.call_fixtures import (
    MONDAY,
    agreed_call,
    book,
    call_offer,
    clock_at,
    move,
)

WEDNESDAY_NINE = MONDAY + timedelta(days=2, hours=1)  # 49 hours ahead


def remind(clock) -> int:
    with unit_of_work() as s:
        return call_reminders.remind_due(s, clock)


def notes(who) -> list[str]:
    with read_only() as s:
        return list(
            s.exec(
                select(Notification.text)
                .where(
                    Notification.member_id == who.member_id,
                    Notification.kind == "reminder",
                )
                .order_by(Notification.id)
            ).all()
        )


def reminder_mails(who) -> int:
    with read_only() as s:
        return s.exec(
            select(func.count(MailOutbox.id)).where(
                MailOutbox.member_id == who.member_id, MailOutbox.kind == "reminder"
            )
        ).one()


def test_a_day_and_an_hour_before_both_are_reminded_once(ada, bo):
    clock = clock_at()
    agreed_call(ada, bo, clock, WEDNESDAY_NINE)
    clock.advance(timedelta(hours=24, minutes=59))  # Tue 08:59
    assert remind(clock) == 0
    clock.advance(timedelta(minutes=1))  # Tue 09:00: a day before
    assert remind(clock) == 1
    assert remind(clock) == 0  # the next minute's sweep
    assert notes(ada) == [
        "Reminder: your call “Review my SaaS pricing page” with Bob starts in "
        "24 hours, on Wed 2 Dec at 09:00 UTC."
    ]
    assert len(notes(bo)) == 1 and "with Ada" in notes(bo)[0]
    clock.advance(timedelta(hours=23))  # Wed 08:00: an hour before
    assert remind(clock) == 1
    assert remind(clock) == 0
    assert notes(ada)[1] == (
        "Reminder: your call “Review my SaaS pricing page” with Bob starts in "
        "1 hour, at 09:00 UTC."
    )
    clock.advance(timedelta(hours=2))  # it has started: nothing more
    assert remind(clock) == 0
    assert reminder_mails(ada) == reminder_mails(bo) == 2


def test_the_reminder_is_in_the_members_own_time(ada, bo):
    from marketplace.models import Member

    with unit_of_work() as s:
        s.get(Member, ada.member_id).timezone = "America/New_York"
    clock = clock_at()
    agreed_call(ada, bo, clock, WEDNESDAY_NINE)
    clock.advance(timedelta(days=1, hours=1))
    remind(clock)
    assert notes(ada)[0].endswith("on Wed 2 Dec at 04:00 EST.")


def test_never_means_the_inbox_only(ada, bo):
    with unit_of_work() as s:
        alerts.choose(s, actor_id=ada.member_id, kind="reminder", choice="never")
    clock = clock_at()
    agreed_call(ada, bo, clock, WEDNESDAY_NINE)
    clock.advance(timedelta(days=1, hours=1))
    assert remind(clock) == 1
    assert len(notes(ada)) == 1 and reminder_mails(ada) == 0
    assert reminder_mails(bo) == 1


def test_the_reminder_kind_is_a_choice_on_the_alerts_page(ada):
    assert alerts.BY_NAME["reminder"].default == alerts.IMMEDIATE
    assert alerts.alert_kind("reminder") == "reminder"
    with read_only() as s:
        assert alerts.choices_of(s, ada.member_id)["reminder"] == "immediate"


def test_a_call_booked_hours_ahead_gets_only_the_hour_reminder(ada, bo):
    clock = clock_at()
    agreed_call(ada, bo, clock, MONDAY + timedelta(hours=3))  # Mon 11:00
    assert remind(clock) == 0  # a day's reminder would be news to nobody
    clock.advance(timedelta(hours=2))  # Mon 10:00
    assert remind(clock) == 1
    assert "starts in 1 hour" in notes(ada)[0] and len(notes(ada)) == 1


def test_a_sweep_that_comes_back_late_sends_only_what_is_still_due(ada, bo):
    clock = clock_at()
    agreed_call(ada, bo, clock, WEDNESDAY_NINE)
    clock.advance(timedelta(days=2, minutes=30))  # Wed 08:30, nothing sent yet
    assert remind(clock) == 1
    assert ["1 hour" in n for n in notes(ada)] == [True]


def test_a_rescheduled_call_is_reminded_again(ada, bo):
    clock = clock_at()
    engagement_id = agreed_call(ada, bo, clock, WEDNESDAY_NINE)
    clock.advance(timedelta(days=1, hours=1))  # Tue 09:00
    assert remind(clock) == 1
    clock.advance(timedelta(minutes=30))
    move(bo, engagement_id, WEDNESDAY_NINE + timedelta(days=1), clock)  # Thu 09:00
    assert remind(clock) == 0
    clock.advance(timedelta(days=1) - timedelta(minutes=30))  # Wed 09:00
    assert remind(clock) == 1
    assert [n.split(", on ")[1] for n in notes(ada)] == [
        "Wed 2 Dec at 09:00 UTC.",
        "Thu 3 Dec at 09:00 UTC.",
    ]
    with read_only() as s:
        assert s.exec(select(func.count(CallReminder.id))).one() == 2


def test_two_workers_at_once_remind_once(ada, bo):
    clock = clock_at()
    agreed_call(ada, bo, clock, WEDNESDAY_NINE)
    clock.advance(timedelta(days=1, hours=1))
    start = threading.Barrier(4)
    counts: list[int] = []

    def worker() -> None:
        start.wait()
        counts.append(remind(clock))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(counts) == [0, 0, 0, 1]
    assert len(notes(ada)) == len(notes(bo)) == 1


def test_a_worker_that_loses_the_race_on_the_row_skips_it(ada, bo, engine, caplog):
    """The second sweep runs while the first has written the row but not
    committed: it waits on it, then finds it sent (SQLite: one writer at a
    time) or hits the unique row (PostgreSQL: both inserted, one commits)."""
    caplog.set_level("INFO", logger=call_reminders.__name__)
    clock = clock_at()
    agreed_call(ada, bo, clock, WEDNESDAY_NINE)
    clock.advance(timedelta(days=1, hours=1))
    second: list[int] = []
    waiting = threading.Thread(target=lambda: second.append(remind(clock)))
    with unit_of_work() as s:
        assert call_reminders.remind_due(s, clock) == 1
        waiting.start()
        time.sleep(0.5)  # it is waiting on our write now
    waiting.join(60)
    assert second == [0]
    assert len(notes(ada)) == 1
    if engine.dialect.name == "postgresql":
        assert "sent by another worker" in caplog.text


def test_a_cancelled_call_is_not_reminded(ada, bo):
    from tests.integration.market.call_fixtures import act

    clock = clock_at()
    engagement_id = agreed_call(ada, bo, clock, WEDNESDAY_NINE)
    act(ada, engagement_id, "cancel", clock)
    clock.advance(timedelta(days=1, hours=1))
    assert remind(clock) == 0


# --------------------------------------------------------------------------- expiry


def test_a_proposal_whose_time_passed_expires_and_frees_the_slot(ada, bo):
    clock = clock_at()
    engagement_id = book(ada, call_offer(bo, clock), clock, MONDAY + timedelta(hours=2))
    clock.advance(timedelta(hours=1))
    with unit_of_work() as s:
        assert engagements.expire_passed_calls(s, clock=clock) == 0  # not yet
    clock.advance(timedelta(hours=1))
    with unit_of_work() as s:
        assert engagements.expire_passed_calls(s, clock=clock) == 1
    with unit_of_work() as s:
        assert engagements.expire_passed_calls(s, clock=clock) == 0
    with read_only() as s:
        assert s.get(Engagement, engagement_id).status == "cancelled"
        held = s.exec(
            select(BookedSlot).where(BookedSlot.engagement_id == engagement_id)
        ).all()
        assert held == []


def test_the_minute_sweeps_run_reminders_and_expiry(ada, bo):
    """Through tasks.py with the real clock: this Monday is in the past, so
    the proposal's time has passed."""
    clock = clock_at()
    engagement_id = book(ada, call_offer(bo, clock), clock, MONDAY + timedelta(hours=2))
    names = [work.__name__ for work, _, _ in tasks.MINUTE_SWEEPS]
    assert "send_call_reminders" in names and "expire_passed_call_proposals" in names
    assert names.index("send_call_reminders") < names.index("send_alert_mails")
    assert tasks.expire_passed_call_proposals() == 1
    assert tasks.send_call_reminders() == 0
    with read_only() as s:
        assert s.get(Engagement, engagement_id).status == "cancelled"
