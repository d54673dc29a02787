"""The karma ledger over SQL, on SQLite and PostgreSQL: transfers, holds,
replays, refusals, grants, and an audit that stays clean and catches tampering."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, insert, select, text, update
from sqlmodel import SQLModel

from marketplace.accounts import accounts
from marketplace.adapters.clock import FixedClock
from marketplace.db import unit_of_work
from marketplace.domain.errors import DomainError, InvalidInput, NotFound
from marketplace.domain.ledger import (
    HoldNotPending,
    IdempotencyConflict,
    InsufficientKarma,
    UnknownAccount,
)
from marketplace.ledger import ledger
from marketplace.ledger.audit import audit_ledger
from marketplace.models import LedgerAccount, LedgerTransfer
from tests.members import earn, sign_up

ACCOUNT = LedgerAccount.__table__
TRANSFER = LedgerTransfer.__table__


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 3, 1, 12, tzinfo=UTC))


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch):
    """Nobody logs in here: skip the deliberately slow password hash."""
    monkeypatch.setattr(accounts, "hash_password", lambda password: "not-a-hash")


@pytest.fixture(autouse=True)
def audit_stays_clean(engine):
    """Whatever a test does through the ledger, the books still add up."""
    yield
    with unit_of_work() as s:
        report = audit_ledger(s)
    assert report.ok, report.breaches


START = 10  # karma each member here earned before the test (an operator grant)


def join(handle: str, clock=None) -> int:
    """Sign a member up with START karma earned (joining gives none, and
    their limit is 0: no trust yet); return their account id."""
    with unit_of_work() as s:
        member = sign_up(
            s,
            email=f"{handle}@example.com",
            handle=handle,
            display_name=handle.title(),
            password="correct horse battery",
            clock=clock or FixedClock(datetime(2026, 3, 1, tzinfo=UTC)),
        )
        earn(s, member.member_id, START, key=f"start:{member.member_id}")
        return ledger.member_account(s, member.member_id)


def account(account_id: int):
    with unit_of_work() as s:
        return ledger.totals(s, account_id)


def available(account_id: int) -> int:
    return account(account_id).available


def books():
    """Every account's totals and the number of transfers: 'nothing written'."""
    with unit_of_work() as s:
        rows = s.execute(select(ACCOUNT).order_by(ACCOUNT.c.id)).mappings().all()
        count = s.execute(select(func.count()).select_from(TRANSFER)).scalar_one()
    return [ledger._totals(row) for row in rows], count


def pay(debit, credit, amount, key="t-1", **kw):
    with unit_of_work() as s:
        return ledger.transfer(
            s,
            key=key,
            debit_account_id=debit,
            credit_account_id=credit,
            amount=amount,
            code=kw.pop("code", "gift"),
            **kw,
        )


def hold(debit, credit, amount, key="h-1", clock=None, seconds=3600):
    with unit_of_work() as s:
        return ledger.hold(
            s,
            key=key,
            debit_account_id=debit,
            credit_account_id=credit,
            amount=amount,
            timeout_seconds=seconds,
            code="engagement",
            clock=clock or FixedClock(datetime.now(UTC)),
        )


def post(hold_key="h-1", key="p-1", amount=None, clock=None):
    with unit_of_work() as s:
        return ledger.post_hold(
            s,
            key=key,
            hold_key=hold_key,
            amount=amount,
            clock=clock or FixedClock(datetime.now(UTC)),
        )


def void(hold_key="h-1", key="v-1", clock=None):
    with unit_of_work() as s:
        return ledger.void_hold(
            s, key=key, hold_key=hold_key, clock=clock or FixedClock(datetime.now(UTC))
        )


def expire(clock) -> int:
    with unit_of_work() as s:
        return ledger.expire_holds(s, clock=clock)


@pytest.fixture
def alice(engine):
    return join("alice")


@pytest.fixture
def bob(engine):
    return join("bob")


# --------------------------------------------------------------------------- transfers


def test_signing_up_gives_no_karma_and_no_credit(engine):
    with unit_of_work() as s:
        member = sign_up(
            s,
            email="newcomer@example.com",
            handle="newcomer",
            display_name="Newcomer",
            password="correct horse battery",
        )
    with unit_of_work() as s:
        totals = ledger.totals(s, ledger.member_account(s, member.member_id))
        assert (totals.balance, totals.credit_limit) == (0, 0)
        assert audit_ledger(s).issued == {}


