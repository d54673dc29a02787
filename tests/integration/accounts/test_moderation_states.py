"""The desk's, the report dialog's and the suspended log-in's handlers called
the way a hostile browser can: any handler, any arguments. Identity and the
recent password check come from the server-side session, never from the
payload. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func
from sqlmodel import select

from marketplace import routes
from marketplace.db import read_only
from marketplace.models import Appeal, Member, ModerationAction, Report
from marketplace.states.auth import LoginState
from marketplace.states.moderation import ModerationState, ReauthState, ReportState
from tests.integration.accounts.test_moderation import people, report  # noqa: F401
from tests.integration.ledger.test_wallet import PASSWORD
from tests.integration.test_state_security import state_of

FORGED = [None, "", "7", "-1", "1e9", {"id": 1}, ["1"], "1 OR 1=1", 10**12]


def counts() -> tuple:
    with read_only() as s:
        return (
            s.exec(select(func.count()).where(Report.closed_at.is_not(None))).one(),
            s.exec(select(func.count()).select_from(ModerationAction)).one(),
            s.exec(select(func.count()).where(Member.status != "active")).one(),
            s.exec(select(func.count()).select_from(Appeal)).one(),
        )


def confirmed(who) -> None:
    state = state_of(ReauthState, who.token)
    ReauthState.confirm.fn(state, {"password": PASSWORD})
    assert state.reauth_error == "" and state.confirmed_until != ""


def test_a_non_operator_calling_every_desk_handler_is_refused(people):  # noqa: F811
    ada, bob, cyd, _ = people
    report(ada, "member", "bob")
    confirmed(cyd)  # the right password, but no operator
    before = counts()
    desk = state_of(ModerationState, cyd.token)
    ModerationState.load.fn(desk)
    assert not desk.allowed and desk.queue == [] and desk.log == []
    for forged in [*FORGED, str(bob.member_id)]:
        for action in ("dismiss", "hide", "warn", "suspend", forged):
            form = {"action": action, "kind": "member", "item_id": forged}
            form["reason"] = "x"
            ModerationState.act.fn(desk, form)
            assert desk.desk_error != ""
        ModerationState.unsuspend.fn(desk, {"member_id": forged, "reason": "x"})
        ModerationState.keep_suspended.fn(desk, {"appeal_id": forged, "reason": "x"})
        ModerationState.act.fn(desk, forged)  # not even a form
    assert counts() == before


def test_a_guest_or_a_forged_cookie_reaches_nothing(people):  # noqa: F811
    ada, bob, *_ = people
    report(ada, "member", "bob")
    before = counts()
    for token in ("", "forged-token-" + "x" * 30):
        desk = state_of(ModerationState, token)
        ModerationState.act.fn(
            desk, {"action": "suspend", "kind": "member", "item_id": bob.member_id}
        )
        reauth = state_of(ReauthState, token)
        ReauthState.confirm.fn(reauth, {"password": PASSWORD})
        assert reauth.confirmed_until == ""
        sender = state_of(ReportState, token)
        ReportState.send.fn(sender, {"kind": "member", "item": "bob", "reason": "spam"})
    assert counts() == before
    with read_only() as s:
        assert s.exec(select(func.count()).select_from(Report)).one() == 1


def test_an_operator_acts_only_after_confirming_in_this_session(people):  # noqa: F811
    ada, bob, _, ops = people
    report(ada, "member", "bob", reason="harassment")
    desk = state_of(ModerationState, ops.token)
    ModerationState.load.fn(desk)
    assert desk.allowed and [i.handle for i in desk.queue] == ["bob"]
    form = {"action": "warn", "kind": "member", "item_id": str(bob.member_id)}
    ModerationState.act.fn(desk, form | {"reason": "Be kind"})
    assert "Confirm your password" in desk.desk_error
    wrong = state_of(ReauthState, ops.token)
    ReauthState.confirm.fn(wrong, {"password": "not it"})
    assert wrong.reauth_error == "That password is wrong."
    confirmed(ops)
    ModerationState.act.fn(desk, form | {"reason": "Be kind"})
    assert desk.desk_error == "" and desk.queue == []
    assert desk.log[0]["action"] == "warn" and desk.log[0]["reason"] == "Be kind"


def test_a_report_through_the_dialog_then_a_second_says_so(people):  # noqa: F811
    ada, *_ = people
    dialog = state_of(ReportState, ada.token)
    ReportState.dialog_changed.fn(dialog, True)
    ReportState.send.fn(
        dialog, {"kind": "member", "item": "bob", "reason": "spam", "note": "ads"}
    )
    assert dialog.report_error == "" and dialog.report_sent == "member:bob"
    ReportState.send.fn(dialog, {"kind": "member", "item": "bob", "reason": "scam"})
    assert "already reported" in dialog.report_error


def test_a_suspended_member_logging_in_is_shown_why_and_may_appeal(people):  # noqa: F811
    ada, bob, _, ops = people
    report(ada, "member", "bob")
    confirmed(ops)
    desk = state_of(ModerationState, ops.token)
    ModerationState.act.fn(
        desk,
        {
            "action": "suspend",
            "kind": "member",
            "item_id": str(bob.member_id),
            "reason": "Selling outside the platform",
        },
    )
    assert desk.desk_error == ""
    login = state_of(LoginState)
    # an appeal before any log-in: nobody to appeal for
    LoginState.appeal.fn(login, {"appeal": "let me in"})
    assert login.appeal_error != ""
    answer = LoginState.log_in.fn(
        login, {"email": "bob@example.com", "password": PASSWORD}
    )
    assert routes.SUSPENDED in str(answer)
    assert login.suspension_reason == "Selling outside the platform"
    LoginState.appeal.fn(login, {"appeal": "It was a misunderstanding."})
    assert login.appeal_sent and login.appeal_error == ""
    # a wrong password learns nothing of the suspension
    stranger = state_of(LoginState)
    LoginState.log_in.fn(stranger, {"email": "bob@example.com", "password": "guess"})
    assert stranger.suspension_reason == "" and stranger.login_error != ""
    ModerationState.load.fn(desk)
    assert [a["handle"] for a in desk.appeals] == ["bob"]


@pytest.mark.parametrize("token_of", ["ops", "cyd"])
def test_freezing_needs_a_recent_password_check_too(people, token_of):  # noqa: F811
    from marketplace.states.integrity import IntegrityState

    _, bob, cyd, ops = people
    who = {"ops": ops, "cyd": cyd}[token_of]
    page = state_of(IntegrityState, who.token)
    IntegrityState.freeze.fn(page, {"member_id": str(bob.member_id), "reason": "x"})
    expected = "Confirm your password" if who is ops else "Only operators"
    assert expected in page.freeze_error
    with read_only() as s:
        assert s.get(Member, bob.member_id).frozen_at is None
