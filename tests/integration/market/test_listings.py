"""Listings as their authors and their readers live them: post, edit, pause,
reopen and close by the author only; who may see a listing by its audience; and
every refusal leaves the listing exactly as it was. SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from marketplace.adapters.clock import FixedClock
from marketplace.db import read_only, unit_of_work
from marketplace.domain.errors import InvalidInput, NotAuthorized, NotFound
from marketplace.market import listings, market_search
from marketplace.models import Connection, Listing, ListingTag, ListingViewer

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
FORM = {
    "kind": "request",
    "title": "Review my SaaS pricing page",
    "description": "30 minutes on a call, or written notes.",
    "tags": "pricing, saas",
    "terms": "karma",
    "price": "5",
    "capacity": "1",
    "audience": "public",
}


def post(author, **changes) -> int:
    with unit_of_work() as s:
        return listings.create_listing(
            s, actor_id=author.member_id, form=FORM | changes
        ).id


def edit(actor, listing_id, **changes):
    with unit_of_work() as s:
        return listings.update_listing(
            s, actor_id=actor.member_id, listing_id=listing_id, form=FORM | changes
        )


def set_status(actor, listing_id, action) -> str:
    with unit_of_work() as s:
        return listings.set_status(
            s, actor_id=actor.member_id, listing_id=listing_id, action=action
        ).status


def view(viewer, listing_id) -> listings.ListingView:
    with read_only() as s:
        return listings.listing_view(s, viewer.member_id, listing_id)


def can_open(viewer, listing_id) -> bool:
    try:
        view(viewer, listing_id)
    except NotFound:
        return False
    return True


def in_browse(viewer, listing_id) -> bool:
    with read_only() as s:
        found, _ = market_search.search(
            s, viewer_id=viewer.member_id, filters=market_search.Filters()
        )
    return listing_id in {item.id for item in found}


def connect(a, b, status="accepted") -> None:
    with unit_of_work() as s:
        s.add(
            Connection(
                requester_id=a.member_id,
                addressee_id=b.member_id,
                status=status,
                created_at=NOW,
                responded_at=NOW,
            )
        )


def snapshot(listing_id):
    """Everything a refused change must leave alone."""
    with read_only() as s:
        row = s.get(Listing, listing_id).model_dump()
        tags = s.exec(
            select(ListingTag.tag)
            .where(ListingTag.listing_id == listing_id)
            .order_by(ListingTag.tag)
        ).all()
        viewers = s.exec(
            select(ListingViewer.member_id)
            .where(ListingViewer.listing_id == listing_id)
            .order_by(col(ListingViewer.member_id))
        ).all()
    return row, tags, viewers


# ------------------------------------------------------------------ post and edit


def test_a_posted_listing_is_open_and_reads_as_its_author_wrote_it(ada, bo):
    listing = post(ada, tags="SaaS, Pricing", deadline="")
    seen = view(bo, listing)
    assert (seen.kind_label, seen.title, seen.status) == (
        "Request",
        "Review my SaaS pricing page",
        "open",
    )
    assert seen.tags == ["pricing", "saas"]
    assert (seen.price_label, seen.spots_left, seen.author_handle) == (
        "5 karma",
        1,
        "ada",
    )
    assert not seen.is_mine and view(ada, listing).is_mine


def test_the_listing_is_dated_by_the_clock_it_was_posted_with(ada):
    with unit_of_work() as s:
        listing = listings.create_listing(
            s, actor_id=ada.member_id, form=FORM, clock=FixedClock(NOW)
        )
    with read_only() as s:
        stored = s.get(Listing, listing.id)
        assert stored.created_at == NOW == stored.updated_at
    assert view(ada, listing.id).posted == "26 Nov 2026"


def test_a_refused_form_posts_nothing(ada):
    with pytest.raises(InvalidInput, match="Title"):
        post(ada, title="<b>Free money</b>")
    with read_only() as s:
        assert s.exec(select(Listing)).all() == []


def test_the_author_edits_title_terms_tags_and_audience(ada, bo):
    listing = post(ada)
    edit(ada, listing, title="Review my onboarding emails", tags="email", price="8")
    seen = view(bo, listing)
    assert (seen.title, seen.tags, seen.price) == (
        "Review my onboarding emails",
        ["email"],
        8,
    )


def test_an_offer_cannot_become_a_request_on_edit(ada):
    listing = post(ada, kind="offer")
    before = snapshot(listing)
    with pytest.raises(InvalidInput, match="can't become a request") as refused:
        edit(ada, listing, kind="request")
    assert refused.value.field == "kind"
    assert snapshot(listing) == before


def test_an_edit_with_a_bad_field_changes_nothing(ada):
    listing = post(ada)
    before = snapshot(listing)
    with pytest.raises(InvalidInput, match="Price"):
        edit(ada, listing, title="Another title entirely", price="-4")
    assert snapshot(listing) == before


# --------------------------------------------------------- only the author changes it


@pytest.mark.parametrize("change", ["edit", "pause", "close"])
def test_another_member_with_the_listing_id_is_refused_and_nothing_changes(
    ada, bo, change
):
    listing = post(ada)
    before = snapshot(listing)
    with pytest.raises(NotAuthorized, match="Only the person who posted"):
        if change == "edit":
            edit(bo, listing, title="Hijacked by bob")
        else:
            set_status(bo, listing, change)
    assert snapshot(listing) == before


def test_another_member_cannot_even_find_a_listing_hidden_from_them(ada, bo):
    listing = post(ada, audience="network")
    before = snapshot(listing)
    with pytest.raises(NotFound):
        edit(bo, listing, audience="public")
    with pytest.raises(NotFound):
        set_status(bo, listing, "close")
    assert snapshot(listing) == before


@pytest.mark.parametrize(
    "forged", [0, -1, 2**31, 10**20, "1 OR 1=1", "abc", None, True, 1.0, [1]]
)
def test_a_forged_listing_id_is_simply_not_found(ada, forged):
    listing = post(ada)
    before = snapshot(listing)
    with pytest.raises(NotFound):
        edit(ada, forged, title="Renamed by a forged id")
    with pytest.raises(NotFound):
        set_status(ada, forged, "close")
    with pytest.raises(NotFound):
        view(ada, forged)
    assert snapshot(listing) == before


def test_an_id_sent_as_digits_works_like_the_number(ada):
    listing = post(ada)
    assert set_status(ada, str(listing), "pause") == "paused"


# ------------------------------------------------------------ pause, reopen, close


def test_the_author_pauses_reopens_and_closes_a_listing(ada):
    listing = post(ada)
    assert set_status(ada, listing, "pause") == "paused"
    assert set_status(ada, listing, "reopen") == "open"
    assert set_status(ada, listing, "close") == "closed"


@pytest.mark.parametrize(
    ("steps", "refused_step", "message"),
    [
        ([], "reopen", "is open; it can't reopen"),
        (["pause"], "pause", "is paused; it can't pause"),
        (["close"], "close", "already closed"),
        (["close"], "reopen", "is closed; it can't reopen"),
        (["close"], "pause", "is closed; it can't pause"),
        ([], "delete", "Choose pause, reopen or close"),
        ([], None, "Choose pause, reopen or close"),
    ],
)
def test_status_moves_out_of_order_are_refused(ada, steps, refused_step, message):
    listing = post(ada)
    for step in steps:
        set_status(ada, listing, step)
    before = snapshot(listing)
    with pytest.raises(InvalidInput, match=message):
        set_status(ada, listing, refused_step)
    assert snapshot(listing) == before


def test_paused_and_closed_listings_leave_browsing_but_not_their_authors_page(ada, bo):
    paused, closed = post(ada), post(ada, title="Intro to a B2B SEO consultant")
    set_status(ada, paused, "pause")
    set_status(ada, closed, "close")
    assert not in_browse(bo, paused) and not in_browse(bo, closed)
    assert not in_browse(ada, paused) and not in_browse(ada, closed)
    assert view(ada, paused).status_label == "Paused"
    assert view(ada, closed).status_label == "Closed"
    with read_only() as s:
        mine = listings.listings_of(s, ada.member_id)
    assert [x.status for x in mine] == ["paused", "closed"]  # closed go last


# ------------------------------------------------------------------------ audiences


def test_a_public_listing_is_seen_by_every_member(ada, bo, cy):
    listing = post(ada)
    assert can_open(bo, listing) and can_open(cy, listing)
    assert in_browse(bo, listing) and in_browse(cy, listing)


def test_a_network_listing_is_seen_by_connections_only(ada, bo, cy):
    listing = post(ada, audience="network")
    connect(bo, ada)
    assert can_open(bo, listing) and in_browse(bo, listing)
    assert not can_open(cy, listing) and not in_browse(cy, listing)
    assert can_open(ada, listing) and in_browse(ada, listing)


@pytest.mark.parametrize("status", ["pending", "declined", "blocked"])
def test_a_connection_not_yet_accepted_does_not_show_network_listings(ada, bo, status):
    listing = post(ada, audience="network")
    connect(ada, bo, status=status)
    assert not can_open(bo, listing) and not in_browse(bo, listing)


def test_a_connection_of_a_connection_does_not_see_network_listings(ada, bo, cy):
    listing = post(ada, audience="network")
    connect(ada, bo)
    connect(bo, cy)
    assert can_open(bo, listing)
    assert not can_open(cy, listing)


def test_a_chosen_listing_is_seen_by_the_chosen_only(ada, bo, cy):
    listing = post(ada, audience="chosen", chosen="@Bob, ")
    assert can_open(bo, listing) and in_browse(bo, listing)
    assert not can_open(cy, listing) and not in_browse(cy, listing)
    assert view(ada, listing).chosen == ["bob"]
    assert view(bo, listing).chosen == []  # only the author sees who was chosen


def test_a_hidden_listing_reads_as_not_found_not_as_forbidden(ada, cy):
    listing = post(ada, audience="network")
    with pytest.raises(NotFound, match="isn't shown to you"):
        view(cy, listing)
    with pytest.raises(NotFound, match="isn't shown to you"):
        view(cy, listing + 1000)  # the same words for one that does not exist


def test_changing_the_audience_changes_who_sees_it(ada, bo, cy):
    listing = post(ada, audience="chosen", chosen="bob")
    edit(ada, listing, audience="chosen", chosen="cyd")
    assert not can_open(bo, listing) and can_open(cy, listing)
    edit(ada, listing, audience="public")
    assert can_open(bo, listing) and can_open(cy, listing)
    assert view(ada, listing).chosen == []  # the old choice is forgotten
    edit(ada, listing, audience="network")
    assert not can_open(bo, listing) and not can_open(cy, listing)


@pytest.mark.parametrize(
    ("chosen", "error", "message"),
    [
        ("", InvalidInput, "at least one person"),
        (" , @ ,", InvalidInput, "at least one person"),
        (None, InvalidInput, "at least one person"),
        (["bob"], InvalidInput, "list of handles"),
        ("bob, nobody", NotFound, "nobody"),
        ("bob, <script>", NotFound, "No active member"),
        (",".join(f"m{i}" for i in range(51)), InvalidInput, "At most 50"),
    ],
)
def test_a_chosen_audience_needs_real_handles(ada, bo, chosen, error, message):
    form = {"audience": "chosen"} | ({} if chosen is None else {"chosen": chosen})
    with pytest.raises(error, match=message):
        post(ada, **form)
    listing = post(ada)
    before = snapshot(listing)
    with pytest.raises(error, match=message):
        edit(ada, listing, **form)
    assert snapshot(listing) == before


def test_choosing_only_yourself_is_refused(ada):
    with pytest.raises(InvalidInput, match="someone other than you"):
        post(ada, audience="chosen", chosen="ada")


# ------------------------------------------------------------------------ paid terms


@pytest.fixture
def stripe_key(monkeypatch):
    """A server with a (test) Stripe key: paid terms become available."""
    from marketplace.settings import get_settings

    monkeypatch.setenv("MARKETPLACE_STRIPE_SECRET_KEY", "sk_test_listing_rules")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("MARKETPLACE_STRIPE_SECRET_KEY")
    get_settings.cache_clear()


PAID = {"terms": "paid", "price": "45.50", "currency": "eur", "rate_kind": "hourly"}


def test_paid_terms_are_refused_where_stripe_is_not_set_up(ada, monkeypatch):
    from marketplace.settings import get_settings

    monkeypatch.delenv("MARKETPLACE_STRIPE_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    with pytest.raises(InvalidInput, match=r"(?i)card payments"):
        post(ada, **PAID)
    with read_only() as s:
        assert s.exec(select(func.count()).select_from(Listing)).one() == 0


def test_a_consultant_posts_an_hourly_rate_in_euros(ada, bo, stripe_key):
    listing = post(ada, kind="offer", **PAID)
    seen = view(bo, listing)
    assert (seen.terms, seen.price, seen.price_label) == (
        "paid",
        4550,
        "€45.50 per hour",
    )
