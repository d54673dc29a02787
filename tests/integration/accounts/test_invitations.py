"""Claiming an invited account: an IOU import reserves a handle for someone who
has not joined; only that handle's invitation code turns it into their account,
with the IOUs already recorded for them. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import reflex as rx
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import func, select

from marketplace import db
from marketplace.accounts import accounts
from marketplace.domain.errors import Conflict, InvalidInput
from marketplace.ious import ious
from marketplace.ious.iou_import import import_ious
from marketplace.ledger import wallet
from marketplace.models import AuthSession, LedgerAccount, Member
from marketplace.states.auth import CHECK_MAILBOX, SignupState
from tests import members
from tests.integration.test_state_security import hands_over

PASSWORD = "correct horse battery"
RESERVED = "The handle 'zed' is reserved by an invitation; use the code you were sent."


def sign_up(handle: str, email: str, invite_code: object = None, name: str = ""):
    with db.unit_of_work() as s:
        return members.sign_up(
            s, email=email, handle=handle, display_name=name or handle.title(),
            password=PASSWORD, invite_code=invite_code,
        )  # fmt: skip


def member_named(handle: str) -> Member:
    with db.read_only() as s:
        return s.exec(select(Member).where(Member.handle == handle)).one()


def counts() -> tuple[int, int, int]:
    with db.read_only() as s:
        return tuple(
            s.exec(select(func.count()).select_from(table)).one()
            for table in (Member, AuthSession, LedgerAccount)
        )


@pytest.fixture
def invited(engine) -> dict[str, str]:
    """Ada owes zed and yan owes zed: zed and yan have not joined yet."""
    sign_up("ada", "ada@example.com")
    with db.unit_of_work() as s:
        report = import_ious(
            s,
            "debtor,creditor,amount,note\n"
            "ada,zed,5,Logo review\n"
            "zed,ada,2,Coffee\n"
            "yan,zed,3,Lift\n",
            invite_missing=True,
        )
    return {i.handle: i.code for i in report.invited}


def test_the_right_code_claims_the_account_and_its_ious(invited):
    before = member_named("zed")
    result = sign_up(
        "zed", "zed@real.example", invite_code=invited["zed"], name="Zed Z"
    )
    zed = member_named("zed")
    assert result.member_id == zed.id == before.id
    assert (zed.status, zed.email, zed.display_name) == (
        "active",
        "zed@real.example",
        "Zed Z",
    )
    assert zed.invite_code_hash is None and zed.password_hash
    with db.read_only() as s:
        assert accounts.member_for_token(s, result.token).handle == "zed"
        mine = ious.ious_of(s, zed.id, today=date.today())
        balance = wallet.balances(s, zed.id).available
    assert sorted((v.my_role, v.other_handle, v.amount) for v in mine) == [
        ("creditor", "ada", 5),
        ("creditor", "yan", 3),
        ("debtor", "ada", 2),
    ]
    assert balance == 0  # joining gives no karma; the IOUs are what zed has
    with db.unit_of_work() as s:
        assert accounts.log_in(s, email="zed@real.example", password=PASSWORD)


def test_a_code_claims_once(invited):
    sign_up("zed", "zed@real.example", invite_code=invited["zed"])
    with pytest.raises(Conflict, match="handle 'zed' is taken"):
        sign_up("zed", "other@real.example", invite_code=invited["zed"])


def test_a_code_with_stray_spaces_still_works(invited):
    sign_up("@Zed", "zed@real.example", invite_code=f"  {invited['zed']}\n")
    assert member_named("zed").status == "active"


@pytest.mark.parametrize(
    "code", [None, "", "   ", "not-the-code", "YAN", "x" * 500, 12345, ["code"]]
)
def test_a_missing_or_wrong_code_is_refused_and_writes_nothing(invited, code):
    if code == "YAN":  # another invitee's code is a wrong code too
        code = invited["yan"]
    before, zed = counts(), member_named("zed")
    with pytest.raises(Conflict) as refused:
        sign_up("zed", "mallory@example.com", invite_code=code)
    assert str(refused.value) == RESERVED
    assert counts() == before
    assert member_named("zed") == zed


def test_an_active_handle_is_taken_whatever_the_code(invited):
    with pytest.raises(Conflict, match=r"The handle 'ada' is taken\. Try another\."):
        sign_up("ada", "new@example.com", invite_code=invited["zed"])


def test_claiming_with_an_email_someone_else_has_is_refused(invited):
    with pytest.raises(Conflict, match="email already exists"):
        sign_up("zed", "ada@example.com", invite_code=invited["zed"])
    assert member_named("zed").status == "invited"


def test_nobody_signs_up_with_a_placeholder_address(invited):
    for email in ("zed@invited.invalid", "someone@invited.invalid"):
        with pytest.raises(InvalidInput, match="email address you can receive"):
            sign_up("zed", email, invite_code=invited["zed"])
    assert member_named("zed").status == "invited"


# --------------------------------------------------------------------------- page


def signup_state(url: str = "/signup") -> SignupState:
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(SignupState.get_full_name().split(".")[1:])
    state.router = RouterData(url=ReflexURL(f"http://localhost:3000{url}"))
    return state


def test_a_sign_up_link_prefills_the_code_and_the_handle(invited):
    state = signup_state(f"/signup?invite={invited['zed']}")
    SignupState.clear.fn(state)
    assert (state.invite_code, state.invited_handle) == (invited["zed"], "zed")


@pytest.mark.parametrize("url", ["/signup", "/signup?invite=nope", "/signup?invite="])
def test_a_sign_up_link_without_a_valid_code_prefills_no_handle(invited, url):
    state = signup_state(url)
    SignupState.clear.fn(state)
    assert state.invited_handle == ""


def test_the_sign_up_form_passes_the_code_through(invited):
    form = {
        "display_name": "Zed",
        "email": "zed@real.example",
        "handle": "zed",
        "password": PASSWORD,
    }
    state = signup_state()
    refused = SignupState.sign_up.fn(state, form | {"invite_code": "wrong"})
    assert state.signup_error == RESERVED and not hands_over(refused)
    joined = SignupState.sign_up.fn(state, form | {"invite_code": invited["zed"]})
    assert state.signup_error == "" and state.signup_notice == CHECK_MAILBOX
    assert not hands_over(joined)  # signed in by the mailed link
    assert member_named("zed").status == "active"
