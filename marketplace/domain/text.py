"""Rules for free text members type: length limits and no markup.

The UI renders every string as text, never as HTML. We still refuse tags at the
door so that nothing stored can turn into markup in an email, an export or a
future renderer, and the member learns why at once.
"""

from __future__ import annotations

import re
import unicodedata

from marketplace.domain.errors import InvalidInput

_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>|<\s*/?\s*[a-zA-Z]|javascript:", re.I)
_CONTROL = {"Cc", "Cf"}


def clean_text(
    value: object,
    *,
    field: str,
    label: str,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """Return `value` trimmed and checked, or raise InvalidInput naming `label`."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{label} must be text.", field)
    text = unicodedata.normalize("NFC", value).strip()
    text = "".join(ch for ch in text if _allowed_char(ch, multiline))
    if required and not text:
        raise InvalidInput(f"{label} is required.", field)
    if len(text) > max_length:
        raise InvalidInput(
            f"{label} is too long: {len(text)} characters, at most {max_length}.",
            field,
        )
    if _MARKUP.search(text):
        raise InvalidInput(
            f"{label} can't contain HTML or script tags; plain text only.", field
        )
    return text


def _allowed_char(ch: str, multiline: bool) -> bool:
    if ch == "\n":
        return multiline
    if ch == "\t":
        return True
    return unicodedata.category(ch) not in _CONTROL
