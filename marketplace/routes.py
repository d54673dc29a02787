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
