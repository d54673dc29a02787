"""Reports and the moderation desk, abuse first: a report moved through the
desk to a suspension ends the member's sessions, pauses their listings,
cancels what they had open with the karma held for it voided, and leaves the
ledger audit clean; the reporter is never reachable by the reported; a
non-operator or an operator without a recent password check is refused with
nothing written; hidden content is gone from the market, search and
profiles. SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from marketplace.accounts import (
    accounts,
    moderation,
    reauth,
    reports,
    session_cache,
    signed_in,
    throttles,
)
from marketplace.accounts import export as member_export
from marketplace.adapters.clock import FixedClock, system_clock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import (
    Conflict,
    InvalidInput,
    NotAuthorized,
    NotFound,
)
from marketplace.ledger.audit import audit_ledger
from marketplace.market import (
    listings,
    market_search,
    public_listings,
    reviews,
    threads,
)
from marketplace.models import (
    AuthSession,
    Listing,
    MailOutbox,
    Member,
    Message,
    ModerationAction,
    Notification,
    Report,
)
from marketplace.network import directory
from marketplace.settings import get_settings
from tests.integration.ledger.test_wallet import PASSWORD, available, member
from tests.integration.market.test_disputes import make_operator
from tests.integration.market.test_engagements import (
    act,
    held,
    post,
    propose,
    status,
)

pytestmark = pytest.mark.usefixtures("engine")


@pytest.fixture
def people(engine):
    """Ada reports, Bob is reported, Cyd reports too, Ops runs the desk."""
    ada, bob, cyd, ops = member("ada"), member("bob"), member("cyd"), member("ops")
    make_operator(ops)
    return ada, bob, cyd, ops


def report(who, kind, item, reason="spam", note=""):
    with unit_of_work() as s:
        return reports.file_report(
            s, reporter_id=who.member_id, kind=kind, item=item, reason=reason, note=note
        )


def confirm(operator, clock=system_clock):
    with unit_of_work() as s:
        return reauth.confirm_password(
            s,
            member_id=operator.member_id,
            token=operator.token,
            password=PASSWORD,
            clock=clock,
        )


def desk_act(operator, action, kind, item_id, reason="Against the rules", **kw):
    with unit_of_work() as s:
        return moderation.act(
            s,
            operator_id=operator.member_id,
            token=operator.token,
            action=action,
            kind=kind,
            item_id=item_id,
            reason=reason,
            **kw,
        )


def written() -> tuple:
    """Everything a desk action could write."""
    with read_only() as s:
        return (
            s.exec(select(func.count()).where(Report.closed_at.is_not(None))).one(),
            s.exec(select(func.count()).select_from(ModerationAction)).one(),
            s.exec(select(func.count()).where(Member.status != "active")).one(),
            s.exec(select(func.count()).where(Listing.hidden_at.is_not(None))).one(),
            s.exec(select(func.count()).select_from(Notification)).one(),
        )


# --------------------------------------------------------------------- suspension


def test_a_report_moved_through_the_desk_to_a_suspension(people):
    ada, bob, _, ops = people
    offer = post(bob, kind="offer", price=4)
    booked = propose(ada, offer)
    act(bob, booked, "accept")
    assert held(ada.member_id) == 4
    pending = propose(bob, post(ada, price=2))  # bob answers ada's request
    report(ada, "listing", offer, reason="scam", note="Takes karma, never helps")
    assert signed_in.member_for(bob.token) is not None  # remembered by this worker

    confirm(ops)
    with read_only() as s:
        [item] = moderation.queue(s, operator_id=ops.member_id)
    assert (item.kind, item.item_id, item.handle) == ("listing", offer, "bob")
    assert item.reasons == "Scam or fraud" and item.notes == [
        "Takes karma, never helps"
    ]
    assert "Review my SaaS pricing page" in item.title

    assert desk_act(ops, "suspend", "listing", offer, "Fraud") == "suspended"

    # sessions ended, and this worker's memory of them forgotten
    assert signed_in.member_for(bob.token) is None
    with read_only() as s:
        assert all(
            a.revoked_at is not None
            for a in s.exec(
                select(AuthSession).where(AuthSession.member_id == bob.member_id)
            )
        )
        assert {
            x.status
            for x in s.exec(select(Listing).where(Listing.author_id == bob.member_id))
        } == {"paused"}
    # open engagements cancelled, the hold voided through the ledger
    assert status(booked) == "cancelled" and status(pending) == "cancelled"
    assert held(ada.member_id) == 0 and available(ada.member_id) == 0
    with read_only() as s:
        assert audit_ledger(s).ok
        assert moderation.queue(s, operator_id=ops.member_id) == []
        [entry] = moderation.operator_log(s, operator_id=ops.member_id)
    assert entry["action"] == "suspend" and entry["member"] == "@bob"
    assert entry["operator"] == "@ops" and entry["reason"] == "Fraud"

    # no log-in: the right password says why, a wrong one says nothing more
    with unit_of_work() as s, pytest.raises(accounts.Suspended) as refused:
        accounts.log_in(s, email="bob@example.com", password=PASSWORD)
    assert refused.value.reason == "Fraud"
    with unit_of_work() as s:
        assert accounts.log_in(s, email="bob@example.com", password="wrong one") is None
    with unit_of_work() as s, pytest.raises(NotAuthorized):
        accounts.open_session(s, bob.member_id)
    # out of search and suggestions
    with read_only() as s:
        cards, _ = directory.browse(s, query="bob", viewer_id=ada.member_id)
        assert cards == []


def test_the_audit_command_is_clean_after_a_suspension(people, capsys):
    from marketplace.cli import main

    ada, bob, _, ops = people
    booked = propose(ada, post(bob, kind="offer", price=3))
    act(bob, booked, "accept")
    report(ada, "member", "bob", reason="harassment")
    confirm(ops)
    desk_act(ops, "suspend", "member", bob.member_id)
    assert main(["ledger", "audit", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["ok"]


def test_a_suspended_member_appeals_once_and_an_operator_unsuspends(people):
    ada, bob, _, ops = people
    report(ada, "member", "bob")
    confirm(ops)
    desk_act(ops, "suspend", "member", bob.member_id, "Spam")
    with unit_of_work() as s:
        moderation.appeal(s, member_id=bob.member_id, body="I was hacked; fixed now.")
    with unit_of_work() as s, pytest.raises(Conflict):
        moderation.appeal(s, member_id=bob.member_id, body="Again")
    with unit_of_work() as s, pytest.raises(NotFound):
        moderation.appeal(s, member_id=ada.member_id, body="Not suspended")
    with read_only() as s:
        [waiting] = moderation.open_appeals(s, operator_id=ops.member_id)
    assert waiting["handle"] == "bob" and waiting["suspended_reason"] == "Spam"
    with unit_of_work() as s:
        moderation.unsuspend(
            s,
            operator_id=ops.member_id,
            token=ops.token,
            member_id=bob.member_id,
            reason="Account secured",
        )
    with unit_of_work() as s:
        assert accounts.log_in(s, email="bob@example.com", password=PASSWORD)
        assert moderation.open_appeals(s, operator_id=ops.member_id) == []


def mails_to(who) -> list[tuple[str, str]]:
    with read_only() as s:
        return [
            (m.subject, m.body)
            for m in s.exec(
                select(MailOutbox)
                .where(MailOutbox.member_id == who.member_id)
                .where(MailOutbox.kind == moderation.MAIL_KIND)
                .order_by(MailOutbox.id)
            )
        ]


def test_a_suspended_member_hears_each_decision_by_email(people):
    """They can't open their inbox: the suspension, a kept appeal and the
    lifting each reach them by mail, with the operator's reason."""
    ada, bob, _, ops = people
    report(ada, "member", "bob")
    confirm(ops)
    desk_act(ops, "suspend", "member", bob.member_id, "Spam")
    with unit_of_work() as s:
        first = moderation.appeal(s, member_id=bob.member_id, body="Not me").id
        moderation.close_appeal(
            s,
            operator_id=ops.member_id,
            token=ops.token,
            appeal_id=first,
            reason="The messages came from your device",
        )
    with unit_of_work() as s:
        moderation.appeal(s, member_id=bob.member_id, body="I have proof now.")
        moderation.unsuspend(
            s,
            operator_id=ops.member_id,
            token=ops.token,
            member_id=bob.member_id,
            reason="Proof accepted",
        )
    mails = mails_to(bob)
    assert [subject for subject, _ in mails] == [
        "Karma: your account is suspended",
        "Karma: the answer to your appeal",
        "Karma: your account is open again",
    ]
    assert "suspended your account: Spam" in mails[0][1]
    assert "kept the suspension: The messages came from your device" in mails[1][1]
    assert "lifted your suspension: Proof accepted" in mails[2][1]
    assert all(body.rstrip().endswith("/login") for _, body in mails)
    assert mails_to(ada) == []  # the reporter hears nothing of it
    # a warning is an inbox note, not a mail
    desk_act_count = len(mails)
    report(ada, "member", "bob", reason="harassment")
    desk_act(ops, "warn", "member", bob.member_id, "Be kind")
    assert len(mails_to(bob)) == desk_act_count


