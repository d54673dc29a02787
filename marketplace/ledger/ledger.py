"""The ledger over SQL: accounts, transfers, holds, grants -- karma and money.

The hot path is a handful of single-row statements inside the caller's
transaction, so a transfer is atomic and cheap:

1. INSERT the transfer, ON CONFLICT DO NOTHING (the client id is unique, and a
   hold's resolution is unique): a replay inserts nothing and returns the
   original, or an IdempotencyConflict when its fields differ.
2. UPDATE each account with a guard in its WHERE clause -- the domain's one
   balancing rule (`domain.ledger.FLOOR` / `CEILING`) rendered as SQL by
   `ledger_sql` --, lower account id first so two writers never wait on
   each other in opposite orders. The UPDATE takes the row lock and checks in
   one step: no double spend under concurrency. On SQLite the transaction began
   with BEGIN IMMEDIATE, so writers are serialized anyway.
A guard that matches no row raises, and the unit of work rolls everything back.

A gift (`give_karma`) is checked against `domain.ledger.EARNED` instead of
FLOOR, by the same statements: it may spend only what the giver earned, never
their credit limit, which pays for help only (ledger/credit.py writes it).

Money uses the same functions with `currency=` a money code ("usd", amounts in
minor units); karma is the default. The guards also require each account to
hold the transfer's currency, so a transfer across currencies is refused by the
same UPDATE that would have moved it (CurrencyMismatch), at no extra cost.
Money's named system accounts exist per currency: `stripe:usd` (money in and out
through the card processor; no lower limit, like an issuance account),
`escrow:usd` (payments held until confirmed) and `platform_fees:usd`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlmodel import Session

from marketplace.accounts import members, standing
from marketplace.adapters.clock import Clock, system_clock
from marketplace.db import dialect_insert
from marketplace.domain.errors import InvalidInput
from marketplace.domain.ledger import (
    EARNED,
    FLOOR,
    KARMA,
    MEMO_MAX_LENGTH,
    Bound,
    CurrencyMismatch,
    ExceedsCap,
    HoldNotPending,
    IdempotencyConflict,
    InsufficientFunds,
    InsufficientKarma,
    Kind,
    Totals,
    UnknownAccount,
    check_accounts,
    check_amount,
    check_currency_code,
    check_key,
    check_resolution,
    check_timeout,
    growth,
)
from marketplace.domain.money import check_currency, format_money, split_fee
from marketplace.domain.text import clean_text
from marketplace.ledger import ledger_sql
from marketplace.models import LedgerAccount, LedgerTransfer
from marketplace.network import connections

# Issued sign-up grants until they were retired (ledger/signup_grants.py); it
# takes back those grants and closed accounts' karma now, and issues nothing.
SIGNUP_GRANT = "signup_grant"
ADMIN_GRANT = "admin_grant"
FEES = "fees"
INTRO_REWARD = "intro_reward"  # karma to introducers whose intro led to help
SYSTEM_ACCOUNTS = (SIGNUP_GRANT, ADMIN_GRANT, FEES, INTRO_REWARD)
# money, one of each per currency, with its credit limit (None: no lower bound)
STRIPE = "stripe"
ESCROW = "escrow"
PLATFORM_FEES = "platform_fees"
MONEY_SYSTEM_ACCOUNTS = {STRIPE: None, ESCROW: 0, PLATFORM_FEES: 0}

ACCOUNT = LedgerAccount.__table__
TRANSFER = LedgerTransfer.__table__


@dataclass(frozen=True)
class Transfer:
    id: int
    key: str
    kind: str
    debit_account_id: int
    credit_account_id: int
    amount: int
    pending_id: int | None
    code: str
    memo: str
    created_at: datetime
    replayed: bool = False
    currency: str = KARMA


# --------------------------------------------------------------------------- accounts


def system_account(session: Session, name: str, currency: str = KARMA) -> int:
    """The id of a named system account, opened on first use. Issuance accounts
    have no lower limit: their negative balance is the karma they issued.
    Money (`currency` "usd", ...): stripe, escrow or platform_fees of that
    currency, named e.g. "escrow:usd"; only stripe may go below zero (its
    negative balance is the money that came in through cards, net)."""
    if currency == KARMA:
        if name not in SYSTEM_ACCOUNTS:
            raise UnknownAccount(f"No system account named {name!r}.")
        stored, limit = name, None
    else:
        currency = check_currency(currency)
        if name not in MONEY_SYSTEM_ACCOUNTS:
            raise UnknownAccount(f"No money system account named {name!r}.")
        stored, limit = f"{name}:{currency}", MONEY_SYSTEM_ACCOUNTS[name]
    wanted = ACCOUNT.c.name == stored
    fields = {"code": name, "name": stored, "currency": currency, "credit_limit": limit}
    return _open_once(session, wanted, fields)


def member_account(session: Session, member_id: int, currency: str = KARMA) -> int:
    """The id of a member's account in `currency` (KARMA by default, or a money
    code such as "usd"), opened (empty, limit 0) on first use."""
    currency = check_currency_code(currency)
    wanted = (ACCOUNT.c.member_id == member_id) & (ACCOUNT.c.currency == currency)
    fields = {"code": "member", "member_id": member_id, "currency": currency}
    return _open_once(session, wanted, fields)


def _open_once(session: Session, wanted, fields: dict) -> int:
    """Find the account, or open it. Two first uses at once both insert with
    ON CONFLICT DO NOTHING, and both then read the one row that won."""
    found = session.execute(select(ACCOUNT.c.id).where(wanted)).scalar_one_or_none()
    if found is not None:
        return found
    defaults = {
        "debits_posted": 0,
        "credits_posted": 0,
        "debits_pending": 0,
        "credits_pending": 0,
        "credit_limit": 0,
    }
    row = defaults | fields | {"created_at": system_clock.now()}
    session.execute(
        dialect_insert(session)(ACCOUNT).values(**row).on_conflict_do_nothing()
    )
    return session.execute(select(ACCOUNT.c.id).where(wanted)).scalar_one()


def totals(session: Session, account_id: int) -> Totals:
    row = (
        session.execute(select(ACCOUNT).where(ACCOUNT.c.id == account_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise UnknownAccount("Unknown account.")
    return _totals(row)


def find_member_account(
    session: Session, member_id: int, currency: str = KARMA
) -> int | None:
    """The id of a member's account in `currency`, without opening one
    (None: never opened), for read-only views."""
    return session.execute(
        select(ACCOUNT.c.id).where(
            ACCOUNT.c.member_id == member_id, ACCOUNT.c.currency == currency
        )
    ).scalar_one_or_none()


def member_totals(session: Session, member_id: int) -> Totals:
    """A member's karma totals, read without opening their account (an
    account not opened yet is empty, at limit 0): for read-only views."""
    row = (
        session.execute(
            select(ACCOUNT).where(
                ACCOUNT.c.member_id == member_id, ACCOUNT.c.currency == KARMA
            )
        )
        .mappings()
        .one_or_none()
    )
    return Totals() if row is None else _totals(row)


def _totals(row) -> Totals:
    return Totals(
        row["debits_posted"],
        row["credits_posted"],
        row["debits_pending"],
        row["credits_pending"],
        row["credit_limit"],
        row["cap"],
        row["closed_at"] is not None,
    )


# --------------------------------------------------------------------------- transfers


def transfer(
    session: Session,
    *,
    key: object,
    debit_account_id: object,
    credit_account_id: object,
    amount: object,
    code: str,
    memo: object = "",
    currency: object = KARMA,
    earned_only: bool = False,
    clock: Clock = system_clock,
) -> Transfer:
    """Move `amount` (points, or minor units of a money `currency`) at once from
    one account to another; both must hold `currency`. `earned_only`: the
    debit account may spend only what it earned (EARNED: a gift), not its
    credit limit."""
    # Well-formed ids; that they name accounts is checked by the insert's foreign
    # keys (a closed account is refused only when its totals would change).
    debit, credit = check_accounts(debit_account_id, credit_account_id)
    currency = check_currency_code(currency)
    return _record(
        session,
        key=check_key(key),
        kind=Kind.SINGLE,
        debit=debit,
        credit=credit,
        amount=check_amount(amount, currency),
        currency=currency,
        held=0,
        pending_id=None,
        expires_at=None,
        code=code,
        memo=_memo(memo),
        now=clock.now(),
        debit_bound=EARNED if earned_only else FLOOR,
    )


def _fields(
    key, kind, debit, credit, amount, currency, pending_id, expires_at, code, memo, now
):
    return {
        "transfer_key": key,
        "debit_account_id": debit,
        "credit_account_id": credit,
        "amount": amount,
        "currency": currency,
        "kind": str(kind),
        "pending_id": pending_id,
        "expires_at": expires_at,
        "code": code,
        "memo": memo,
        "created_at": now,
    }


def hold(
    session: Session,
    *,
    key: object,
    debit_account_id: object,
    credit_account_id: object,
    amount: object,
    timeout_seconds: object,
    code: str,
    memo: object = "",
    currency: object = KARMA,
    clock: Clock = system_clock,
) -> Transfer:
    """Reserve `amount` (escrow) until the hold is posted, voided or expires."""
    # Well-formed ids; that they name accounts is checked by the insert's foreign
    # keys (a closed account is refused only when its totals would change).
    debit, credit = check_accounts(debit_account_id, credit_account_id)
    currency = check_currency_code(currency)
    now = clock.now()
    expires = now + timedelta(seconds=check_timeout(timeout_seconds))
    return _record(
        session,
        key=check_key(key),
        kind=Kind.PENDING,
        debit=debit,
        credit=credit,
        amount=check_amount(amount, currency),
        currency=currency,
        held=0,
        pending_id=None,
        expires_at=expires,
        code=code,
        memo=_memo(memo),
        now=now,
    )


def post_hold(
    session: Session,
    *,
    key: object,
    hold_key: object,
    amount: object = None,
    memo: object = "",
    clock: Clock = system_clock,
) -> Transfer:
    """Settle a hold: post all of it, or `amount` of it and release the rest
    (in the hold's currency)."""
    return _resolve(session, Kind.POST, key, hold_key, amount, memo, clock)


def void_hold(
    session: Session,
    *,
    key: object,
    hold_key: object,
    memo: object = "",
    clock: Clock = system_clock,
) -> Transfer:
    """Release a hold: nothing moves, the reserved amount is available again."""
    return _resolve(session, Kind.VOID, key, hold_key, None, memo, clock)


def expire_holds(
    session: Session, *, clock: Clock = system_clock, limit: int = 500
) -> int:
    """Release holds whose time ran out (run by a scheduler; safe to repeat)."""
    now = clock.now()
    resolved = select(TRANSFER.c.pending_id).where(TRANSFER.c.pending_id.is_not(None))
    due = session.execute(
        select(TRANSFER.c.id, TRANSFER.c.transfer_key)
        .where(
            TRANSFER.c.kind == Kind.PENDING,
            TRANSFER.c.expires_at <= now,
            TRANSFER.c.id.not_in(resolved),
        )
        .order_by(TRANSFER.c.id)
        .limit(limit)
    ).all()
    released = 0
    for hold_id, hold_key in due:
        # Keyed by the hold's id: a key built from a long hold key would need
        # cutting to 64 characters, and two holds could then share it.
        try:
            _resolve(
                session,
                Kind.EXPIRE,
                f"expire:{hold_id}",
                hold_key,
                None,
                "",
                clock,
                allow_expired=True,
            )
        except HoldNotPending:
            continue  # posted or voided a moment ago by its parties; nothing written
        released += 1
    return released


@dataclass(frozen=True)
class HoldState:
    """Where a hold stands: its amount, when it runs out, and how it was
    resolved (post | void | expire; None while it is pending)."""

    amount: int
    expires_at: datetime
    resolution: str | None

    def lapsed(self, now: datetime) -> bool:
        """Its time ran out, whether or not the sweep released it yet."""
        return self.resolution == Kind.EXPIRE or (
            self.resolution is None and self.expires_at <= now
        )


def hold_state(session: Session, hold_key: object) -> HoldState:
    pending = _hold_by_key(session, check_key(hold_key))
    resolution = session.execute(
        select(TRANSFER.c.kind).where(TRANSFER.c.pending_id == pending["id"])
    ).scalar_one_or_none()
    return HoldState(pending["amount"], pending["expires_at"], resolution)


def expire_hold(session: Session, hold_key: object, *, clock: Clock = system_clock):
    """Release one hold whose time ran out now, as the sweep would (same
    transfer id, so whichever of the two comes second writes nothing)."""
    pending = _hold_by_key(session, check_key(hold_key))
    if pending["expires_at"] > clock.now():
        raise HoldNotPending("The hold has not run out yet.")
    return _resolve(
        session,
        Kind.EXPIRE,
        f"expire:{pending['id']}",
        pending["transfer_key"],
        None,
        "",
        clock,
        allow_expired=True,
    )


def _resolve(session, kind, key, hold_key, amount, memo, clock, allow_expired=False):
    key_, pending = check_key(key), _hold_by_key(session, check_key(hold_key))
    currency = pending["currency"]
    wanted = None if amount is None else check_amount(amount, currency)
    now = clock.now()
    posted = check_resolution(kind, wanted, pending["amount"])
    if (
        not allow_expired
        and pending["expires_at"] <= now
        and not _exists(session, key_)
    ):
        what = "karma" if currency == KARMA else "money"
        raise HoldNotPending(
            f"The hold has expired; its {what} goes back to the payer."
        )
    return _record(
        session,
        key=key_,
        kind=kind,
        debit=pending["debit_account_id"],
        credit=pending["credit_account_id"],
        amount=posted,
        currency=currency,
        held=pending["amount"],
        pending_id=pending["id"],
        expires_at=None,
        code=pending["code"],
        memo=_memo(memo),
        now=now,
    )


def _hold_by_key(session: Session, hold_key: str):
    row = (
        session.execute(select(TRANSFER).where(TRANSFER.c.transfer_key == hold_key))
        .mappings()
        .one_or_none()
    )
    if row is None or row["kind"] != Kind.PENDING:
        raise HoldNotPending(f"No hold with id {hold_key!r}.")
    return row


def _exists(session: Session, key: str) -> bool:
    found = session.execute(
        select(TRANSFER.c.id).where(TRANSFER.c.transfer_key == key)
    ).first()
    return found is not None


def _memo(memo: object) -> str:
    return clean_text(memo, field="memo", label="Memo", max_length=MEMO_MAX_LENGTH)


def _record(
    session: Session,
    *,
    key,
    kind,
    debit,
    credit,
    amount,
    currency,
    held,
    pending_id,
    expires_at,
    code,
    memo,
    now,
    debit_bound: Bound = FLOOR,
) -> Transfer:
    fields = _fields(
        key,
        kind,
        debit,
        credit,
        amount,
        currency,
        pending_id,
        expires_at,
        code,
        memo,
        now,
    )
    new_id, refused = ledger_sql.HotPath(session).record(
        fields, kind, amount, held, debit_bound
    )
    if new_id is None:
        return _replay(session, fields)
    if refused is not None:
        side = "debit" if refused == debit else "credit"
        needed = growth(kind, amount, held)
        _explain_refusal(session, refused, needed, side, currency, debit_bound)
    return _as_transfer(fields | {"id": new_id})


def _replay(session: Session, fields: dict) -> Transfer:
    """Same id, same fields: the original. Same id, other fields: refused.
    A resolution whose hold was already resolved by another id: refused."""
    row = (
        session.execute(
            select(TRANSFER).where(TRANSFER.c.transfer_key == fields["transfer_key"])
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise HoldNotPending("The hold was already posted, voided or expired.")
    compared = (
        "debit_account_id",
        "credit_account_id",
        "amount",
        "currency",
        "kind",
        "pending_id",
        "code",
        "memo",
    )
    differing = [name for name in compared if row[name] != fields[name]]
    if differing:
        raise IdempotencyConflict(
            f"Transfer id {fields['transfer_key']!r} was already used with a "
            f"different {', '.join(differing)}."
        )
    return _as_transfer(dict(row), replayed=True)


def _explain_refusal(
    session: Session,
    account_id: int,
    needed: int,
    side: str,
    currency: str,
    debit_bound: Bound = FLOOR,
):
    row = (
        session.execute(select(ACCOUNT).where(ACCOUNT.c.id == account_id))
        .mappings()
        .one_or_none()
    )
    if row is None or row["closed_at"] is not None:
        raise UnknownAccount("Unknown or closed account.")
    if row["currency"] != currency:
        raise CurrencyMismatch(
            f"A transfer cannot cross currencies: it is in {currency}, "
            f"but account {account_id} holds {row['currency']}."
        )
    current = _totals(row)
    if side == "credit":
        raise ExceedsCap("The receiving account would go over its cap.")
    if currency == KARMA:
        raise InsufficientKarma(karma_refusal(current, needed, debit_bound))
    raise InsufficientFunds(
        f"Not enough funds: {format_money(current.available, currency)} "
        f"available, {format_money(needed, currency)} needed."
    )


def karma_refusal(totals: Totals, needed: int, bound: Bound = FLOOR) -> str:
    """Why `needed` karma can't leave an account, in a member's words: a gift
    is measured against what was earned, anything else against the credit."""
    if bound == EARNED:
        return (
            f"Not enough karma to give: {totals.givable} earned and free to give, "
            f"{needed} needed. Gifts come from karma you earned, never from "
            "your credit."
        )
    if not totals.credit_limit:
        return f"Not enough karma: {totals.available} available, {needed} needed."
    return (
        f"Not enough karma: {totals.room} available within your credit limit "
        f"of {totals.credit_limit}, {needed} needed."
    )


def _as_transfer(row: dict, replayed: bool = False) -> Transfer:
    return Transfer(
        id=row["id"],
        key=row["transfer_key"],
        kind=row["kind"],
        debit_account_id=row["debit_account_id"],
        credit_account_id=row["credit_account_id"],
        amount=row["amount"],
        pending_id=row["pending_id"],
        code=row["code"],
        memo=row["memo"],
        created_at=row["created_at"],
        replayed=replayed,
        currency=row["currency"],
    )


# --------------------------------------------------------------------------- grants


def grant(
    session: Session,
    *,
    handle: object,
    amount: object,
    memo: object,
    key: object = None,
    clock: Clock = system_clock,
) -> Transfer:
    """An operator's grant through the admin-grant account (visible in the audit)."""
    member_id = _active_member_id(session, handle)
    text = clean_text(
        memo, field="memo", label="Memo", max_length=MEMO_MAX_LENGTH, required=True
    )
    return transfer(
        session,
        key=key or new_key("grant"),
        debit_account_id=system_account(session, ADMIN_GRANT),
        credit_account_id=member_account(session, member_id),
        amount=amount,
        code="admin_grant",
        memo=text,
        clock=clock,
    )


def give_karma(
    session: Session,
    *,
    actor_id: int,
    to_handle: object,
    amount: object,
    memo: object = "",
    key: object = None,
    clock: Clock = system_clock,
) -> Transfer:
    """A member pays karma forward to another member from what they earned
    (never from their credit limit: karma a member never earned leaves their
    account only to pay for help); not to someone either of them blocked (a
    gift is a word in their wallet)."""
    standing.require_standing(session, actor_id)
    recipient = _recipient_id(session, actor_id, to_handle)
    if recipient == actor_id:
        raise InvalidInput("You can't send karma to yourself.", "handle")
    return transfer(
        session,
        key=key or new_key("gift"),
        debit_account_id=member_account(session, actor_id),
        credit_account_id=member_account(session, recipient),
        amount=amount,
        code="gift",
        memo=memo,
        earned_only=True,
        clock=clock,
    )


def _active_member_id(session: Session, handle: object) -> int:
    missing = "Say who should receive the karma (their handle)."
    return members.active_member(session, handle, missing=missing, field="handle").id


def _recipient_id(session: Session, actor_id: int, handle: object) -> int:
    missing = "Say who should receive the karma (their handle)."
    return connections.reachable_member(
        session, actor_id, handle, missing=missing, field="handle"
    ).id


# --------------------------------------------------------------------------- money


def release_escrow(
    session: Session,
    *,
    key: object,
    currency: object,
    consultant_id: int,
    amount: object,
    fee_bps: int,
    memo: object = "",
    clock: Clock = system_clock,
) -> list[Transfer]:
    """Pay `amount` out of escrow:{currency}: the platform's fee (`split_fee`,
    rounded down) to platform_fees:{currency}, the rest to the consultant's money
    account. The legs are keyed "{key}:net" and "{key}:fee", so a replay moves
    nothing twice; both are in the caller's transaction, so both or neither."""
    currency = check_currency(currency)
    base = check_key(key)
    fee, net = split_fee(check_amount(amount, currency), fee_bps)
    escrow = system_account(session, ESCROW, currency)
    legs = [
        (":net", member_account(session, consultant_id, currency), net, "payout"),
        (":fee", system_account(session, PLATFORM_FEES, currency), fee, "platform_fee"),
    ]
    return [
        transfer(
            session,
            key=base + suffix,
            debit_account_id=escrow,
            credit_account_id=credit,
            amount=value,
            code=code,
            memo=memo,
            currency=currency,
            clock=clock,
        )
        for suffix, credit, value, code in legs
        if value > 0
    ]


def new_key(prefix: str = "t") -> str:
    """A fresh client-side transfer id, for callers that have none of their own."""
    return f"{prefix}-{uuid.uuid4().hex}"
