"""The wallet: my balances, history, holds, monthly chart, and paying forward."""

from __future__ import annotations

import uuid

import reflex as rx

from marketplace import routes
from marketplace.adapters.clock import system_clock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import DomainError, InvalidInput
from marketplace.ledger import ledger, payouts, wallet
from marketplace.ledger.wallet import Balances, HistoryRow
from marketplace.settings import get_settings
from marketplace.states.session import SessionState, SignedIn, member_only


def _gift_key(member_id: int, form_key: object) -> str:
    if not isinstance(form_key, str) or not 8 <= len(form_key) <= 40:
        raise InvalidInput("This form is out of date; reload the page and try again.")
    return f"gift:{member_id}:{form_key}"


class WalletState(SessionState):
    balances: Balances = Balances(0, 0, 0, 0)
    rows: list[HistoryRow] = []
    held_by_me: list[HistoryRow] = []  # my holds on help I'm getting
    held_for_me: list[HistoryRow] = []  # others' holds on help I'm giving
    earnings: list[str] = []  # money from paid help, one entry per currency
    payout_state: str = "off"  # off | not_set_up | set_up (Stripe Connect)
    payout_error: str = ""
    flows: list[dict[str, str | int]] = []
    total: int = 0
    page: int = 1
    direction: str = "all"
    gift_error: str = ""
    # One id per filled-in form, posted back with it: a double click sends the
    # same id twice and the ledger replays the first transfer instead of paying
    # twice. Namespaced by the sender server-side, so a forged id can only ever
    # collide with the sender's own transfers.
    form_key: str = ""

    @rx.var
    def pages(self) -> int:
        return max(1, -(-self.total // wallet.PAGE_SIZE))

    @rx.var
    def credit_line(self) -> str:
        """How far my credit lets me go, in a sentence."""
        limit = self.balances.credit_limit
        if limit <= 0:
            return (
                "No credit yet: it opens once your email is verified and grows "
                "as people you know trust you, or at once when a connection "
                "vouches for you."
            )
        return f"You can go down to -{limit} karma to get help."

    @rx.var
    def give_line(self) -> str:
        """What I may give away, in a sentence: earned karma only."""
        return (
            f"Gifts come from karma you earned, never from your credit: "
            f"you can give up to {self.balances.givable} now."
        )

    @rx.event
    @member_only
    def load(self, member: SignedIn):
        self.form_key = uuid.uuid4().hex
        self.gift_error = ""
        self._refresh(member.id, self.direction, 1)

    @rx.event
    @member_only
    def filter(self, member: SignedIn, direction: str | list[str]):
        return self._refresh(member.id, direction, 1)

    @rx.event
    @member_only
    def go_to_page(self, member: SignedIn, page: int):
        return self._refresh(member.id, self.direction, page)

    @rx.event
    @member_only
    def send_karma(self, member: SignedIn, form: dict):
        form = form if isinstance(form, dict) else {}
        try:
            with unit_of_work() as session:
                sent = ledger.give_karma(
                    session,
                    actor_id=member.id,
                    to_handle=form.get("to_handle"),
                    amount=form.get("amount"),
                    memo=form.get("memo", ""),
                    key=_gift_key(member.id, form.get("key")),
                )
        except DomainError as error:
            self.gift_error = str(error)
            return rx.toast.error(str(error))
        self.gift_error, self.form_key = "", uuid.uuid4().hex
        self._refresh(member.id, self.direction, 1)
        if sent.replayed:
            return rx.toast.info("That karma was already sent.")
        return rx.toast.success(
            f"Sent {sent.amount} karma. Thanks for paying it forward."
        )

    def _refresh(self, member_id: int, direction: object, page: object):
        try:
            with read_only() as session:
                rows, total = wallet.history(
                    session, member_id, direction=direction, page=page
                )
                self.balances = wallet.balances(session, member_id)
                holds = wallet.open_holds(session, member_id)
                self.earnings = wallet.earnings(session, member_id)
                self.payout_state = payouts.payout_state(session, member_id)
                flows = wallet.monthly_flows(session, member_id, now=system_clock.now())
        except DomainError as error:
            return rx.toast.error(str(error))
        self.rows, self.total = rows, total
        self.held_by_me = [h for h in holds if h.amount < 0]
        self.held_for_me = [h for h in holds if h.amount > 0]
        self.direction, self.page = str(direction), int(page)  # validated by history
        self.flows = [
            {"month": f.month, "received": f.received, "given": f.given} for f in flows
        ]

    @rx.event
    def set_up_payouts(self):
        """Off to Stripe's onboarding page, and back to the wallet after."""
        back = get_settings().base_url.rstrip("/") + routes.WALLET
        attempt = self._attempt(
            lambda session, me: payouts.start_onboarding(
                session, actor_id=me, return_url=back
            ),
            "payout_error",
        )
        if attempt.refusal is not None:
            return attempt.refusal
        return rx.redirect(attempt.result, is_external=True)