# ------------------------------------------------------------------ the reporter


def test_the_reporter_is_never_reachable_by_the_reported(people):
    _ada, bob, cyd, ops = people
    listing = post(bob, kind="offer")
    report(cyd, "listing", listing, reason="inappropriate", note="cyd says so")
    report(cyd, "member", "bob", reason="impersonation")
    confirm(ops)
    desk_act(ops, "hide", "listing", listing, "Not allowed here")
    desk_act(ops, "warn", "member", bob.member_id, "Be kind")
    with read_only() as s:
        notes = s.exec(
            select(Notification.text).where(Notification.member_id == bob.member_id)
        ).all()
        exported = json.dumps(member_export.collect(s, bob.member_id), default=str)
    assert any("warned you: Be kind" in n for n in notes)
    assert any("hid your listing: Not allowed here" in n for n in notes), notes
    for trace in ("cyd", "Cyd", "cyd@example.com"):
        assert trace not in " ".join(notes) and trace not in exported
    # the desk itself is shown to operators only
    with read_only() as s, pytest.raises(NotAuthorized):
        moderation.queue(s, operator_id=bob.member_id)


def test_one_open_report_per_item_and_a_rate_limit(people, monkeypatch):
    ada, bob, cyd, _ = people
    monkeypatch.setenv("MARKETPLACE_REPORTS_PER_MEMBER_HOUR", "2")
    get_settings.cache_clear()
    listing = post(bob, kind="offer")
    report(ada, "listing", listing)
    with pytest.raises(Conflict, match="already reported"):
        report(ada, "listing", listing, reason="scam")
    report(cyd, "listing", listing)  # someone else may
    report(ada, "member", "bob")  # her second this hour
    with pytest.raises(throttles.Throttled, match="several reports"):
        report(ada, "member", "cyd")
    with read_only() as s:
        assert s.exec(select(func.count()).select_from(Report)).one() == 3


