"""Inviting the rest: a few at a time, with a note, never twice; the link
pre-fills the sign-up, and joining through it connects the two at once. An
address that has an account answers like any other, so the form tells the
inviter nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import reflex as rx
from reflex.istate.data import ReflexURL, RouterData
from sqlmodel import select

from marketplace import db, routes
from marketplace.accounts import closing, export, throttles
from marketplace.adapters.clock import FixedClock, system_clock
from marketplace.domain.errors import InvalidInput, NotAuthorized, NotFound
from marketplace.models import (
    Connection,
    Contact,
    ContactAddress,
    Invitation,
    MailOutbox,
    Member,
    Notification,
)
from marketplace.network import connections, invitations
from marketplace.network.invitations import (
    ALREADY_INVITED,
    BATCH_MAX,
    INVITED,
    JOINED,
    SENT,
)
from marketplace.states.auth import CHECK_MAILBOX, SignupState
from marketplace.states.invitations import InvitationsState
from tests.integration.ledger.test_wallet import PASSWORD, member
from tests.integration.test_state_security import state_of

LINK = re.compile(r"https?://\S+/signup\?invite=\S+")


# ---------------------------------------------------------------------- helpers


def add_contact(owner_id: int, name: str, email: str = "", member_id=None) -> int:
    """A contact as the importer would leave it (its address canonical)."""
    now = system_clock.now()
    with db.unit_of_work() as s:
        contact = Contact(
            owner_id=owner_id,
            name=name,
            source="manual",
            source_key=f"test:{name}",
            member_id=member_id,
            created_at=now,
            updated_at=now,
        )
        s.add(contact)
        s.flush()
        if email:
            s.add(
                ContactAddress(
                    contact_id=contact.id, owner_id=owner_id, kind="email", value=email
                )
            )
        return contact.id


def invite(actor_id: int, recipients, note: str = "", clock=system_clock):
    with db.unit_of_work() as s:
        return invitations.send_invitations(
            s, actor_id=actor_id, recipients=recipients, note=note, clock=clock
        )


def mails(kind: str = invitations.MAIL_KIND) -> list[MailOutbox]:
    with db.read_only() as s:
        return list(
            s.exec(
                select(MailOutbox)
                .where(MailOutbox.kind == kind)
                .order_by(MailOutbox.id)
            )
        )


def token_in(mail: MailOutbox) -> str:
    found = LINK.search(mail.body)
    assert found, mail.body
    return parse_qs(urlsplit(found.group(0)).query)["invite"][0]


def notes_of(member_id: int) -> list[str]:
    with db.read_only() as s:
        return list(
            s.exec(select(Notification.text).where(Notification.member_id == member_id))
        )


def sent_list(member_id: int):
    with db.read_only() as s:
        return invitations.invitations_of(s, actor_id=member_id)


def signup_state(url: str = "/signup") -> SignupState:
    root = rx.State(_reflex_internal_init=True)
    state = root.get_substate(SignupState.get_full_name().split(".")[1:])
    state.router = RouterData(url=ReflexURL(f"http://localhost:3000{url}"))
    return state


def sign_up_through(token: str, handle: str, email: str):
    state = signup_state(routes.invitation_link(token))
    SignupState.clear.fn(state)
    form = {
        "display_name": handle.title(),
        "email": email,
        "handle": handle,
        "password": PASSWORD,
        "invite_code": state.invite_code,
    }
    SignupState.sign_up.fn(state, form)
    assert state.signup_error == "" and state.signup_notice == CHECK_MAILBOX
    with db.read_only() as s:
        return s.exec(select(Member).where(Member.handle == handle)).one()


def connected(a: int, b: int) -> bool:
    with db.read_only() as s:
        return connections.relationship(s, a, b) == "connected"


@pytest.fixture
def ada(engine):
    return member("ada")


@pytest.fixture
def bob(engine):
    return member("bob")


# ---------------------------------------------------------------------- sending


def test_an_invitation_is_mailed_with_its_link_and_only_a_hash_is_kept(ada):
    report = invite(ada.member_id, [("Zoe Zed", "zoe@elsewhere.example")], "Hi Zoe!")
    assert [(o.name, o.status) for o in report.invited] == [("Zoe Zed", INVITED)]
    [mail] = mails()
    assert mail.to_address == "zoe@elsewhere.example"
    assert mail.subject == "Ada invited you to Karma"
    assert "Hi Zoe!" in mail.body and "Hello Zoe Zed" in mail.body
    assert "http://localhost:3000/signup?invite=" in mail.body
    token = token_in(mail)
    with db.read_only() as s:
        row = s.exec(select(Invitation)).one()
    assert row.token_hash != token and token not in row.token_hash
    assert row.token_hash == invitations.hash_token(token)
    assert (row.email_canonical, row.note) == ("zoe@elsewhere.example", "Hi Zoe!")
    [view] = sent_list(ada.member_id)
    assert (view.name, view.email, view.status) == (
        "Zoe Zed",
        "zoe@elsewhere.example",
        SENT,
    )


def test_a_contact_is_invited_by_id_and_leaves_the_list_to_pick_from(ada):
    zoe = add_contact(ada.member_id, "Zoe", "zoe@elsewhere.example")
    yan = add_contact(ada.member_id, "Yan", "yan@elsewhere.example")
    add_contact(ada.member_id, "No Mail")  # nothing to send to
    add_contact(ada.member_id, "Matched", "m@elsewhere.example", ada.member_id)
    with db.read_only() as s:
        before = invitations.invitable_contacts(s, actor_id=ada.member_id)
    assert [c.name for c in before] == ["Yan", "Zoe"]
    invite(ada.member_id, [zoe])
    with db.read_only() as s:
        after = invitations.invitable_contacts(s, actor_id=ada.member_id)
        row = s.exec(select(Invitation)).one()
    assert [c.id for c in after] == [yan]
    assert (row.contact_id, row.name) == (zoe, "Zoe")


def test_a_matched_contact_is_asked_to_connect_not_invited(ada, bob):
    matched = add_contact(ada.member_id, "Bob", "bob@example.com", bob.member_id)
    with pytest.raises(InvalidInput, match="already here"):
        invite(ada.member_id, [matched])


def test_someone_elses_contact_reads_as_no_such_contact(ada, bob):
    theirs = add_contact(bob.member_id, "Zoe", "zoe@elsewhere.example")
    for forged in (theirs, str(theirs), 0, -1, "1 OR 1=1", 2**40, None, True):
        with pytest.raises(NotFound):
            invite(ada.member_id, [forged])
    assert mails() == []


def test_nobody_is_invited_twice_however_the_address_is_written(ada):
    invite(ada.member_id, [("Ann", "ann@elsewhere.example")])
    again = invite(
        ada.member_id,
        [("Ann", "Ann+work@Elsewhere.example"), ("Cat", "cat@elsewhere.example")],
    )
    assert [(o.email, o.status) for o in again.outcomes] == [
        ("Ann+work@elsewhere.example", ALREADY_INVITED),
        ("cat@elsewhere.example", INVITED),
    ]
    assert again.summary == "1 invitation sent; already invited: Ann."
    assert [m.to_address for m in mails()] == [
        "ann@elsewhere.example",
        "cat@elsewhere.example",
    ]
    twice_in_one = invite(
        ada.member_id,
        [("Dan", "dan@elsewhere.example"), ("D", "DAN@elsewhere.example")],
    )
    assert [o.status for o in twice_in_one.outcomes] == [INVITED, ALREADY_INVITED]
    assert len(mails()) == 3


def test_another_member_may_invite_the_same_person(ada, bob):
    invite(ada.member_id, [("Ann", "ann@elsewhere.example")])
    invite(bob.member_id, [("Ann", "ann@elsewhere.example")])
    assert len(mails()) == 2


def test_a_few_at_a_time(ada):
    many = [(f"P{i}", f"p{i}@elsewhere.example") for i in range(BATCH_MAX + 1)]
    with pytest.raises(InvalidInput, match=f"at most {BATCH_MAX} people"):
        invite(ada.member_id, many)
    assert mails() == []
    assert len(invite(ada.member_id, many[:BATCH_MAX]).invited) == BATCH_MAX


def test_a_daily_cap_and_repeats_cost_nothing(ada):
    cap = throttles.INVITATIONS_PER_DAY
    people = [(f"P{i}", f"p{i}@elsewhere.example") for i in range(cap + 1)]
    for start in range(0, cap, BATCH_MAX):
        invite(ada.member_id, people[start : start + BATCH_MAX])
    # repeats only: nothing new, so nothing refused
    assert invite(ada.member_id, people[:2]).invited == []
    with pytest.raises(throttles.Throttled, match="invite 0 more people today"):
        invite(ada.member_id, people[cap:])
    assert len(mails()) == cap
    with db.read_only() as s:
        assert len(s.exec(select(Invitation)).all()) == cap


def test_a_send_over_what_is_left_today_is_refused_whole(ada):
    cap = throttles.INVITATIONS_PER_DAY
    people = [(f"P{i}", f"p{i}@elsewhere.example") for i in range(cap + 5)]
    for start in range(0, cap - 3, BATCH_MAX):
        invite(ada.member_id, people[start : min(start + BATCH_MAX, cap - 3)])
    with pytest.raises(throttles.Throttled, match="invite 3 more people today"):
        invite(ada.member_id, people[cap - 3 : cap + 1])
    assert len(invite(ada.member_id, people[cap - 3 : cap]).invited) == 3


def test_one_bad_address_refuses_the_whole_send(ada):
    for bad in ("not-an-address", "", "a@b", None, 5):
        with pytest.raises(InvalidInput):
            invite(ada.member_id, [("Ok", "ok@elsewhere.example"), ("Bad", bad)])
    assert mails() == []


@pytest.mark.parametrize(
    "recipients", [[], "zoe@x.example", None, {"a": 1}, [[1, 2, 3]]]
)
def test_malformed_recipients_are_refused(ada, recipients):
    with pytest.raises((InvalidInput, NotFound)):
        invite(ada.member_id, recipients)


def test_the_note_follows_the_members_text_rules(ada):
    with pytest.raises(InvalidInput, match="Note is too long"):
        invite(ada.member_id, [("Z", "z@elsewhere.example")], "x" * 501)
    with pytest.raises(InvalidInput, match="plain text only"):
        invite(ada.member_id, [("Z", "z@elsewhere.example")], "<script>x</script>")
    with pytest.raises(InvalidInput, match="Name"):
        invite(ada.member_id, [("<b>Z</b>", "z@elsewhere.example")])
    with pytest.raises(InvalidInput, match="your own address"):
        invite(ada.member_id, [("Me", "Ada+x@example.com")])
    assert mails() == []


def test_a_suspended_or_unverified_member_cannot_invite(ada, engine):
    with db.unit_of_work() as s:
        from tests.members import sign_up

        new = sign_up(
            s, email="new@example.com", handle="newbie", display_name="New",
            password=PASSWORD, verified=False,
        )  # fmt: skip
    with pytest.raises(NotAuthorized, match="Verify your email"):
        invite(new.member_id, [("Z", "z@elsewhere.example")])
    with db.unit_of_work() as s:
        s.get(Member, ada.member_id).status = "suspended"
    with pytest.raises(NotAuthorized, match="active members"):
        invite(ada.member_id, [("Z", "z@elsewhere.example")])
    assert mails() == []


# ------------------------------------------------------------------ enumeration


def test_a_members_address_answers_like_any_other_and_the_member_is_told(ada, bob):
    """The inviter sees "invited" and "sent" either way; no sign-up link
    goes to a member; the member hears who wanted to reach them."""
    report = invite(
        ada.member_id,
        [("Bob", "BOB@example.com"), ("Zoe", "zoe@elsewhere.example")],
        "Coffee soon?",
    )
    assert [o.status for o in report.outcomes] == [INVITED, INVITED]
    assert [v.status for v in sent_list(ada.member_id)] == [SENT, SENT]
    assert [m.to_address for m in mails()] == ["zoe@elsewhere.example"]
    [told] = notes_of(bob.member_id)
    assert "Ada invited you to Karma" in told and "Coffee soon?" in told
    # a repeat is "already invited" for both alike
    again = invite(
        ada.member_id, [("Bob", "bob@example.com"), ("Zoe", "zoe@elsewhere.example")]
    )
    assert [o.status for o in again.outcomes] == [ALREADY_INVITED, ALREADY_INVITED]
    assert len(notes_of(bob.member_id)) == 1 and len(mails()) == 1
    # and the member's address counts against the caps like anyone's
    with db.read_only() as s:
        assert len(s.exec(select(Invitation)).all()) == 2


def test_a_member_who_blocked_the_inviter_hears_nothing(ada, bob):
    with db.unit_of_work() as s:
        connections.block_member(s, actor_id=bob.member_id, handle="ada")
    report = invite(ada.member_id, [("Bob", "bob@example.com")])
    assert [o.status for o in report.outcomes] == [INVITED]
    assert notes_of(bob.member_id) == [] and mails() == []


# ----------------------------------------------------------------------- joining


def test_the_link_prefills_the_sign_up(ada):
    invite(ada.member_id, [("Zoe Zed", "zoe@elsewhere.example")])
    token = token_in(mails()[0])
    state = signup_state(routes.invitation_link(token))
    SignupState.clear.fn(state)
    assert (state.invited_name, state.invited_email, state.invited_by) == (
        "Zoe Zed",
        "zoe@elsewhere.example",
        "Ada",
    )
    assert state.invite_code == token and state.invited_handle == ""
    assert "Ada invited you" in state.invited_notice
    for url in ("/signup", "/signup?invite=nope", f"/signup?invite={token[:-2]}xx"):
        other = signup_state(url)
        SignupState.clear.fn(other)
        assert (other.invited_name, other.invited_email, other.invited_by) == ("",) * 3


def test_joining_through_the_link_connects_the_two_and_tells_the_inviter(ada):
    invite(ada.member_id, [("Zoe Zed", "zoe@elsewhere.example")])
    token = token_in(mails()[0])
    zoe = sign_up_through(token, "zoe", "zoe@elsewhere.example")
    assert zoe.email_verified_at is None  # verified by her own link, as always
    assert connected(ada.member_id, zoe.id)
    assert any(
        "Zoe joined through your invitation" in t for t in notes_of(ada.member_id)
    )
    [view] = sent_list(ada.member_id)
    assert (view.status, view.joined_handle) == (JOINED, "zoe")
    with db.read_only() as s:
        assert invitations.invitation_for_signup(s, token) is None  # used up
    # the same link again: the sign-up works, and connects nobody
    yan = sign_up_through(token, "yan", "yan@elsewhere.example")
    assert not connected(ada.member_id, yan.id)


def test_a_bad_or_expired_token_is_harmless(ada):
    start = system_clock.now()
    invite(ada.member_id, [("Z", "z@elsewhere.example")], clock=FixedClock(start))
    token = token_in(mails()[0])
    late = FixedClock(start + invitations.LINK_LIFETIME + timedelta(seconds=1))
    with db.unit_of_work() as s:
        assert invitations.invitation_for_signup(s, token, clock=late) is None
        assert (
            invitations.accept_invitation(
                s, token=token, new_member_id=ada.member_id, clock=late
            )
            is None
        )
    for bad in ("", "x" * 30, None, 12, "y" * 500):
        with db.unit_of_work() as s:
            assert invitations.accept_invitation(s, token=bad, new_member_id=1) is None
    zed = sign_up_through("not-a-real-invitation-token-at-all", "zed", "zed@x.example")
    with db.read_only() as s:
        assert (
            s.exec(
                select(Connection).where(
                    (Connection.requester_id == zed.id)
                    | (Connection.addressee_id == zed.id)
                )
            ).all()
            == []
        )


def test_an_inviter_who_was_suspended_connects_nobody(ada):
    invite(ada.member_id, [("Z", "z@elsewhere.example")])
    token = token_in(mails()[0])
    with db.unit_of_work() as s:
        s.get(Member, ada.member_id).status = "suspended"
    zed = sign_up_through(token, "zed", "z@elsewhere.example")
    assert not connected(ada.member_id, zed.id)


# --------------------------------------------------------- your data, and leaving


def test_the_archive_holds_my_invitations_but_no_token_hash(ada):
    invite(ada.member_id, [("Zoe", "zoe@elsewhere.example")], "Hi")
    with db.read_only() as s:
        data = export.collect(s, ada.member_id)
        digest = s.exec(select(Invitation.token_hash)).one()
    [sent] = data["invitations"]
    assert (sent["name"], sent["email"], sent["note"]) == (
        "Zoe",
        "zoe@elsewhere.example",
        "Hi",
    )
    assert "token_hash" not in sent and digest not in str(data)


def test_closing_the_account_erases_the_invitations_it_sent(ada, bob):
    invite(ada.member_id, [("Zoe", "zoe@elsewhere.example")])
    invite(bob.member_id, [("Cat", "cat@elsewhere.example")])
    token = token_in(mails()[0])
    with db.unit_of_work() as s:
        closing.close_account(s, ada.member_id, PASSWORD)
    with db.read_only() as s:
        left = s.exec(select(Invitation)).all()
        assert invitations.invitation_for_signup(s, token) is None
    assert [i.inviter_id for i in left] == [bob.member_id]


def test_closing_the_account_of_someone_who_joined_keeps_the_inviters_record(ada):
    invite(ada.member_id, [("Zoe", "zoe@elsewhere.example")])
    zoe = sign_up_through(token_in(mails()[0]), "zoe", "zoe@elsewhere.example")
    with db.unit_of_work() as s:
        closing.close_account(s, zoe.id, PASSWORD)
    [view] = sent_list(ada.member_id)
    assert (view.status, view.joined_handle) == (JOINED, "")


# ------------------------------------------------------------------------ state


def form(**fields) -> dict:
    return {
        "invite_name": "",
        "invite_email": "",
        "invite_note": "",
    } | fields


def test_the_page_sends_as_the_signed_in_member_only(ada, bob):
    zoe = add_contact(ada.member_id, "Zoe", "zoe@elsewhere.example")
    state = state_of(InvitationsState, ada.token)
    InvitationsState.load.fn(state)
    assert [c.name for c in state.invitable] == ["Zoe"]
    InvitationsState.send.fn(
        state,
        form(
            **{
                f"contact-{zoe}": "on",
                "invite_name": "Yan",
                "invite_email": "yan@x.example",
            }
        ),
    )
    assert state.invite_error == "" and "2 invitations sent" in state.invite_result
    assert sorted(v.name for v in state.sent) == ["Yan", "Zoe"]
    assert state.invitable == []
    # bob names ada's contact: refused as no such contact, nothing sent
    other = state_of(InvitationsState, bob.token)
    InvitationsState.load.fn(other)
    assert other.invitable == []
    InvitationsState.send.fn(other, form(**{f"contact-{zoe}": "on"}))
    assert other.invite_error == "Contact not found."
    assert len(mails()) == 2 and sent_list(bob.member_id) == []


def test_a_guest_is_sent_to_log_in_and_nothing_is_sent(ada):
    zoe = add_contact(ada.member_id, "Zoe", "zoe@elsewhere.example")
    guest = state_of(InvitationsState, "forged-token")
    event = InvitationsState.send.fn(guest, form(**{f"contact-{zoe}": "on"}))
    assert routes.LOGIN in str(event)
    assert mails() == []


@pytest.mark.parametrize(
    "payload",
    [None, [], "x", {"invite_email": 5}, {f"contact-{i}": "on" for i in range(300)}],
)
def test_forged_forms_are_refused(ada, payload):
    state = state_of(InvitationsState, ada.token)
    InvitationsState.send.fn(state, payload)
    assert state.invite_error != ""
    assert mails() == [] and sent_list(ada.member_id) == []


def test_a_name_without_an_address_says_what_is_missing(ada):
    state = state_of(InvitationsState, ada.token)
    InvitationsState.send.fn(state, form(invite_name="Yan"))
    assert state.invite_error == "Email is required."
