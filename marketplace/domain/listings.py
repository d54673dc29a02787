"""Listings: offers of help and requests for it, and the rules for their fields.

An offer says what I can give ("I can review your pricing page, 30 min"); a
request says what I need ("an intro to a B2B SEO consultant by Friday"). Both
carry terms -- karma points held at acceptance and paid at confirmation, an IOU
written at confirmation, or free (pay it forward) -- a capacity (how many people
I can help, or how many helpers I want), an optional deadline, and an audience:
everyone, my connections, or people I choose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from marketplace.domain import money
from marketplace.domain.errors import InvalidInput
from marketplace.domain.profiles import parse_tags
from marketplace.domain.scheduling import check_duration
from marketplace.domain.text import clean_text

KINDS = {"offer": "Offer", "request": "Request"}
TERMS = {
    "karma": "Karma",
    "iou": "IOU",
    "free": "Free / pay it forward",
    "paid": "Paid (card)",
}
# "paid" needs card payments configured on the server (see adapters/payments.py)
AVAILABLE_TERMS = ("karma", "iou", "free")
RATE_KINDS = {"fixed": "Fixed price", "hourly": "Per hour"}
AUDIENCES = {
    "public": "Everyone",
    "network": "My connections",
    "chosen": "People I choose",
}
STATUSES = {"open": "Open", "paused": "Paused", "closed": "Closed"}
# the listing form's call lengths ("" is no calendar booking)
DURATION_CHOICES = {
    "": "No set time",
    "15": "A 15-minute call, booked on a calendar",
    "30": "A 30-minute call, booked on a calendar",
    "60": "A 60-minute call, booked on a calendar",
}

TITLE_MIN, TITLE_MAX = 5, 120
DESCRIPTION_MAX = 4000
MAX_KARMA_PRICE = 500
MAX_IOU_PRICE = 100
MAX_CAPACITY = 50
MAX_DEADLINE_DAYS = 365
MAX_CHOSEN = 50
TAGS_MAX = 8
MAX_HOURS = 8  # hours one booking of an hourly rate may take


@dataclass(frozen=True)
class ListingDraft:
    """A listing's fields, checked and normalized."""

    kind: str
    title: str
    description: str
    tags: list[str]
    terms: str
    price: int
    capacity: int
    deadline: date | None
    audience: str
    currency: str | None = None  # paid terms: price is in its minor units
    rate_kind: str | None = None  # paid terms: fixed | hourly
    # a call booked on the helper's calendar, in minutes; None: no set time.
    # On an hourly paid offer it means "booked by the hour" (calls.call_minutes)
    duration: int | None = None

    @property
    def search_text(self) -> str:
        return " ".join([self.title, self.description, *self.tags])


def check_listing(
    form: dict, *, today: date, paid_available: bool = False
) -> ListingDraft:
    """Every field of a listing, or InvalidInput naming the first bad one.
    Paid terms are taken only where card payments are set up."""
    if not isinstance(form, dict):
        raise InvalidInput("The listing form is malformed.")
    terms = _choice(form.get("terms"), TERMS, "terms", "Terms")
    if terms not in AVAILABLE_TERMS and not paid_available:
        raise InvalidInput(
            "Card payments aren't set up on this server; choose karma, IOU or free.",
            "terms",
        )
    currency, rate_kind = _paid_fields(form, terms)
    return ListingDraft(
        kind=_choice(form.get("kind"), KINDS, "kind", "Kind"),
        title=check_title(form.get("title")),
        description=clean_text(
            form.get("description"),
            field="description",
            label="Description",
            max_length=DESCRIPTION_MAX,
            multiline=True,
        ),
        tags=_tags(form.get("tags")),
        terms=terms,
        price=check_price(form.get("price"), terms, currency),
        capacity=check_capacity(form.get("capacity")),
        deadline=check_deadline(form.get("deadline"), today),
        audience=_choice(
            form.get("audience", "public"), AUDIENCES, "audience", "Audience"
        ),
        currency=currency,
        rate_kind=rate_kind,
        duration=check_duration(form.get("duration")),
    )