@pytest.mark.parametrize(
    ("kind", "item", "reason", "error"),
    [
        ("email", 1, "spam", InvalidInput),  # not a kind
        ("dm", 1, "spam", NotFound),
        ("listing", 1, "because", InvalidInput),
        ("listing", "1; DROP TABLE report", "spam", NotFound),
        ("listing", 10**9, "spam", NotFound),
        ("member", "nobody-here", "spam", NotFound),
        ("review", -1, "spam", NotFound),
        ("message", True, "spam", NotFound),
    ],
)
def test_reports_of_junk_are_refused_with_nothing_written(
    people, kind, item, reason, error
):
    ada, *_ = people
    with pytest.raises(error):
        report(ada, kind, item, reason=reason)
    with read_only() as s:
        assert s.exec(select(func.count()).select_from(Report)).one() == 0


def test_only_what_the_reporter_can_see_can_be_reported(people):
    ada, bob, cyd, _ = people
    engagement = propose(bob, post(ada))
    with unit_of_work() as s:
        message = threads.post_message(
            s, actor_id=bob.member_id, engagement_id=engagement, body="pay me outside"
        )
    private = post(bob, kind="offer", audience="network")
    with pytest.raises(NotFound):
        report(cyd, "message", message.id)  # not her engagement
    with pytest.raises(NotFound):
        report(cyd, "listing", private)  # not shown to her
    with pytest.raises(InvalidInput):
        report(bob, "message", message.id)  # his own
    report(ada, "message", message.id, reason="scam")


