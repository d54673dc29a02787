"""Group names and slugs: one page per name, whatever its case or accents."""

from __future__ import annotations

import pytest

from marketplace.domain.errors import InvalidInput
from marketplace.domain.groups import check_group, is_slug, slugify


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("B2B SaaS Founders, Berlin", "b2b-saas-founders-berlin"),
        ("  Café  Owners ", "cafe-owners"),
        ("ML / AI -- Zürich", "ml-ai-zurich"),
        ("Ünïcödé", "unicode"),
    ],
)
def test_a_name_makes_a_readable_slug(name, slug):
    assert slugify(name) == slug
    assert check_group(name).slug == slug
    assert is_slug(slug)


def test_name_and_description_are_cleaned():
    draft = check_group("  SaaS marketers  ", "We swap\nlaunch notes.")
    assert (draft.name, draft.description) == (
        "SaaS marketers",
        "We swap\nlaunch notes.",
    )


@pytest.mark.parametrize(
    "name",
    ["", "ab", "  a ", None, 12, "x" * 81, "🙂🙂🙂", "<b>bold</b>", "new", "New!"],
)
def test_a_bad_name_is_refused(name):
    with pytest.raises(InvalidInput) as error:
        check_group(name)
    assert error.value.field == "name"


def test_an_overlong_description_is_refused():
    with pytest.raises(InvalidInput) as error:
        check_group("Founders", "x" * 1001)
    assert error.value.field == "description"


@pytest.mark.parametrize("value", ["", "Caps", "a--b", "-a", "a b", "x" * 81, 5, None])
def test_only_slugs_the_site_makes_are_slugs(value):
    assert not is_slug(value)
