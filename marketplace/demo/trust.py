"""Trust and credit for the demo's members, so their credit limits are real.

Karma is mutual credit (docs/design/karma-trust.md): a member pays for help
from their credit limit, which trust gives them. The real trust is computed
over the relationship graph in the background; until it first runs, the
seed writes a planned score for each seeded member that has none (and never
overwrites one): the demo accounts are fully trusted, a generated member the
more the longer they have been a member. A pure plan, like the rest of the
demo, so the karma and market plans can count on the same limits the ledger
will enforce.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, insert, select

from marketplace.demo.members import DEMO_HANDLES, MemberSpec
from marketplace.domain.credit import credit_limit
from marketplace.ledger import credit
from marketplace.models import MemberTrust
from marketplace.settings import get_settings

BATCH_SIZE = 500
NEWCOMER_TRUST = 0.3  # a generated member who just joined
FULL_TRUST_DAYS = 420  # ... and one who joined this long ago


@dataclass(frozen=True)
class CreditTerms:
    """The settings a credit limit is made from (TRUST_LIMIT, LIMIT_MAX)."""

    trust_limit: int = 20
    limit_max: int = 100
    trust_min: float = 0.1

    @classmethod
    def from_settings(cls) -> CreditTerms:
        settings = get_settings()
        return cls(settings.trust_limit, settings.limit_max, settings.credit_trust_min)

    def limit(self, trust: float) -> int:
        """A verified member's limit at `trust`, before any vouch."""
        return credit_limit(
            verified=True,
            trust=trust,
            vouched_in=0,
            vouched_out=0,
            trust_limit=self.trust_limit,
            limit_max=self.limit_max,
            trust_min=self.trust_min,
        )


def planned_trust(spec: MemberSpec) -> float:
    if spec.handle in DEMO_HANDLES:
        return 1.0
    grown = NEWCOMER_TRUST + (1 - NEWCOMER_TRUST) * spec.joined_days_ago / (
        FULL_TRUST_DAYS
    )
    return round(min(1.0, grown), 2)


def planned_limits(specs: Iterable[MemberSpec], terms: CreditTerms) -> dict[str, int]:
    """Handle -> the credit limit each member will have once seeded."""
    return {spec.handle: terms.limit(planned_trust(spec)) for spec in specs}


def seed_trust(
    session: Session, specs: list[MemberSpec], ids: dict[str, int], now: datetime
) -> int:
    """Write the planned trust of seeded members who have none yet, then
    their credit limits; return how many scores were written."""
    seeded = [spec for spec in specs if spec.handle in ids]
    written = 0
    for start in range(0, len(seeded), BATCH_SIZE):
        batch = seeded[start : start + BATCH_SIZE]
        batch_ids = [ids[spec.handle] for spec in batch]
        scored = set(
            session.exec(
                select(MemberTrust.member_id).where(
                    col(MemberTrust.member_id).in_(batch_ids)
                )
            )
        )
        rows = [
            {
                "member_id": ids[spec.handle],
                "score": planned_trust(spec),
                "seed": False,
                "computed_at": now,
            }
            for spec in batch
            if ids[spec.handle] not in scored
        ]
        if rows:
            session.exec(insert(MemberTrust), params=rows)
        written += len(rows)
        credit.refresh_limits(session, batch_ids)
    return written
