"""Receipts: the payer's record of each card charge and each refund.

A paid engagement moves card money twice at most: the charge (`secure`
captures the held card, at confirmation or on day 6) and, if it is
cancelled or refunded after that, the refund. Each move issues one receipt
in the unit of work that moved the money (card_payments.py calls `issue`),
so a rolled-back capture leaves no receipt and a committed one always has
its receipt:

    charge  R-2026-000123  the price, the platform's fee in it, the card
    refund  R-2026-000124  the price given back in full (no fee kept)

A receipt is immutable: the fee, the card's brand and last 4 and the date
are copied when it is issued, so a later change of the fee setting or a
removed card never rewrites one. `uq_receipt_once` (engagement, kind) makes
a second `issue` for the same move return the first receipt and write
nothing; the engagement's row lock (every caller holds it) keeps two
workers from racing to it.

A receipt is the payer's document: they get it by mail (through the outbox,
with its PDF, unless they chose no payment mail) and in the wallet. The
helper of the engagement may open it too (it is their sale); anyone else
is told it does not exist, as for an id that was never issued.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from marketplace import routes
from marketplace.accounts.members import timezone_of
from marketplace.adapters.clock import Clock, system_clock
from marketplace.adapters.mailer import Attachment
from marketplace.domain.errors import InvalidInput, NotFound
from marketplace.domain.ids import check_id
from marketplace.domain.money import format_money, split_fee
from marketplace.domain.receipts import (
    CHARGE,
    KIND_LABELS,
    KINDS,
    ReceiptView,
    card_label,
    receipt_number,
)
from marketplace.domain.receipts import REFUND as REFUND  # for card_payments
from marketplace.domain.times import local_date
from marketplace.inbox import alerts, outbox
from marketplace.ledger import receipt_pdf
from marketplace.models import Engagement, Listing, Member, Receipt, SavedCard
from marketplace.settings import get_settings

MAIL_KIND = "payment"  # the alert kind whose choice decides the mail


def issue(
    session: Session, engagement: Engagement, kind: str, clock: Clock = system_clock
) -> Receipt:
    """The receipt of this engagement's charge or refund, written now (and
    mailed to the payer) or, if it was issued before, that one unchanged."""
    if kind not in KINDS:
        raise InvalidInput("A receipt is for a charge or a refund.", "kind")
    found = session.exec(
        select(Receipt).where(
            Receipt.engagement_id == engagement.id, Receipt.kind == kind
        )
    ).first()
    if found is not None:
        return found
    receipt = _new_receipt(session, engagement, kind, clock)
    _mail(session, receipt, clock)
    return receipt


def _new_receipt(
    session: Session, engagement: Engagement, kind: str, clock: Clock
) -> Receipt:
    amount = engagement.price
    # the rule release_escrow pays the consultant by: the same split, same setting
    fee = split_fee(amount, get_settings().platform_fee_bps)[0] if kind == CHARGE else 0
    brand, last4 = _card_of(session, engagement.payment_method_id)
    now = clock.now()
    receipt = Receipt(
        # its real number needs its id: a placeholder unique to this move first
        number=f"new-{engagement.id}-{kind}"[:20],
        engagement_id=engagement.id,
        kind=kind,
        amount=amount,
        fee=fee,
        currency=engagement.currency or "",
        payer_id=engagement.asker_id,
        helper_id=engagement.helper_id,
        card_brand=brand,
        card_last4=last4,
        issued_at=now,
    )
    session.add(receipt)
    session.flush()
    receipt.number = receipt_number(receipt.id, now.year)
    session.add(receipt)
    return receipt


def _card_of(session: Session, payment_method_id: str | None) -> tuple[str, str]:
    """(brand, last 4) of the saved card the engagement was paid with; ('', '')
    for an engagement from before saved cards (shown as 'card')."""
    if not payment_method_id:
        return "", ""
    card = session.exec(
        select(SavedCard).where(SavedCard.payment_method_id == payment_method_id)
    ).first()
    return (card.brand, card.last4) if card else ("", "")


# --------------------------------------------------------------------------- views


def receipt_view(session: Session, viewer_id: int, receipt_id: object) -> ReceiptView:
    """The receipt, for its payer or the engagement's helper; NotFound for
    anyone else, exactly as for an id that was never issued."""
    wanted = check_id(receipt_id, "receipt")
    receipt = session.get(Receipt, wanted)
    if receipt is None or viewer_id not in (receipt.payer_id, receipt.helper_id):
        raise NotFound("No such receipt.")
    return _view(session, receipt, timezone_of(session, viewer_id))


def _view(session: Session, receipt: Receipt, zone: str) -> ReceiptView:
    settings = get_settings()
    locale = settings.locale  # the member's own, once members choose one

    def money(amount: int) -> str:
        return format_money(amount, receipt.currency, locale)

    payer = session.get(Member, receipt.payer_id)
    helper = session.get(Member, receipt.helper_id)
    charge = receipt.kind == CHARGE
    return ReceiptView(
        id=receipt.id,
        number=receipt.number,
        kind=receipt.kind,
        kind_label=KIND_LABELS[receipt.kind],
        amount=money(receipt.amount),
        fee=money(receipt.fee) if charge else "",
        net=money(receipt.amount - receipt.fee) if charge else "",
        vat_note=settings.vat_note,
        issuer=settings.operator_name,
        issuer_address=settings.operator_address,
        payer_name=payer.display_name,
        payer_handle=payer.handle,
        helper_name=helper.display_name,
        helper_handle=helper.handle,
        card=card_label(receipt.card_brand, receipt.card_last4),
        issued=local_date(receipt.issued_at, zone),
        engagement_id=receipt.engagement_id,
        engagement_title=_title(session, receipt.engagement_id),
        engagement_link=routes.engagement(receipt.engagement_id),
        page_link=routes.receipt(receipt.id),
        pdf_link=routes.receipt_pdf(receipt.id),
    )


def _title(session: Session, engagement_id: int) -> str:
    return session.exec(
        select(Listing.title)
        .join(Engagement, col(Engagement.listing_id) == Listing.id)
        .where(Engagement.id == engagement_id)
    ).one()


def receipts_of(session: Session, member_id: int) -> list[ReceiptView]:
    """The member's receipts as the payer, newest first. (A helper's side of
    the same money is their payout history: card_history.payouts_of.)"""
    rows = session.exec(
        select(Receipt)
        .where(Receipt.payer_id == member_id)
        .order_by(col(Receipt.id).desc())
    ).all()
    zone = timezone_of(session, member_id)
    return [_view(session, row, zone) for row in rows]


def receipt_pdf_of(session: Session, viewer_id: int, receipt_id: object) -> bytes:
    """The receipt's PDF, for the same people `receipt_view` lets in."""
    return receipt_pdf.render(receipt_view(session, viewer_id, receipt_id))


