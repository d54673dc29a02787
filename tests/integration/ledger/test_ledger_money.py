"""Money in the same ledger as karma, on SQLite and PostgreSQL: a card payment
held in escrow, captured, paid out to the consultant less the platform's fee, or
voided; one currency per transfer; replays; racing holds on one escrow; and an
audit that covers every currency and catches tampering."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text, update

from marketplace.accounts import accounts
from marketplace.adapters.clock import FixedClock
from marketplace.cli import main
from marketplace.db import unit_of_work
from marketplace.domain.errors import InvalidInput
from marketplace.domain.ledger import (
    KARMA,
    CurrencyMismatch,
    HoldNotPending,
    IdempotencyConflict,
    InsufficientFunds,
    InsufficientKarma,
    UnknownAccount,
)
from marketplace.ledger import ledger
from marketplace.ledger.audit import audit_ledger
from marketplace.models import LedgerAccount, LedgerTransfer
from tests.integration.ledger.test_ledger_concurrency import all_at_once, errors
from tests.members import sign_up

ACCOUNT = LedgerAccount.__table__
TRANSFER = LedgerTransfer.__table__
FEE_BPS = 1_000  # 10 %


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


def join(handle: str) -> int:
    """Sign a member up; return their member id."""
    with unit_of_work() as s:
        return sign_up(
            s,
            email=f"{handle}@example.com",
            handle=handle,
            display_name=handle.title(),
            password="correct horse battery",
            clock=FixedClock(datetime(2026, 3, 1, tzinfo=UTC)),
        ).member_id


def system(name: str, currency: str) -> int:
    with unit_of_work() as s:
        return ledger.system_account(s, name, currency)


def wallet(member_id: int, currency: str) -> int:
    with unit_of_work() as s:
        return ledger.member_account(s, member_id, currency)


def balance(account_id: int) -> int:
    with unit_of_work() as s:
        return ledger.totals(s, account_id).balance


def available(account_id: int) -> int:
    with unit_of_work() as s:
        return ledger.totals(s, account_id).available


def books():
    """Every account's totals and the number of transfers: 'nothing written'."""
    with unit_of_work() as s:
        rows = s.execute(select(ACCOUNT).order_by(ACCOUNT.c.id)).mappings().all()
        count = s.execute(select(func.count()).select_from(TRANSFER)).scalar_one()
    return [ledger._totals(row) for row in rows], count


def pay(debit, credit, amount, currency, key="t-1", code="payment"):
    with unit_of_work() as s:
        return ledger.transfer(
            s,
            key=key,
            debit_account_id=debit,
            credit_account_id=credit,
            amount=amount,
            currency=currency,
            code=code,
        )


def authorize(amount, currency="usd", key="pi-1", seconds=3600, clock=None):
    """A card payment authorized: held from stripe:{cur} into escrow:{cur}."""
    with unit_of_work() as s:
        return ledger.hold(
            s,
            key=key,
            debit_account_id=ledger.system_account(s, ledger.STRIPE, currency),
            credit_account_id=ledger.system_account(s, ledger.ESCROW, currency),
            amount=amount,
            timeout_seconds=seconds,
            code="payment",
            currency=currency,
            clock=clock or FixedClock(datetime.now(UTC)),
        )


def capture(hold_key="pi-1", key="capture-1", amount=None):
    with unit_of_work() as s:
        return ledger.post_hold(s, key=key, hold_key=hold_key, amount=amount)


def release(consultant, amount, currency="usd", key="release-1"):
    with unit_of_work() as s:
        return ledger.release_escrow(
            s,
            key=key,
            currency=currency,
            consultant_id=consultant,
            amount=amount,
            fee_bps=FEE_BPS,
        )


@pytest.fixture
def consultant(engine):
    return join("carla")


@pytest.fixture
def usd():
    """stripe:usd, escrow:usd, platform_fees:usd."""
    return tuple(
        system(name, "usd")
        for name in (ledger.STRIPE, ledger.ESCROW, ledger.PLATFORM_FEES)
    )


