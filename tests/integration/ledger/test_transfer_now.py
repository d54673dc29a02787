"""A transfer that is its own transaction (one statement on PostgreSQL) keeps
every promise of a transfer inside a unit of work."""

import pytest

from marketplace.db import read_only, unit_of_work
from marketplace.domain.ledger import (
    IdempotencyConflict,
    InsufficientKarma,
    UnknownAccount,
)
from marketplace.ledger import ledger
from marketplace.ledger.audit import audit_ledger
from tests.integration.ledger.test_wallet import available, member


def accounts_of(*people):
    with unit_of_work() as s:
        return [ledger.member_account(s, p.member_id) for p in people]


def send(debit, credit, amount, key):
    return ledger.transfer_now(
        key=key,
        debit_account_id=debit,
        credit_account_id=credit,
        amount=amount,
        code="gift",
    )


def test_it_moves_karma_once_and_replays(engine):
    ada, bob = member("ada"), member("bob")
    a, b = accounts_of(ada, bob)
    assert not send(a, b, 4, "now-1").replayed
    assert send(a, b, 4, "now-1").replayed
    assert (available(ada.member_id), available(bob.member_id)) == (6, 14)
    with pytest.raises(IdempotencyConflict):
        send(a, b, 5, "now-1")


def test_a_refusal_leaves_nothing_behind(engine):
    ada, bob = member("ada"), member("bob")
    a, b = accounts_of(ada, bob)
    with pytest.raises(InsufficientKarma, match="10 available, 11 needed"):
        send(a, b, 11, "now-2")
    with pytest.raises(UnknownAccount):
        send(a, 999_999, 1, "now-3")
    assert (available(ada.member_id), available(bob.member_id)) == (10, 10)
    assert not send(a, b, 10, "now-2").replayed  # the refused id was never stored
    with read_only() as s:
        assert audit_ledger(s).ok