def test_a_transfer_moves_karma_from_one_account_to_the_other(alice, bob):
    sent = pay(alice, bob, 3, memo="thanks for the intro")
    assert (sent.amount, sent.kind, sent.replayed) == (3, "single", False)
    assert (account(alice).balance, available(alice)) == (7, 7)
    assert (account(bob).balance, available(bob)) == (13, 13)


def test_a_member_cannot_spend_more_than_they_have(alice, bob):
    before = books()
    with pytest.raises(InsufficientKarma, match="10 available, 11 needed"):
        pay(alice, bob, 11)
    assert books() == before


def test_give_karma_pays_another_member_by_handle(alice, bob):
    with unit_of_work() as s:
        alice_id = s.execute(
            select(ACCOUNT.c.member_id).where(ACCOUNT.c.id == alice)
        ).scalar_one()
        sent = ledger.give_karma(s, actor_id=alice_id, to_handle=" @Bob ", amount="4")
    assert sent.code == "gift" and sent.amount == 4
    assert (available(alice), available(bob)) == (6, 14)


@pytest.mark.parametrize(
    "handle,error,message",
    [
        ("alice", InvalidInput, "yourself"),
        ("@ALICE", InvalidInput, "yourself"),
        ("nobody", NotFound, "No active member with the handle 'nobody'"),
        ("", InvalidInput, "Say who should receive"),
        (None, InvalidInput, "Say who should receive"),
    ],
)
def test_give_karma_to_oneself_or_to_nobody_is_refused(
    alice, bob, handle, error, message
):
    before = books()
    with pytest.raises(error, match=message), unit_of_work() as s:
        alice_id = s.execute(
            select(ACCOUNT.c.member_id).where(ACCOUNT.c.id == alice)
        ).scalar_one()
        ledger.give_karma(s, actor_id=alice_id, to_handle=handle, amount=1)
    assert books() == before


def test_an_operator_grant_comes_from_the_admin_account_and_shows_as_issued(alice):
    with unit_of_work() as s:
        granted = ledger.grant(s, handle="alice", amount=5, memo="Helped at meetup")
    assert granted.code == "admin_grant"
    assert available(alice) == 15
    with unit_of_work() as s:
        assert audit_ledger(s).issued == {"admin_grant": START + 5}


