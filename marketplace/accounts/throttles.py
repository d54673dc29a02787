"""Sign-up and mail throttles that hold across every worker of the cluster.

The `limits` library counts; where it keeps its counters decides whether the
limit holds across workers. Its memory storage would give each worker its own
count (N workers: N times the limit), so the counters live in Redis when one
is configured (MARKETPLACE_THROTTLE_REDIS_URL, else REFLEX_REDIS_URL), and
otherwise in the database (`DatabaseStorage`, the `rate_counter` table), one
atomic upsert per hit on SQLite and PostgreSQL alike.

The limits, per hour (fixed windows; settings name them):
- sign-ups per client address (the login throttle's address: the socket's
  peer, or X-Forwarded-For only behind REFLEX_TRUSTED_PROXY_HOPS proxies);
- sign-ups per email domain (not the big shared mailbox providers);
- verification and reset mails per member (`allow_mail`).
And per day: the invitations a member sends (`allow_invitations`).

A refusal is `Throttled`: a clear sentence with the time to wait.
"""

from __future__ import annotations

import math
import os
import time
from functools import lru_cache

from limits import RateLimitItemPerDay, RateLimitItemPerHour
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import case, delete, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from marketplace.db import dialect_insert, get_engine
from marketplace.domain.accounts import client_bucket
from marketplace.domain.errors import DomainError
from marketplace.models import RateCounter
from marketplace.settings import get_settings

# Mailbox providers where thousands of strangers sign up every hour: their
# domain says nothing about who signs up, so only the address counts for them.
SHARED_MAIL_DOMAINS = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com"}
    | {"yahoo.com", "icloud.com", "me.com", "proton.me", "protonmail.com"}
    | {"gmx.de", "gmx.net", "web.de", "aol.com", "mail.ru", "yandex.ru"}
)


