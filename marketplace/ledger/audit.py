"""The ledger audit: re-derive every balance from the transfers and check every
invariant. Run by `python -m marketplace ledger audit` and after benchmarks.

What is checked:
- each account's four stored totals equal the totals replayed from transfers;
- per currency (KARMA and each money currency), balances sum to zero and
  pending debits equal pending credits;
- every transfer is in the currency of both its accounts;
- no account is above its cap, and none but a member's karma account below
  its credit limit (a member's limit follows their trust and vouches, and a
  lowered limit undoes nothing: such accounts are listed in `over_limit`,
  not as breaches);
- every post/void/expire resolves a pending transfer between the same accounts,
  posts no more than was held, and each hold is resolved at most once;
- amounts are positive (resolutions may be zero) and no transfer pays itself;
- transfer ids are unique.

Issuance is shown per issuing account -- karma's signup and admin grants and
intro rewards, and for money each currency's `stripe:{cur}` account, whose
negative balance is the money that came in through cards, net of what went
back out -- and per currency; and again for the calendar month so far (UTC),
so an issuer that suddenly mints a lot shows the month it happens.
The retired sign-up grants (ledger/signup_grants.py) are shown too: how many
members' grants were reversed and how much karma, and per member what a
reversal could not take back (`unretired_grants`, by handle).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC

from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.ledger import KARMA, Kind, Totals, debit_effect
from marketplace.domain.times import month_start
from marketplace.ledger import signup_grants
from marketplace.models import LedgerAccount, LedgerTransfer, Member

ACCOUNT = LedgerAccount.__table__
TRANSFER = LedgerTransfer.__table__
# where karma enters the economy
ISSUERS = ("signup_grant", "admin_grant", "intro_reward")
MONEY_ISSUER = "stripe"  # code of the account money enters by, one per currency
TOTALS = ("debits_posted", "credits_posted", "debits_pending", "credits_pending")


@dataclass
class AuditReport:
    accounts: int = 0
    transfers: int = 0
    open_holds: int = 0
    # issued per issuing account: karma's grants, "stripe:usd" (minor units)
    issued: dict[str, int] = field(default_factory=dict)
    # the same, counting only this calendar month's transfers (UTC)
    issued_this_month: dict[str, int] = field(default_factory=dict)
    # per currency: accounts, issued and held (pending) amounts
    currencies: dict[str, dict[str, int]] = field(default_factory=dict)
    # sign-up grants reversed: members and karma taken back
    grants_retired: dict[str, int] = field(default_factory=dict)
    # handle -> sign-up grant karma a reversal could not take back
    unretired_grants: dict[str, int] = field(default_factory=dict)
    # account id -> karma owed beyond a credit limit lowered since (no breach)
    over_limit: dict[int, int] = field(default_factory=dict)
    # mutual credit: members below zero, and the karma they owe the community
    credit_in_use: dict[str, int] = field(
        default_factory=lambda: {"members": 0, "karma": 0}
    )
    breaches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaches

    def as_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok}


def audit_ledger(session: Session, clock: Clock = system_clock) -> AuditReport:
    report = AuditReport()
    accounts = {row["id"]: row for row in session.execute(select(ACCOUNT)).mappings()}
    report.accounts = len(accounts)
    derived = _replay_totals(session, report)
    _compare_totals(accounts, derived, report)
    _check_sums(accounts, report)
    _issued_this_month(session, accounts, month_start(clock.now()), report)
    _check_currencies(session, report)
    _check_limits(accounts, report)
    _check_resolutions(session, report)
    _check_shapes(session, report)
    _report_retired_grants(session, report)
    return report


def _replay_totals(session: Session, report: AuditReport) -> dict[int, dict[str, int]]:
    """Sum every transfer's effect per account, in SQL (one pass per kind)."""
    held = aliased(TRANSFER)
    rows = session.execute(
        select(
            TRANSFER.c.kind,
            TRANSFER.c.debit_account_id,
            TRANSFER.c.credit_account_id,
            func.sum(TRANSFER.c.amount),
            func.coalesce(func.sum(held.c.amount), 0),
            func.count(),
        )
        .outerjoin(held, held.c.id == TRANSFER.c.pending_id)
        .group_by(
            TRANSFER.c.kind, TRANSFER.c.debit_account_id, TRANSFER.c.credit_account_id
        )
    ).all()
    derived: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(TOTALS, 0))
    for kind, debit, credit, amount, held_amount, count in rows:
        report.transfers += count
        posted, pending = debit_effect(Kind(kind), int(amount), int(held_amount))
        derived[debit]["debits_posted"] += posted
        derived[debit]["debits_pending"] += pending
        derived[credit]["credits_posted"] += posted
        derived[credit]["credits_pending"] += pending
    return derived