def _paid_fields(form: dict, terms: str) -> tuple[str | None, str | None]:
    if terms != "paid":
        return None, None
    currency = money.check_currency(form.get("currency"))
    rate_kind = _choice(form.get("rate_kind"), RATE_KINDS, "rate_kind", "Rate")
    return currency, rate_kind


def check_title(value: object) -> str:
    title = clean_text(
        value, field="title", label="Title", max_length=TITLE_MAX, required=True
    )
    if len(title) < TITLE_MIN:
        raise InvalidInput(
            f"Title is too short: say what the help is in at least {TITLE_MIN} "
            "characters.",
            "title",
        )
    return title


def _choice(value: object, options: dict[str, str], field: str, label: str) -> str:
    if not isinstance(value, str) or value not in options:
        allowed = ", ".join(options)
        raise InvalidInput(f"{label} must be one of: {allowed}.", field)
    return value


def _whole(value: object, field: str, label: str) -> int:
    """An int, or digits typed in a form; never a bool or a float."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip()) if len(value.strip()) < 10 else -1
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{label} must be a whole number.", field)
    return value


def check_price(value: object, terms: str, currency: str | None = None) -> int:
    """Points for karma and IOU terms; for paid terms an amount typed in major
    units ("120", "45.50"), returned in minor units of `currency`."""
    if terms == "paid":
        return money.parse_money(
            value if isinstance(value, str) else str(value), currency
        )
    if terms == "free":
        if value in (None, "", 0, "0"):
            return 0
        raise InvalidInput("A free listing has no price; choose karma or IOU.", "price")
    price = _whole(value, "price", "Price")
    ceiling = MAX_KARMA_PRICE if terms == "karma" else MAX_IOU_PRICE
    if not 1 <= price <= ceiling:
        raise InvalidInput(
            f"Price must be between 1 and {ceiling} karma for {TERMS[terms]} terms.",
            "price",
        )
    return price


def check_capacity(value: object) -> int:
    if value in (None, ""):
        return 1
    capacity = _whole(value, "capacity", "Capacity")
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(
            f"Capacity must be between 1 and {MAX_CAPACITY} people.", "capacity"
        )
    return capacity


def check_deadline(value: object, today: date) -> date | None:
    if value in (None, ""):
        return None
    try:
        deadline = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            "Deadline must be a date like 2027-01-31.", "deadline"
        ) from None
    if deadline < today:
        raise InvalidInput("Deadline can't be in the past.", "deadline")
    if deadline > today + timedelta(days=MAX_DEADLINE_DAYS):
        raise InvalidInput("Deadline must be within a year.", "deadline")
    return deadline


def _tags(value: object) -> list[str]:
    return parse_tags(value, kind="tags", label="Tags", limit=TAGS_MAX)


def check_hours(value: object, terms: str, rate_kind: str | None) -> int:
    """Hours booked on an hourly paid rate (1 to MAX_HOURS); anything else books
    one unit."""
    if terms != "paid" or rate_kind != "hourly" or value in (None, ""):
        return 1
    hours = _whole(value, "hours", "Hours")
    if not 1 <= hours <= MAX_HOURS:
        raise InvalidInput(f"Book between 1 and {MAX_HOURS} hours.", "hours")
    return hours


def duration_label(minutes: int | None, rate_kind: str | None = None) -> str:
    """ "30-minute call", "Call booked by the hour", or "" without a set time."""
    if not minutes:
        return ""
    if rate_kind == "hourly":
        return "Call booked by the hour"
    return f"{minutes}-minute call"


def check_note(value: object, *, label: str = "Note", max_length: int = 500) -> str:
    return clean_text(
        value, field="note", label=label, max_length=max_length, multiline=True
    )
