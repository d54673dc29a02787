"""Contexts: what a member is in the middle of, and who could help with it.

A context is a signal a member posts -- organizing an event, hiring,
fundraising, launching, moving city, looking for something -- with tags and
dates. It is what LinkedIn knows and never acts on: "Priya is organizing SaaS
Summit 2027" plus "you know SaaS marketing" is a reason to offer help now. The
graph (domain/graph.py) turns open contexts of people within two degrees into
nudges; this module holds the context's fields, their rules, and a tag index
(`ContextBoard`) so a member's nudges look only at contexts that can fit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from marketplace.domain.errors import InvalidInput
from marketplace.domain.profiles import parse_tags
from marketplace.domain.text import clean_text

# kind -> the verb phrase of a nudge ("Priya is organizing SaaS Summit 2027")
KINDS = {
    "event": "is organizing",
    "hiring": "is hiring for",
    "fundraising": "is fundraising for",
    "launching": "is launching",
    "moving": "is moving:",
    "looking": "is looking for",
}
# kind -> how a list or a form names it
KIND_LABELS = {
    "event": "Organizing an event",
    "hiring": "Hiring",
    "fundraising": "Fundraising",
    "launching": "Launching",
    "moving": "Moving",
    "looking": "Looking for",
}
TITLE_MAX = 120
DESCRIPTION_MAX = 2000
TAGS_MAX = 8
MAX_DAYS_AHEAD = 730  # a context is about now, not a distant plan


@dataclass(frozen=True)
class ContextSignal:
    """An open context as the graph sees it: whose, what, which tags, when."""

    id: int
    member_id: int
    owner_name: str
    kind: str
    title: str
    tags: frozenset[str]
    starts_on: date | None = None
    ends_on: date | None = None

    def is_over(self, today: date) -> bool:
        last_day = self.ends_on or self.starts_on
        return last_day is not None and last_day < today


@dataclass(frozen=True)
class ContextDraft:
    """A context's fields, checked and normalized, ready to store."""

    kind: str
    title: str
    description: str
    tags: list[str]
    starts_on: date | None
    ends_on: date | None


def check_context(form: dict, *, today: date) -> ContextDraft:
    """Every field of a new context, or InvalidInput naming the first bad one:
    an unknown kind, a missing or overlong title, dates in the past or out of
    order, too many tags."""
    if not isinstance(form, dict):
        raise InvalidInput("The context form is malformed.")
    kind = form.get("kind")
    if not isinstance(kind, str) or kind not in KINDS:
        raise InvalidInput("Kind must be one of: " + ", ".join(KINDS) + ".", "kind")
    title = clean_text(
        form.get("title"),
        field="title",
        label="Title",
        max_length=TITLE_MAX,
        required=True,
    )
    description = clean_text(
        form.get("description"),
        field="description",
        label="Description",
        max_length=DESCRIPTION_MAX,
        multiline=True,
    )
    tags = parse_tags(form.get("tags"), kind="tags", label="Tags", limit=TAGS_MAX)
    starts_on = _day(form.get("starts_on"), "starts_on", "Start date", today)
    ends_on = _day(form.get("ends_on"), "ends_on", "End date", today)
    if starts_on and ends_on and ends_on < starts_on:
        raise InvalidInput("The end date comes before the start date.", "ends_on")
    return ContextDraft(kind, title, description, tags, starts_on, ends_on)


def _day(value: object, field: str, label: str, today: date) -> date | None:
    if value in (None, ""):
        return None
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"{label} must be a date like 2027-01-31.", field) from None
    if day < today:
        raise InvalidInput(f"{label} can't be in the past.", field)
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(f"{label} must be within two years.", field)
    return day


def describe(signal: ContextSignal) -> str:
    """ "Priya is organizing SaaS Summit 2027"."""
    return (
        f"{signal.owner_name} {KINDS.get(signal.kind, 'is busy with')} {signal.title}"
    )


def humanize(tags: Iterable[str]) -> str:
    """Tags as words for a sentence: saas-marketing, b2b-seo -> "saas marketing
    and b2b seo"."""
    words = [tag.replace("-", " ") for tag in sorted(tags)]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


class ContextBoard:
    """The open contexts, indexed by tag, kept in step one context at a time.

    A member's nudges need only the contexts sharing a tag with their
    expertise; the index finds those without looking at the rest.
    """

    def __init__(self) -> None:
        self._signals: dict[int, ContextSignal] = {}
        self._by_tag: dict[str, set[int]] = {}

    def __len__(self) -> int:
        return len(self._signals)

    def put(self, signal: ContextSignal) -> None:
        """Add a context, or replace it (its tags may have changed)."""
        self.remove(signal.id)
        self._signals[signal.id] = signal
        for tag in signal.tags:
            self._by_tag.setdefault(tag, set()).add(signal.id)

    def remove(self, context_id: int) -> None:
        """Forget a context (closed, or its owner left); unknown ids are fine."""
        old = self._signals.pop(context_id, None)
        for tag in old.tags if old else ():
            ids = self._by_tag.get(tag)
            if ids is not None:
                ids.discard(context_id)
                if not ids:
                    del self._by_tag[tag]

    def matching(self, tags: Iterable[str]) -> Iterator[ContextSignal]:
        """The contexts that share at least one of `tags`, each once."""
        seen: set[int] = set()
        for tag in tags:
            for context_id in self._by_tag.get(tag, ()):
                if context_id not in seen:
                    seen.add(context_id)
                    yield self._signals[context_id]

    def __iter__(self) -> Iterator[ContextSignal]:
        return iter(list(self._signals.values()))