# --------------------------------------------------------------------------- flow


def test_a_paid_engagement_goes_card_to_escrow_to_consultant_and_fee(consultant, usd):
    stripe, escrow, fees = usd
    held = authorize(12_000)
    assert (held.kind, held.currency, held.amount) == ("pending", "usd", 12_000)
    assert (available(escrow), balance(escrow)) == (0, 0)  # held, not yet captured

    captured = capture()
    assert (captured.kind, captured.currency) == ("post", "usd")
    assert balance(escrow) == 12_000

    net, fee = release(consultant, 12_000)
    assert (net.amount, fee.amount) == (10_800, 1_200)
    assert balance(wallet(consultant, "usd")) == 10_800
    assert balance(fees) == 1_200
    assert balance(escrow) == 0
    assert balance(stripe) == -12_000  # what came in through cards
    with unit_of_work() as s:
        report = audit_ledger(s)
    assert report.issued["stripe:usd"] == 12_000
    assert report.currencies["usd"]["issued"] == 12_000


def test_the_money_system_accounts_are_named_per_currency(engine, usd):
    with unit_of_work() as s:
        names = s.execute(select(ACCOUNT.c.name).where(ACCOUNT.c.id.in_(usd))).scalars()
        assert sorted(names) == ["escrow:usd", "platform_fees:usd", "stripe:usd"]
    assert system(ledger.ESCROW, "USD") == usd[1]  # read in any case
    assert system(ledger.ESCROW, "eur") not in usd


@pytest.mark.parametrize(
    "name,currency,error",
    [
        ("escrow", KARMA, UnknownAccount),
        ("signup_grant", "usd", UnknownAccount),
        ("escrow", "xyz", InvalidInput),
    ],
)
def test_unknown_money_system_accounts_are_refused(engine, name, currency, error):
    with pytest.raises(error):
        system(name, currency)


def test_a_member_has_one_account_per_currency(consultant):
    karma, dollars, euros = (wallet(consultant, c) for c in (KARMA, "usd", "EUR"))
    assert len({karma, dollars, euros}) == 3
    assert wallet(consultant, "eur") == euros
    assert balance(dollars) == 0 and balance(karma) == 0  # joining gives nothing
    with pytest.raises(InvalidInput, match="Unknown currency"):
        wallet(consultant, "xyz")


def test_a_voided_authorization_gives_the_card_its_money_back(consultant, usd):
    stripe, escrow, _ = usd
    authorize(5_000)
    before = books()
    with unit_of_work() as s:
        voided = ledger.void_hold(s, key="cancel-1", hold_key="pi-1")
    assert (voided.kind, voided.amount, voided.currency) == ("void", 0, "usd")
    assert balance(stripe) == balance(escrow) == 0
    assert available(stripe) == 0
    assert books()[1] == before[1] + 1
    with pytest.raises(HoldNotPending):
        capture()


def test_a_captured_payment_is_refunded_by_a_reversing_transfer(consultant, usd):
    stripe, escrow, _ = usd
    authorize(5_000)
    capture()
    pay(escrow, stripe, 5_000, "usd", key="refund-1", code="refund")
    assert balance(stripe) == balance(escrow) == 0


def test_a_partial_capture_takes_that_part_and_releases_the_rest(consultant, usd):
    stripe, escrow, _ = usd
    authorize(9_000)
    assert capture(amount=6_000).amount == 6_000
    assert (balance(escrow), available(stripe)) == (6_000, -6_000)


def test_a_large_payment_is_checked_against_money_limits_not_karma(consultant, usd):
    authorize(5_000_000)  # $50,000.00: far beyond a karma transfer's maximum
    assert capture(amount=4_000_000).amount == 4_000_000
    with pytest.raises(InvalidInput, match=r"at most \$1,000,000\.00"):
        authorize(100_000_001, key="pi-2")