def test_a_grant_needs_a_memo_and_a_real_member(alice):
    before = books()
    with pytest.raises(InvalidInput, match="Memo is required"), unit_of_work() as s:
        ledger.grant(s, handle="alice", amount=5, memo="  ")
    with pytest.raises(NotFound, match="No active member"), unit_of_work() as s:
        ledger.grant(s, handle="ghost", amount=5, memo="why not")
    assert books() == before


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "amount,message",
    [
        (0, "more than zero"),
        (-5, "more than zero"),
        (1.5, "whole number"),
        ("abc", "whole number"),
        ("²", "whole number"),
        (True, "whole number"),
        (10**12, "at most 1,000,000"),
        ("9" * 5000, "at most 1,000,000"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(alice, bob, amount, message):
    before = books()
    with pytest.raises(InvalidInput, match=message):
        pay(alice, bob, amount)
    with pytest.raises(InvalidInput, match=message):
        hold(alice, bob, amount)
    assert books() == before


@pytest.mark.parametrize("side", ["debit", "credit"])
@pytest.mark.parametrize("bad_id", [999_999, 0, -1, True, "1", None])
def test_unknown_accounts_are_refused_and_nothing_is_written(alice, side, bad_id):
    before = books()
    debit, credit = (bad_id, alice) if side == "debit" else (alice, bad_id)
    with pytest.raises(UnknownAccount, match="Unknown account"):
        pay(debit, credit, 1)
    with pytest.raises(UnknownAccount, match="Unknown account"):
        hold(debit, credit, 1)
    assert books() == before


def test_an_account_cannot_pay_itself(alice):
    before = books()
    with pytest.raises(InvalidInput, match="cannot pay itself"):
        pay(alice, alice, 1)
    assert books() == before


@pytest.mark.parametrize("closed", ["payer", "payee"])
def test_a_closed_account_neither_pays_nor_receives(engine, alice, bob, closed):
    with engine.begin() as conn:
        conn.execute(
            update(ACCOUNT)
            .where(ACCOUNT.c.id == (alice if closed == "payer" else bob))
            .values(closed_at=datetime.now(UTC))
        )
    before = books()
    with pytest.raises(UnknownAccount, match="Unknown or closed account"):
        pay(alice, bob, 1)
    with pytest.raises(UnknownAccount, match="Unknown or closed account"):
        hold(alice, bob, 1)
    assert books() == before


@pytest.mark.parametrize(
    "key,message", [("", "needs an id"), ("k" * 65, "at most 64"), (7, "needs an id")]
)
def test_a_transfer_needs_a_usable_id(alice, bob, key, message):
    before = books()
    with pytest.raises(InvalidInput, match=message):
        pay(alice, bob, 1, key=key)
    assert books() == before


# --------------------------------------------------------------------------- replays


def test_replaying_a_transfer_returns_the_original_and_moves_nothing(alice, bob):
    first = pay(alice, bob, 3, key="gift:1:abc", memo="thanks")
    after_first = books()
    again = pay(alice, bob, 3, key="gift:1:abc", memo="thanks")
    assert again.replayed and not first.replayed
    assert (again.id, again.amount, again.created_at) == (
        first.id,
        first.amount,
        first.created_at,
    )
    assert books() == after_first


@pytest.mark.parametrize(
    "change,field",
    [
        ({"amount": 4}, "amount"),
        ({"swap": True}, "debit_account_id, credit_account_id"),
        ({"memo": "other"}, "memo"),
        ({"code": "engagement"}, "code"),
    ],
)
def test_reusing_an_id_for_a_different_transfer_is_refused(alice, bob, change, field):
    pay(alice, bob, 3, key="gift:1:abc", memo="thanks")
    before = books()
    debit, credit = (bob, alice) if "swap" in change else (alice, bob)
    fields = {"amount": 3, "memo": "thanks"} | change
    fields.pop("swap", None)
    with pytest.raises(IdempotencyConflict, match=f"different {field}"):
        pay(debit, credit, key="gift:1:abc", **fields)
    assert books() == before


def test_reusing_a_transfer_id_for_a_hold_is_refused(alice, bob):
    pay(alice, bob, 3, key="k-1")
    before = books()
    with pytest.raises(IdempotencyConflict, match=r"different .*kind"):
        hold(alice, bob, 3, key="k-1")
    assert books() == before


def test_replaying_a_hold_and_its_post_changes_nothing(alice, bob):
    first_hold = hold(alice, bob, 4)
    first_post = post(amount=3)
    settled = books()
    assert hold(alice, bob, 4).replayed
    again = post(amount=3)
    assert again.replayed and again.id == first_post.id
    assert first_hold.id == again.pending_id
    assert books() == settled


# --------------------------------------------------------------------------- holds


def test_a_hold_reduces_what_the_payer_can_spend_but_not_their_balance(alice, bob):
    hold(alice, bob, 4)
    payer, payee = account(alice), account(bob)
    assert (payer.balance, payer.available) == (10, 6)
    assert (payee.balance, payee.available, payee.credits_pending) == (10, 10, 4)
    with pytest.raises(InsufficientKarma, match="6 available, 7 needed"):
        pay(alice, bob, 7)
    with unit_of_work() as s:
        assert audit_ledger(s).open_holds == 1


def test_posting_a_whole_hold_moves_it(alice, bob):
    hold(alice, bob, 4)
    posted = post()
    assert (posted.kind, posted.amount) == ("post", 4)
    assert (account(alice).balance, available(alice)) == (6, 6)
    assert (account(bob).balance, account(bob).credits_pending) == (14, 0)


def test_posting_part_of_a_hold_moves_that_part_and_releases_the_rest(alice, bob):
    hold(alice, bob, 4)
    assert post(amount="1").amount == 1
    assert (account(alice).balance, available(alice)) == (9, 9)
    assert (account(bob).balance, account(bob).credits_pending) == (11, 0)


def test_voiding_a_hold_gives_all_of_it_back(alice, bob):
    hold(alice, bob, 4)
    voided = void()
    assert (voided.kind, voided.amount) == ("void", 0)
    assert (available(alice), account(bob).credits_pending) == (10, 0)


def test_posting_more_than_was_held_is_refused(alice, bob):
    hold(alice, bob, 4)
    before = books()
    with pytest.raises(InvalidInput, match="Cannot post 5: only 4 is held"):
        post(amount=5)
    with pytest.raises(InvalidInput, match="more than zero"):
        post(amount=0)
    assert books() == before


def test_a_hold_is_resolved_at_most_once(alice, bob):
    hold(alice, bob, 4)
    void()
    before = books()
    with pytest.raises(HoldNotPending, match="already posted, voided or expired"):
        post()
    with pytest.raises(HoldNotPending, match="already posted, voided or expired"):
        void(key="v-2")
    assert books() == before


def test_only_holds_can_be_posted(alice, bob):
    pay(alice, bob, 1, key="t-1")
    with pytest.raises(HoldNotPending, match="No hold with id 'nope'"):
        post(hold_key="nope")
    with pytest.raises(HoldNotPending, match="No hold with id 't-1'"):
        post(hold_key="t-1")


def test_a_hold_expires_when_its_time_runs_out_and_only_once(alice, bob, clock):
    hold(alice, bob, 4, clock=clock, seconds=60)
    clock.advance(timedelta(seconds=59))
    assert expire(clock) == 0
    assert available(alice) == 6
    clock.advance(timedelta(seconds=1))
    assert expire(clock) == 1
    assert (available(alice), account(bob).credits_pending) == (10, 0)
    settled = books()
    assert expire(clock) == 0
    assert books() == settled


def test_an_expired_hold_can_no_longer_be_posted_or_voided(alice, bob, clock):
    hold(alice, bob, 4, clock=clock, seconds=60)
    clock.advance(timedelta(seconds=60))
    before = books()
    with pytest.raises(HoldNotPending, match="has expired"):
        post(clock=clock)
    with pytest.raises(HoldNotPending, match="has expired"):
        void(clock=clock)
    assert books() == before
    expire(clock)
    with pytest.raises(HoldNotPending, match="expired"):
        post(clock=clock)


def test_a_post_made_in_time_can_be_replayed_after_the_hold_expired(alice, bob, clock):
    hold(alice, bob, 4, clock=clock, seconds=60)
    post(clock=clock)
    clock.advance(timedelta(hours=1))
    assert post(clock=clock).replayed
    assert expire(clock) == 0


def test_holds_with_long_similar_ids_all_expire(alice, bob, clock):
    for suffix in "123":
        hold(alice, bob, 1, key="x" * 63 + suffix, clock=clock, seconds=60)
    clock.advance(timedelta(minutes=5))
    assert expire(clock) == 3
    assert available(alice) == 10


# --------------------------------------------------------------------------- atomicity


def test_linked_transfers_apply_all_or_nothing(engine, alice, bob):
    carol = join("carol")
    before = books()
    with pytest.raises(InsufficientKarma), unit_of_work() as s:
        for key, debit, credit, amount in [
            ("a", alice, bob, 3),
            ("b", bob, carol, 5),
            ("c", carol, alice, 100),
        ]:
            ledger.transfer(
                s,
                key=key,
                debit_account_id=debit,
                credit_account_id=credit,
                amount=amount,
                code="gift",
            )
    assert books() == before


# --------------------------------------------------------------------------- audit


def test_the_audit_reports_totals_that_disagree_with_the_transfers(engine, alice, bob):
    pay(alice, bob, 3)
    with engine.begin() as conn:
        conn.execute(
            update(ACCOUNT)
            .where(ACCOUNT.c.id == bob)
            .values(credits_posted=ACCOUNT.c.credits_posted + 5)
        )
    with unit_of_work() as s:
        report = audit_ledger(s)
    assert not report.ok
    assert f"account {bob} credits_posted: stored 18, transfers say 13" in (
        report.breaches
    )
    assert "KARMA balances sum to 5, not 0" in report.breaches
    with engine.begin() as conn:  # undo, so the books are clean again
        conn.execute(
            update(ACCOUNT)
            .where(ACCOUNT.c.id == bob)
            .values(credits_posted=ACCOUNT.c.credits_posted - 5)
        )


def test_the_audit_reports_a_transfer_slipped_in_behind_the_ledger(engine, alice, bob):
    with engine.begin() as conn:
        conn.execute(
            insert(TRANSFER).values(
                transfer_key="sneaky",
                debit_account_id=alice,
                credit_account_id=bob,
                amount=2,
                currency="KARMA",
                kind="single",
                code="gift",
                memo="",
                created_at=datetime.now(UTC),
            )
        )
    with unit_of_work() as s:
        report = audit_ledger(s)
    assert f"account {alice} debits_posted: stored 0, transfers say 2" in (
        report.breaches
    )
    assert f"account {bob} credits_posted: stored 10, transfers say 12" in (
        report.breaches
    )
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger_transfer WHERE transfer_key = 'sneaky'"))


# --------------------------------------------------------------------------- model

MEMBERS = ("ann", "ben", "cat")
HOLD_SECONDS = 60
KEYS = st.sampled_from(["t0", "t1", "t2"])
RESOLUTION_KEYS = st.sampled_from(["r0", "r1", "t0"])
WHO = st.sampled_from(MEMBERS)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("pay"), WHO, WHO, st.integers(1, 12), KEYS),
        st.tuples(st.just("hold"), WHO, WHO, st.integers(1, 12), KEYS),
        st.tuples(
            st.just("post"), KEYS, RESOLUTION_KEYS, st.none() | st.integers(1, 4)
        ),
        st.tuples(st.just("void"), KEYS, RESOLUTION_KEYS),
        st.tuples(st.just("wait"), st.sampled_from([30, 90])),
        st.tuples(st.just("expire")),
    ),
    min_size=5,
    max_size=25,
)


