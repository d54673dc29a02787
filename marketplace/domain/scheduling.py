"""Calls on a calendar: a helper's weekly availability and the slots it opens.

A helper says when they take calls in their own time zone -- "Mondays and
Wednesdays 09:00-12:00, 15 minutes between calls, at least a day's notice,
up to four weeks ahead" -- and blocks single days off. An offer with a
duration then shows the next free slots: every start in a window that
leaves room for the whole call, that keeps the buffer from every call
already booked, and that falls outside blocked days.

Rules are wall-clock times in the helper's zone, so a window reads the same
on both sides of a daylight-saving change: 09:00-12:00 stays 09:00-12:00
local even though its UTC hours move. A window that crosses the change is as
long as the day makes it (the spring gap shortens it, the autumn repeat
lengthens it), because slots are counted in real minutes, in UTC.

Slots travel as their UTC start in ISO form ("2027-03-29T07:00:00Z"): the
only thing a browser sends back, and never trusted until the service has
regenerated the free slots and found it among them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import phonenumbers

from marketplace.domain.errors import InvalidInput
from marketplace.domain.profiles import clean_timezone

WEEKDAYS = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
DURATIONS = (15, 30, 60)  # minutes a fixed-length call may take
HOURLY_DURATION = 60  # an hourly paid offer books whole hours
WINDOWS_A_DAY = 2  # "09:00-12:00 and 14:00-17:00": what the form offers
MAX_RULES = 7 * WINDOWS_A_DAY
GRANULARITY = 15  # rule edges fall on quarter hours
MAX_BUFFER = 120
MAX_NOTICE_HOURS = 14 * 24
MAX_HORIZON_DAYS = 90
MAX_CANCEL_FREE_HOURS = 7 * 24
MAX_BLOCKED_DAYS = 100
MAX_PROPOSED = 3  # slots a helper may propose when answering a request
# a call that started late isn't a no-show yet: either side may report one
# from this long after its start
NO_SHOW_GRACE = timedelta(minutes=10)
LINK_MAX = 300
_ISO_SLOT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|\+00:00)?$")


@dataclass(frozen=True, order=True)
class Window:
    """One weekly rule: `weekday` (0 is Monday) from `start` to `end`, in
    minutes after local midnight (end 1440 is the next midnight)."""

    weekday: int
    start: int
    end: int

    @property
    def label(self) -> str:
        hours = f"{clock_label(self.start)}–{clock_label(self.end)}"
        return f"{WEEKDAYS[self.weekday]} {hours}"


@dataclass(frozen=True)
class Schedule:
    """A helper's availability, checked."""

    timezone: str = "UTC"
    windows: tuple[Window, ...] = ()
    buffer_minutes: int = 0
    min_notice_hours: int = 24
    horizon_days: int = 28
    cancel_free_hours: int = 24
    blocked_days: frozenset[date] = field(default_factory=frozenset)
    meeting_link: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Busy:
    """A stretch of time already taken (a held or booked call)."""

    starts_at: datetime
    ends_at: datetime


def clock_label(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}" if minutes < 1440 else "24:00"


# --------------------------------------------------------------------------- checks


def check_schedule(form: dict, *, today: date) -> Schedule:
    """Every field of an availability form, or InvalidInput naming the first
    bad one. `windows` is a list of {weekday, start, end} ("09:00")."""
    if not isinstance(form, dict):
        raise InvalidInput("The availability form is malformed.")
    numbers = {
        name: _bounded(form.get(name), low, high, name, label)
        for name, (low, high, label) in NUMBERS.items()
    }
    return Schedule(
        timezone=check_zone(form.get("timezone")),
        windows=check_windows(form.get("windows")),
        blocked_days=check_blocked_days(form.get("blocked_days"), today),
        meeting_link=check_meeting_link(form.get("meeting_link")),
        **numbers,
    )


# field: (lowest, highest, label)
NUMBERS = {
    "buffer_minutes": (0, MAX_BUFFER, "Buffer between calls (minutes)"),
    "min_notice_hours": (0, MAX_NOTICE_HOURS, "Minimum notice (hours)"),
    "horizon_days": (1, MAX_HORIZON_DAYS, "How far ahead (days)"),
    "cancel_free_hours": (
        0,
        MAX_CANCEL_FREE_HOURS,
        "Free cancellation until (hours before)",
    ),
}


