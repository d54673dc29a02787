"""Money's pure rules: currencies, amounts in minor units, the platform fee split
(property-tested: no cent lost or made up), and how an amount is shown."""

from decimal import Decimal

import pytest
from babel.numbers import get_currency_precision
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.errors import InvalidInput
from marketplace.domain.ledger import KARMA, check_amount, check_currency_code
from marketplace.domain.money import (
    CURRENCIES,
    MAX_FEE_BPS,
    check_currency,
    check_fee_bps,
    check_minor_amount,
    format_money,
    format_points,
    max_minor,
    parse_money,
    platform_fee,
    split_fee,
)

# --------------------------------------------------------------------------- currencies


@pytest.mark.parametrize("code", ["usd", "eur", "gbp", "jpy"])
def test_the_main_currencies_are_supported(code):
    assert check_currency(code) == code


@pytest.mark.parametrize("typed", ["USD", " usd ", "Usd"])
def test_a_currency_code_is_read_in_any_case(typed):
    assert check_currency(typed) == "usd"


@pytest.mark.parametrize("bad", ["", "xyz", "us", "KARMA", None, 840, "dollars"])
def test_an_unknown_currency_is_refused(bad):
    with pytest.raises(InvalidInput, match="Unknown currency") as refused:
        check_currency(bad)
    assert refused.value.field == "currency"


def test_yen_has_no_minor_unit_and_the_others_have_cents():
    assert CURRENCIES["jpy"] == 0
    assert {CURRENCIES[c] for c in ("usd", "eur", "gbp")} == {2}


def test_the_ledger_knows_karma_and_every_money_currency():
    assert check_currency_code(KARMA) == KARMA
    assert check_currency_code("EUR") == "eur"
    with pytest.raises(InvalidInput):
        check_currency_code("karma")


# --------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    "value,currency",
    [(1, "usd"), (12_000, "usd"), ("4550", "eur"), (" 007 ", "gbp"), (1200, "jpy")],
)
def test_whole_positive_minor_amounts_are_accepted(value, currency):
    assert check_minor_amount(value, currency) == int(str(value).strip())


def test_the_ceiling_is_a_million_in_major_units():
    assert max_minor("usd") == 100_000_000  # $1,000,000.00
    assert max_minor("jpy") == 1_000_000  # ¥1,000,000
    assert check_minor_amount(100_000_000, "usd") == 100_000_000
    with pytest.raises(InvalidInput, match=r"at most \$1,000,000\.00"):
        check_minor_amount(100_000_001, "usd")
    with pytest.raises(InvalidInput, match="at most ¥1,000,000"):
        check_minor_amount(1_000_001, "jpy")


@pytest.mark.parametrize(
    "value,message",
    [
        (0, "more than zero"),
        (-5, "more than zero"),
        ("0", "more than zero"),
        (10**12, "at most"),
        ("9" * 5000, "at most"),
        (12.5, "whole number of minor units"),
        (12.0, "whole number of minor units"),
        (Decimal(12), "whole number of minor units"),
        ("12.50", "whole number of minor units"),
        ("-5", "whole number of minor units"),
        ("²", "whole number of minor units"),
        (True, "whole number of minor units"),
        (None, "whole number of minor units"),
    ],
)
def test_bad_money_amounts_are_refused(value, message):
    with pytest.raises(InvalidInput, match=message):
        check_minor_amount(value, "usd")


def test_an_amount_in_an_unknown_currency_is_refused():
    with pytest.raises(InvalidInput, match="Unknown currency"):
        check_minor_amount(100, "xyz")


def test_the_ledger_checks_money_amounts_by_their_currency():
    # a karma transfer stops at a million points; a dollar one at a million dollars
    assert check_amount(5_000_000, "usd") == 5_000_000
    with pytest.raises(InvalidInput, match="at most 1,000,000"):
        check_amount(5_000_000)


@pytest.mark.parametrize(
    "typed,currency,minor",
    [
        ("120", "usd", 12000),
        ("45.5", "eur", 4550),
        ("45.50", "eur", 4550),
        ("0.01", "gbp", 1),
        (" 1200 ", "jpy", 1200),
        ("1000000", "usd", 100_000_000),
    ],
)
def test_a_typed_major_amount_becomes_minor_units(typed, currency, minor):
    assert parse_money(typed, currency) == minor


@pytest.mark.parametrize(
    "typed,currency,message",
    [
        ("12.345", "usd", "at most 2 decimals"),
        ("1200.5", "jpy", "whole units"),
        ("1,200", "usd", "number such as"),
        ("-3", "usd", "number such as"),
        ("1e3", "usd", "number such as"),
        ("", "usd", "number such as"),
        (12.5, "usd", "number such as"),
        ("0.00", "usd", "more than zero"),
        ("1000000.01", "usd", "at most"),
    ],
)
def test_a_bad_typed_amount_is_refused(typed, currency, message):
    with pytest.raises(InvalidInput, match=message):
        parse_money(typed, currency)


