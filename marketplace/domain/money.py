"""Money: amounts in a currency's minor units, the platform's fee, display.

Money lives in the same double-entry ledger as karma, one account per member per
currency, and like karma it is only ever a whole number: cents for usd, eur and
gbp, yen for jpy (a zero-decimal currency, its minor unit is the yen itself).
A currency's exponent says how many minor units make a major one (10**2 cents
in a dollar, 10**0 yen in a yen); nothing here ever uses a float.

Currency codes are ISO 4217 in lower case, as Stripe writes them ("usd"); the
ledger's karma currency is "KARMA", which no money code can be.

The platform's fee is a whole number of basis points (1 bp = 0.01 %) of an
amount and is rounded down to a whole minor unit; the consultant gets the rest.
So fee + net == amount exactly, always: no cent is lost or made up by rounding,
and any fraction of a cent goes to the consultant, never to the platform.

Amounts are shown by babel from the Unicode CLDR data: the locale decides the
symbol's place, the separators and the spacing ("$12,345.67", "12.345,67 €"),
the currency decides the decimals (none for the yen). Nothing here writes a
symbol or a separator by hand.
"""

from __future__ import annotations

import functools
import unicodedata
from decimal import Decimal, InvalidOperation

from babel.numbers import (
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
)

from marketplace.domain.errors import InvalidInput

# exponent: minor units per major unit is 10 ** exponent
CURRENCIES: dict[str, int] = {
    "usd": 2,
    "eur": 2,
    "gbp": 2,
    "chf": 2,
    "cad": 2,
    "aud": 2,
    "jpy": 0,
}
# Until members choose one, every amount is shown the way this locale writes it
# (settings.py: MARKETPLACE_LOCALE); callers pass a member's locale once known.
DEFAULT_LOCALE = "en_US"
# CLDR puts a no-break space between a letter symbol and a digit ("CHF 19.99"),
# never between a sign symbol and a digit ("$5"); babel leaves that rule out.
CURRENCY_SPACE = "\u00a0"
# An absurd ceiling for one payment: a million in major units (1,000,000.00).
MAX_MAJOR = 1_000_000
MAX_FEE_BPS = 10_000  # 100 %


def check_currency(value: object) -> str:
    """A supported currency code, in lower case ("USD" and " usd " give "usd")."""
    code = value.strip().lower() if isinstance(value, str) else ""
    if code not in CURRENCIES:
        known = ", ".join(sorted(CURRENCIES))
        raise InvalidInput(f"Unknown currency; use one of {known}.", "currency")
    return code


def exponent(currency: str) -> int:
    """How many decimals the currency's major unit has (2 for usd, 0 for jpy)."""
    return CURRENCIES[check_currency(currency)]


def max_minor(currency: str) -> int:
    """The largest single amount, in minor units: MAX_MAJOR major units."""
    return MAX_MAJOR * 10 ** exponent(currency)


def check_minor_amount(value: object, currency: str) -> int:
    """A whole, positive number of minor units (cents), at most MAX_MAJOR major
    units. Digit strings are accepted as typed in a form; floats never are."""
    limit = max_minor(currency)
    if isinstance(value, bool) or not isinstance(value, int):
        text = value.strip() if isinstance(value, str) else ""
        # isdecimal, not isdigit: int() refuses digits such as "²".
        if not text.isdecimal():
            raise InvalidInput(
                "Amount must be a whole number of minor units (cents).", "amount"
            )
        # int() refuses strings of over 4,300 digits; such an amount is too large.
        value = int(text) if len(text.lstrip("0")) <= 20 else limit + 1
    if value <= 0:
        raise InvalidInput("Amount must be more than zero.", "amount")
    if value > limit:
        raise InvalidInput(
            f"Amount must be at most {format_money(limit, currency)}.", "amount"
        )
    return value