class Model:
    """What members should see, worked out without the ledger."""

    def __init__(self, now):
        self.now = now
        self.balance = dict.fromkeys(MEMBERS, 10)
        self.available = dict.fromkeys(MEMBERS, 10)
        self.used = {}  # transfer id -> its fields
        self.holds = {}  # hold id -> [payer, payee, amount, expires_at, open]

    def send(self, kind, payer, payee, amount, key):
        fields = (kind, payer, payee, amount)
        if payer == payee:
            return InvalidInput
        if key in self.used:
            return "replay" if self.used[key] == fields else IdempotencyConflict
        if self.available[payer] < amount:
            return InsufficientKarma
        self.used[key] = fields
        self.available[payer] -= amount
        if kind == "pending":
            expires_at = self.now + timedelta(seconds=HOLD_SECONDS)
            self.holds[key] = [payer, payee, amount, expires_at, True]
            return "ok"
        self.balance[payer] -= amount
        self.balance[payee] += amount
        self.available[payee] += amount
        return "ok"

    def resolve(self, kind, hold_key, key, amount=None):
        if hold_key not in self.holds:
            return HoldNotPending
        payer, payee, held, expires_at, is_open = self.holds[hold_key]
        moved = 0 if kind == "void" else held if amount is None else amount
        if moved > held:
            return InvalidInput
        if expires_at <= self.now and key not in self.used:
            return HoldNotPending
        if key in self.used:
            fields = (kind, payer, payee, moved, hold_key)
            return "replay" if self.used[key] == fields else IdempotencyConflict
        if not is_open:
            return HoldNotPending
        self.used[key] = (kind, payer, payee, moved, hold_key)
        self.holds[hold_key][4] = False
        self.balance[payer] -= moved
        self.available[payer] += held - moved
        self.balance[payee] += moved
        self.available[payee] += moved
        return "ok"

    def expire(self) -> int:
        due = [h for h in self.holds.values() if h[4] and h[3] <= self.now]
        for hold in due:
            hold[4] = False
            self.available[hold[0]] += hold[2]
        return len(due)


