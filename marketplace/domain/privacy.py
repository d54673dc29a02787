"""Privacy by degree: who sees each part of a member's profile.

A member chooses, for each part of their profile, the closest degree of
connection a viewer must be at to see it:

    everyone  -- anyone, signed in or not (a shared link, a search result)
    second    -- my connections and theirs (2nd degree)
    first     -- my connections only (accepted connections)
    me        -- nobody but me

A viewer's degree to the member is SELF (the member), FIRST, SECOND, BEYOND
(signed in, three steps or more, or no path at all) or PUBLIC (signed out).
The rule is one comparison: a part shows when the viewer is at least as
close as the setting asks (`shows`). The owner always sees everything.

Defaults follow what LinkedIn members expect: contact email and the
connections list for connections only; the karma balance for connections
only (it says how much credit a member is using, which is nobody else's
business); location, background, availability, reviews and the give/get
chart for everyone, because a market works only if people can judge whom to
ask.

Who may send me requests is a second, coarser choice: connection requests
and message requests from everyone, from the 2nd degree only, or from
nobody (`may_request`). Hidden from search keeps a member out of people
search and out of suggestions (who to ask, intros, matches) to anyone but
their own connections, who still see them in their network.

Pure: no database, no framework. Services (accounts/privacy.py) find the
degree and the member's settings, and ask this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace

from marketplace.domain.errors import InvalidInput
from marketplace.domain.graph import AVAILABILITY_REASON, Candidate

# the degree of a viewer to a member, closest first
SELF, FIRST, SECOND, BEYOND, PUBLIC = 0, 1, 2, 3, 4
DEGREE_NAMES = {
    SELF: "you",
    FIRST: "a connection (1st degree)",
    SECOND: "a 2nd-degree member",
    BEYOND: "a member outside your network",
    PUBLIC: "anyone (signed out)",
}

# who may see a part: the furthest degree that still sees it
LEVELS: dict[str, int] = {
    "everyone": PUBLIC,
    "second": SECOND,
    "first": FIRST,
    "me": SELF,
}
LEVEL_LABELS = {
    "everyone": "Everyone",
    "second": "2nd degree and closer",
    "first": "Connections only (1st degree)",
    "me": "Only me",
}

# the parts of a profile a member may keep to a degree, in the order shown
PARTS: dict[str, str] = {
    "email": "Contact email",
    "location": "Location",
    "background": "Background",
    "availability": "Availability",
    "karma": "Karma balance",
    "reviews": "Reviews",
    "give_get": "Give/get chart",
    "connections": "Connections list",
}
DEFAULTS: dict[str, str] = {
    "email": "first",
    "location": "everyone",
    "background": "everyone",
    "availability": "everyone",
    "karma": "first",
    "reviews": "everyone",
    "give_get": "everyone",
    "connections": "first",
}

# who may send me a request: the furthest degree allowed to (signed in only)
REQUEST_LEVELS: dict[str, int] = {"everyone": BEYOND, "second": SECOND, "nobody": -1}
REQUEST_LABELS = {
    "everyone": "Everyone",
    "second": "2nd degree only",
    "nobody": "Nobody",
}
REQUEST_KINDS = {"connect": "connection requests", "message": "message requests"}
REQUEST_DEFAULTS = {"connect": "everyone", "message": "second"}


@dataclass(frozen=True)
class Settings:
    """One member's choices; `Settings()` is what a member who never chose has."""

    email: str = DEFAULTS["email"]
    location: str = DEFAULTS["location"]
    background: str = DEFAULTS["background"]
    availability: str = DEFAULTS["availability"]
    karma: str = DEFAULTS["karma"]
    reviews: str = DEFAULTS["reviews"]
    give_get: str = DEFAULTS["give_get"]
    connections: str = DEFAULTS["connections"]
    connect_requests: str = REQUEST_DEFAULTS["connect"]
    message_requests: str = REQUEST_DEFAULTS["message"]
    hidden_from_search: bool = False

    def level(self, part: str) -> str:
        check_part(part)
        return getattr(self, part)

    def requests_from(self, kind: str) -> str:
        return getattr(self, f"{check_kind(kind)}_requests")


DEFAULT_SETTINGS = Settings()
FIELDS = tuple(f.name for f in fields(Settings))


