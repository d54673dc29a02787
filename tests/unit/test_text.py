"""Free text members type: trimmed, length-limited, plain text only."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.errors import InvalidInput
from marketplace.domain.text import clean_text


def headline(value, **kw):
    return clean_text(value, field="headline", label="Headline", max_length=40, **kw)


def bio(value):
    return headline(value, multiline=True)


def test_text_is_trimmed_and_missing_text_is_empty():
    assert headline("  Growth marketer  ") == "Growth marketer"
    assert headline(None) == ""


def test_required_text_names_the_field_when_blank():
    with pytest.raises(InvalidInput, match="Headline is required") as error:
        headline("   ", required=True)
    assert error.value.field == "headline"


def test_overlong_text_says_how_long_it_is_and_the_limit():
    with pytest.raises(InvalidInput, match=r"Headline is too long: 41 .* at most 40"):
        headline("x" * 41)
    assert headline("  " + "x" * 40 + "  ") == "x" * 40  # spaces don't count


@pytest.mark.parametrize("value", [42, ["a"], {"a": 1}, True])
def test_non_text_is_refused(value):
    with pytest.raises(InvalidInput, match="Headline must be text"):
        headline(value)


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        "<b>bold</b>",
        "hi <img src=x onerror=alert(1)>",
        "x<y",
        "</div>",
        "<!-- hidden -->",
        "<?php echo 1 ?>",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "<\u200bscript>",  # a zero-width space does not smuggle a tag
    ],
)
def test_markup_is_refused_with_a_clear_message(markup):
    with pytest.raises(InvalidInput, match="Headline can't contain HTML"):
        headline(markup)


@pytest.mark.parametrize(
    "plain",
    ["2 < 3", "a < b", "I <3 SaaS", "a <= b", "x -> y", "R&D", "JavaScript: React"],
)
def test_plain_text_that_looks_a_bit_like_markup_is_kept(plain):
    assert headline(plain) == plain


def test_control_and_invisible_characters_are_stripped():
    assert headline("Ada\x00 Love\u200blace\x07") == "Ada Lovelace"
    assert headline("\ufeff\x00 Ada") == "Ada"
    assert headline("bad \ud800 surrogate") == "bad  surrogate"


def test_emoji_joiners_survive():
    assert headline("👩\u200d💻 engineer") == "👩\u200d💻 engineer"


def test_one_line_fields_turn_line_breaks_into_spaces():
    assert headline("Founder\nAcme") == "Founder Acme"
    assert headline("Founder\r\nAcme") == "Founder Acme"


def test_multiline_fields_keep_line_breaks_in_one_style():
    assert bio("Hello\r\nWorld\rAgain\n") == "Hello\nWorld\nAgain"


def test_text_is_unicode_normalized_so_lengths_are_honest():
    assert headline("Cafe\u0301") == "Café"
    assert len(headline("e\u0301" * 40)) == 40


@given(st.text(max_size=60))
def test_accepted_text_never_opens_a_tag(value):
    try:
        text = headline(value, multiline=True)
    except InvalidInput:
        return
    assert not re.search(r"<[a-zA-Z/!?]", text)
    assert len(text) <= 40 and text == text.strip()


@given(st.text(max_size=60))
def test_one_line_text_never_contains_a_line_break(value):
    try:
        text = headline(value)
    except InvalidInput:
        return
    assert "\n" not in text and "\r" not in text