# --------------------------------------------------------------------------- fee


def test_the_fee_is_rounded_down_and_the_consultant_keeps_the_rest():
    assert split_fee(12_000, 1_000) == (1_200, 10_800)  # 10 % of $120.00
    assert split_fee(999, 1_000) == (99, 900)  # 99.9 cents of fee: 99
    assert split_fee(1, 500) == (0, 1)
    assert split_fee(5_000, 0) == (0, 5_000)
    assert split_fee(5_000, MAX_FEE_BPS) == (5_000, 0)


@pytest.mark.parametrize("bad", [-1, 10_001, 2.5, "100", True, None])
def test_a_fee_outside_0_to_10000_basis_points_is_refused(bad):
    with pytest.raises(InvalidInput, match="basis points"):
        check_fee_bps(bad)


@pytest.mark.parametrize("bad", [-1, 1.5, "100", None])
def test_a_fee_of_a_bad_amount_is_refused(bad):
    with pytest.raises(InvalidInput):
        platform_fee(bad, 100)


amounts = st.integers(min_value=0, max_value=max_minor("usd"))
rates = st.integers(min_value=0, max_value=MAX_FEE_BPS)


@given(amount=amounts, bps=rates)
def test_fee_and_net_always_add_up_to_the_amount(amount, bps):
    fee, net = split_fee(amount, bps)
    assert fee + net == amount
    assert 0 <= fee <= amount and 0 <= net <= amount


@given(amount=amounts, bps=rates)
def test_the_fee_is_the_exact_share_rounded_down_to_a_minor_unit(amount, bps):
    exact = Decimal(amount) * bps / MAX_FEE_BPS
    fee = platform_fee(amount, bps)
    assert fee <= exact < fee + 1


@given(amount=amounts, more=amounts, bps=rates)
def test_a_larger_amount_never_has_a_smaller_fee(amount, more, bps):
    assert platform_fee(amount + more, bps) >= platform_fee(amount, bps)


@given(amount=amounts, bps=rates, more_bps=rates)
def test_a_higher_rate_never_has_a_smaller_fee(amount, bps, more_bps):
    higher = min(bps + more_bps, MAX_FEE_BPS)
    assert platform_fee(amount, higher) >= platform_fee(amount, bps)


# --------------------------------------------------------------------------- display


NBSP = "\u00a0"  # CLDR keeps a symbol and its number on one line


@pytest.mark.parametrize(
    "minor,currency,shown",
    [
        (12_000, "usd", "$120.00"),
        (1_234_567, "usd", "$12,345.67"),
        (4_550, "eur", "€45.50"),
        (5, "gbp", "£0.05"),
        (120_000, "jpy", "¥120,000"),
        (0, "usd", "$0.00"),
        (0, "jpy", "¥0"),
        (-500, "usd", "-$5.00"),
        (-120_000, "jpy", "-¥120,000"),
        (1_999, "chf", f"CHF{NBSP}19.99"),
        (100_000_000, "usd", "$1,000,000.00"),
    ],
)
def test_an_amount_is_shown_with_its_symbol_separators_and_decimals(
    minor, currency, shown
):
    assert format_money(minor, currency) == shown


@pytest.mark.parametrize(
    "minor,currency,locale,shown",
    [
        (1_234_567, "eur", "de_DE", f"12.345,67{NBSP}€"),
        (-1_234_567, "eur", "de_DE", f"-12.345,67{NBSP}€"),
        (0, "eur", "de_DE", f"0,00{NBSP}€"),
        (1_234_567, "usd", "en_US", "$12,345.67"),
        (120_000, "jpy", "de_DE", f"120.000{NBSP}¥"),
        (1_999, "chf", "de_CH", f"CHF{NBSP}19.99"),
    ],
)
def test_an_amount_is_shown_the_way_the_members_locale_writes_money(
    minor, currency, locale, shown
):
    assert format_money(minor, currency, locale) == shown


@pytest.mark.parametrize("code", sorted(CURRENCIES))
def test_the_ledgers_minor_units_are_the_currency_digits_babel_shows(code):
    # a disagreement would show an amount 100 times too large or too small
    assert CURRENCIES[code] == get_currency_precision(code.upper())


def test_points_are_shown_with_the_locales_thousands_separator():
    assert format_points(1_234_567) == "1,234,567"
    assert format_points(1_234_567, "de_DE") == "1.234.567"
    assert format_points(-5) == "-5"


@given(currency=st.sampled_from(sorted(CURRENCIES)), data=st.data())
def test_a_shown_amount_reads_back_as_the_same_minor_units(currency, data):
    minor = data.draw(st.integers(min_value=0, max_value=max_minor(currency)))
    shown = format_money(minor, currency)
    number = shown.lstrip(f"$€£¥CHFAD{NBSP}").replace(",", "")
    if minor:
        assert parse_money(number, currency) == minor
    else:
        assert Decimal(number) == 0
