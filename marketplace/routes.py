"""Route patterns and URL builders: the one place that spells a URL."""

from urllib.parse import quote

HOME = "/"
SIGNUP = "/signup"
LOGIN = "/login"
DASHBOARD = "/dashboard"
PEOPLE = "/people"
PERSON = "/people/[handle]"
PROFILE_EDIT = "/profile/edit"


def person(handle: str) -> str:
    return f"{PEOPLE}/{quote(handle)}"
