"""A moderator's hide reaches the inbox: a note that ends by quoting the
hidden words, whole or cut at the note's length, reads the placeholder."""

import pytest

from marketplace.inbox.notifications import _quoted_at


@pytest.mark.parametrize(
    ("text", "quote", "at"),
    [
        ("Bob wrote to you: buy now", "buy now", 16),
        ("Bob wrote about “Tax: help”: buy now", "buy now", 27),
        ("Bob wrote to you: a: b", "a: b", 16),
        ("Bob wrote to you: buy n…", "buy now please", 16),
        ("Bob wrote to you: buy now", "sell", None),
        ("Bob wrote to you: buy now", "buy", None),  # not the whole message
        ("Bob wrote to you: ", "", None),
    ],
)
def test_the_quote_is_found_where_the_note_ends_with_it(text, quote, at):
    assert _quoted_at(text, quote) == at