def test_yen_move_in_whole_yen(consultant):
    authorize(1_200, currency="jpy")
    capture()
    net, fee = release(consultant, 1_200, currency="jpy")
    assert (net.amount, fee.amount) == (1_080, 120)
    assert balance(wallet(consultant, "jpy")) == 1_080


def test_an_expired_authorization_is_released_by_the_scheduler(consultant, usd):
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    authorize(3_000, seconds=60, clock=FixedClock(now))
    later = FixedClock(now + timedelta(minutes=2))
    with (
        pytest.raises(HoldNotPending, match="its money goes back"),
        unit_of_work() as s,
    ):
        ledger.post_hold(s, key="late", hold_key="pi-1", clock=later)
    with unit_of_work() as s:
        assert ledger.expire_holds(s, clock=later) == 1
    assert available(usd[0]) == 0 and balance(usd[1]) == 0


# --------------------------------------------------------------------------- refusals


def test_escrow_cannot_pay_out_more_than_it_holds(consultant, usd):
    authorize(1_000)
    capture()
    before = books()
    with pytest.raises(InsufficientFunds, match="Not enough funds"):
        release(consultant, 1_001)  # the net leg fits, the fee leg does not
    assert books() == before


def test_a_member_cannot_spend_money_they_do_not_have(consultant, engine):
    other = join("olga")
    before = books()
    with pytest.raises(InsufficientFunds) as refused:
        pay(wallet(consultant, "eur"), wallet(other, "eur"), 100, "eur")
    assert not isinstance(refused.value, InsufficientKarma)
    assert str(refused.value) == "Not enough funds: €0.00 available, €1.00 needed."
    assert books()[1] == before[1]


@pytest.mark.parametrize("move", ["transfer", "hold"])
def test_money_cannot_cross_currencies_and_nothing_is_written(consultant, usd, move):
    stripe = usd[0]
    euros, karma = wallet(consultant, "eur"), wallet(consultant, KARMA)
    before = books()
    for debit, credit, currency in [
        (stripe, euros, "usd"),  # dollars into a euro account
        (stripe, euros, "eur"),  # euros out of a dollar account
        (karma, stripe, KARMA),  # karma into a dollar account
        (stripe, karma, "usd"),  # dollars into a karma account
        (stripe, usd[1], KARMA),  # dollar accounts, the currency forgotten
    ]:
        args = dict(
            key=f"x-{debit}-{credit}-{currency}",
            debit_account_id=debit,
            credit_account_id=credit,
            amount=1,
            code="payment",
            currency=currency,
        )
        with (
            pytest.raises(CurrencyMismatch, match="cannot cross currencies"),
            unit_of_work() as s,
        ):
            if move == "hold":
                ledger.hold(s, timeout_seconds=60, **args)
            else:
                ledger.transfer(s, **args)
        assert books() == before


def test_an_unknown_currency_is_refused_before_anything_is_written(consultant, usd):
    with pytest.raises(InvalidInput, match="Unknown currency"):
        pay(usd[0], usd[1], 1, "xyz")


# --------------------------------------------------------------------------- replays


def test_replaying_a_payment_and_its_payout_moves_the_money_once(consultant, usd):
    assert not authorize(12_000).replayed
    assert authorize(12_000).replayed
    assert not capture().replayed
    assert capture().replayed
    first, second = release(consultant, 12_000), release(consultant, 12_000)
    assert [t.replayed for t in first] == [False, False]
    assert [t.replayed for t in second] == [True, True]
    assert [t.id for t in first] == [t.id for t in second]
    assert balance(wallet(consultant, "usd")) == 10_800
    assert balance(usd[1]) == 0


def test_reusing_a_payment_id_in_another_currency_is_refused(consultant, usd):
    pay(usd[0], wallet(consultant, "usd"), 500, "usd", key="pay-1")
    before = books()
    for debit, credit in [
        (usd[0], wallet(consultant, "usd")),
        (system(ledger.STRIPE, "eur"), wallet(consultant, "eur")),
    ]:
        with pytest.raises(IdempotencyConflict, match="currency"):
            pay(debit, credit, 500, "eur", key="pay-1")
    assert books()[1] == before[1]


