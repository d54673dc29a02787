"""The integrity report: signs that someone is farming karma.

The audit (audit.py) proves the arithmetic; it cannot see abuse. This
report reads the same ledger for patterns a farm leaves behind, and names
the accounts involved, for an operator to look at and, if need be, freeze
(accounts/standing.py). A finding is a reason to look, not a verdict: it
changes nothing by itself.

Signals (docs/design/karma-trust.md):
- **fed by fresh accounts**: a member paid karma by many accounts that were
  days old when they paid -- the shape of sybils draining into one account;
- **trust outlier**: a member who earned a lot of karma while the graph
  trusts them very little.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from marketplace.domain.ledger import KARMA, Kind
from marketplace.models import LedgerAccount, LedgerTransfer, Member
from marketplace.network import trust

FRESH = timedelta(days=30)  # an account this young when it paid is "fresh"
FED_BY_MIN = 5  # distinct fresh payers that make a finding
OUTLIER_EARNED_MIN = 50  # karma earned from members...
OUTLIER_TRUST_MAX = 0.1  # ...by someone the graph trusts this little
PAID = (str(Kind.SINGLE), str(Kind.POST))  # what moves karma for good


@dataclass(frozen=True)
class Finding:
    signal: str  # fed_by_fresh | trust_outlier
    member_id: int
    handle: str
    detail: str
    involved: tuple[str, ...] = ()  # handles of the other accounts
    frozen: bool = False


@dataclass
class IntegrityReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def flagged(self) -> set[int]:
        return {f.member_id for f in self.findings}

    def as_dict(self) -> dict:
        return {"findings": [asdict(f) for f in self.findings]}


def integrity_report(session: Session) -> IntegrityReport:
    members = _members(session)
    received = _member_payments(session)
    report = IntegrityReport()
    report.findings += _fed_by_fresh(received, members)
    report.findings += _trust_outliers(session, received, members)
    report.findings.sort(key=lambda f: (f.signal, f.handle))
    return report


@dataclass(frozen=True)
class _Who:
    handle: str
    created_at: datetime
    frozen: bool


def _members(session: Session) -> dict[int, _Who]:
    rows = session.exec(
        select(Member.id, Member.handle, Member.created_at, Member.frozen_at).where(
            Member.status == "active"
        )
    ).all()
    return {r.id: _Who(r.handle, r.created_at, r.frozen_at is not None) for r in rows}


@dataclass(frozen=True)
class _Payment:
    payer_id: int
    amount: int
    at: datetime


def _member_payments(session: Session) -> dict[int, list[_Payment]]:
    """Karma each member was paid by other members, for good (gifts and
    posted holds), by recipient."""
    payer, payee = aliased(LedgerAccount), aliased(LedgerAccount)
    rows = session.exec(
        select(
            payee.member_id,
            payer.member_id,
            LedgerTransfer.amount,
            LedgerTransfer.created_at,
        )
        .join(payer, payer.id == LedgerTransfer.debit_account_id)
        .join(payee, payee.id == LedgerTransfer.credit_account_id)
        .where(
            LedgerTransfer.currency == KARMA,
            LedgerTransfer.kind.in_(PAID),
            LedgerTransfer.amount > 0,
            payer.member_id.is_not(None),
            payee.member_id.is_not(None),
        )
    ).all()
    received: dict[int, list[_Payment]] = defaultdict(list)
    for payee_id, payer_id, amount, at in rows:
        if payee_id != payer_id:
            received[payee_id].append(_Payment(payer_id, amount, at))
    return received


def _fed_by_fresh(
    received: dict[int, list[_Payment]], members: dict[int, _Who]
) -> list[Finding]:
    findings = []
    for payee_id, payments in received.items():
        who = members.get(payee_id)
        fresh = {
            p.payer_id
            for p in payments
            if p.payer_id in members and p.at - members[p.payer_id].created_at < FRESH
        }
        if who is None or len(fresh) < FED_BY_MIN:
            continue
        total = sum(p.amount for p in payments if p.payer_id in fresh)
        findings.append(
            Finding(
                "fed_by_fresh",
                payee_id,
                who.handle,
                f"paid {total} karma by {len(fresh)} accounts under "
                f"{FRESH.days} days old",
                tuple(sorted(members[m].handle for m in fresh)),
                who.frozen,
            )
        )
    return findings


def _trust_outliers(
    session: Session, received: dict[int, list[_Payment]], members: dict[int, _Who]
) -> list[Finding]:
    earned = {
        member_id: sum(p.amount for p in payments)
        for member_id, payments in received.items()
        if member_id in members
    }
    rich = [m for m, total in earned.items() if total >= OUTLIER_EARNED_MIN]
    scores = trust.scores(session, rich)
    return [
        Finding(
            "trust_outlier",
            member_id,
            members[member_id].handle,
            f"earned {earned[member_id]} karma with trust {scores[member_id]:.2f}",
            frozen=members[member_id].frozen,
        )
        for member_id in rich
        if scores[member_id] <= OUTLIER_TRUST_MAX
    ]
