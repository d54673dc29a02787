"""Calendar invites as the two people get them (both databases): an
invite.ics mailed to each when the call is agreed, an update with the same
UID and a higher SEQUENCE when it moves, a CANCEL when it is called off;
whatever their alert choices, but never to a suspended account; and an
address the profile keeps private never given away by an invite."""

from __future__ import annotations

from datetime import timedelta

import vobject
from icalendar import Calendar
from sqlmodel import select

from marketplace.db import read_only, unit_of_work
from marketplace.domain.calendar_invites import call_uid
from marketplace.inbox import alerts, outbox
from marketplace.market.call_invites import public_host
from marketplace.models import Engagement, MailOutbox, Member
from tests.integration.inbox.test_digest import mailer, smtp  # noqa: F401
from tests.integration.market.call_fixtures import (
    LINK,
    MONDAY,
    act,
    agreed_call,
    book,
    call_offer,
    clock_at,
    move,
)

TUESDAY_TEN = MONDAY.replace(day=1, month=12, hour=10)  # Tue 1 Dec 10:00 UTC


def invites() -> list[MailOutbox]:
    with read_only() as s:
        return list(
            s.exec(
                select(MailOutbox)
                .where(MailOutbox.kind == "invite")
                .order_by(MailOutbox.id)
            ).all()
        )


def to(rows: list[MailOutbox], who) -> MailOutbox:
    [row] = [r for r in rows if r.member_id == who.member_id]
    return row


def event_of(row: MailOutbox):
    calendar = Calendar.from_ical(bytes(row.attachment))
    [event] = calendar.walk("VEVENT")
    return calendar, event


def engagement(engagement_id: int) -> Engagement:
    with read_only() as s:
        return s.get(Engagement, engagement_id)


def test_accepting_a_call_mails_both_an_invite(ada, bo):
    clock = clock_at()
    with unit_of_work() as s:
        s.get(Member, ada.member_id).timezone = "Europe/Berlin"
    engagement_id = book(ada, call_offer(bo, clock), clock, TUESDAY_TEN)
    assert invites() == []  # a proposal is not a booking yet
    act(bo, engagement_id, "accept", clock)
    rows = invites()
    assert sorted(r.to_address for r in rows) == ["ada@example.com", "bob@example.com"]
    ada_mail = to(rows, ada)
    assert ada_mail.attachment_name == "invite.ics"
    assert ada_mail.subject == (
        "Invitation: Review my SaaS pricing page — Tue 1 Dec 11:00 CET"
    )
    assert to(rows, bo).subject.endswith("— Tue 1 Dec 10:00 UTC")
    assert "11:00–11:30 CET" in ada_mail.body and LINK in ada_mail.body
    assert f"/engagements/{engagement_id}" in ada_mail.body
    calendar, event = event_of(ada_mail)
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == call_uid(engagement_id, public_host())
    assert event["SEQUENCE"] == 0
    agreed = engagement(engagement_id)
    assert event.decoded("DTSTART") == agreed.starts_at == TUESDAY_TEN
    assert event.decoded("DTEND") == agreed.ends_at
    assert event["LOCATION"] == LINK
    assert event["SUMMARY"] == "Review my SaaS pricing page with Bob"
    # the mail carries it as a calendar file
    [attached] = outbox.email_of(ada_mail).attachments
    assert attached.content_type == "text/calendar; charset=utf-8; method=REQUEST"
    assert attached.data == bytes(ada_mail.attachment)


def test_a_reschedule_updates_and_a_cancel_withdraws_the_same_event(ada, bo):
    clock = clock_at()
    engagement_id = agreed_call(ada, bo, clock, TUESDAY_TEN)
    later = TUESDAY_TEN + timedelta(days=1, hours=2)
    move(bo, engagement_id, later, clock)
    act(ada, engagement_id, "cancel", clock)
    rows = [r for r in invites() if r.member_id == ada.member_id]
    assert len(rows) == 3
    read = [vobject.readOne(bytes(r.attachment).decode()) for r in rows]
    assert [c.method.value for c in read] == ["REQUEST", "REQUEST", "CANCEL"]
    assert len({c.vevent.uid.value for c in read}) == 1
    assert [int(c.vevent.sequence.value) for c in read] == [0, 1, 2]
    assert read[0].vevent.dtstart.value == TUESDAY_TEN
    assert read[1].vevent.dtstart.value == later
    assert read[2].vevent.status.value == "CANCELLED"
    assert rows[1].subject.startswith("Updated invitation: ")
    assert rows[2].subject.startswith("Cancelled: ")
    assert engagement(engagement_id).invite_sequence == 2
    [attached] = outbox.email_of(rows[2]).attachments
    assert attached.content_type.endswith("; method=CANCEL")
    # the helper's copies match, one for one
    helper_rows = [r for r in invites() if r.member_id == bo.member_id]
    assert [event_of(r)[1]["SEQUENCE"] for r in helper_rows] == [0, 1, 2]


def test_the_invite_reaches_the_mail_server_as_an_invitation(
    ada,
    bo,
    smtp,  # noqa: F811
    mailer,  # noqa: F811
):
    clock = clock_at()
    agreed_call(ada, bo, clock, TUESDAY_TEN)
    outbox.send_due(unit_of_work, mailer=mailer)
    [mail] = [
        m for m in smtp.to("ada@example.com") if m.get_content_maintype() == "multipart"
    ]  # beside it, the "Bob accepted" alert
    assert mail["Subject"].startswith("Invitation: Review my SaaS pricing page")
    assert LINK in mail.get_body(("plain",)).get_content()
    [part] = list(mail.iter_attachments())
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invite.ics"
    sent = part.get_content()
    sent = sent.encode() if isinstance(sent, str) else sent
    assert Calendar.from_ical(sent)["METHOD"] == "REQUEST"
    assert any(
        m["Subject"].startswith("Invitation:") for m in smtp.to("bob@example.com")
    )


def test_invites_go_whatever_the_alert_choices(ada, bo):
    clock = clock_at()
    with unit_of_work() as s:
        for kind in alerts.BY_NAME:
            for who in (ada, bo):
                alerts.choose(s, actor_id=who.member_id, kind=kind, choice="never")
    agreed_call(ada, bo, clock, TUESDAY_TEN)
    assert len(invites()) == 2


def test_a_suspended_member_gets_no_invite(ada, bo):
    clock = clock_at()
    engagement_id = book(ada, call_offer(bo, clock), clock, TUESDAY_TEN)
    with unit_of_work() as s:
        s.get(Member, ada.member_id).status = "suspended"
    act(bo, engagement_id, "accept", clock)
    assert [r.member_id for r in invites()] == [bo.member_id]


def test_a_private_address_is_not_given_away_by_the_invite(ada, bo):
    """Ada and Bob are not connected: each sees the app's address for the
    other (their contact email is for connections only by default)."""
    clock = clock_at()
    agreed_call(ada, bo, clock, TUESDAY_TEN)
    rows = invites()
    for row in rows:
        data = bytes(row.attachment).replace(b"\r\n ", b"")  # unfolded
        assert data.count(b"@example.com") == data.count(row.to_address.encode())
    _, event = event_of(to(rows, ada))
    assert event["ORGANIZER"].params["CN"] == "Bob"
    assert str(event["ORGANIZER"]) != "mailto:bob@example.com"


def test_a_request_answer_with_no_time_sends_no_invite(ada, bo):
    from tests.integration.market.test_engagements import post, propose

    engagement_id = propose(bo, post(ada))
    act(ada, engagement_id, "accept", clock_at())
    assert invites() == []