def check_zone(value: object) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput("Choose your time zone.", "timezone")
    try:
        return clean_timezone(value)
    except InvalidInput:
        shown = str(value)[:40] if isinstance(value, str) else "that"
        raise InvalidInput(
            f"There is no time zone called '{shown}'; pick one from the list, "
            "like Europe/Berlin.",
            "timezone",
        ) from None


def check_windows(value: object) -> tuple[Window, ...]:
    if value in (None, ""):
        return ()
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InvalidInput("The weekly hours are malformed.", "windows")
    if len(value) > MAX_RULES:
        raise InvalidInput(f"At most {MAX_RULES} weekly windows.", "windows")
    windows = sorted(_window(raw) for raw in value)
    for weekday in range(7):
        if sum(w.weekday == weekday for w in windows) > WINDOWS_A_DAY:
            raise InvalidInput(
                f"{WEEKDAYS[weekday]}: at most {WINDOWS_A_DAY} windows a day.",
                "windows",
            )
    for before, after in itertools.pairwise(windows):
        if before.weekday == after.weekday and after.start < before.end:
            raise InvalidInput(
                f"{before.label} overlaps {after.label}: join them or move one.",
                "windows",
            )
    return tuple(windows)


def _window(raw: dict) -> Window:
    weekday = raw.get("weekday")
    if isinstance(weekday, str) and weekday.isdigit():
        weekday = int(weekday)
    if (
        isinstance(weekday, bool)
        or not isinstance(weekday, int)
        or not 0 <= weekday <= 6
    ):
        raise InvalidInput(
            "A weekly window names a day from Monday to Sunday.", "windows"
        )
    start = parse_clock(raw.get("start"), "start")
    end = parse_clock(raw.get("end"), "end")
    if end <= start:
        day = WEEKDAYS[weekday]
        raise InvalidInput(
            f"{day}: the window must end after it starts "
            f"({clock_label(start)}–{clock_label(end)}).",
            "windows",
        )
    return Window(weekday, start, end)


def parse_clock(value: object, which: str) -> int:
    """'09:30' -> 570; '24:00' is the end of the day. Quarter hours only."""
    text = value.strip() if isinstance(value, str) else ""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match:
        raise InvalidInput(f"A window's {which} must be a time like 09:00.", "windows")
    hours, minutes = int(match[1]), int(match[2])
    total = hours * 60 + minutes
    if minutes >= 60 or total > 1440:
        raise InvalidInput(f"{text} isn't a time of day.", "windows")
    if minutes % GRANULARITY:
        raise InvalidInput(
            f"{text}: windows start and end on the quarter hour.", "windows"
        )
    return total


def _bounded(value: object, low: int, high: int, name: str, label: str) -> int:
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 6:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{label} must be a whole number.", name)
    if not low <= value <= high:
        raise InvalidInput(f"{label} must be between {low} and {high}.", name)
    return value


def check_blocked_days(value: object, today: date) -> frozenset[date]:
    if value in (None, ""):
        return frozenset()
    raw = value.replace("\n", ",").split(",") if isinstance(value, str) else value
    if not isinstance(raw, list | tuple):
        raise InvalidInput("Blocked days must be a list of dates.", "blocked_days")
    days = set()
    for item in raw:
        text = item.strip() if isinstance(item, str) else item
        if text in ("", None):
            continue
        try:
            day = text if isinstance(text, date) else date.fromisoformat(str(text))
        except ValueError:
            shown = str(text)[:20]
            raise InvalidInput(
                f"'{shown}' isn't a date like 2027-01-31.", "blocked_days"
            ) from None
        if day < today:
            continue  # a day off that has passed blocks nothing: let it go
        days.add(day)
    if len(days) > MAX_BLOCKED_DAYS:
        raise InvalidInput(f"At most {MAX_BLOCKED_DAYS} blocked days.", "blocked_days")
    return frozenset(days)


def check_meeting_link(value: object) -> str:
    """Where the call happens: an https video link, or a phone number (kept
    in E.164 so any phone dials it)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return ""
    if len(text) > LINK_MAX:
        raise InvalidInput(
            f"The meeting link is over {LINK_MAX} characters.", "meeting_link"
        )
    if re.fullmatch(r"https://[^\s<>\"']+\.[^\s<>\"']+", text):
        return text
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise InvalidInput(
        "Give a video link starting with https:// or a phone number with its "
        "country code, like +49 30 1234567.",
        "meeting_link",
    )


def check_duration(value: object) -> int | None:
    """A listing's call length: 15, 30 or 60 minutes, or none (no calendar)."""
    if value in (None, "", "0", 0, "none"):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or value not in DURATIONS:
        raise InvalidInput(
            "A call lasts 15, 30 or 60 minutes (or choose no call).", "duration"
        )
    return int(value)


