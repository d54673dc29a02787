"""What a profile holds and how its fields are cleaned.

A profile is a give/get card: expertise tags (what I can give), needs (what I
want to get) and background (companies, schools, industries) drive matching,
so tags are normalized to one spelling: "Machine Learning " -> "machine-learning".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import available_timezones

from marketplace.domain.errors import InvalidInput
from marketplace.domain.text import clean_text

TAG_KINDS = ("give", "get", "background")
TAG_KIND_LABELS = {"give": "Expertise", "get": "Needs", "background": "Background"}
TAG_MAX_LENGTH = 40
TAGS_PER_KIND = 20
AVAILABILITY = {
    "open": "Open to help",
    "limited": "Limited time",
    "away": "Away for now",
}
_TAG_SEPARATORS = re.compile(r"[\s_/]+")
_TAG_ALLOWED = re.compile(r"^[a-z0-9][a-z0-9+#.&-]*$")


def normalize_tag(raw: str) -> str:
    """One canonical spelling for a tag, or raise InvalidInput."""
    text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    tag = _TAG_SEPARATORS.sub("-", text.strip().lower()).strip("-.")
    tag = re.sub(r"-{2,}", "-", tag)
    if not tag:
        raise InvalidInput(f"'{raw.strip()}' is not a usable tag.", "tags")
    if len(tag) > TAG_MAX_LENGTH:
        raise InvalidInput(
            f"Tag '{tag[:20]}…' is too long (at most {TAG_MAX_LENGTH} characters).",
            "tags",
        )
    if not _TAG_ALLOWED.match(tag):
        raise InvalidInput(
            f"Tag '{raw.strip()}' may use letters, digits and + # . & - only.", "tags"
        )
    return tag


def parse_tags(
    value: object, *, kind: str, label: str | None = None, limit: int = TAGS_PER_KIND
) -> list[str]:
    """Split a comma-separated string (or take a list), normalize, de-duplicate;
    errors name `label` (the profile's kind label by default) and field `kind`."""
    label = label or TAG_KIND_LABELS[kind]
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(",")
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        parts = value
    else:
        raise InvalidInput(f"{label} must be a comma-separated list.", kind)
    tags: list[str] = []
    for part in parts:
        if part.strip() and (tag := normalize_tag(part)) not in tags:
            tags.append(tag)
    if len(tags) > limit:
        raise InvalidInput(f"{label}: at most {limit} tags.", kind)
    return tags


@lru_cache(maxsize=1)
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def clean_timezone(value: object) -> str:
    if not isinstance(value, str) or value.strip() not in _timezones():
        raise InvalidInput(
            "Time zone must be a name like Europe/Berlin or America/New_York.",
            "timezone",
        )
    return value.strip()


def clean_availability(value: object) -> str:
    if not isinstance(value, str) or value not in AVAILABILITY:
        raise InvalidInput(
            "Availability must be one of: " + ", ".join(AVAILABILITY.values()) + ".",
            "availability",
        )
    return str(value)


@dataclass(frozen=True)
class ProfileChanges:
    """A complete, validated profile edit."""

    display_name: str
    headline: str
    bio: str
    location: str
    timezone: str
    availability: str
    tags: dict[str, list[str]]


def clean_profile(form: dict[str, object]) -> ProfileChanges:
    """Validate every field of a profile form; unknown keys are ignored."""
    if not isinstance(form, dict):
        raise InvalidInput("The profile form is malformed.")
    return ProfileChanges(
        display_name=clean_text(
            form.get("display_name"),
            field="display_name",
            label="Name",
            max_length=80,
            required=True,
        ),
        headline=clean_text(
            form.get("headline"), field="headline", label="Headline", max_length=120
        ),
        bio=clean_text(
            form.get("bio"), field="bio", label="About", max_length=2000, multiline=True
        ),
        location=clean_text(
            form.get("location"), field="location", label="Location", max_length=80
        ),
        timezone=clean_timezone(form.get("timezone") or "UTC"),
        availability=clean_availability(form.get("availability") or "open"),
        tags={kind: parse_tags(form.get(kind), kind=kind) for kind in TAG_KINDS},
    )