def outcome(action, *args, **kwargs):
    try:
        result = action(*args, **kwargs)
    except DomainError as error:
        return type(error)
    return "replay" if result.replayed else "ok"


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=OPERATIONS)
def test_random_use_of_the_ledger_matches_a_simple_model(engine, operations):
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())
    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    model = Model(clock.now())
    account_of = {name: join(name, clock) for name in MEMBERS}
    for operation in operations:
        match operation:
            case ("pay", payer, payee, amount, key):
                expected = model.send("single", payer, payee, amount, key)
                args = (account_of[payer], account_of[payee], amount, key)
                actual = outcome(pay, *args)
            case ("hold", payer, payee, amount, key):
                expected = model.send("pending", payer, payee, amount, key)
                args = (account_of[payer], account_of[payee], amount, key)
                actual = outcome(hold, *args, clock=clock, seconds=HOLD_SECONDS)
            case ("post", hold_key, key, amount):
                expected = model.resolve("post", hold_key, key, amount)
                actual = outcome(post, hold_key, key, amount, clock)
            case ("void", hold_key, key):
                expected = model.resolve("void", hold_key, key)
                actual = outcome(void, hold_key, key, clock)
            case ("wait", seconds):
                clock.advance(timedelta(seconds=seconds))
                model.now = clock.now()
                expected = actual = "ok"
            case ("expire",):
                expected, actual = model.expire(), expire(clock)
        assert actual == expected, operation
    for name, account_id in account_of.items():
        totals = account(account_id)
        assert (totals.balance, totals.available) == (
            model.balance[name],
            model.available[name],
        ), name
    with unit_of_work() as s:
        report = audit_ledger(s)
    assert report.ok, report.breaches
