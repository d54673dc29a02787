"""Injectable time. Every datetime is timezone-aware UTC (SQLModel's UTCDateTime
stores it as timestamptz on PostgreSQL and returns UTC on SQLite too); tests pass
a `FixedClock` to move time without sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told to move."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta


system_clock = SystemClock()
