"""The wallet's "Cards": the cards a member keeps to pay for help (issue 21).

Adding a card is a round trip through Stripe that never passes the number
through this server: `start_adding` makes a SetupIntent for the signed-in
member and mounts Stripe's card field for it; "Save card" confirms it in the
browser (stripe_js.save_card, with 3-D Secure if the bank asks), which then
calls `card_saved` with the SetupIntent's id. That id is only a claim:
ledger/cards.card_saved keeps the card only if Stripe says that SetupIntent
was made for this member's customer and succeeded.

Every handler re-derives the member from the session cookie (`member_only`,
`_attempt`) and names cards by their row id, which the ledger checks belongs
to that member; someone else's card or setup reads as "no such card".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import reflex as rx

from marketplace import routes
from marketplace.db import read_only
from marketplace.domain.errors import DomainError
from marketplace.ledger import cards
from marketplace.ledger.cards import CardView
from marketplace.market import engagements
from marketplace.states import stripe_js
from marketplace.states.session import SessionState, SignedIn, member_only

CARD_FIELD_ID = "card-field"  # the element Stripe's card field mounts into
BRANDS = {
    "amex": "American Express",
    "diners": "Diners Club",
    "jcb": "JCB",
    "mastercard": "Mastercard",
    "unionpay": "UnionPay",
    "visa": "Visa",
}
BROWSER_MESSAGE_MAX = 300  # what Stripe.js said, shown back to its own page
ENGAGEMENT_PATH = re.compile(r"^/engagements/(\d+)$")


@dataclass(frozen=True)
class CardRow:
    id: int
    name: str  # "Visa ending 4242": every button says which card it acts on
    brand: str
    last4: str
    expires: str
    is_default: bool


def card_row(card: CardView) -> CardRow:
    brand = BRANDS.get(card.brand.lower(), card.brand.title())
    return CardRow(
        id=card.id,
        name=f"{brand} ending {card.last4}",
        brand=brand,
        last4=card.last4,
        expires=card.expires,
        is_default=card.is_default,
    )


def _browser_message(error: object) -> str:
    """What Stripe.js reported, as one line of plain text."""
    if not isinstance(error, str):
        return ""
    return " ".join(error.split())[:BROWSER_MESSAGE_MAX]


class CardsState(SessionState):
    cards: list[CardRow] = []
    adding: bool = False  # the card field is open
    saving: bool = False  # Stripe.js is confirming what was typed
    card_error: str = ""
    saved_name: str = ""  # the card just saved, for the note and the way back
    # where to go back to after saving (an engagement waiting for a card):
    # a path of this site only, checked by routes.same_site_path
    next_path: str = ""

    @rx.var
    def next_label(self) -> str:
        found = ENGAGEMENT_PATH.match(self.next_path.split("?")[0])
        return f"Back to engagement #{found[1]}" if found else "Back to where you were"

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        raw = self.router.url.query_parameters.get(routes.NEXT, "")
        self.next_path = routes.same_site_path(raw, fallback="")
        self.adding = self.saving = False
        self.card_error = self.saved_name = ""
        self._refresh(member.id)

    @rx.event
    @member_only
    def start_adding(self, member: SignedIn):
        """A fresh SetupIntent for me, and Stripe's card field for it."""
        self.card_error = ""
        return self._open_card_field()

    def _open_card_field(self):
        if not stripe_js.available():
            self.card_error = stripe_js.UNAVAILABLE
            return None
        keep = self.card_error  # a failed save's message stays up
        attempt = self._attempt(
            lambda session, me: cards.start_card_setup(session, actor_id=me),
            "card_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self.card_error = keep
        self.adding, self.saving, self.saved_name = True, False, ""
        return stripe_js.mount_card(
            attempt.result.client_secret, CARD_FIELD_ID, CardsState.card_field_failed
        )

    @rx.event
    @member_only
    def card_field_failed(self, member: SignedIn, error: str):
        """The page says the card field did not load ("" once it did)."""
        if message := _browser_message(error):
            self.card_error = message

    @rx.event
    @member_only
    def saving_card(self, member: SignedIn):
        self.saving, self.card_error = True, ""

    @rx.event
    @member_only
    def card_saved(self, member: SignedIn, setup_intent_id: str, error: str = ""):
        """The page's word that my SetupIntent succeeded (checked with Stripe
        before anything is kept), or why Stripe.js says it did not."""
        self.saving = False
        if message := _browser_message(error):
            self.card_error = f"Your card wasn't saved: {message}"
            # a declined or unauthenticated setup cannot be confirmed again:
            # the field opens afresh, on a new one
            return self._open_card_field()

        def work(session, me):
            saved = cards.card_saved(session, actor_id=me, setup_id=setup_intent_id)
            engagements.card_added(session, me)  # whoever waited may accept now
            return saved

        attempt = self._attempt(work, "card_error")
        if attempt.refusal is not None:
            return attempt.refusal
        saved = card_row(attempt.result)
        self.adding, self.saved_name = False, saved.name
        self._refresh(member.id)
        return [stripe_js.unmount_card(), rx.toast.success(f"{saved.name} saved.")]

    @rx.event
    @member_only
    def cancel_adding(self, member: SignedIn):
        self.adding = self.saving = False
        self.card_error = ""
        return stripe_js.unmount_card()

    @rx.event
    def make_default(self, card_id: int):
        attempt = self._attempt(
            lambda session, me: cards.make_default(
                session, actor_id=me, card_id=card_id
            ),
            "card_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self._refresh(attempt.member_id)
        name = card_row(attempt.result).name
        return rx.toast.success(f"{name} is now your default card.")

    @rx.event
    def remove_card(self, card_id: int):
        attempt = self._attempt(
            lambda session, me: cards.remove_card(
                session, actor_id=me, card_id=card_id
            ),
            "card_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        self.saved_name = ""
        self._refresh(attempt.member_id)
        return rx.toast.success("Card removed.")

    def _refresh(self, member_id: int) -> None:
        try:
            with read_only() as session:
                self.cards = [card_row(c) for c in cards.cards_of(session, member_id)]
        except DomainError as error:
            self.card_error = str(error)
