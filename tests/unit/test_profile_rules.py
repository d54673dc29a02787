"""Profile rules: one spelling per tag, sane limits, a known time zone."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.domain.errors import InvalidInput
from marketplace.domain.profiles import (
    TAG_MAX_LENGTH,
    TAGS_PER_KIND,
    clean_availability,
    clean_profile,
    clean_timezone,
    normalize_tag,
    parse_tags,
)

# --------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    "typed",
    [
        "machine-learning",
        "Machine Learning",
        "  machine learning ",
        "MACHINE_LEARNING",
        "machine / learning",
        "machine--learning-",
    ],
)
def test_spelling_variants_map_to_one_tag(typed):
    assert normalize_tag(typed) == "machine-learning"


@pytest.mark.parametrize(
    "typed,tag",
    [("C++", "c++"), ("C#", "c#"), ("Node.js", "node.js"), ("R&D", "r&d"),
     ("UI/UX", "ui-ux"), ("Café Ops", "cafe-ops")],
)  # fmt: skip
def test_tags_keep_the_punctuation_skills_are_named_with(typed, tag):
    assert normalize_tag(typed) == tag


@pytest.mark.parametrize(
    "typed,message",
    [
        ("  ", "not a usable tag"),
        ("日本語", "not a usable tag"),
        ("<script>", "may use letters, digits and \\+ # \\. & - only"),
        ("sales!", "may use letters"),
        ("+growth", "may use letters"),
        ("x" * (TAG_MAX_LENGTH + 1), "too long \\(at most 40 characters\\)"),
    ],
)
def test_unusable_tags_are_refused_with_a_clear_message(typed, message):
    with pytest.raises(InvalidInput, match=message):
        normalize_tag(typed)


def test_a_tag_of_exactly_the_limit_is_fine():
    assert normalize_tag("x" * TAG_MAX_LENGTH) == "x" * TAG_MAX_LENGTH


def test_a_comma_separated_list_becomes_distinct_tags_in_order():
    typed = "Python, machine learning, , python ,Machine-Learning,SQL"
    assert parse_tags(typed, kind="give") == ["python", "machine-learning", "sql"]


def test_a_list_of_tags_is_accepted_and_none_means_no_tags():
    assert parse_tags(["Go", "go", "Rust"], kind="get") == ["go", "rust"]
    assert parse_tags(None, kind="get") == []


def test_more_than_twenty_distinct_tags_are_refused_naming_the_section():
    many = ", ".join(f"skill{i}" for i in range(TAGS_PER_KIND + 1))
    with pytest.raises(InvalidInput, match="Needs: at most 20 tags") as error:
        parse_tags(many, kind="get")
    assert error.value.field == "get"


def test_twenty_tags_with_repeats_are_within_the_limit():
    typed = [f"skill{i}" for i in range(TAGS_PER_KIND)] * 2
    assert len(parse_tags(typed, kind="give")) == TAGS_PER_KIND


@pytest.mark.parametrize("value", [42, {"a": "b"}, ["ok", 3], True])
def test_tags_that_are_not_a_list_of_text_are_refused(value):
    with pytest.raises(InvalidInput, match="Background must be a comma-separated"):
        parse_tags(value, kind="background")


@given(st.text(max_size=50))
def test_normalizing_an_accepted_tag_again_changes_nothing(typed):
    try:
        tag = normalize_tag(typed)
    except InvalidInput:
        return
    assert normalize_tag(tag) == tag
    assert "," not in tag and " " not in tag and len(tag) <= TAG_MAX_LENGTH


@given(st.lists(st.text(alphabet="abC -_/.+", max_size=8), max_size=30))
def test_parsed_tags_never_repeat(typed):
    try:
        tags = parse_tags(typed, kind="give")
    except InvalidInput:
        return
    assert len(tags) == len(set(tags)) <= TAGS_PER_KIND


# --------------------------------------------------------------------------- fields


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", " America/New_York "])
def test_known_time_zones_are_accepted(zone):
    assert clean_timezone(zone) == zone.strip()


@pytest.mark.parametrize("zone", ["Mars/Olympus", "GMT+25", "", None, 5])
def test_unknown_time_zones_are_refused(zone):
    with pytest.raises(InvalidInput, match="Time zone must be a name like"):
        clean_timezone(zone)


@pytest.mark.parametrize("value", ["busy", "", None, [], {}, 1])
def test_availability_must_be_one_of_the_offered_choices(value):
    with pytest.raises(InvalidInput, match="Open to help, Limited time, Away"):
        clean_availability(value)


# --------------------------------------------------------------------------- form


def test_a_full_profile_form_is_cleaned_field_by_field():
    changes = clean_profile(
        {
            "display_name": " Ada Lovelace ",
            "headline": "Analytical engines",
            "bio": "Line one\r\nLine two",
            "location": "London",
            "timezone": "Europe/London",
            "availability": "limited",
            "give": "Mathematics, Poetry",
            "get": ["Funding"],
            "background": "",
            "is_operator": True,  # not a profile field: ignored
            "id": 99,
        }
    )
    assert changes.display_name == "Ada Lovelace"
    assert changes.bio == "Line one\nLine two"
    assert (changes.timezone, changes.availability) == ("Europe/London", "limited")
    assert changes.tags == {
        "give": ["mathematics", "poetry"],
        "get": ["funding"],
        "background": [],
    }
    assert not hasattr(changes, "is_operator")


def test_an_almost_empty_form_gets_safe_defaults():
    changes = clean_profile({"display_name": "Ada"})
    assert (changes.headline, changes.timezone, changes.availability) == (
        "",
        "UTC",
        "open",
    )


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("display_name", "", "Name is required"),
        ("headline", "h" * 121, "Headline is too long"),
        ("bio", "<b>hi</b>", "About can't contain HTML"),
        ("location", ["London"], "Location must be text"),
        ("timezone", "Nowhere/City", "Time zone"),
        ("give", "ok, bad!", "letters, digits"),
    ],
)
def test_one_bad_field_refuses_the_whole_form(field, value, message):
    form = {"display_name": "Ada", field: value}
    with pytest.raises(InvalidInput, match=message):
        clean_profile(form)


def test_a_form_that_is_not_a_mapping_is_refused():
    with pytest.raises(InvalidInput, match="malformed"):
        clean_profile(["display_name", "Ada"])
