"""Trust over the relationship graph: how far the network vouches, as a
whole, for each member (docs/design/karma-trust.md). Scores are computed in
the background and stored in `member_trust`; everything that trust bounds
(credit limits, intro rewards, how much a review counts) reads them here.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from marketplace.models import MemberTrust

# At or above this, a member counts as trusted: they may vouch, and help
# between two of them may earn their introducer a reward.
TRUSTED = 0.5


def score(session: Session, member_id: int) -> float:
    """The member's trust in [0, 1]; 0 for a member never scored."""
    row = session.get(MemberTrust, member_id)
    return row.score if row is not None else 0.0


def scores(session: Session, member_ids: Iterable[int]) -> dict[int, float]:
    """Trust of each of `member_ids` (0 for those never scored)."""
    wanted = set(member_ids)
    if not wanted:
        return {}
    found = dict(
        session.exec(
            select(MemberTrust.member_id, MemberTrust.score).where(
                MemberTrust.member_id.in_(wanted)
            )
        ).all()
    )
    return {member_id: found.get(member_id, 0.0) for member_id in wanted}


def is_trusted(session: Session, member_id: int) -> bool:
    return score(session, member_id) >= TRUSTED