def check_part(part: object) -> str:
    if not isinstance(part, str) or part not in PARTS:
        raise InvalidInput(
            f"Unknown profile part: choose one of {', '.join(PARTS)}.", "part"
        )
    return part


def check_level(level: object, field: str = "level") -> str:
    if not isinstance(level, str) or level not in LEVELS:
        raise InvalidInput(
            f"Unknown privacy level: choose one of {', '.join(LEVELS)}.", field
        )
    return level


def check_request_level(level: object, field: str = "level") -> str:
    if not isinstance(level, str) or level not in REQUEST_LEVELS:
        raise InvalidInput(
            f"Unknown request setting: choose one of {', '.join(REQUEST_LEVELS)}.",
            field,
        )
    return level


def check_kind(kind: object) -> str:
    if not isinstance(kind, str) or kind not in REQUEST_KINDS:
        raise InvalidInput("A request is 'connect' or 'message'.", "kind")
    return kind


def check_degree(degree: object) -> int:
    if isinstance(degree, bool) or degree not in DEGREE_NAMES:
        raise InvalidInput("Unknown degree of connection.", "degree")
    return degree  # type: ignore[return-value]


def shows(level: str, degree: int) -> bool:
    """Whether a part kept at `level` shows to a viewer at `degree`."""
    return check_degree(degree) <= LEVELS[check_level(level)]


def visible_parts(settings: Settings, degree: int) -> frozenset[str]:
    """Every part of the profile a viewer at `degree` may see."""
    return frozenset(p for p in PARTS if shows(settings.level(p), degree))


def may_request(level: str, degree: int) -> bool:
    """Whether a signed-in member at `degree` may send a request to someone
    who takes them from `level` (everyone | second | nobody)."""
    degree = check_degree(degree)
    if degree in (SELF, PUBLIC):
        return False
    return degree <= REQUEST_LEVELS[check_request_level(level)]


def findable(settings: Settings, degree: int) -> bool:
    """Whether the member shows in search and suggestions to this viewer: a
    member hidden from search is found by themself and their connections."""
    return not settings.hidden_from_search or degree <= FIRST


def parse(form: Mapping[str, object]) -> Settings:
    """A whole settings form, every field checked before anything is kept:
    a level per part, a request level per kind, and the search checkbox
    ("on" or absent, as a browser posts it, or a boolean)."""
    if not isinstance(form, Mapping):
        raise InvalidInput("Send the privacy settings as a form.")
    unknown = set(form) - set(FIELDS) - {"form_key"}
    if unknown:
        name = sorted(str(u) for u in unknown)[0][:30]
        raise InvalidInput(f"Unknown privacy setting: {name}.", name)
    chosen = {p: check_level(form.get(p, DEFAULTS[p]), p) for p in PARTS}
    for kind, default in REQUEST_DEFAULTS.items():
        name = f"{kind}_requests"
        chosen[name] = check_request_level(form.get(name, default), name)
    return Settings(
        **chosen, hidden_from_search=_checked(form.get("hidden_from_search"))
    )


def _checked(value: object) -> bool:
    if value is None or value is False or value == "":
        return False
    if value is True or value == "on":
        return True
    raise InvalidInput("Hide me from search is on or off.", "hidden_from_search")


def with_level(settings: Settings, part: str, level: str) -> Settings:
    """The settings with one part's level changed (both checked)."""
    return replace(settings, **{check_part(part): check_level(level, part)})


# ------------------------------------------------------------- suggestions


def redact_candidate(candidate: Candidate, visible: Iterable[str]) -> Candidate:
    """A who-to-ask candidate as a viewer who sees only `visible` parts of
    them may read it: no give/get counts, no availability in its reasons."""
    visible = frozenset(visible)
    hide_counts = "give_get" not in visible
    hide_availability = "availability" not in visible
    if not (hide_counts or hide_availability):
        return candidate
    private = set()
    if hide_availability:
        private |= set(AVAILABILITY_REASON.values())
    reasons = tuple(
        r
        for r in candidate.reasons
        if r not in private and not (hide_counts and r.startswith("gives more than"))
    )
    return replace(
        candidate,
        reasons=reasons,
        given=0 if hide_counts else candidate.given,
        received=0 if hide_counts else candidate.received,
        availability="" if hide_availability else candidate.availability,
    )