# ------------------------------------------------------------------ who may act


def test_an_operator_without_a_recent_password_check_is_refused(people):
    ada, bob, _, ops = people
    report(ada, "member", "bob")
    before = written()
    with pytest.raises(NotAuthorized, match="Confirm your password"):
        desk_act(ops, "warn", "member", bob.member_id)
    # 16 minutes later the check has lapsed
    then = system_clock.now()
    confirm(ops, clock=FixedClock(then - timedelta(minutes=16)))
    with pytest.raises(NotAuthorized, match="Confirm your password"):
        desk_act(ops, "suspend", "member", bob.member_id)
    # a wrong password confirms nothing
    with unit_of_work() as s:
        assert (
            reauth.confirm_password(
                s, member_id=ops.member_id, token=ops.token, password="guess"
            )
            is None
        )
    # another session's check does not count for this one
    with unit_of_work() as s:
        other = accounts.open_session(s, ops.member_id)
        reauth.confirm_password(
            s, member_id=ops.member_id, token=other.token, password=PASSWORD
        )
    with pytest.raises(NotAuthorized, match="Confirm your password"):
        desk_act(ops, "dismiss", "member", bob.member_id)
    assert written() == before


@pytest.mark.parametrize("forged", [None, "7", True, -1, 10**9, {"id": 1}])
def test_a_non_operator_acting_with_forged_ids_is_refused(people, forged):
    ada, bob, cyd, _ = people
    report(ada, "member", "bob")
    confirm(cyd)  # her password is right, but she is no operator
    before = written()
    for action in (*moderation.ACTIONS, "forged"):
        for item in (forged, bob.member_id):
            with unit_of_work() as s, pytest.raises(NotAuthorized):
                moderation.act(
                    s,
                    operator_id=cyd.member_id,
                    token=cyd.token,
                    action=action,
                    kind="member",
                    item_id=item,
                    reason="x",
                )
    with unit_of_work() as s, pytest.raises(NotAuthorized):
        moderation.unsuspend(
            s, operator_id=cyd.member_id, token=cyd.token, member_id=forged, reason="x"
        )
    with unit_of_work() as s, pytest.raises(NotAuthorized):
        moderation.close_appeal(
            s, operator_id=cyd.member_id, token=cyd.token, appeal_id=forged, reason="x"
        )
    assert written() == before


def test_an_operator_cannot_act_on_reports_about_themselves(people):
    ada, _, _, ops = people
    report(ada, "member", "ops")
    confirm(ops)
    with read_only() as s:
        assert moderation.queue(s, operator_id=ops.member_id) == []
    with pytest.raises(NotAuthorized):
        desk_act(ops, "dismiss", "member", ops.member_id)


# ------------------------------------------------------------------ hidden content


