"""Credit limits: how far below zero a member may go to get help.

Karma is mutual credit (docs/design/karma-trust.md): a member who gets help
pays the helper and may go below zero to do so, down to a limit that the
network's trust in them and the vouches of trusted members give them:

    limit = 0                                      if the email is not verified
          = min(LIMIT_MAX, from_trust + vouched_in - vouched_out)
    from_trust = round(TRUST_LIMIT * trust)        if trust >= TRUST_MIN
               = 0                                 otherwise

never below zero. TRUST_MIN (0.1) keeps the crumbs of trust that leak into a
ring of fake accounts from adding up: 200 sybils with one karma of credit
each would still feed their owner 200 karma.

A voucher stakes part of their own unused limit: what they could still
spend on credit, after what they already owe.
"""

from __future__ import annotations

import math

from marketplace.domain.errors import InvalidInput
from marketplace.domain.ledger import Totals


def credit_limit(
    *,
    verified: bool,
    trust: float,
    vouched_in: int,
    vouched_out: int,
    trust_limit: int,
    limit_max: int,
    trust_min: float = 0.0,
) -> int:
    """The member's credit limit in karma. `trust` is in [0, 1]; rounding is
    half up, so a score of exactly one half of a point counts; trust below
    `trust_min` gives nothing."""
    if not verified:
        return 0
    trust = min(1.0, max(0.0, trust))
    from_trust = 0 if trust < trust_min else math.floor(trust_limit * trust + 0.5)
    return max(0, min(limit_max, from_trust + vouched_in - vouched_out))


def unused_limit(totals: Totals) -> int:
    """The part of the credit limit not already spent: what a voucher may stake."""
    owed = max(0, -totals.available)
    return max(0, (totals.credit_limit or 0) - owed)


def check_stake(value: object, unused: int) -> int:
    """A stake: a whole number of karma from 1 to the voucher's unused limit."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().isdecimal() and len(value) < 10:
        value = int(value.strip())
    if not isinstance(value, int):
        raise InvalidInput("Stake must be a whole number of karma.", "stake")
    if unused < 1:
        raise InvalidInput(
            "You have no unused credit to stake: your limit is spent or staked.",
            "stake",
        )
    if not 1 <= value <= unused:
        raise InvalidInput(f"Stake must be between 1 and {unused} karma.", "stake")
    return value