def _compare_totals(accounts, derived, report: AuditReport) -> None:
    for account_id in sorted(set(accounts) | set(derived)):
        if account_id not in accounts:
            report.breaches.append(f"transfers name unknown account {account_id}")
            continue
        stored = accounts[account_id]
        replayed = derived.get(account_id, dict.fromkeys(TOTALS, 0))
        for name in TOTALS:
            if stored[name] != replayed[name]:
                report.breaches.append(
                    f"account {account_id} {name}: stored {stored[name]}, "
                    f"transfers say {replayed[name]}"
                )


def _check_sums(accounts, report: AuditReport) -> None:
    balance, pending_d, pending_c = defaultdict(int), defaultdict(int), defaultdict(int)
    for row in accounts.values():
        currency = row["currency"]
        balance[currency] += row["credits_posted"] - row["debits_posted"]
        pending_d[currency] += row["debits_pending"]
        pending_c[currency] += row["credits_pending"]
        summary = report.currencies.setdefault(
            currency, {"accounts": 0, "issued": 0, "held": 0}
        )
        summary["accounts"] += 1
        summary["held"] += row["debits_pending"]
        if row["name"] in ISSUERS or row["code"] == MONEY_ISSUER:
            issued = row["debits_posted"] - row["credits_posted"]
            report.issued[row["name"]] = issued
            summary["issued"] += issued
    for currency, total in balance.items():
        if total != 0:
            report.breaches.append(f"{currency} balances sum to {total}, not 0")
        if pending_d[currency] != pending_c[currency]:
            report.breaches.append(
                f"{currency} pending debits {pending_d[currency]} != "
                f"pending credits {pending_c[currency]}"
            )


def _issued_this_month(session: Session, accounts, since, report: AuditReport) -> None:
    """Each issuer's posted debits less credits since `since`: what it put
    into the economy this month. Holds move nothing until posted; issuers
    only make single transfers, but a posted hold counts like one."""
    issuers = {
        account_id: row["name"]
        for account_id, row in accounts.items()
        if row["name"] in ISSUERS or row["code"] == MONEY_ISSUER
    }
    report.issued_this_month = dict.fromkeys(sorted(issuers.values()), 0)
    if not issuers:
        return
    moved = TRANSFER.c.kind.in_([Kind.SINGLE.value, Kind.POST.value])
    recent = _since(session, since)
    for side, sign in (
        (TRANSFER.c.debit_account_id, 1),
        (TRANSFER.c.credit_account_id, -1),
    ):
        rows = session.execute(
            select(side, func.sum(TRANSFER.c.amount))
            .where(moved, recent, side.in_(list(issuers)))
            .group_by(side)
        ).all()
        for account_id, amount in rows:
            report.issued_this_month[issuers[account_id]] += sign * int(amount)


def _since(session: Session, since):
    """Transfers made at or after `since`. On SQLite the ledger's hot path
    stores times as text in its own form ("...00:00:00+00:00", where the ORM
    writes "...00:00:00.000000"), so the text is compared once normalized."""
    if session.get_bind().dialect.name != "sqlite":
        return TRANSFER.c.created_at >= since
    moment = since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    return func.strftime("%Y-%m-%d %H:%M:%f", TRANSFER.c.created_at) >= moment


def _check_currencies(session: Session, report: AuditReport) -> None:
    """A transfer moves one currency between two accounts of that currency;
    anything else would let one currency's books balance with another's."""
    debit, credit = aliased(ACCOUNT), aliased(ACCOUNT)
    crossed = (
        session.execute(
            select(TRANSFER.c.transfer_key)
            .join(debit, debit.c.id == TRANSFER.c.debit_account_id)
            .join(credit, credit.c.id == TRANSFER.c.credit_account_id)
            .where(
                (debit.c.currency != TRANSFER.c.currency)
                | (credit.c.currency != TRANSFER.c.currency)
            )
            .limit(20)
        )
        .scalars()
        .all()
    )
    report.breaches += [f"{key} moves between currencies" for key in crossed]


