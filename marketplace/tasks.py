"""Background work the app runs while it is up: releasing expired holds,
confirming quiet deliveries, letting vouches absorb defaults, letting call
proposals whose times passed go, reminding both people before a call,
clearing IOU debt around cycles, and the daily digest email.

Each sweep is one short transaction and safe to repeat or to run on several
workers at once (an expiry is keyed by its hold, so two sweeps write it once);
still, on PostgreSQL each round runs in one worker of the cluster only
(`cluster.once_per_cluster`), so several workers don't race for the same rows.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from marketplace.accounts import accounts, export, submissions, throttles
from marketplace.adapters import payments
from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.mailer import Mailer, SmtpMailer
from marketplace.cluster import once_per_cluster
from marketplace.db import read_only, unit_of_work
from marketplace.inbox import digest, outbox
from marketplace.ious import clearing, ious
from marketplace.ledger import card_payments, ledger, vouches
from marketplace.market import call_reminders, engagements
from marketplace.network import trust
from marketplace.settings import get_settings

log = logging.getLogger(__name__)


def sweep_expired_holds() -> int:
    with unit_of_work() as session:
        return ledger.expire_holds(session)


def confirm_quiet_deliveries() -> int:
    """Confirm deliveries the asker left unanswered past the quiet period;
    its own transaction, so a failure here never undoes a hold expiry."""
    with unit_of_work() as session:
        return engagements.auto_confirm_due(session)


def absorb_defaulted_vouches() -> int:
    """Stakes absorb the shortfall of vouchees below zero past the grace
    period; its own transaction, like every sweep."""
    with unit_of_work() as session:
        return vouches.absorb_defaults(session)


def secure_aging_cards() -> int:
    """Capture card authorizations before Stripe lets them lapse (7 days)."""
    if not payments.payments_available():
        return 0
    with unit_of_work() as session:
        return card_payments.secure_aging(session, system_clock)


def forget_old_login_attempts() -> int:
    """Keep the login throttle's table to the rows its rules still read."""
    with unit_of_work() as session:
        return accounts.forget_old_login_attempts(session)


def forget_old_submissions() -> int:
    """Form keys are replayed within seconds; after two days nobody will."""
    with unit_of_work() as session:
        return submissions.forget_old_submissions(session)


def forget_old_archives() -> int:
    """Data archives are kept `export_keep_hours`, then deleted."""
    return export.forget_old_archives()


def send_call_reminders() -> int:
    """Reminders a day and an hour before each agreed call; each is written
    once per cluster (its CallReminder row), so repeating sends nothing."""
    with unit_of_work() as session:
        return call_reminders.remind_due(session)


def expire_passed_call_proposals() -> int:
    """Proposals whose proposed call times all passed unanswered: their
    held slots go back to the helper's calendar."""
    with unit_of_work() as session:
        return engagements.expire_passed_calls(session)


def send_alert_mails(mailer: Mailer | None = None) -> int:
    """Immediate alert emails queued by committed events (inbox/outbox.py);
    each row is claimed by one worker, so the cluster sends each once."""
    mailer = mailer or SmtpMailer.from_settings()
    report = outbox.send_due(unit_of_work, mailer=mailer)
    if report.retrying or report.failed:
        log.warning(
            "alert mails: %d to retry, %d given up",
            len(report.retrying),
            len(report.failed),
        )
    return report.count


def forget_lapsed_throttles() -> int:
    """Database throttle counters whose hour has passed (none with Redis)."""
    with unit_of_work() as session:
        return throttles.forget_lapsed(session)


def recompute_trust_when_due() -> int:
    """Trust over the graph: daily, and soon after new ties (network/trust.py)."""
    with unit_of_work() as session:
        if not trust.due(session):
            return 0
        return trust.recompute(session).members