def test_hidden_content_is_gone_from_market_search_and_profiles(people):
    ada, bob, _, ops = people
    offer = post(
        bob, kind="offer", title="Unique Zebra Coaching", price=0, terms="free"
    )
    engagement = propose(ada, offer)
    act(bob, engagement, "accept")
    act(bob, engagement, "deliver")
    act(ada, engagement, "confirm")
    with unit_of_work() as s:
        review = reviews.leave_review(
            s, actor_id=ada.member_id, engagement_id=engagement, rating=1, body="awful"
        )
        message = threads.post_message(
            s, actor_id=bob.member_id, engagement_id=engagement, body="rude words"
        )
    report(bob, "review", review.id, reason="harassment")
    report(ada, "listing", offer, reason="spam")
    report(ada, "message", message.id, reason="harassment")
    confirm(ops)
    for kind, item in (
        ("review", review.id),
        ("listing", offer),
        ("message", message.id),
    ):
        desk_act(ops, "hide", kind, item)
    filters = market_search.check_filters({"q": "zebra"})
    with read_only() as s:
        found, total = market_search.search(s, viewer_id=ada.member_id, filters=filters)
        assert total == 0 and found == []
        with pytest.raises(NotFound):
            public_listings.public_listing(s, offer)
        # its author still sees it, to know what happened
        assert [v.id for v in listings.listings_of(s, bob.member_id)] == [offer]
        _, shown = reviews.profile_reviews(s, bob.member_id, viewer_id=None)
        assert shown == []
        assert reviews.reputation(s, bob.member_id).received == 0
        [view] = [
            m
            for m in threads.thread(s, ada.member_id, engagement)
            if m.id == message.id
        ]
        assert view.body == threads.REMOVED
        assert s.get(Message, message.id).body == "rude words"  # kept for the record
        # Ada's inbox note quoted it: it reads as the thread does now
        quoted = s.exec(
            select(Notification.text).where(
                Notification.member_id == ada.member_id,
                col(Notification.text).contains("wrote about"),
            )
        ).all()
        assert quoted and all(t.endswith(threads.REMOVED) for t in quoted)


def test_a_forgotten_session_cache_entry_follows_suspension(people):
    """The event that makes workers forget a member is published on commit."""
    ada, bob, _, ops = people
    report(ada, "member", "bob")
    signed_in.member_for(bob.token)
    assert any(e[0].id == bob.member_id for e in session_cache._entries.values())
    confirm(ops)
    desk_act(ops, "suspend", "member", bob.member_id)
    assert not any(e[0].id == bob.member_id for e in session_cache._entries.values())


def test_a_suspended_member_is_suggested_to_nobody_until_unsuspended(people):
    from marketplace.models import Connection
    from marketplace.network import graph_views
    from tests.integration.network.test_contexts import expertise

    ada, bob, _, ops = people
    with unit_of_work() as s:
        now = system_clock.now()
        s.add(
            Connection(
                requester_id=ada.member_id,
                addressee_id=bob.member_id,
                status="accepted",
                created_at=now,
                responded_at=now,
            )
        )
    expertise(bob, "pricing")

    def suggested() -> list[int]:
        found = graph_views.who_to_ask(ada.member_id, ["pricing"], system_clock)
        return [c.member_id for c in found]

    assert suggested() == [bob.member_id]
    report(ada, "member", "bob")
    confirm(ops)
    desk_act(ops, "suspend", "member", bob.member_id)
    assert suggested() == []
    with unit_of_work() as s:
        moderation.unsuspend(
            s,
            operator_id=ops.member_id,
            token=ops.token,
            member_id=bob.member_id,
            reason="Cleared",
        )
    assert suggested() == [bob.member_id]


def test_suspending_a_consultant_releases_the_card_held_for_them(people, stripe_env):
    from marketplace.adapters import payments
    from tests.integration.ledger.test_paid_engagements import PAID, book, engagement

    ada, bob, _, ops = people
    booked = book(ada, post(bob, kind="offer", **PAID), hours=1)
    act(bob, booked, "accept")
    assert engagement(booked).payment_status == "authorized"
    report(ada, "member", "bob", reason="scam")
    confirm(ops)
    desk_act(ops, "suspend", "member", bob.member_id)
    paid = engagement(booked)
    assert paid.status == "cancelled" and paid.payment_status == "cancelled"
    intent = payments.gateway_from_settings().retrieve(paid.payment_intent_id)
    assert intent.status == "canceled"
    with read_only() as s:
        assert audit_ledger(s).ok


@pytest.mark.parametrize(
    "note", ["<script>alert(1)</script>", "x" * 501, 12, ["a note"]]
)
def test_markup_oversized_or_odd_notes_are_refused(people, note):
    ada, *_ = people
    with pytest.raises(InvalidInput):
        report(ada, "member", "bob", note=note)
    report(ada, "member", "bob", note="Two lines:\nthe second.")
    with read_only() as s:
        assert s.exec(select(Report.note)).all() == ["Two lines:\nthe second."]
