"""Who may have an account: email, handle, display name and password rules,
and the login throttle policy (when a login attempt must wait, and why).

Handles are the public address of a profile (/people/<handle>): lowercase, short,
URL-safe, and never a word the app itself uses as a route.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email

from marketplace.domain.errors import InvalidInput
from marketplace.domain.text import clean_text

EMAIL_MAX = 254
HANDLE_MIN, HANDLE_MAX = 3, 30
PASSWORD_MIN, PASSWORD_MAX = 10, 128

_EMAIL = re.compile(
    r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$"
)
_HANDLE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?$")
RESERVED_HANDLES = frozenset(
    {
        "admin", "api", "app", "dashboard", "edit", "help", "login", "logout",
        "me", "new", "operator", "people", "profile", "root", "settings",
        "signup", "support", "system", "wallet", "www", "karma",
    }
)  # fmt: skip
# The handful of passwords every breach list starts with; length does the rest.
COMMON_PASSWORDS = frozenset(
    {
        "password1234", "password123", "1234567890", "qwertyuiop", "123456789a",
        "iloveyou123", "passw0rd123", "letmein1234", "welcome1234", "admin12345",
        "abcdefghij", "0987654321",
    }
)  # fmt: skip


def normalize_email(
    value: object, *, check_deliverability: bool = False, validate: bool = True
) -> str:
    """The address as the member typed it, checked by email-validator: its
    domain lowercased (and IDNA-normalized), its local part kept as typed,
    because that is where mail must go. `check_deliverability` asks DNS
    whether the domain takes mail (a setting: off where DNS is unreachable).
    `validate=False` checks only the shape, for looking an account up."""
    if not isinstance(value, str):
        raise InvalidInput("Email must be text.", "email")
    email = value.strip()
    if not email:
        raise InvalidInput("Email is required.", "email")
    if len(email) > EMAIL_MAX or not _EMAIL.match(email.lower()):
        raise InvalidInput("That doesn't look like an email address.", "email")
    if not validate:  # logging in: any address that might have an account
        local, _, domain = email.rpartition("@")
        return f"{local}@{domain.lower()}"
    try:
        checked = validate_email(email, check_deliverability=check_deliverability)
    except EmailNotValidError as error:
        raise InvalidInput(
            f"Use an email address you can receive mail at. {error}", "email"
        ) from error
    return checked.normalized


# Providers that deliver `first.last@` and `firstlast@` to the same mailbox; the
# second domain is an alias of the first.
DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def canonical_email(email: str) -> str:
    """One mailbox, one key: what `email` (already normalized) folds to for
    uniqueness. Case goes everywhere (no real provider tells `Ann@` from
    `ann@`), a `+tag` goes everywhere (sub-addressing is universal enough that
    allowing it would hand out accounts by the dozen), and dots go where the
    provider ignores them. Never used to send mail."""
    local, _, domain = email.lower().rpartition("@")
    local = local.split("+", 1)[0] or local
    domain = DOTLESS_DOMAINS.get(domain, domain)
    if domain in DOTLESS_DOMAINS.values():
        local = local.replace(".", "")
    return f"{local}@{domain}"


def normalize_handle(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("Handle must be text.", "handle")
    handle = value.strip().lstrip("@").lower()
    if not HANDLE_MIN <= len(handle) <= HANDLE_MAX:
        raise InvalidInput(
            f"Handle must be {HANDLE_MIN} to {HANDLE_MAX} characters.", "handle"
        )
    if not _HANDLE.match(handle):
        raise InvalidInput(
            "Handle may use lowercase letters, digits, '-' and '_', "
            "and must start and end with a letter or digit.",
            "handle",
        )
    if handle in RESERVED_HANDLES:
        raise InvalidInput(f"The handle '{handle}' is reserved.", "handle")
    return handle


def clean_display_name(value: object) -> str:
    return clean_text(
        value, field="display_name", label="Name", max_length=80, required=True
    )


def check_password(password: object, *, email: str = "", handle: str = "") -> str:
    """Refuse passwords that are short, overlong, or guessable from the account."""
    if not isinstance(password, str):
        raise InvalidInput("Password must be text.", "password")
    if len(password) < PASSWORD_MIN:
        raise InvalidInput(
            f"Password must be at least {PASSWORD_MIN} characters.", "password"
        )
    if len(password) > PASSWORD_MAX:
        raise InvalidInput(
            f"Password must be at most {PASSWORD_MAX} characters.", "password"
        )
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        raise InvalidInput("That password is too easy to guess.", "password")
    local_part = email.split("@")[0]
    if (handle and handle in lowered) or (
        len(local_part) >= 4 and local_part in lowered
    ):
        raise InvalidInput(
            "Password must not contain your handle or email.", "password"
        )
    return password


# -------------------------------------------------------------------- login throttle
#
# Three rules, each an exponential back-off (`Backoff`) over recent failures:
#
# - per pair: one client address guessing one account's password. A success from
#   that address starts its count afresh. This is the only rule that can slow
#   down an address the account already knows, so a stranger elsewhere can never
#   lock the owner out.
# - per address: one address failing across all accounts (password spraying).
# - per account: failures from many addresses against one account (a distributed
#   attack). Each address counts at most `per_pair.free` failures towards it, so
#   one stranger alone can never trigger it.
#
# The last two slow down only addresses the account does not know: a known
# address is one the account logged in from successfully within `trusted_for`
# (OWASP's "device cookie" idea, keyed by address for now: a signed device
# cookie set by an HTTP log-in route could stand in for it later). An owner on
# a new address during a distributed attack waits like everyone else; an
# emailed unlock link is the way round that (see accounts/accounts.py,
# `_refuse_if_throttled`).

UNKNOWN_CLIENT = "unknown"
# Longer than any address's text (an IPv6 address with a zone id): anything
# longer is junk, refused before parsing.
_CLIENT_TEXT_MAX = 64


def client_bucket(value: object) -> str:
    """The throttle's name for a client address: the IPv4 address itself; for
    IPv6 its /64 network, because one subscriber is routinely handed a whole /64
    and single addresses would give an attacker endless fresh buckets. Missing or
    malformed input shares the UNKNOWN_CLIENT bucket."""
    if not isinstance(value, str) or len(value) > _CLIENT_TEXT_MAX:
        return UNKNOWN_CLIENT
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return UNKNOWN_CLIENT
    if address.is_unspecified:  # Reflex's stand-in when it saw no peer address
        return UNKNOWN_CLIENT
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(address) >> 64 << 64, 64)))
    return str(address)


@dataclass(frozen=True)
class Backoff:
    """`free` failures cost nothing; after that every attempt must wait
    `first_delay` after the latest failure, doubling with each further failure,
    never more than `max_delay`."""

    free: int
    first_delay: timedelta
    max_delay: timedelta

    def delay(self, failures: int) -> timedelta | None:
        if failures < self.free:
            return None
        doublings = min(failures - self.free, 40)  # past any cap; keeps 2**n small
        return min(self.max_delay, self.first_delay * 2**doublings)


@dataclass(frozen=True)
class Failure:
    client: str
    at: datetime


@dataclass(frozen=True)
class Streak:
    """Failures one rule counts, and when the latest of them happened."""

    count: int = 0
    latest: datetime | None = None

    def wait_until(self, backoff: Backoff) -> datetime | None:
        delay = backoff.delay(self.count)
        return None if delay is None or self.latest is None else self.latest + delay


@dataclass(frozen=True)
class LoginHistory:
    """What the throttle knows before one attempt on `email` from `client`."""

    # the account's failures within the window, from every address
    account_failures: tuple[Failure, ...] = ()
    # the account's latest successful login from this very address
    last_success_here: datetime | None = None
    # this address's failures within the window, against every account
    address_failures: Streak = Streak()


@dataclass(frozen=True)
class ThrottlePolicy:
    """May a login attempt go ahead now, and if not, from when? See the rules
    above; failures older than `window` are forgotten."""

    window: timedelta
    trusted_for: timedelta
    per_pair: Backoff
    per_address: Backoff
    per_account: Backoff

    def wait_until(
        self, client: str, history: LoginHistory, now: datetime
    ) -> datetime | None:
        """The earliest moment this attempt may go ahead, or None for now."""
        ends = [self.pair_streak(client, history, now).wait_until(self.per_pair)]
        if not self.is_known(client, history, now):
            ends.append(self.account_streak(history, now).wait_until(self.per_account))
            # Everyone without a usable address shares UNKNOWN_CLIENT: capping it
            # would throttle them all together, so only the account rules apply.
            if client != UNKNOWN_CLIENT:
                ends.append(history.address_failures.wait_until(self.per_address))
        return max((end for end in ends if end is not None and end > now), default=None)

    def is_known(self, client: str, history: LoginHistory, now: datetime) -> bool:
        """Has the account logged in from this address lately? Never true of
        UNKNOWN_CLIENT, which strangers share."""
        last = history.last_success_here
        return (
            client != UNKNOWN_CLIENT
            and last is not None
            and last > now - self.trusted_for
        )

    def pair_streak(self, client: str, history: LoginHistory, now: datetime) -> Streak:
        """This address's failures on this account since its last success here."""
        since = now - self.window
        if history.last_success_here is not None:
            since = max(since, history.last_success_here)
        times = [f.at for f in history.account_failures if f.client == client]
        return _streak([at for at in times if at > since])

    def account_streak(self, history: LoginHistory, now: datetime) -> Streak:
        """The account's failures, each address counting at most `per_pair.free`
        of them. Not restarted by a success: an owner logging in must not hand
        the attackers a fresh allowance."""
        recent = [f for f in history.account_failures if f.at > now - self.window]
        per_address = Counter(f.client for f in recent)
        score = sum(min(n, self.per_pair.free) for n in per_address.values())
        return Streak(score, _streak([f.at for f in recent]).latest)


def _streak(times: list[datetime]) -> Streak:
    return Streak(len(times), max(times, default=None))


def wait_in_words(wait: timedelta) -> str:
    """'45 seconds', '1 minute', '15 minutes': rounded up, so trying again when
    told never lands a moment too early."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