# Each minute's sweeps, in order: (the work, what a run did, what a failure is)
MINUTE_SWEEPS: tuple[tuple[Callable[[], int], str, str], ...] = (
    (sweep_expired_holds, "released %d expired holds", "hold expiry"),
    (confirm_quiet_deliveries, "auto-confirmed %d quiet deliveries", "auto-confirm"),
    (absorb_defaulted_vouches, "%d vouches absorbed a default", "vouch defaults"),
    (secure_aging_cards, "captured %d card payments into escrow", "card capture"),
    (forget_old_login_attempts, "forgot %d old login attempts", "login attempts"),
    (forget_old_submissions, "forgot %d old form submissions", "form keys"),
    (forget_old_archives, "deleted %d expired data archives", "data archives"),
    (expire_passed_call_proposals, "expired %d call proposals", "call expiry"),
    # before the alert mails, so a reminder's email leaves in the same round
    (send_call_reminders, "reminded %d calls", "call reminders"),
    (send_alert_mails, "sent %d alert emails", "alert mails"),
    (forget_lapsed_throttles, "forgot %d lapsed throttle counters", "throttles"),
    (recompute_trust_when_due, "scored the trust of %d members", "trust"),
)


async def expire_holds_forever() -> None:
    """Lifespan task: sweep every `MARKETPLACE_SWEEP_SECONDS` (default 60):
    expired holds, quiet deliveries, card authorizations about to lapse, then
    login attempts the throttle no longer reads.
    Each sweep is its own transaction, so one failing never undoes another."""
    interval = get_settings().sweep_seconds
    while True:
        for work, done, name in MINUTE_SWEEPS:
            try:
                count = await asyncio.to_thread(once_per_cluster, name, work, 0)
                if count:
                    log.info(done, count)
            except Exception:  # a bad sweep must not stop the next one
                log.exception("%s sweep failed", name)
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
            cleared = await asyncio.to_thread(
                once_per_cluster, "iou clearing", clear_ious_once, 0
            )
            log.info("clearing removed %d karma of IOU debt", cleared)
        except Exception:
            log.exception("IOU clearing failed")


def send_digests_once(
    *,
    clock: Clock = system_clock,
    mailer: Mailer | None = None,
    dry_run: bool = False,
    track: Callable[[list[int]], Iterable[int]] = iter,
) -> digest.DigestReport:
    """Every due digest, one short transaction per member, so a member's row
    is locked only while their own email goes out (several workers running
    this at once send each digest once). `track` wraps the list for progress."""
    mailer = mailer or SmtpMailer.from_settings()
    with read_only() as session:
        due = digest.due_member_ids(session, clock=clock)

    def send_one(member_id: int) -> digest.DigestOutcome | None:
        with unit_of_work() as session:
            return digest.send_digest(
                session, member_id, clock=clock, mailer=mailer, dry_run=dry_run
            )

    return digest.deliver(track(due), send_one)


def next_hour_mark(now: datetime, hour: int) -> datetime:
    """The next `hour`:00 UTC strictly after `now` (so a run that ends within
    its own hour waits for tomorrow's)."""
    mark = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return mark if mark > now else mark + timedelta(days=1)


async def send_digests_daily() -> None:
    """Lifespan task: the digest email once a day at `MARKETPLACE_DIGEST_HOUR`
    UTC (default 7). Every worker wakes; one of the cluster sends, and the
    per-member lock and `last_digest_at` make any later run send nothing."""
    hour = get_settings().digest_hour
    while True:
        mark = next_hour_mark(system_clock.now(), hour)
        # Sleep again if woken early (timers run on another clock than UTC
        # time): one run per mark, never two.
        while (now := system_clock.now()) < mark:
            await asyncio.sleep((mark - now).total_seconds())
        try:
            report = await asyncio.to_thread(
                once_per_cluster, "daily digest", send_digests_once, None
            )
            if report is None:
                continue  # another worker sent today's digests
            log.info(
                "digest: %d sent, %d refused", len(report.sent), len(report.refused)
            )
            if report.stopped:
                log.error("digest run stopped: %s", report.stopped)
        except Exception:
            log.exception("digest run failed")