class Throttled(DomainError):
    """Too many attempts of one kind: try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DatabaseStorage(Storage):
    """A `limits` storage over the `rate_counter` table (fixed windows only).

    Bound to a connection (the caller's transaction) or, by default, each
    call runs in its own short transaction on the app's engine."""

    STORAGE_SCHEME = ["karma-db"]

    def __init__(self, uri: str | None = None, connection: Connection | None = None):
        super().__init__(uri)
        self._connection = connection

    @property
    def base_exceptions(self) -> type[Exception]:
        return Exception

    def _run(self, work):
        if self._connection is not None:
            return work(self._connection)
        with get_engine().begin() as conn:
            return work(conn)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()

        def bump(conn: Connection) -> int:
            table = RateCounter.__table__
            statement = dialect_insert(conn)(table).values(
                key=key, count=amount, expires_at=now + expiry
            )
            lapsed = table.c.expires_at <= now
            statement = statement.on_conflict_do_update(
                index_elements=[table.c.key],
                set_={
                    "count": case((lapsed, amount), else_=table.c.count + amount),
                    "expires_at": case(
                        (lapsed, now + expiry), else_=table.c.expires_at
                    ),
                },
            ).returning(table.c.count)
            return int(conn.execute(statement).scalar_one())

        return self._run(bump)

    def _row(self, key: str) -> tuple[int, float] | None:
        table = RateCounter.__table__
        row = self._run(
            lambda conn: conn.execute(
                select(table.c.count, table.c.expires_at).where(table.c.key == key)
            ).first()
        )
        if row is None or row[1] <= time.time():
            return None
        return int(row[0]), float(row[1])

    def get(self, key: str) -> int:
        row = self._row(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        table = RateCounter.__table__
        return self._run(lambda conn: conn.execute(delete(table)).rowcount)

    def clear(self, key: str) -> None:
        table = RateCounter.__table__
        self._run(lambda conn: conn.execute(delete(table).where(table.c.key == key)))


def forget_lapsed(session: Session) -> int:
    """Drop counters whose window has passed (the minute sweep)."""
    table = RateCounter.__table__
    return session.exec(delete(table).where(table.c.expires_at <= time.time())).rowcount


def redis_url() -> str:
    return get_settings().throttle_redis_url or os.environ.get("REFLEX_REDIS_URL", "")


@lru_cache(maxsize=4)
def _redis_storage(url: str) -> Storage:
    return storage_from_string(url, key_prefix="karma-throttle")


def storage(session: Session | None = None) -> Storage:
    """Redis when configured; else the database, in `session`'s transaction
    when one is given (SQLite lets one writer at a time: a second connection
    would wait for the caller's own lock)."""
    if url := redis_url():
        return _redis_storage(url)
    return DatabaseStorage(connection=session.connection() if session else None)


def _hit(item, storage_: Storage, message: str, *identifiers: str) -> None:
    limiter = FixedWindowRateLimiter(storage_)
    if limiter.hit(item, *identifiers):
        return
    reset = limiter.get_window_stats(item, *identifiers).reset_time
    wait = max(1, math.ceil(reset - time.time()))
    raise Throttled(f"{message} Please try again in {_minutes(wait)}.", wait)


def _minutes(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} seconds" if seconds != 1 else "1 second"
    minutes = math.ceil(seconds / 60)
    if minutes > 120:  # a daily limit: hours read better
        return f"{math.ceil(minutes / 60)} hours"
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def email_domain(email: object) -> str:
    text = email.strip().lower() if isinstance(email, str) else ""
    return text.rpartition("@")[2][:200] or "-"


def allow_signup(client: object, email: object, session: Session | None = None) -> None:
    """Count one sign-up attempt from `client` with `email`, or Throttled.
    Call it before the sign-up's own transaction (or pass that session)."""
    settings = get_settings()
    store = storage(session)
    _hit(
        RateLimitItemPerHour(settings.signups_per_address_hour),
        store,
        "Too many sign-ups from your network in the last hour.",
        "signup-address",
        client_bucket(client),
    )
    domain = email_domain(email)
    if domain in SHARED_MAIL_DOMAINS:
        return
    _hit(
        RateLimitItemPerHour(settings.signups_per_domain_hour),
        store,
        "Too many sign-ups with addresses at this domain in the last hour.",
        "signup-domain",
        domain,
    )


def allow_mail(member_id: int, kind: str, session: Session | None = None) -> None:
    """Count one verification or reset mail (`kind`, e.g. "verify", "reset")
    to `member_id`, or raise Throttled saying when the next may go.

    Pass `session` when called inside an open write transaction on SQLite."""
    _hit(
        RateLimitItemPerHour(get_settings().mails_per_member_hour),
        storage(session),
        "We have sent you several emails in the last hour already.",
        "mail",
        str(kind)[:32],
        str(int(member_id)),
    )


def allow_report(member_id: int, session: Session | None = None) -> None:
    """Count one report filed by `member_id` (accounts/reports.py), or
    Throttled: a few an hour is plenty for an honest member, and a flood of
    reports must not bury the desk."""
    _hit(
        RateLimitItemPerHour(get_settings().reports_per_member_hour),
        storage(session),
        "You have sent several reports in the last hour already.",
        "report",
        str(int(member_id)),
    )


def allow_password_check(member_id: int, session: Session | None = None) -> None:
    """Count one password confirmation (accounts/reauth.py) by `member_id`,
    failed or not: a stolen session cannot guess its way into operator
    actions. (A wrong password commits, as a failed log-in does.)"""
    _hit(
        RateLimitItemPerHour(get_settings().password_checks_per_member_hour),
        storage(session),
        "Too many password checks in the last hour.",
        "reauth",
        str(int(member_id)),
    )


# ---- invitations (issue 23): a daily cap per member -------------------------
INVITATIONS_PER_DAY = 20


def allow_invitations(
    member_id: int, count: int, session: Session | None = None
) -> None:
    """Count `count` new invitations sent by `member_id` today, or raise
    Throttled naming how many are left: a send that would pass the cap is
    refused whole and counts nothing (network/invitations.py)."""
    item = RateLimitItemPerDay(INVITATIONS_PER_DAY)
    limiter = FixedWindowRateLimiter(storage(session))
    who = ("invite", str(int(member_id)))
    stats = limiter.get_window_stats(item, *who)
    if count > stats.remaining:
        wait = max(1, math.ceil(stats.reset_time - time.time()))
        raise Throttled(
            f"You can invite {stats.remaining} more "
            f"{'person' if stats.remaining == 1 else 'people'} today "
            f"(at most {INVITATIONS_PER_DAY} a day). "
            f"Please try again in {_minutes(wait)}.",
            wait,
        )
    limiter.hit(item, *who, cost=count)


def allow_contact_import(member_id: int, session: Session | None = None) -> None:
    """Count one contacts file imported by `member_id` (network/contacts.py),
    or Throttled: an honest member brings a few exports a day; thousands of
    uploads are someone probing who is a member."""
    _hit(
        RateLimitItemPerDay(get_settings().contact_imports_per_member_day),
        storage(session),
        "You have imported several contact files today already.",
        "contacts-import",
        str(int(member_id)),
    )
