"""Saved cards: a member keeps cards to pay for help with (issue 21).

    start_card_setup -> a SetupIntent for the member's Stripe customer (made
                        the first time); the page confirms it with Stripe.js,
                        which sends the card to Stripe and handles 3-D Secure
    card_saved       -> the page says it worked; the server asks Stripe, and
                        keeps the card only if that SetupIntent -- made by
                        this app, for this member's customer -- succeeded
    make_default / remove_card / cards_of

The card number never reaches this server. A member names a card only by
its row id here; a payment method id from a page is never believed
(docs/design/card-payments.md). Stripe calls happen inside the caller's
unit of work, like card_payments.py's.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass

from sqlalchemy import select, update
from sqlmodel import Session, col

from marketplace.accounts import standing
from marketplace.adapters import payments
from marketplace.adapters.clock import Clock, system_clock
from marketplace.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    PaymentRejected,
)
from marketplace.domain.ids import check_id
from marketplace.models import Engagement, Member, SavedCard

IN_USE = ("authorized", "captured")  # payment_status of a card holding money


@dataclass(frozen=True)
class CardView:
    id: int
    brand: str
    last4: str
    expires: str  # "12/2034"
    is_default: bool

    def as_dict(self) -> dict:
        return asdict(self)


def start_card_setup(
    session: Session, *, actor_id: int, clock: Clock = system_clock
) -> payments.CardSetup:
    """A SetupIntent the member's browser confirms with the card they type."""
    standing.require_standing(session, actor_id)
    gateway = payments.gateway_from_settings()
    member = session.get(Member, actor_id, with_for_update=True)
    if member.stripe_customer_id is None:
        member.stripe_customer_id = gateway.create_customer(
            email=member.email,
            member_id=actor_id,
            # fresh each time: member ids repeat across databases that share
            # one Stripe account (staging, tests); the client's own retries
            # reuse it
            idempotency_key=f"member-{actor_id}-customer-{uuid.uuid4().hex}",
        )
        member.updated_at = clock.now()
        session.add(member)
    return gateway.start_card_setup(
        customer=member.stripe_customer_id,
        member_id=actor_id,
        # each visit to the form is its own setup
        idempotency_key=f"member-{actor_id}-card-setup-{uuid.uuid4().hex}",
    )


def card_saved(
    session: Session, *, actor_id: int, setup_id: object, clock: Clock = system_clock
) -> CardView:
    """Keep the card a succeeded SetupIntent of the member's saved."""
    standing.require_standing(session, actor_id)
    gateway = payments.gateway_from_settings()
    try:
        setup = gateway.retrieve_card_setup(setup_id)  # refuses a malformed id
    except PaymentRejected:
        raise NotFound("No such card setup.") from None  # Stripe has none
    member = session.get(Member, actor_id)
    theirs = (
        member.stripe_customer_id is not None
        and setup.customer == member.stripe_customer_id
        and setup.metadata.get("member_id") == str(actor_id)
    )
    if not theirs:
        raise NotFound("No such card setup.")  # someone else's reads as none
    if not setup.succeeded or setup.payment_method is None:
        raise InvalidInput(
            "Your bank didn't accept the card: nothing was saved. Try again, or "
            "use another card.",
            "card",
        )
    known = session.execute(
        select(SavedCard).where(SavedCard.payment_method_id == setup.payment_method)
    ).scalar_one_or_none()
    if known is not None:
        return _view(known)  # the same setup reported twice: saved once
    card = gateway.card(setup.payment_method)
    first = not _active(session, actor_id)
    row = SavedCard(
        member_id=actor_id,
        payment_method_id=card.payment_method,
        brand=card.brand,
        last4=card.last4,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
        is_default=first,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return _view(row)


def make_default(session: Session, *, actor_id: int, card_id: object) -> CardView:
    row = _own(session, actor_id, card_id)
    session.execute(
        update(SavedCard)
        .where(SavedCard.member_id == actor_id, SavedCard.id != row.id)
        .values(is_default=False)
    )
    row.is_default = True
    session.add(row)
    session.flush()
    return _view(row)


def remove_card(
    session: Session, *, actor_id: int, card_id: object, clock: Clock = system_clock
) -> None:
    """Forget a card, here and on Stripe; not while it holds someone's pay."""
    row = _own(session, actor_id, card_id)
    holding = session.execute(
        select(Engagement.id).where(
            Engagement.payment_method_id == row.payment_method_id,
            col(Engagement.payment_status).in_(IN_USE),
        )
    ).first()
    if holding is not None:
        raise Conflict(
            f"This card pays for engagement #{holding[0]}, which is under way: "
            "you can remove it once that engagement ends."
        )
    payments.gateway_from_settings().detach_card(row.payment_method_id)
    row.removed_at, was_default, row.is_default = clock.now(), row.is_default, False
    session.add(row)
    session.flush()
    if was_default:
        newest = _active(session, actor_id)
        if newest:
            newest[0].is_default = True
            session.add(newest[0])


def cards_of(session: Session, member_id: int) -> list[CardView]:
    """The member's saved cards, the default first, then newest first."""
    return [_view(row) for row in _active(session, member_id)]


def saved_card(session: Session, payment_method_id: str | None) -> SavedCard | None:
    """The card a payment was made with (even if removed since), for naming
    it: "Visa ending 4242"."""
    if payment_method_id is None:
        return None
    return session.execute(
        select(SavedCard).where(SavedCard.payment_method_id == payment_method_id)
    ).scalar_one_or_none()


def forget_cards(session: Session, member_id: int, clock: Clock = system_clock) -> int:
    """A member leaves: every saved card is detached on Stripe and marked
    removed here (the rows stay, so past receipts still name the card).
    Closing is refused earlier while a card holds money. Returns how many."""
    rows = _active(session, member_id)
    gateway = payments.gateway_from_settings() if rows else None
    for row in rows:
        gateway.detach_card(row.payment_method_id)
        row.removed_at, row.is_default = clock.now(), False
        session.add(row)
    return len(rows)


def default_card(session: Session, member_id: int) -> SavedCard | None:
    rows = _active(session, member_id)
    return rows[0] if rows and rows[0].is_default else None


def _active(session: Session, member_id: int) -> list[SavedCard]:
    return list(
        session.execute(
            select(SavedCard)
            .where(
                SavedCard.member_id == member_id, col(SavedCard.removed_at).is_(None)
            )
            .order_by(col(SavedCard.is_default).desc(), col(SavedCard.id).desc())
        ).scalars()
    )


def _own(session: Session, actor_id: int, card_id: object) -> SavedCard:
    """The actor's own saved card, locked; anyone else's reads as none."""
    wanted = check_id(card_id, "card")
    row = session.get(SavedCard, wanted, with_for_update=True)
    if row is None or row.member_id != actor_id or row.removed_at is not None:
        raise NotFound("No such card.")
    return row


def _view(row: SavedCard) -> CardView:
    return CardView(
        id=row.id,
        brand=row.brand,
        last4=row.last4,
        expires=f"{row.exp_month:02d}/{row.exp_year}",
        is_default=row.is_default,
    )
