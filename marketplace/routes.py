"""Route patterns and URL builders: the one place that spells a URL."""

from urllib.parse import quote, unquote

HOME = "/"
SIGNUP = "/signup"
LOGIN = "/login"
DASHBOARD = "/dashboard"
PEOPLE = "/people"
PERSON = "/people/[handle]"
PROFILE_EDIT = "/profile/edit"
WALLET = "/wallet"
IOUS = "/ious"


def person(handle: str) -> str:
    return f"{PEOPLE}/{quote(handle)}"


def handle_from_path(path: str) -> str:
    """The <handle> of a /people/<handle> path, or '' for any other path."""
    prefix = PEOPLE + "/"
    if not path.startswith(prefix):
        return ""
    return unquote(path[len(prefix) :].strip("/"))


MARKET = "/market"
LISTING_NEW = "/market/new"
LISTING = "/market/[listing_id]"
LISTING_EDIT = "/market/[listing_id]/edit"
ENGAGEMENTS = "/engagements"
ENGAGEMENT = "/engagements/[engagement_id]"
INBOX = "/inbox"
DISPUTES = "/operator/disputes"
NETWORK = "/network"
INTROS = "/network/intros"
GROUPS = "/groups"
GROUP = "/groups/[slug]"
# HTTP routes of the backend (api.py), reached by full navigations
SESSION_START = "/api/session/start"
SESSION_END = "/api/session/end"


def group(slug: str) -> str:
    return f"{GROUPS}/{quote(slug)}"


def slug_from_path(path: str) -> str:
    """The <slug> of a /groups/<slug> path, or ''."""
    prefix = GROUPS + "/"
    return unquote(path[len(prefix) :].strip("/")) if path.startswith(prefix) else ""


def listing(listing_id: int) -> str:
    return f"{MARKET}/{listing_id}"


def engagement(engagement_id: int) -> str:
    return f"{ENGAGEMENTS}/{engagement_id}"


def id_from_path(path: str, prefix: str) -> int | None:
    """The numeric id right after `prefix/` in a path, or None."""
    head = prefix + "/"
    if not path.startswith(head):
        return None
    first = path[len(head) :].strip("/").split("/")[0]
    if not (first.isascii() and first.isdigit()) or len(first) > 9:
        return None
    return int(first)


PATH_MAX = 500


def same_site_path(path: object, fallback: str = DASHBOARD) -> str:
    """`path` if it is a path of this site ("/market/34?x=1"), else `fallback`.

    Refuses what a browser would take elsewhere: "//evil.example" and
    "/\\evil.example" are other hosts, a scheme is another site, and control
    characters could split a header."""
    if not isinstance(path, str) or not path.startswith("/") or len(path) > PATH_MAX:
        return fallback
    if path.startswith(("//", "/\\")) or any(ch in path for ch in "\\\r\n\t\0"):
        return fallback
    return path