# --------------------------------------------------------------------------- races


def test_racing_holds_on_one_escrow_never_take_more_than_it_holds(consultant, usd):
    escrow = usd[1]
    authorize(10_000)
    capture()  # escrow holds exactly $100.00
    payee = wallet(consultant, "usd")

    def hold_ten_dollars(i):
        with unit_of_work() as s:
            return ledger.hold(
                s,
                key=f"payout-{i}",
                debit_account_id=escrow,
                credit_account_id=payee,
                amount=1_000,
                timeout_seconds=3600,
                code="payout",
                currency="usd",
            )

    results = all_at_once(hold_ten_dollars)
    refused = errors(results)
    assert len(results) - len(refused) == 10
    for error in refused:
        assert isinstance(error, InsufficientFunds), repr(error)
        assert str(error) == "Not enough funds: $0.00 available, $10.00 needed."
    assert (available(escrow), balance(escrow)) == (0, 10_000)


# --------------------------------------------------------------------------- audit


def test_the_audit_covers_karma_and_every_currency(consultant, usd):
    authorize(12_000)
    capture()
    release(consultant, 12_000)
    authorize(1_500, currency="eur", key="pi-eur")  # still held
    with unit_of_work() as s:
        report = audit_ledger(s)
    assert report.ok, report.breaches
    assert set(report.currencies) == {"usd", "eur"}  # nobody has karma yet
    assert report.currencies["usd"]["issued"] == 12_000
    assert report.currencies["eur"] == {"accounts": 2, "issued": 0, "held": 1_500}
    assert "signup_grant" not in report.issued  # no grant on joining
    assert report.open_holds == 1


def test_the_audit_reports_a_tampered_money_total(engine, consultant, usd):
    authorize(12_000)
    capture()
    with engine.begin() as conn:
        conn.execute(
            update(ACCOUNT)
            .where(ACCOUNT.c.id == usd[1])
            .values(credits_posted=ACCOUNT.c.credits_posted + 99)
        )
    with unit_of_work() as s:
        report = audit_ledger(s)
    assert f"account {usd[1]} credits_posted: stored 12099, transfers say 12000" in (
        report.breaches
    )
    assert "usd balances sum to 99, not 0" in report.breaches
    assert not any("KARMA" in breach for breach in report.breaches)
    with engine.begin() as conn:  # undo, so the books are clean again
        conn.execute(
            update(ACCOUNT)
            .where(ACCOUNT.c.id == usd[1])
            .values(credits_posted=ACCOUNT.c.credits_posted - 99)
        )


def test_the_audit_reports_a_transfer_between_currencies(engine, consultant, usd):
    euros = wallet(consultant, "eur")
    with engine.begin() as conn:
        conn.execute(
            insert(TRANSFER).values(
                transfer_key="sneaky",
                debit_account_id=usd[0],
                credit_account_id=euros,
                amount=0,
                currency="usd",
                kind="void",  # moves nothing: only the currencies are wrong
                code="payment",
                memo="",
                created_at=datetime.now(UTC),
            )
        )
    with unit_of_work() as s:
        report = audit_ledger(s)
    assert "sneaky moves between currencies" in report.breaches
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM ledger_transfer WHERE transfer_key = 'sneaky'"))


def test_the_audit_command_shows_money_as_money(consultant, usd, capsys):
    authorize(12_000)
    capture()
    authorize(1_500, currency="eur", key="pi-eur")
    assert main(["ledger", "audit"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Issued by stripe:usd\W+\$120\.00", out)
    assert re.search(r"In eur\W+2 accounts, issued €0\.00, held €15\.00", out)
    assert main(["ledger", "audit", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["currencies"]["usd"]["issued"] == 12_000
