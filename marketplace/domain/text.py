"""Rules for free text members type: length limits and no markup.

The UI renders every string as text, never as HTML. We still refuse tags at the
door so that nothing stored can turn into markup in an email, an export or a
future renderer, and the member learns why at once.
"""

from __future__ import annotations

import re
import unicodedata

from marketplace.domain.errors import InvalidInput

# A browser starts a tag, comment or declaration only at "<" directly followed by
# a letter, "/", "!" or "?"; "2 < 3", "a < b" and "I <3 SaaS" stay plain text.
# "javascript:" is refused only when glued to what follows, as in a link target;
# "JavaScript: React, Node" is a skill list (linkifiers stop at the space).
_MARKUP = re.compile(r"<(?:[/!?]|[^\W\d_])|javascript:(?!\s)", re.I)
_LINE_BREAK = re.compile(r"\r\n?|[\n\x85\u2028\u2029]")
_CONTROL = {"Cc", "Cf", "Cs"}
# Zero-width (non-)joiners are format characters that people need: they build
# emoji such as 👩‍💻 and are part of Persian and Indic spelling.
_JOINERS = {"\u200c", "\u200d"}


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
    # A line break in a one-line field becomes a space, so words stay apart.
    text = _LINE_BREAK.sub("\n" if multiline else " ", value)
    text = unicodedata.normalize("NFC", "".join(filter(_allowed_char, text))).strip()
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


def _allowed_char(ch: str) -> bool:
    if ch in "\n\t" or ch in _JOINERS:
        return True
    return unicodedata.category(ch) not in _CONTROL
