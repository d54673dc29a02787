"""The ledger under concurrent writers and crashes, on SQLite and PostgreSQL:
no double spend, no double replay, a hold resolved once, no deadlock, and a
transfer that fails half-way leaves no trace."""

import sqlite3
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError

from marketplace.accounts import accounts
from marketplace.adapters.clock import FixedClock
from marketplace.db import run_in_transaction, unit_of_work
from marketplace.domain.ledger import HoldNotPending, InsufficientKarma
from marketplace.ledger import ledger, ledger_sql
from marketplace.ledger.audit import audit_ledger
from marketplace.models import LedgerAccount, LedgerTransfer
from tests.members import earn, sign_up, trust

THREADS = 20


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Nobody logs in here: skip the deliberately slow password hash."""
    monkeypatch.setattr(accounts, "hash_password", lambda password: "not-a-hash")


@pytest.fixture(autouse=True)
def audit_stays_clean(engine):
    yield
    with unit_of_work() as s:
        report = audit_ledger(s)
    assert report.ok, report.breaches


def join(handle: str, *, earned: int = 10, trust_score: float = 0.0) -> int:
    """Sign a member up with `earned` karma and the credit `trust_score`
    gives them (none by default); return their account id."""
    with unit_of_work() as s:
        member = sign_up(
            s,
            email=f"{handle}@example.com",
            handle=handle,
            display_name=handle.title(),
            password="correct horse battery",
            clock=FixedClock(datetime(2026, 3, 1, tzinfo=UTC)),
        )
        trust(s, member.member_id, trust_score)
        if earned:
            earn(s, member.member_id, earned, key=f"start:{member.member_id}")
        return ledger.member_account(s, member.member_id)


def pay_in(s, debit, credit, amount=1, key="t-1"):
    return ledger.transfer(
        s,
        key=key,
        debit_account_id=debit,
        credit_account_id=credit,
        amount=amount,
        code="gift",
    )


def pay(debit, credit, amount, key):
    with unit_of_work() as s:
        return pay_in(s, debit, credit, amount, key)


def hold(debit, credit, amount, key):
    with unit_of_work() as s:
        return ledger.hold(
            s,
            key=key,
            debit_account_id=debit,
            credit_account_id=credit,
            amount=amount,
            timeout_seconds=3600,
            code="engagement",
        )


def available(account_id: int) -> int:
    with unit_of_work() as s:
        return ledger.totals(s, account_id).available


def transfer_count() -> int:
    with unit_of_work() as s:
        return s.execute(select(func.count()).select_from(LedgerTransfer)).scalar_one()


def all_at_once(work, n=THREADS) -> list:
    """Run work(0..n-1) in n threads released together; each result or error."""
    barrier = threading.Barrier(n, timeout=30)
    results: list = [None] * n

    def run(i):
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as error:
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    return results


def errors(results) -> list[Exception]:
    return [r for r in results if isinstance(r, Exception)]


@pytest.fixture
def alice(engine):
    return join("alice")


@pytest.fixture
def bob(engine):
    return join("bob")


# --------------------------------------------------------------------------- races


@pytest.mark.parametrize("spend", [pay, hold], ids=["transfers", "holds"])
def test_racing_spends_never_take_more_than_the_balance(alice, bob, spend):
    pay(alice, bob, 3, key="warm-up")  # alice keeps exactly 7
    results = all_at_once(lambda i: spend(alice, bob, 1, key=f"race-{i}"))
    refused = errors(results)
    assert len(results) - len(refused) == 7
    assert len(refused) == THREADS - 7
    for error in refused:
        assert isinstance(error, InsufficientKarma), repr(error)
        assert str(error) == "Not enough karma: 0 available, 1 needed."
    assert available(alice) == 0


GIFTS = 30


def test_racing_gifts_never_spend_credit(engine):
    """A member with a credit limit of 20 and 5 karma earned: of 30 gifts of
    1 sent at once, 5 go and the rest are refused, whatever the credit."""
    giver = join("giver", earned=5, trust_score=1.0)
    taker = join("taker", earned=0)
    with unit_of_work() as s:
        assert ledger.totals(s, giver).credit_limit == 20

    def give(i):
        with unit_of_work() as s:
            giver_id = s.get(LedgerAccount, giver).member_id
            return ledger.give_karma(
                s, actor_id=giver_id, to_handle="taker", amount=1, key=f"gift-{i}"
            )

    results = all_at_once(give, n=GIFTS)
    refused = errors(results)
    assert len(results) - len(refused) == 5
    assert all(isinstance(error, InsufficientKarma) for error in refused), refused
    assert "Gifts come from karma you earned" in str(refused[0])
    with unit_of_work() as s:
        after = ledger.totals(s, giver)
    assert (after.balance, after.available) == (0, 0)
    assert available(taker) == 5
    # paying for help may still use the credit
    hold(giver, taker, 20, key="help-on-credit")
    assert available(giver) == -20


def test_racing_replays_of_one_id_move_the_karma_once(alice, bob):
    before = transfer_count()
    results = all_at_once(lambda i: pay(alice, bob, 2, key="double-click"))
    assert errors(results) == []
    assert sum(not r.replayed for r in results) == 1
    assert len({r.id for r in results}) == 1
    assert transfer_count() == before + 1
    assert (available(alice), available(bob)) == (8, 12)


def test_a_hold_posted_and_voided_at_once_is_resolved_once(alice, bob):
    hold(alice, bob, 4, key="escrow")

    def resolve(i):
        with unit_of_work() as s:
            if i % 2:
                return ledger.void_hold(s, key=f"void-{i}", hold_key="escrow")
            return ledger.post_hold(s, key=f"post-{i}", hold_key="escrow")

    results = all_at_once(resolve, n=10)
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(e, HoldNotPending) for e in errors(results))
    moved = 4 if winners[0].kind == "post" else 0
    assert (available(alice), available(bob)) == (10 - moved, 10 + moved)


def test_transfers_in_opposite_directions_do_not_deadlock(alice, bob):
    def back_and_forth(i):
        for n in range(5):
            debit, credit = (alice, bob) if (i + n) % 2 else (bob, alice)
            pay(debit, credit, 1, key=f"swap-{i}-{n}")

    results = all_at_once(back_and_forth)
    assert errors(results) == []
    assert (available(alice), available(bob)) == (10, 10)
    assert transfer_count() == 2 + THREADS * 5


def test_linked_transfers_in_crossing_orders_finish_when_retried(alice, bob):
    carol, dave = join("carol"), join("dave")
    orders = [[(alice, bob), (carol, dave)], [(carol, dave), (alice, bob)]]

    def linked(i):
        def work(s):
            for n, (debit, credit) in enumerate(orders[i % 2]):
                pay_in(s, debit, credit, key=f"linked-{i}-{n}")
                time.sleep(0.1)  # both hold their first pair of accounts

        run_in_transaction(work)

    assert errors(all_at_once(linked, n=2)) == []
    assert [available(a) for a in (alice, bob, carol, dave)] == [8, 12, 8, 12]


def test_only_a_transaction_the_database_gave_up_on_is_run_again(alice, bob):
    locked = sqlite3.OperationalError("database is locked")
    locked.sqlite_errorcode = sqlite3.SQLITE_BUSY
    attempts = []

    def work(s, error):
        attempts.append(error)
        pay_in(s, alice, bob, key=f"attempt-{len(attempts)}")
        if len(attempts) == 1:
            raise error

    run_in_transaction(lambda s: work(s, OperationalError("COMMIT", {}, locked)))
    assert len(attempts) == 2
    assert (available(alice), transfer_count()) == (9, 3)  # the first rolled back

    attempts.clear()
    duplicate = IntegrityError("INSERT", {}, Exception("duplicate key"))
    with pytest.raises(IntegrityError):
        run_in_transaction(lambda s: work(s, duplicate))
    assert len(attempts) == 1 and transfer_count() == 3


# --------------------------------------------------------------------------- crashes


def test_a_crash_half_way_through_a_transfer_leaves_no_trace(monkeypatch, alice, bob):
    """The power goes after the transfer and one side (SQLite, statement by
    statement) or all of it (PostgreSQL, one function call) was written, before
    the commit: nothing of it survives, and a replay applies it exactly once."""
    real_record, real_move, calls = (
        ledger_sql.HotPath.record,
        ledger_sql.HotPath.move,
        [],
    )

    def crash_on_second_side(self, side, *args, **kwargs):
        calls.append(side)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real_move(self, side, *args, **kwargs)

    def crash_after_the_writes(self, *args, **kwargs):
        written = real_record(self, *args, **kwargs)
        if self.is_postgres:
            raise RuntimeError("power cut")
        return written

    before = transfer_count()
    monkeypatch.setattr(ledger_sql.HotPath, "move", crash_on_second_side)
    monkeypatch.setattr(ledger_sql.HotPath, "record", crash_after_the_writes)
    with pytest.raises(RuntimeError, match="power cut"):
        pay(alice, bob, 3, key="gift:1:crash")
    assert transfer_count() == before
    assert (available(alice), available(bob)) == (10, 10)
    with unit_of_work() as s:
        assert audit_ledger(s).ok

    monkeypatch.setattr(ledger_sql.HotPath, "move", real_move)
    monkeypatch.setattr(ledger_sql.HotPath, "record", real_record)
    assert not pay(alice, bob, 3, key="gift:1:crash").replayed
    assert pay(alice, bob, 3, key="gift:1:crash").replayed
    assert (available(alice), available(bob)) == (7, 13)
    assert transfer_count() == before + 1