def parse_slot(value: object) -> datetime:
    """A slot sent back by a page: its UTC start. Anything else is refused."""
    text = value.strip() if isinstance(value, str) else ""
    if not _ISO_SLOT.match(text):
        raise InvalidInput("Pick a time from the list.", "slot")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("Pick a time from the list.", "slot") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def slot_key(start: datetime) -> str:
    """The form value of a slot: its UTC start, to the minute."""
    return start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00Z")


# --------------------------------------------------------------------------- slots


def step_for(duration_minutes: int) -> int:
    """How far apart slot starts are: quarter hours for short calls, half
    hours otherwise (a 60-minute call can start at 09:30)."""
    return 15 if duration_minutes <= 15 else 30


def free_slots(
    schedule: Schedule,
    duration_minutes: int,
    *,
    busy: Iterable[Busy],
    now: datetime,
    limit: int = 200,
) -> list[datetime]:
    """The UTC starts of calls of `duration_minutes` the schedule can take,
    soonest first: inside a window, after the notice, within the horizon,
    off blocked days, and `buffer_minutes` clear of every busy stretch."""
    taken = sorted(busy, key=lambda b: b.starts_at)
    found: list[datetime] = []
    first = now.astimezone(schedule.zone).date()
    for offset in range(schedule.horizon_days + 1):
        day = first + timedelta(days=offset)
        for start in _day_candidates(schedule, duration_minutes, day):
            if _open(schedule, duration_minutes, start, taken, now):
                found.append(start)
                if len(found) >= limit:
                    return found
    return found


def is_free(
    schedule: Schedule,
    duration_minutes: int,
    start: datetime,
    *,
    busy: Iterable[Busy],
    now: datetime,
) -> bool:
    """Whether `start` is one of `free_slots(...)`, looking only at its own
    local day: what a booking checks under the lock."""
    day = start.astimezone(schedule.zone).date()
    ahead = (day - now.astimezone(schedule.zone).date()).days
    return (
        0 <= ahead <= schedule.horizon_days
        and start in _day_candidates(schedule, duration_minutes, day)
        and _open(schedule, duration_minutes, start, list(busy), now)
    )


def _open(
    schedule: Schedule, duration: int, start: datetime, taken: list[Busy], now
) -> bool:
    """Past the notice, and the buffer clear of every busy stretch."""
    if start < now + timedelta(hours=schedule.min_notice_hours):
        return False
    gap = timedelta(minutes=schedule.buffer_minutes)
    end = start + timedelta(minutes=duration)
    return not any(b.starts_at < end + gap and start < b.ends_at + gap for b in taken)


def _day_candidates(schedule: Schedule, duration: int, day: date) -> list[datetime]:
    """Every start the windows allow on one local day, in order."""
    if day in schedule.blocked_days:
        return []
    step = timedelta(minutes=step_for(duration))
    length = timedelta(minutes=duration)
    starts: list[datetime] = []
    for window in schedule.windows:
        if window.weekday != day.weekday():
            continue
        start, end = window_bounds(day, window, schedule.zone)
        while start + length <= end:
            starts.append(start)
            start += step
    return starts


def window_bounds(
    day: date, window: Window, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """A window on one local day, in UTC. Wall-clock edges that the
    daylight-saving change skips or repeats resolve as zoneinfo does (fold 0),
    so the window is as long as that day really makes it."""
    return _utc(day, window.start, zone), _utc(day, window.end, zone)


def _utc(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    if minutes >= 1440:
        day, minutes = day + timedelta(days=1), minutes - 1440
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return local.astimezone(UTC)


def is_late(starts_at: datetime, now: datetime, free_hours: int) -> bool:
    """Within the helper's cancellation window: too late to move or cancel
    for free."""
    return now > starts_at - timedelta(hours=free_hours)


def describe(schedule: Schedule) -> str:
    """'Mon 09:00–12:00, Wed 14:00–17:00 (Europe/Berlin)'."""
    if not schedule.windows:
        return "No weekly hours set"
    parts = [
        f"{WEEKDAYS[w.weekday][:3]} {clock_label(w.start)}–{clock_label(w.end)}"
        for w in schedule.windows
    ]
    return f"{', '.join(parts)} ({schedule.timezone})"
