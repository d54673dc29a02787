"""Explicit groups: micro-networks members name, join and leave.

A group's page lives at its slug, made from its name ("B2B SaaS Founders,
Berlin" -> "b2b-saas-founders-berlin"), so two groups whose names differ only
in case, accents or punctuation would share a page: the slug is what must be
unique, and a clash is refused with the name of the group already there.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from marketplace.domain.errors import InvalidInput
from marketplace.domain.text import clean_text

NAME_MIN, NAME_MAX = 3, 80
DESCRIPTION_MAX = 1000
SLUG_MAX = 80
# Paths a groups page may want for itself ("/groups/new").
RESERVED_SLUGS = frozenset({"new", "edit", "mine", "detected", "all"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class GroupDraft:
    name: str
    slug: str
    description: str


def slugify(name: str) -> str:
    """Lower-case ASCII letters and digits joined by hyphens ("" if none)."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore")
    slug = _NOT_SLUG.sub("-", ascii_text.decode().lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def check_group(name: object, description: object = "") -> GroupDraft:
    """A new group's name and description, checked, with its slug; or
    InvalidInput naming the field."""
    name = clean_text(name, field="name", label="Name", max_length=NAME_MAX)
    if len(name) < NAME_MIN:
        raise InvalidInput(f"Name must be {NAME_MIN} to {NAME_MAX} characters.", "name")
    slug = slugify(name)
    if not slug:
        raise InvalidInput("Name needs some letters or digits.", "name")
    if slug in RESERVED_SLUGS:
        raise InvalidInput("That name is reserved; choose another.", "name")
    description = clean_text(
        description,
        field="description",
        label="Description",
        max_length=DESCRIPTION_MAX,
        multiline=True,
    )
    return GroupDraft(name, slug, description)


def is_slug(value: object) -> bool:
    """Whether a slug from a URL is one slugify could have made."""
    return (
        isinstance(value, str)
        and 0 < len(value) <= SLUG_MAX
        and slugify(value) == value
    )
