"""The ledger's pure rules: amounts, ids, the balancing rule (limits, caps,
releases) and the five kinds of transfer, plus a model test that random
histories keep the books balanced. That the SQL guards and the PL/pgSQL
function decide as this rule does is tested in
tests/integration/ledger/test_ledger_rule.py."""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
)

from marketplace.domain.errors import InvalidInput
from marketplace.domain.ledger import (
    BOUNDS,
    CEILING,
    FLOOR,
    KEY_MAX_LENGTH,
    RESOLUTIONS,
    Kind,
    Side,
    Totals,
    UnknownAccount,
    check_accounts,
    check_amount,
    check_key,
    check_resolution,
    check_timeout,
    debit_effect,
    growth,
)

# --------------------------------------------------------------------------- amounts


@pytest.mark.parametrize("value", [1, 7, 1_000_000])
def test_whole_positive_amounts_up_to_a_million_are_accepted(value):
    assert check_amount(value) == value


@pytest.mark.parametrize("text,value", [("5", 5), (" 12 ", 12), ("007", 7)])
def test_a_typed_string_of_digits_is_accepted_as_its_number(text, value):
    # Form fields arrive as text; the wallet passes them straight through.
    assert check_amount(text) == value


@pytest.mark.parametrize(
    "value,message",
    [
        (0, "more than zero"),
        (-3, "more than zero"),
        ("0", "more than zero"),
        (1_000_001, "at most 1,000,000"),
        (10**12, "at most 1,000,000"),
        ("9" * 5000, "at most 1,000,000"),
        (1.5, "whole number"),
        (5.0, "whole number"),
        (Decimal(5), "whole number"),
        ("1.5", "whole number"),
        ("-5", "whole number"),
        ("abc", "whole number"),
        ("", "whole number"),
        ("²", "whole number"),
        (None, "whole number"),
        (True, "whole number"),
        (False, "whole number"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_message(value, message):
    with pytest.raises(InvalidInput, match=message) as error:
        check_amount(value)
    assert error.value.field == "amount"


# --------------------------------------------------------------------------- ids


def test_a_transfer_id_is_trimmed():
    assert check_key("  gift-42 ") == "gift-42"
    assert check_key("k" * KEY_MAX_LENGTH) == "k" * KEY_MAX_LENGTH


@pytest.mark.parametrize(
    "key,message",
    [
        (None, "needs an id"),
        ("", "needs an id"),
        ("   ", "needs an id"),
        (42, "needs an id"),
        ("k" * (KEY_MAX_LENGTH + 1), "at most 64"),
        ("tab\there", "printable"),
        ("nul\x00", "printable"),
    ],
)
def test_bad_transfer_ids_are_refused(key, message):
    with pytest.raises(InvalidInput, match=message):
        check_key(key)


def test_two_distinct_account_ids_are_accepted():
    assert check_accounts(1, 2) == (1, 2)


@pytest.mark.parametrize(
    "debit,credit", [(0, 2), (1, -2), (True, 2), (1, False), ("1", 2), (1, None)]
)
def test_account_ids_that_cannot_exist_are_unknown_accounts(debit, credit):
    with pytest.raises(UnknownAccount, match="Unknown account"):
        check_accounts(debit, credit)


def test_an_account_cannot_pay_itself():
    with pytest.raises(InvalidInput, match="cannot pay itself"):
        check_accounts(3, 3)


@pytest.mark.parametrize("seconds", [0, -1, 90 * 24 * 3600 + 1, 1.5, "60", True])
def test_hold_timeouts_must_be_whole_seconds_up_to_90_days(seconds):
    with pytest.raises(InvalidInput, match="Hold timeout"):
        check_timeout(seconds)


def test_hold_timeouts_from_one_second_to_90_days_are_accepted():
    assert check_timeout(1) == 1
    assert check_timeout(90 * 24 * 3600) == 90 * 24 * 3600


# --------------------------------------------------------------------------- totals


def test_balance_counts_posted_only_and_available_also_subtracts_holds():
    totals = Totals(debits_posted=3, credits_posted=10, debits_pending=4)
    assert totals.balance == 7
    assert totals.available == 3


def test_a_member_may_spend_down_to_zero_but_not_below():
    totals = Totals(credits_posted=10, debits_pending=4)
    assert totals.can_debit(6)
    assert not totals.can_debit(7)


def test_a_credit_limit_lets_the_account_go_that_far_below_zero():
    totals = Totals(credits_posted=2, credit_limit=5)
    assert totals.can_debit(7)
    assert not totals.can_debit(8)


def test_an_issuance_account_has_no_lower_bound():
    assert Totals(debits_posted=10**9, credit_limit=None).can_debit(10**6)


def test_a_cap_counts_incoming_holds_and_is_reached_exactly():
    totals = Totals(credits_posted=20, debits_posted=5, credits_pending=5, cap=25)
    assert totals.can_credit(5)
    assert not totals.can_credit(6)
    assert Totals(credits_posted=10**9).can_credit(10**6)  # no cap


def test_the_floor_is_on_what_is_available():
    totals = Totals(debits_posted=3, credits_posted=10, debits_pending=4)
    assert FLOOR.position(totals) == totals.available == 3
    assert FLOOR.position(totals, growth=2) == 1


def test_the_ceiling_counts_what_is_held_for_the_account():
    totals = Totals(debits_posted=5, credits_posted=20, credits_pending=5)
    assert CEILING.position(totals) == totals.balance + totals.credits_pending == 20


@pytest.mark.parametrize("side", list(Side))
def test_a_release_is_always_allowed_even_past_a_bound_or_on_a_closed_account(side):
    # The hold already reserved the room; its resolution only gives some back.
    outside = Totals(debits_pending=5, credits_pending=9, cap=1, closed=True)
    for released in (0, -1, -5):
        assert BOUNDS[side].allows(outside, released)


@pytest.mark.parametrize("side", list(Side))
def test_a_closed_account_takes_no_growth_however_much_room_it_has(side):
    room = Totals(credits_posted=100, credit_limit=None, cap=None)
    assert BOUNDS[side].allows(room, 1)
    assert not BOUNDS[side].allows(replace(room, closed=True), 1)


def test_growth_is_what_a_transfer_adds_to_posted_and_pending():
    assert growth(Kind.SINGLE, 4) == growth(Kind.PENDING, 4) == 4
    assert growth(Kind.POST, 4, held=4) == 0
    assert growth(Kind.POST, 1, held=4) == -3
    assert growth(Kind.VOID, 0, held=4) == growth(Kind.EXPIRE, 0, held=4) == -4


# --------------------------------------------------------------------------- kinds

FUNDED = Totals(credits_posted=10)


def moved(totals: Totals, side: Side, kind: Kind, amount: int, held: int = 0):
    """One side of a transfer the way the ledger's SQL applies it: the side's
    totals change by `debit_effect` if its bound allows the growth, else
    nothing changes (None)."""
    if not BOUNDS[side].allows(totals, growth(kind, amount, held)):
        return None
    posted, pending = debit_effect(kind, amount, held)
    return replace(
        totals,
        **{
            f"{side}s_posted": getattr(totals, f"{side}s_posted") + posted,
            f"{side}s_pending": getattr(totals, f"{side}s_pending") + pending,
        },
    )


def debit(totals, kind, amount, held=0):
    return moved(totals, Side.DEBIT, kind, amount, held)


def credit(totals, kind, amount, held=0):
    return moved(totals, Side.CREDIT, kind, amount, held)


def test_a_single_transfer_posts_on_both_sides_at_once():
    payer, payee = debit(FUNDED, Kind.SINGLE, 4), credit(Totals(), Kind.SINGLE, 4)
    assert (payer.balance, payer.available) == (6, 6)
    assert (payee.balance, payee.available) == (4, 4)


def test_a_hold_reserves_the_amount_without_moving_it():
    payer, payee = debit(FUNDED, Kind.PENDING, 4), credit(Totals(), Kind.PENDING, 4)
    assert (payer.balance, payer.available, payer.debits_pending) == (10, 6, 4)
    assert (payee.balance, payee.credits_pending) == (0, 4)


def test_posting_a_whole_hold_moves_it():
    payer = debit(debit(FUNDED, Kind.PENDING, 4), Kind.POST, 4, held=4)
    payee = credit(credit(Totals(), Kind.PENDING, 4), Kind.POST, 4, held=4)
    assert (payer.balance, payer.available, payer.debits_pending) == (6, 6, 0)
    assert (payee.balance, payee.credits_pending) == (4, 0)


def test_posting_part_of_a_hold_moves_that_part_and_releases_the_rest():
    payer = debit(debit(FUNDED, Kind.PENDING, 4), Kind.POST, 1, held=4)
    payee = credit(credit(Totals(), Kind.PENDING, 4), Kind.POST, 1, held=4)
    assert (payer.balance, payer.available, payer.debits_pending) == (9, 9, 0)
    assert (payee.balance, payee.credits_pending) == (1, 0)


@pytest.mark.parametrize("kind", [Kind.VOID, Kind.EXPIRE])
def test_voiding_or_expiring_a_hold_gives_it_all_back(kind):
    assert debit(debit(FUNDED, Kind.PENDING, 4), kind, 0, held=4) == FUNDED
    assert credit(credit(Totals(), Kind.PENDING, 4), kind, 0, held=4) == Totals()


@pytest.mark.parametrize("kind", [Kind.SINGLE, Kind.PENDING])
def test_spending_more_than_is_available_is_refused(kind):
    held = debit(FUNDED, Kind.PENDING, 8)
    assert debit(held, kind, 2) is not None
    assert debit(held, kind, 3) is None


@pytest.mark.parametrize("kind", [Kind.SINGLE, Kind.PENDING])
def test_receiving_past_the_cap_is_refused(kind):
    assert credit(Totals(credits_posted=9, cap=10), kind, 1) is not None
    assert credit(Totals(credits_posted=9, cap=10), kind, 2) is None


def test_settling_a_hold_is_never_refused_even_at_the_limit_or_cap():
    spent = Totals(debits_pending=5, credits_posted=5)
    full = Totals(credits_pending=5, cap=5)
    for kind, amount in [(Kind.POST, 5), (Kind.POST, 2), (Kind.VOID, 0)]:
        assert debit(spent, kind, amount, held=5).available >= 0
        assert credit(full, kind, amount, held=5).credits_pending == 0


def test_a_post_takes_the_whole_hold_unless_told_otherwise():
    assert check_resolution(Kind.POST, None, 5) == 5
    assert check_resolution(Kind.POST, 2, 5) == 2
    assert check_resolution(Kind.POST, 5, 5) == 5


@pytest.mark.parametrize("kind", [Kind.VOID, Kind.EXPIRE])
def test_void_and_expire_post_nothing(kind):
    assert check_resolution(kind, None, 5) == 0


def test_posting_more_than_was_held_is_refused():
    with pytest.raises(InvalidInput, match="Cannot post 6: only 5 is held"):
        check_resolution(Kind.POST, 6, 5)


@pytest.mark.parametrize("amount", [0, -1])
def test_posting_nothing_or_less_is_refused(amount):
    with pytest.raises(InvalidInput, match="more than zero"):
        check_resolution(Kind.POST, amount, 5)


# --------------------------------------------------------------------------- model

ISSUER, ALICE, BOB, CAROL = range(4)
MEMBERS = (ALICE, BOB, CAROL)
ACCOUNT = st.sampled_from((ISSUER, *MEMBERS))


class Books(RuleBasedStateMachine):
    """Random histories over an issuance account and three members (Bob may go
    5 below zero, Carol is capped at 30) applied through the balancing rule,
    all or nothing per transfer as the service does."""

    def __init__(self):
        super().__init__()
        self.accounts = {
            ISSUER: Totals(credit_limit=None),
            ALICE: Totals(),
            BOB: Totals(credit_limit=5),
            CAROL: Totals(cap=30),
        }
        self.holds: list[tuple[int, int, int]] = []  # (payer, payee, amount)

    def _apply(self, payer, payee, kind, amount, held=0):
        new_debit = debit(self.accounts[payer], kind, amount, held)
        new_credit = credit(self.accounts[payee], kind, amount, held)
        if new_debit is None or new_credit is None:
            return False
        self.accounts[payer], self.accounts[payee] = new_debit, new_credit
        return True

    @rule(payer=ACCOUNT, payee=ACCOUNT, amount=st.integers(1, 15))
    def single(self, payer, payee, amount):
        if payer != payee:
            self._apply(payer, payee, Kind.SINGLE, amount)

    @rule(payer=ACCOUNT, payee=ACCOUNT, amount=st.integers(1, 15))
    def hold(self, payer, payee, amount):
        if payer != payee and self._apply(payer, payee, Kind.PENDING, amount):
            self.holds.append((payer, payee, amount))

    @precondition(lambda self: self.holds)
    @rule(
        data=st.data(), resolution=st.sampled_from(RESOLUTIONS), part=st.integers(0, 15)
    )
    def resolve(self, data, resolution, part):
        index = data.draw(st.integers(0, len(self.holds) - 1))
        payer, payee, held = self.holds.pop(index)
        wanted = None if part == 0 else min(part, held)
        amount = check_resolution(resolution, wanted, held)
        assert self._apply(payer, payee, resolution, amount, held)

    @invariant()
    def balances_sum_to_zero(self):
        assert sum(t.balance for t in self.accounts.values()) == 0

    @invariant()
    def pending_debits_equal_pending_credits(self):
        debits = sum(t.debits_pending for t in self.accounts.values())
        credits = sum(t.credits_pending for t in self.accounts.values())
        assert debits == credits == sum(amount for *_, amount in self.holds)

    @invariant()
    def members_stay_within_their_limit_and_cap(self):
        for member in MEMBERS:
            totals = self.accounts[member]
            assert totals.available >= -totals.credit_limit
            assert totals.can_credit(0)
            assert min(totals.debits_pending, totals.credits_pending) >= 0


Books.TestCase.settings = settings(max_examples=150, stateful_step_count=40)
test_random_histories_keep_the_books_balanced = Books.TestCase