def _check_limits(accounts, report: AuditReport) -> None:
    for account_id, row in accounts.items():
        totals = Totals(
            *(row[name] for name in TOTALS),
            credit_limit=row["credit_limit"],
            cap=row["cap"],
        )
        member_karma = row["member_id"] is not None and row["currency"] == KARMA
        if member_karma and totals.balance < 0:
            report.credit_in_use["members"] += 1
            report.credit_in_use["karma"] += -totals.balance
        if not totals.can_debit(0):
            if member_karma:
                over = -totals.available - totals.credit_limit
                report.over_limit[account_id] = over
            else:
                report.breaches.append(
                    f"account {account_id} is below its limit: "
                    f"available {totals.available}"
                )
        if not totals.can_credit(0):
            report.breaches.append(f"account {account_id} is above its cap")
        if min(row[name] for name in TOTALS) < 0:
            report.breaches.append(f"account {account_id} has a negative total")


def _check_resolutions(session: Session, report: AuditReport) -> None:
    held = aliased(TRANSFER)
    rows = session.execute(
        select(
            TRANSFER,
            held.c.kind.label("held_kind"),
            held.c.amount.label("held_amount"),
            held.c.debit_account_id.label("held_debit"),
            held.c.credit_account_id.label("held_credit"),
        )
        .outerjoin(held, held.c.id == TRANSFER.c.pending_id)
        .where(
            TRANSFER.c.kind.in_([k.value for k in (Kind.POST, Kind.VOID, Kind.EXPIRE)])
        )
    ).mappings()
    for row in rows:
        key = row["transfer_key"]
        if row["held_kind"] != Kind.PENDING:
            report.breaches.append(f"{key} resolves something that is not a hold")
        elif (row["debit_account_id"], row["credit_account_id"]) != (
            row["held_debit"],
            row["held_credit"],
        ):
            report.breaches.append(f"{key} moves between other accounts than its hold")
        elif row["amount"] > row["held_amount"]:
            report.breaches.append(f"{key} posts more than was held")
        elif row["kind"] != Kind.POST and row["amount"] != 0:
            report.breaches.append(f"{key} is a {row['kind']} that moves funds")
    resolved = select(TRANSFER.c.pending_id).where(TRANSFER.c.pending_id.is_not(None))
    report.open_holds = session.execute(
        select(func.count()).where(
            TRANSFER.c.kind == Kind.PENDING, TRANSFER.c.id.not_in(resolved)
        )
    ).scalar_one()


def _check_shapes(session: Session, report: AuditReport) -> None:
    bad = (
        session.execute(
            select(TRANSFER.c.transfer_key)
            .where(
                (TRANSFER.c.debit_account_id == TRANSFER.c.credit_account_id)
                | (
                    (TRANSFER.c.amount <= 0)
                    & TRANSFER.c.kind.in_(["single", "pending"])
                )
                | (TRANSFER.c.amount < 0)
            )
            .limit(20)
        )
        .scalars()
        .all()
    )
    report.breaches += [f"{key} has a bad amount or pays itself" for key in bad]
    duplicates = (
        session.execute(
            select(TRANSFER.c.transfer_key)
            .group_by(TRANSFER.c.transfer_key)
            .having(func.count() > 1)
            .limit(20)
        )
        .scalars()
        .all()
    )
    report.breaches += [f"transfer id {key} is used twice" for key in duplicates]


def _report_retired_grants(session: Session, report: AuditReport) -> None:
    retired = session.execute(
        select(func.count(), func.coalesce(func.sum(TRANSFER.c.amount), 0)).where(
            TRANSFER.c.code == signup_grants.RETIRED
        )
    ).one()
    report.grants_retired = {"members": retired[0], "karma": int(retired[1])}
    short = signup_grants.unretired_by_member(session)
    if not short:
        return
    handles = dict(
        session.execute(
            select(Member.id, Member.handle).where(Member.id.in_(list(short)))
        ).all()
    )
    report.unretired_grants = {
        handles.get(member_id, f"member {member_id}"): amount
        for member_id, amount in sorted(short.items())
    }
