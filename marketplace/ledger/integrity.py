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
  trusts them very little;
- **review ring**: two members who reviewed each other five stars again and
  again (market/reputation.py flags the pair and mutes its reviews);
- **intro rewards**: an introducer who reached this month's cap, and a pair
  the ledger paid an intro reward for more than once (possible only before
  rewards were limited to one per pair: the loop that minted them).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import String, cast, func, literal, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.ledger import KARMA, Kind
from marketplace.domain.times import month_start
from marketplace.market.reputation import ring_pairs_query
from marketplace.models import (
    Intro,
    IntroReward,
    LedgerAccount,
    LedgerTransfer,
    Member,
)
from marketplace.network import trust
from marketplace.settings import get_settings

FRESH = timedelta(days=30)  # an account this young when it paid is "fresh"
FED_BY_MIN = 5  # distinct fresh payers that make a finding
OUTLIER_EARNED_MIN = 50  # karma earned from members...
OUTLIER_TRUST_MAX = 0.1  # ...by someone the graph trusts this little
PAID = (str(Kind.SINGLE), str(Kind.POST))  # what moves karma for good


@dataclass(frozen=True)
class Finding:
    signal: str  # fed_by_fresh | trust_outlier | review_ring | intro_*
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


def integrity_report(session: Session, clock: Clock = system_clock) -> IntegrityReport:
    members = _members(session)
    received = _member_payments(session)
    report = IntegrityReport()
    report.findings += _fed_by_fresh(received, members)
    report.findings += _trust_outliers(session, received, members)
    report.findings += _review_rings(session, members)
    report.findings += _introducers_at_cap(session, members, clock)
    report.findings += _pairs_rewarded_twice(session, members)
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


def _review_rings(session: Session, members: dict[int, _Who]) -> list[Finding]:
    """Both sides of every flagged pair, each naming the other."""
    findings = []
    for a, b in session.execute(ring_pairs_query()).all():
        for one, other in ((a, b), (b, a)):
            if one in members and other in members:
                findings.append(
                    Finding(
                        "review_ring",
                        one,
                        members[one].handle,
                        f"five-star reviews back and forth with "
                        f"@{members[other].handle}: their reviews don't count",
                        (members[other].handle,),
                        members[one].frozen,
                    )
                )
    return findings


def _introducers_at_cap(
    session: Session, members: dict[int, _Who], clock: Clock
) -> list[Finding]:
    cap = get_settings().intro_reward_monthly_cap
    since = month_start(clock.now())
    until = month_start(since + timedelta(days=32))
    rows = session.execute(
        select(IntroReward.introducer_id, func.sum(IntroReward.amount), func.count())
        .where(IntroReward.created_at >= since, IntroReward.created_at < until)
        .group_by(IntroReward.introducer_id)
    ).all()
    return [
        Finding(
            "intro_cap_reached",
            introducer,
            members[introducer].handle,
            f"earned {earned} karma from {count} intro rewards this month "
            f"(the cap is {cap})",
            frozen=members[introducer].frozen,
        )
        for introducer, earned, count in rows
        if cap > 0 and earned >= cap and introducer in members
    ]


def _pairs_rewarded_twice(session: Session, members: dict[int, _Who]) -> list[Finding]:
    """From the ledger itself (not the one-per-pair table): intro rewards
    paid, per introducer and unordered pair introduced."""
    key = literal("intro:") + cast(Intro.id, String) + literal(":reward")
    rows = session.execute(
        select(Intro.via_id, Intro.requester_id, Intro.target_id)
        .join(LedgerTransfer, LedgerTransfer.transfer_key == key)
        .where(LedgerTransfer.code == "intro_reward", LedgerTransfer.amount > 0)
    ).all()
    paid: dict[tuple[int, int, int], int] = defaultdict(int)
    for via, requester, target in rows:
        paid[(via, min(requester, target), max(requester, target))] += 1
    return [
        Finding(
            "intro_pair_repeat",
            via,
            members[via].handle,
            f"paid {times} intro rewards for one pair",
            tuple(members[m].handle for m in (a, b) if m in members),
            members[via].frozen,
        )
        for (via, a, b), times in sorted(paid.items())
        if times > 1 and via in members
    ]