def pdf_filename(number: str) -> str:
    return f"receipt-{number}.pdf"


# --------------------------------------------------------------------------- mail


def _mail(session: Session, receipt: Receipt, clock: Clock) -> None:
    """Queue the receipt's mail to the payer, PDF attached, in this unit of
    work (inbox/outbox.py sends it after commit). A payer who set payment
    alerts to 'never' gets none: the receipt waits in their wallet."""
    payer = session.get(Member, receipt.payer_id)
    if payer is None or payer.status != "active":
        return
    if alerts.choice_of(session, payer.id, MAIL_KIND) == alerts.NEVER:
        return
    view = _view(session, receipt, timezone_of(session, payer.id))
    unsubscribe = alerts.unsubscribe_url(payer.id, MAIL_KIND)
    outbox.queue(
        session,
        member_id=payer.id,
        kind=MAIL_KIND,
        to=payer.email,
        subject=f"Karma: your receipt {view.number} for “{view.engagement_title}”",
        body=mail_body(view, unsubscribe),
        unsubscribe_url=unsubscribe,
        attachment=Attachment(
            pdf_filename(view.number), "application/pdf", receipt_pdf.render(view)
        ),
        clock=clock,
    )
    receipt.emailed_at = clock.now()
    session.add(receipt)


def mail_body(view: ReceiptView, unsubscribe_url: str) -> str:
    base = get_settings().base_url.rstrip("/")
    moved = "charged to" if view.kind == CHARGE else "refunded to"
    lines = [
        f"Hello {view.payer_name},",
        "",
        f"{view.kind_label} {view.number}, {view.issued}: {view.amount} {moved} "
        f"your {view.card}, for “{view.engagement_title}” with {view.helper_name}.",
    ]
    if view.kind == CHARGE:
        lines.append(f"Platform fee included: {view.fee}.")
    lines += [
        view.vat_note,
        "",
        f"The receipt is attached as a PDF, and online: {base}{view.page_link}",
        "",
        "You get this email because your alerts for "
        f"“{alerts.BY_NAME[MAIL_KIND].label.lower()}” are on.",
        f"Change your alerts: {base}{routes.SETTINGS_ALERTS}",
        f"Stop these emails: {unsubscribe_url}",
    ]
    return "\n".join(lines) + "\n"
