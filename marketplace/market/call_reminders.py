"""Reminders before a call: a day before and an hour before, in both
people's inboxes, and by email as each one's alert settings say
("Reminders before my calls").

Once per cluster, never twice: a reminder is first a `CallReminder` row,
unique per (engagement, lead, start). Whichever sweep writes it sends the
reminder in the same transaction; another worker's insert of the same row
fails on the unique constraint (PostgreSQL waits for the first to commit,
SQLite has one writer at a time) and that worker skips it. A rescheduled
call has a new start, so it is reminded again.

A reminder is for a call agreed some time before: a call booked three hours
ahead gets no "tomorrow" reminder (its invite just arrived), and one booked
a few minutes ahead none at all. A sweep that was down and comes back late
sends only the reminder still due: never "in 24 hours" an hour before.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from marketplace.accounts.members import timezone_of
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.engagements import Status
from marketplace.domain.times import local
from marketplace.inbox import notifications
from marketplace.models import CallReminder, Engagement, Listing, Member
from marketplace.routes import engagement as engagement_url

log = logging.getLogger(__name__)
KIND = "reminder"  # the notification's kind, and its alert's


@dataclass(frozen=True)
class Lead:
    name: str  # CallReminder.lead
    before: timedelta  # sent this long before the start
    words: str  # "starts in ..."
    # not sent for a call agreed less than this before the reminder's time
    settled: timedelta


LEADS = (
    Lead("24h", timedelta(hours=24), "in 24 hours", timedelta(hours=1)),
    Lead("1h", timedelta(hours=1), "in 1 hour", timedelta(minutes=15)),
)


def due_lead(engagement: Engagement, now: datetime) -> Lead | None:
    """The reminder due now for this call, if any: the nearest lead whose
    time has come (a missed earlier one is never sent late)."""
    starts = engagement.starts_at
    if starts is None or starts <= now:
        return None
    for lead in sorted(LEADS, key=lambda lead: lead.before):
        if now >= starts - lead.before:
            agreed = engagement.updated_at  # accepted or last moved
            return lead if agreed <= starts - lead.before - lead.settled else None
    return None


def remind_due(session: Session, clock: Clock = system_clock) -> int:
    """Send the reminders due now; returns how many calls were reminded.
    Safe to run on every worker at once, and to repeat."""
    now = clock.now()
    widest = max(lead.before for lead in LEADS)
    calls = session.exec(
        select(Engagement)
        .where(
            Engagement.status == Status.ACCEPTED,
            col(Engagement.starts_at) > now,
            col(Engagement.starts_at) <= now + widest,
        )
        .order_by(col(Engagement.starts_at))
    ).all()
    sent = 0
    for engagement in calls:
        lead = due_lead(engagement, now)
        if lead is not None and _claim(session, engagement, lead, now):
            _remind(session, engagement, lead, clock)
            sent += 1
    return sent


def _claim(session: Session, engagement: Engagement, lead: Lead, now) -> bool:
    """Write this reminder's row; False when it was sent already (or is
    being sent by another worker right now)."""
    done = session.exec(
        select(CallReminder.id).where(
            CallReminder.engagement_id == engagement.id,
            CallReminder.lead == lead.name,
            CallReminder.starts_at == engagement.starts_at,
        )
    ).first()
    if done is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                CallReminder(
                    engagement_id=engagement.id,
                    lead=lead.name,
                    starts_at=engagement.starts_at,
                    sent_at=now,
                )
            )
    except IntegrityError:
        log.info(
            "reminder %s of engagement %s: sent by another worker",
            lead.name,
            engagement.id,
        )
        return False
    return True


def _remind(session: Session, engagement: Engagement, lead: Lead, clock) -> None:
    title = session.get(Listing, engagement.listing_id).title
    pairs = (
        (engagement.asker_id, engagement.helper_id),
        (engagement.helper_id, engagement.asker_id),
    )
    for member_id, other_id in pairs:
        other = session.get(Member, other_id).display_name
        notifications.notify(
            session,
            member_id=member_id,
            kind=KIND,
            text=reminder_text(
                title,
                other,
                lead,
                engagement.starts_at,
                timezone_of(session, member_id),
            ),
            link=engagement_url(engagement.id),
            clock=clock,
            alert=KIND,
        )


def reminder_text(
    title: str, other: str, lead: Lead, starts_at: datetime, zone: str
) -> str:
    """'Reminder: your call “Pricing” with Bob starts in 1 hour, at 14:00 CET.'"""
    at = local(starts_at, zone)
    when = f"at {at:%H:%M} {at.tzname()}"
    if lead.before >= timedelta(hours=24):
        when = f"on {at:%a} {at.day} {at:%b} {when}"
    return f"Reminder: your call “{title}” with {other} starts {lead.words}, {when}."
