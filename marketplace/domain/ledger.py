"""The ledger's rules, after TigerBeetle and double-entry bookkeeping.

An account keeps four running totals: posted and pending debits and credits.
Its balance is credits_posted - debits_posted; what it may still spend
(`available`) is that balance minus its pending debits (holds it has placed).

Every transfer debits one account and credits another by the same whole,
positive amount, so the sum of all balances in a currency is always zero:
karma enters the economy by driving a named system account (an operator's
grant, an intro reward) below zero, which the audit shows as issuance, or as
mutual credit: a member's account going below zero, within its credit limit,
to pay for help.

A transfer is one of five kinds:
  single  posted at once
  pending a hold: reserves the amount on both accounts
  post    settles a hold, fully or partly (the rest is released)
  void    releases a hold
  expire  releases a hold whose time ran out
A hold is resolved at most once. Transfers are immutable; a correction is a
reversing transfer.

The balancing rule is stated once, here, as data (`FLOOR`, `CEILING`): after a
change, a debited account's available amount stays at or above minus its
credit limit, and a credited account's balance with its incoming holds stays at
or below its cap; a change that only releases (a hold's post, void or expiry)
is never refused. A gift is held to `EARNED` instead of `FLOOR`: the same sum,
bounded at zero whatever the credit limit, so credit pays for help only and
never leaves an account as a gift (docs/design/karma-trust.md). Python asks
the rule through `Bound.allows`; the service layer's SQL guards are written
from the same data (`ledger.ledger_sql`), the PL/pgSQL function of alembic
0004 (and 0021, for gifts) is checked against it, and the audit replays
the transfers with `debit_effect` and checks every account with it.

The same rules hold for money (`domain.money`): an account holds one currency,
KARMA or a money code such as "usd" in minor units, and a transfer moves one
currency between two accounts of that currency, never across currencies.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    closed: bool = False  # a closed account takes no new debit or credit

    @property
    def balance(self) -> int:
        return self.credits_posted - self.debits_posted

    @property
    def available(self) -> int:
        return self.balance - self.debits_pending

    def can_debit(self, amount: int) -> bool:
        """Whether `amount` more debit keeps it at or above its floor
        (0: whether it is there now, as the audit asks)."""
        return FLOOR.within(self, amount)

    def can_credit(self, amount: int) -> bool:
        """Whether `amount` more credit keeps it at or below its cap."""
        return CEILING.within(self, amount)

    def can_give(self, amount: int) -> bool:
        """Whether a gift of `amount` leaves what it earned at or above zero."""
        return EARNED.within(self, amount)

    @property
    def room(self) -> int | None:
        """How much more it may spend, its credit included (None: no floor);
        0 for an account a lowered limit left below its floor."""
        if self.credit_limit is None:
            return None
        return max(0, self.available + self.credit_limit)

    @property
    def givable(self) -> int:
        """How much it may give away: what it earned and has not reserved."""
        return max(0, self.available)


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
            raise InvalidInput("Amount must be a whole number of karma.", "amount")
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


# --------------------------------------------------------------------------- the rule

GROWTH = "growth"  # the term of a bound that stands for the change itself


class Side(StrEnum):
    DEBIT = "debit"
    CREDIT = "credit"


@dataclass(frozen=True)
class Bound:
    """One side's bound, as data: the signed sum of `terms` -- an account's
    totals, and GROWTH for what the change adds -- stays at least -`limit`
    (a floor) or at most `limit` (a ceiling). An account whose `limit` is None
    has no such bound. Written as data so that the SQL guards can be built
    from it term for term instead of being a second copy of the rule."""

    side: Side
    terms: tuple[tuple[int, str], ...]  # (+1 or -1, a Totals field or GROWTH)
    # the Totals field that holds the bound, or the bound itself (a number)
    limit: str | int
    floor: bool  # True: >= -limit; False: <= limit

    def limit_of(self, totals: Totals) -> int | None:
        """The bound for this account (None: it has none)."""
        if isinstance(self.limit, str):
            return getattr(totals, self.limit)
        return self.limit

    def position(self, totals: Totals, growth: int = 0) -> int:
        """The bounded sum, after the side grew by `growth`."""
        return sum(
            sign * (growth if name == GROWTH else getattr(totals, name))
            for sign, name in self.terms
        )

    def within(self, totals: Totals, growth: int = 0) -> bool:
        limit = self.limit_of(totals)
        if limit is None:
            return True
        after = self.position(totals, growth)
        return after >= -limit if self.floor else after <= limit

    def allows(self, totals: Totals, growth: int) -> bool:
        """The rule each side of a transfer must pass. A release (growth <= 0)
        always passes -- the hold already reserved the room, and a hold must
        always be resolvable -- even on a closed account or one that a changed
        limit left outside its bound; anything else needs an open account that
        stays within its bound."""
        return growth <= 0 or (not totals.closed and self.within(totals, growth))


# The debited account may spend down to minus its credit limit: what it has
# posted, less what its own holds reserve (`Totals.available`), less the change.
FLOOR = Bound(
    Side.DEBIT,
    terms=(
        (+1, "credits_posted"),
        (-1, "debits_posted"),
        (-1, "debits_pending"),
        (-1, GROWTH),
    ),
    limit="credit_limit",
    floor=True,
)
# The credited account may hold up to its cap, counting what is held for it:
# a hold on its way in must not be able to push it over the cap once posted.
CEILING = Bound(
    Side.CREDIT,
    terms=(
        (+1, "credits_posted"),
        (+1, "credits_pending"),
        (+1, GROWTH),
        (-1, "debits_posted"),
    ),
    limit="cap",
    floor=False,
)
# A gift spends what the giver earned, never their credit: FLOOR's sum, held at
# or above zero whatever the account's credit limit.
EARNED = Bound(Side.DEBIT, terms=FLOOR.terms, limit=0, floor=True)
BOUNDS = {Side.DEBIT: FLOOR, Side.CREDIT: CEILING}


def debit_effect(kind: Kind, amount: int, held: int = 0) -> tuple[int, int]:
    """(change to posted, change to pending) that a transfer makes to each of its
    sides -- the debit account's debits and the credit account's credits alike;
    `held` is the amount of the hold a post/void/expire resolves."""
    return {
        Kind.SINGLE: (amount, 0),
        Kind.PENDING: (0, amount),
        Kind.POST: (amount, -held),
        Kind.VOID: (0, -held),
        Kind.EXPIRE: (0, -held),
    }[kind]


def growth(kind: Kind, amount: int, held: int = 0) -> int:
    """What a transfer adds to each side's posted + pending: the figure a
    `Bound` judges (negative when a resolution gives part of a hold back)."""
    posted, pending = debit_effect(kind, amount, held)
    return posted + pending


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
