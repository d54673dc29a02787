"""The ledger's rules, after TigerBeetle and double-entry bookkeeping.

An account keeps four running totals: posted and pending debits and credits.
Its balance is credits_posted - debits_posted; what it may still spend
(`available`) is that balance minus its pending debits (holds it has placed).

Every transfer debits one account and credits another by the same whole,
positive amount, so the sum of all balances in a currency is always zero:
karma enters the economy only by driving a named system account (signup grant,
admin grant) below zero, which the audit shows as issuance.

A transfer is one of five kinds:
  single  posted at once
  pending a hold: reserves the amount on both accounts
  post    settles a hold, fully or partly (the rest is released)
  void    releases a hold
  expire  releases a hold whose time ran out
A hold is resolved at most once. Transfers are immutable; a correction is a
reversing transfer. This module holds the arithmetic and the refusals; the
service layer applies it under a lock, and the audit replays it.

The same rules hold for money (`domain.money`): an account holds one currency,
KARMA or a money code such as "usd" in minor units, and a transfer moves one
currency between two accounts of that currency, never across currencies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from marketplace.domain.errors import DomainError, InvalidInput
from marketplace.domain.money import check_currency, check_minor_amount

KARMA = "KARMA"
MAX_TRANSFER = {KARMA: 1_000_000}
KEY_MAX_LENGTH = 64
MEMO_MAX_LENGTH = 200
MAX_HOLD_SECONDS = 90 * 24 * 3600


class Kind(StrEnum):
    SINGLE = "single"
    PENDING = "pending"
    POST = "post"
    VOID = "void"
    EXPIRE = "expire"


RESOLUTIONS = (Kind.POST, Kind.VOID, Kind.EXPIRE)


class LedgerError(DomainError):
    """Base of every ledger refusal."""


class InsufficientFunds(LedgerError):
    """The debit account would go below its credit limit (money or karma)."""


class InsufficientKarma(InsufficientFunds):
    """The debit account would go below its credit limit (karma)."""


class CurrencyMismatch(LedgerError):
    """The transfer's currency is not the currency of both its accounts."""


class ExceedsCap(LedgerError):
    """The credit account would go above its cap."""


class IdempotencyConflict(LedgerError):
    """A transfer id was reused with different fields."""


class HoldNotPending(LedgerError):
    """The hold was already posted, voided or expired."""


class UnknownAccount(LedgerError):
    """No such account, or it is closed."""


@dataclass(frozen=True)
class Totals:
    """An account's four running totals and its limits."""

    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0
    credit_limit: int | None = 0  # None: no lower bound (system issuance accounts)
    cap: int | None = None  # None: no upper bound

    @property
    def balance(self) -> int:
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        return self.balance - self.debits_pending

    def can_debit(self, amount: int) -> bool:
        return (
            self.credit_limit is None or self.available - amount >= -self.credit_limit
        )

    def can_credit(self, amount: int) -> bool:
        incoming = self.credits_posted + self.credits_pending + amount
        return self.cap is None or incoming - self.debits_posted <= self.cap


def check_currency_code(value: object) -> str:
    """KARMA, or a supported money currency in lower case."""
    return KARMA if value == KARMA else check_currency(value)


def check_amount(value: object, currency: str = KARMA) -> int:
    """A whole, positive amount within the currency's per-transfer maximum:
    points for karma, minor units for money."""
    if currency != KARMA:
        return check_minor_amount(value, currency)
    limit = MAX_TRANSFER[currency]
    if isinstance(value, bool) or not isinstance(value, int):
        text = value.strip() if isinstance(value, str) else ""
        # isdecimal, not isdigit: int() refuses digits such as "²".
        if not text.isdecimal():
            raise InvalidInput("Amount must be a whole number of points.", "amount")
        # int() refuses strings of over 4,300 digits; such an amount is too large.
        value = int(text) if len(text.lstrip("0")) <= 20 else limit + 1
    if value <= 0:
        raise InvalidInput("Amount must be more than zero.", "amount")
    if value > limit:
        raise InvalidInput(f"Amount must be at most {limit:,}.", "amount")
    return value


def check_key(value: object) -> str:
    """A client-made transfer id: the idempotency key."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("A transfer needs an id.", "transfer_id")
    key = value.strip()
    if len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise InvalidInput(
            f"Transfer id must be printable and at most {KEY_MAX_LENGTH} characters.",
            "transfer_id",
        )
    return key


def check_accounts(debit_id: object, credit_id: object) -> tuple[int, int]:
    for value in (debit_id, credit_id):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise UnknownAccount("Unknown account.")
    if debit_id == credit_id:
        raise InvalidInput("An account cannot pay itself.", "account")
    return debit_id, credit_id  # type: ignore[return-value]


def check_timeout(seconds: object) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, int):
        raise InvalidInput("Hold timeout must be a whole number of seconds.", "timeout")
    if not 1 <= seconds <= MAX_HOLD_SECONDS:
        raise InvalidInput(
            "Hold timeout must be between 1 second and 90 days.", "timeout"
        )
    return seconds


# --------------------------------------------------------------------------- arithmetic


def debit_effect(kind: Kind, amount: int, held: int = 0) -> tuple[int, int]:
    """(change to posted, change to pending) on the debit side of a transfer;
    `held` is the amount of the hold a post/void/expire resolves."""
    return {
        Kind.SINGLE: (amount, 0),
        Kind.PENDING: (0, amount),
        Kind.POST: (amount, -held),
        Kind.VOID: (0, -held),
        Kind.EXPIRE: (0, -held),
    }[kind]


def apply_debit(totals: Totals, kind: Kind, amount: int, held: int = 0) -> Totals:
    posted, pending = debit_effect(kind, amount, held)
    if (posted + pending) > 0 and not totals.can_debit(posted + pending):
        raise InsufficientKarma(
            f"Not enough karma: {totals.available} available, {amount} needed."
        )
    return replace(
        totals,
        debits_posted=totals.debits_posted + posted,
        debits_pending=totals.debits_pending + pending,
    )


def apply_credit(totals: Totals, kind: Kind, amount: int, held: int = 0) -> Totals:
    posted, pending = debit_effect(kind, amount, held)
    if (posted + pending) > 0 and not totals.can_credit(posted + pending):
        raise ExceedsCap("The receiving account would go over its cap.")
    return replace(
        totals,
        credits_posted=totals.credits_posted + posted,
        credits_pending=totals.credits_pending + pending,
    )


def check_resolution(kind: Kind, amount: int | None, held: int) -> int:
    """The amount a resolution posts: post may take part of the hold (at least 1),
    void and expire post nothing."""
    if kind is not Kind.POST:
        return 0
    if amount is None:
        return held
    if amount < 1:
        raise InvalidInput("Amount must be more than zero.", "amount")
    if amount > held:
        raise InvalidInput(f"Cannot post {amount}: only {held} is held.", "amount")
    return amount
