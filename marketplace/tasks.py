"""Background work the app runs while it is up: releasing expired holds and
clearing IOU debt around cycles.

Each sweep is one short transaction and safe to repeat or to run on several
workers at once (an expiry is keyed by its hold, so two sweeps write it once).
"""

from __future__ import annotations

import asyncio
import logging

from marketplace.db import unit_of_work
from marketplace.services import clearing, ious, ledger
from marketplace.settings import get_settings

log = logging.getLogger(__name__)


def sweep_expired_holds() -> int:
    with unit_of_work() as session:
        return ledger.expire_holds(session)


async def expire_holds_forever() -> None:
    """Lifespan task: sweep every `MARKETPLACE_SWEEP_SECONDS` (default 60)."""
    interval = get_settings().sweep_seconds
    while True:
        try:
            released = await asyncio.to_thread(sweep_expired_holds)
            if released:
                log.info("released %d expired holds", released)
        except Exception:  # a bad sweep must not stop the next one
            log.exception("hold expiry sweep failed")
        await asyncio.sleep(interval)


def clear_ious_once() -> int:
    """The daily IOU round: note gentle reminders on overdue IOUs, then clear."""
    with unit_of_work() as session:
        ious.remind_overdue(session)
        return clearing.run_clearing(session).total_cleared


async def clear_ious_forever() -> None:
    """Lifespan task: a multilateral clearing every `MARKETPLACE_CLEARING_HOURS`
    (default 24; 0 turns it off). The first run waits one interval."""
    hours = get_settings().clearing_hours
    while hours > 0:
        await asyncio.sleep(hours * 3600)
        try:
            cleared = await asyncio.to_thread(clear_ious_once)
            log.info("clearing removed %d points of IOU debt", cleared)
        except Exception:
            log.exception("IOU clearing failed")
