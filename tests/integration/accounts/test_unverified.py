"""Until a member follows their verification link they may look around and
fill in their card, but nothing they do reaches anyone: no listing, no
booking, no ask, no karma sent, no IOU, no context. Every refusal says why
and writes nothing, whether it comes through a page or a forged event.
SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace.accounts import accounts, verification
from marketplace.adapters.mailer import Email
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import NotAuthorized
from marketplace.ious import ious
from marketplace.ledger import ledger, wallet
from marketplace.market import asks, engagements, listings
from marketplace.models import (
    Context,
    Engagement,
    Iou,
    LedgerTransfer,
    Listing,
    Notification,
)
from marketplace.network import contexts
from marketplace.states.wallet import WalletState
from tests.integration.ledger.test_wallet import member
from tests.integration.market.test_listings import FORM
from tests.integration.network.test_context_reach import SUMMIT
from tests.integration.test_state_security import PASSWORD, state_of
from tests.members import earn, link_token, trust

TABLES = (Listing, Engagement, LedgerTransfer, Iou, Context, Notification)
REFUSED = "Verify your email address first"


def newcomer(handle: str = "noor") -> tuple[accounts.LoginResult, Email]:
    """Signed in, the mailed link (returned) not followed yet."""
    with unit_of_work() as s:
        done = accounts.register(
            s,
            email=f"{handle}@example.com",
            handle=handle,
            display_name=handle.title(),
            password=PASSWORD,
        )
        return accounts.open_session(s, done.member_id), done.mail


def counts() -> dict[str, int]:
    with read_only() as s:
        return {
            table.__name__: s.exec(select(func.count()).select_from(table)).one()
            for table in TABLES
        }


@pytest.fixture
def field(engine):
    """Ada (verified) has an open offer and an open request; Noor is new."""
    ada = member("ada")
    with unit_of_work() as s:
        offer = listings.create_listing(
            s, actor_id=ada.member_id, form=FORM | {"kind": "offer"}
        )
        request = listings.create_listing(s, actor_id=ada.member_id, form=FORM)
        ids = {"offer": offer.id, "request": request.id}
    noor, mail = newcomer()
    return noor, mail, ids


ACTIONS = {
    "post a listing": lambda s, me, ids: listings.create_listing(
        s, actor_id=me, form=FORM
    ),
    "book an offer": lambda s, me, ids: engagements.propose(
        s, actor_id=me, listing_id=ids["offer"], note="I'd like this"
    ),
    "answer a request": lambda s, me, ids: engagements.propose(
        s, actor_id=me, listing_id=ids["request"], note="I can help"
    ),
    "ask people for help": lambda s, me, ids: asks.send_request(
        s, actor_id=me, listing_id=ids["request"], handles=["ada"]
    ),
    "send karma": lambda s, me, ids: ledger.give_karma(
        s, actor_id=me, to_handle="ada", amount=1
    ),
    "write an IOU": lambda s, me, ids: ious.propose_iou(
        s, actor_id=me, counterpart="ada", direction="i_owe", amount=2
    ),
    "announce a context": lambda s, me, ids: contexts.post_context(
        s, actor_id=me, form=SUMMIT
    ),
}


@pytest.mark.parametrize("action", list(ACTIONS))
def test_an_unverified_member_is_refused_and_nothing_is_written(field, action):
    noor, _, ids = field
    before = counts()
    with unit_of_work() as s, pytest.raises(NotAuthorized, match=REFUSED):
        ACTIONS[action](s, noor.member_id, ids)
    assert counts() == before


def test_the_wallet_page_says_why_and_sends_nothing(field):
    noor, _, _ = field
    before = counts()
    state = state_of(WalletState, noor.token)
    WalletState.load.fn(state)
    answer = WalletState.send_karma.fn(
        state, {"key": state.form_key, "to_handle": "ada", "amount": "1"}
    )
    assert REFUSED in str(answer) and REFUSED in state.gift_error
    assert counts() == before
    with read_only() as s:
        assert wallet.balances(s, noor.member_id) == wallet.Balances(0, 0, 0, 0)
    assert "No credit yet" in state.credit_line


def test_following_the_mailed_link_lets_the_member_act(field):
    noor, mail, ids = field
    with unit_of_work() as s:  # trusted already: no credit before the address
        assert trust(s, noor.member_id, 0.5) == 0
    with unit_of_work() as s:
        verification.verify_email(s, link_token(mail))
    with read_only() as s:  # once that committed, the credit opened
        assert wallet.balances(s, noor.member_id).credit_limit == 10
    with unit_of_work() as s:  # book on credit; give what was earned
        engagements.propose(
            s, actor_id=noor.member_id, listing_id=ids["offer"], note="Please"
        )
        earn(s, noor.member_id, 1)
        ledger.give_karma(s, actor_id=noor.member_id, to_handle="ada", amount=1)
    with read_only() as s:
        assert wallet.balances(s, noor.member_id).available == 0