def parse_money(text: object, currency: str) -> int:
    """A typed major-unit amount ("120", "45.5", "45.50"; "1200" for jpy) as
    minor units, refusing more decimals than the currency has."""
    places = exponent(currency)
    raw = text.strip() if isinstance(text, str) else ""
    whole, dot, fraction = raw.partition(".")
    well_formed = whole.isdecimal() and (not dot or fraction.isdecimal())
    if not well_formed or len(whole.lstrip("0")) > 20:
        raise InvalidInput("Amount must be a number such as 120 or 45.50.", "amount")
    if len(fraction) > places:
        unit = "whole units" if places == 0 else f"at most {places} decimals"
        raise InvalidInput(f"Amount in {currency} takes {unit}.", "amount")
    try:
        minor = int(Decimal(raw).scaleb(places))
    except InvalidOperation:  # pragma: no cover - the shape check rules it out
        raise InvalidInput("Amount must be a number.", "amount") from None
    return check_minor_amount(minor, currency)


def check_fee_bps(value: object) -> int:
    """A platform fee in basis points: a whole number from 0 to 10,000 (100 %)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("Fee must be a whole number of basis points.", "fee_bps")
    if not 0 <= value <= MAX_FEE_BPS:
        raise InvalidInput("Fee must be between 0 and 10,000 basis points.", "fee_bps")
    return value


def platform_fee(amount_minor: int, fee_bps: int) -> int:
    """The platform's share of `amount_minor`: fee_bps / 10,000 of it, rounded
    down to a whole minor unit. The consultant gets amount - fee, so the two
    always add up to the amount (see `split_fee`)."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise InvalidInput("Amount must be a whole number of minor units.", "amount")
    if amount_minor < 0:
        raise InvalidInput("Amount must not be negative.", "amount")
    return amount_minor * check_fee_bps(fee_bps) // MAX_FEE_BPS


def split_fee(amount_minor: int, fee_bps: int) -> tuple[int, int]:
    """(platform fee, consultant's net): fee + net == amount_minor exactly."""
    fee = platform_fee(amount_minor, fee_bps)
    return fee, amount_minor - fee


def major_units(amount_minor: int, currency: str) -> str:
    """ "120.00", "45.50", "1200": the amount as a person types it, with the
    currency's own number of decimals (no float on the way)."""
    places = CURRENCIES[check_currency(currency)]
    major, minor = divmod(abs(amount_minor), 10**places)
    return f"{major}.{minor:0{places}d}" if places else str(major)


@functools.lru_cache(maxsize=4096)  # pure, and a market page asks for dozens
def format_money(amount_minor: int, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """ "$12,345.67", "¥120,000", "-$5.00"; "12.345,67 €" in de_DE: the amount
    in major units, as the locale writes money (babel, CLDR)."""
    code = check_currency(currency).upper()
    # Decimal, never float: minor units scale exactly to major ones
    major = Decimal(amount_minor).scaleb(-get_currency_precision(code))
    shown = format_currency(major, code, locale=locale, currency_digits=True)
    return _space_letter_symbol(shown, get_currency_symbol(code, locale))


@functools.lru_cache(maxsize=4096)
def format_points(points: int, locale: str = DEFAULT_LOCALE) -> str:
    """ "1,250": karma or IOU points with the locale's thousands separator."""
    return format_decimal(points, locale=locale)


def _space_letter_symbol(shown: str, symbol: str) -> str:
    """CLDR's currency spacing, which babel does not apply: "CHF1.00" becomes
    "CHF 1.00", while "$1.00" and "1,00 €" stay as they are."""
    start = shown.find(symbol) if symbol else -1
    if start < 0:
        return shown
    end = start + len(symbol)
    if end < len(shown) and shown[end].isdigit() and _is_letter(symbol[-1]):
        return shown[:end] + CURRENCY_SPACE + shown[end:]
    if start > 0 and shown[start - 1].isdigit() and _is_letter(symbol[0]):
        return shown[:start] + CURRENCY_SPACE + shown[start:]
    return shown


def _is_letter(char: str) -> bool:
    # CLDR's rule tests "not a symbol" ([:^S:]): a letter, not $ € £ ¥
    return not unicodedata.category(char).startswith("S")
