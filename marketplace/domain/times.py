"""Moments as a member reads them: in the time zone of their profile.

Every moment is stored in UTC (adapters/clock.py). A member in Toronto who
reads "14:05 UTC" must do sums; one who reads "10:05 EDT" need not. A zone the
profile doesn't name, or that this machine doesn't know, reads as UTC, which
the label then says.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "UTC"
DATE = "%d %b %Y"
DATE_TIME = "%d %b %Y, %H:%M"


@lru_cache(maxsize=256)
def zone(name: object) -> ZoneInfo:
    """The zone named on a profile, or UTC when it names none we know."""
    if not isinstance(name, str) or not name:
        return ZoneInfo(DEFAULT_ZONE)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_ZONE)


def local(moment: datetime, zone_name: object) -> datetime:
    """`moment` on the member's clock; a naive moment is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(zone_name))


def local_date(moment: datetime, zone_name: object) -> str:
    """'03 May 2026': the day it was where the member is."""
    return local(moment, zone_name).strftime(DATE)


def local_time(moment: datetime, zone_name: object) -> str:
    """'03 May 2026, 10:05 EDT': the hour, with the zone's short name so the
    reader knows which clock it is on."""
    at = local(moment, zone_name)
    return f"{at.strftime(DATE_TIME)} {at.tzname()}"


def month_start(moment: datetime) -> datetime:
    """The first instant of the UTC calendar month `moment` falls in: where
    monthly caps and the ledger audit's "this month" start counting."""
    at = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return at.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
