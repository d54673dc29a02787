"""A receipt as a one-page PDF (fpdf2), from the same view its page shows.

Names are members' own and may be in any script: the PDF embeds DejaVu Sans
where the machine has it (Debian's fonts-dejavu-core), and otherwise falls
back to Helvetica with what Latin-1 cannot spell shown as '?'. The receipt
number is also the document's title, so a mail client or a search finds it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fpdf import FPDF, XPos, YPos

from marketplace.domain.receipts import ReceiptView

ROOT = Path("/")
FONT_DIRS = (  # Debian and Ubuntu, Fedora and Alpine, a local install
    ROOT / "usr" / "share" / "fonts" / "truetype" / "dejavu",
    ROOT / "usr" / "share" / "fonts" / "dejavu",
    ROOT / "usr" / "local" / "share" / "fonts" / "dejavu",
)
MARGIN = 20
LABEL_WIDTH = 55
NEXT_LINE = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}


@lru_cache(maxsize=1)
def _dejavu() -> tuple[Path, Path] | None:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            return regular, bold
    return None


class _Receipt(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.set_margins(MARGIN, MARGIN)
        self.set_auto_page_break(True, MARGIN)
        fonts = _dejavu()
        self._unicode = fonts is not None
        if fonts:
            self.add_font("body", "", str(fonts[0]))
            self.add_font("body", "B", str(fonts[1]))
            self._family = "body"
        else:
            self._family = "helvetica"

    def text_of(self, value: str) -> str:
        if self._unicode:
            return value
        return value.encode("latin-1", "replace").decode("latin-1")

    def para(self, text: str, size: int = 11, bold: bool = False, gap: float = 2):
        self.set_font(self._family, "B" if bold else "", size)
        self.multi_cell(0, size * 0.5, self.text_of(text), **NEXT_LINE)
        self.ln(gap)

    def row(self, label: str, value: str, bold: bool = False) -> None:
        self.set_font(self._family, "", 11)
        self.cell(LABEL_WIDTH, 7, self.text_of(label))
        self.set_font(self._family, "B" if bold else "", 11)
        self.multi_cell(0, 7, self.text_of(value), **NEXT_LINE)


def render(view: ReceiptView) -> bytes:
    """The receipt's PDF bytes (%PDF-...)."""
    pdf = _Receipt()
    pdf.set_title(f"Receipt {view.number}")
    pdf.set_author(view.issuer)
    pdf.add_page()
    pdf.para(view.issuer, size=12, bold=True, gap=0)
    if view.issuer_address:
        pdf.para(view.issuer_address, size=9, gap=0)
    pdf.ln(8)
    pdf.para(f"{view.kind_label} receipt {view.number}", size=18, bold=True, gap=6)
    pdf.row("Date", view.issued)
    pdf.row("Paid by", f"{view.payer_name} (@{view.payer_handle})")
    pdf.row("Help from", f"{view.helper_name} (@{view.helper_handle})")
    pdf.row("For", f"Engagement #{view.engagement_id}: {view.engagement_title}")
    pdf.row("Card", view.card)
    pdf.ln(4)
    moved = "Amount charged" if view.kind == "charge" else "Amount refunded"
    pdf.row(moved, view.amount, bold=True)
    if view.fee:
        pdf.row("of which platform fee", view.fee)
        pdf.row(f"to {view.helper_name}", view.net)
    pdf.ln(4)
    pdf.para(view.vat_note, size=10)
    return bytes(pdf.output())
