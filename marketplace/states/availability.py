"""When I take calls (/settings/availability): weekly hours in my time zone,
buffer, notice, horizon, cancellation policy, meeting link, days off, and a
private calendar link for Google/Apple/Outlook.

The page posts one uncontrolled form; `_schedule_form` turns it into the
shape calls.save_availability checks (it refuses everything, and writes
nothing, on the first bad field). Days off are kept in the state between
"Block this day" and Save, and checked again by the service.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from marketplace.db import read_only
from marketplace.domain.errors import InvalidInput
from marketplace.domain.scheduling import (
    MAX_BLOCKED_DAYS,
    WEEKDAYS,
    WINDOWS_A_DAY,
    Schedule,
    clock_label,
    describe,
)
from marketplace.market import calendar_feed, calls
from marketplace.states.session import SessionState, SignedIn, member_only

PREVIEW_SLOTS = 6
WINDOWS_SHOWN = WINDOWS_A_DAY  # per day on the form


@dataclass(frozen=True)
class DayHours:
    """One weekday's row of the form, as its inputs start."""

    weekday: int
    name: str
    on: bool
    start1: str
    end1: str
    start2: str
    end2: str


def day_rows(schedule: Schedule) -> list[DayHours]:
    rows = []
    for weekday, name in enumerate(WEEKDAYS):
        mine = [w for w in schedule.windows if w.weekday == weekday]
        hours = [(clock_label(w.start), clock_label(w.end)) for w in mine]
        hours += [("", "")] * (WINDOWS_SHOWN - len(hours))
        (start1, end1), (start2, end2) = hours[:WINDOWS_SHOWN]
        rows.append(
            DayHours(
                weekday,
                name,
                bool(mine),
                start1 or "09:00",
                end1 or "17:00",
                start2,
                end2,
            )
        )
    return rows


def _text(form: dict, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _windows(form: dict) -> list[dict]:
    """The ticked days' windows; a second window counts once both of its
    times are given."""
    windows = []
    for weekday, name in enumerate(WEEKDAYS):
        if not form.get(f"on-{weekday}"):
            continue
        for row in range(1, WINDOWS_SHOWN + 1):
            start = _text(form, f"start-{weekday}-{row}")
            end = _text(form, f"end-{weekday}-{row}")
            if row > 1 and not start and not end:
                continue
            if not start or not end:
                raise InvalidInput(
                    f"{name}: give both a start and an end time.", "windows"
                )
            windows.append({"weekday": weekday, "start": start, "end": end})
    return windows


def _schedule_form(form: dict, blocked: list[str]) -> dict:
    return {
        "timezone": _text(form, "timezone"),
        "windows": _windows(form),
        "buffer_minutes": _text(form, "buffer_minutes"),
        "min_notice_hours": _text(form, "min_notice_hours"),
        "horizon_days": _text(form, "horizon_days"),
        "cancel_free_hours": _text(form, "cancel_free_hours"),
        "blocked_days": list(blocked),
        "meeting_link": _text(form, "meeting_link"),
    }


class AvailabilityState(SessionState):
    timezone: str = "UTC"
    days: list[DayHours] = []
    numbers: dict[str, str] = {}
    meeting_link: str = ""
    blocked: list[str] = []  # ISO dates, saved with the form
    new_block: str = ""
    summary: str = ""  # "Mon 09:00–12:00 (Europe/Berlin)"
    preview: list[str] = []  # the next free 30-minute slots, once saved
    form_error: str = ""
    form_version: int = 0  # remounts the form so defaults apply after a load
    feed_on: bool = False
    feed_link: str = ""  # shown once, right after it is made
    feed_error: str = ""

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.form_error = self.feed_error = self.feed_link = ""
        self.new_block = ""
        self._refresh(member.id)

    def _refresh(self, member_id: int) -> None:
        with read_only() as session:
            saved = calls.schedule_of(session, member_id)
            schedule = saved or calls.default_schedule(session, member_id)
            starts = calls.open_slots(
                session, helper_id=member_id, minutes=30, limit=PREVIEW_SLOTS
            )
            self.feed_on = calendar_feed.has_feed(session, member_id)
        self.timezone = schedule.timezone
        self.days = day_rows(schedule)
        self.numbers = {
            "buffer_minutes": str(schedule.buffer_minutes),
            "min_notice_hours": str(schedule.min_notice_hours),
            "horizon_days": str(schedule.horizon_days),
            "cancel_free_hours": str(schedule.cancel_free_hours),
        }
        self.meeting_link = schedule.meeting_link
        self.blocked = sorted(day.isoformat() for day in schedule.blocked_days)
        self.summary = describe(schedule) if saved else ""
        self.preview = [calls.slot_label(s, schedule.timezone) for s in starts]
        self.form_version += 1

    # The draft's own edits: nothing is written until `save`, but they are
    # a member's page all the same, so a guest's call goes to log in.
    @rx.event
    @member_only
    def set_new_block(self, member: SignedIn, value: str):
        self.new_block = value[:10] if isinstance(value, str) else ""

    @rx.event
    @member_only
    def block_day(self, member: SignedIn):
        """Add the chosen date to the days off shown; Save checks and keeps it."""
        day = self.new_block.strip()
        if not day:
            self.form_error = "Choose a date to block first."
            return rx.toast.error(self.form_error)
        if day in self.blocked:
            return None
        if len(self.blocked) >= MAX_BLOCKED_DAYS:
            self.form_error = f"At most {MAX_BLOCKED_DAYS} blocked days."
            return rx.toast.error(self.form_error)
        self.blocked = sorted([*self.blocked, day[:10]])
        self.new_block, self.form_error = "", ""
        return None

    @rx.event
    @member_only
    def unblock_day(self, member: SignedIn, day: str):
        self.blocked = [d for d in self.blocked if d != day]

    @rx.event
    def save(self, form: dict):
        """Replace my hours with the form's, all or nothing."""
        if not isinstance(form, dict):
            self.form_error = "The availability form is malformed."
            return rx.toast.error(self.form_error)
        blocked = list(self.blocked)

        def work(session, member_id):
            return calls.save_availability(
                session, actor_id=member_id, form=_schedule_form(form, blocked)
            )

        attempt = self._attempt(work, "form_error")  # a bad form: nothing kept
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        return rx.toast.success("Your hours are saved.")

    @rx.event
    def make_feed_link(self):
        """A new private calendar link (any older one stops working)."""
        attempt = self._attempt(
            lambda session, me: calendar_feed.new_feed_link(session, actor_id=me),
            "feed_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self.feed_link, self.feed_on = attempt.result, True
        return rx.toast.success("Your private calendar link is ready: copy it now.")

    @rx.event
    def revoke_feed_link(self):
        attempt = self._attempt(
            lambda session, me: calendar_feed.revoke_feed(session, actor_id=me),
            "feed_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self.feed_link, self.feed_on = "", False
        return rx.toast.success("Link revoked: calendars using it stop updating.")

    @rx.event
    @member_only
    def copy_feed_link(self, member: SignedIn):
        return [rx.set_clipboard(self.feed_link), rx.toast.success("Link copied.")]
