"""Route patterns and URL builders: the one place that spells a URL."""

from urllib.parse import quote, unquote, urlencode, urlsplit

HOME = "/"
SIGNUP = "/signup"
LOGIN = "/login"
# where a verification link lands (accounts/verification.py VERIFY_PATH)
VERIFY = "/verify"
DASHBOARD = "/dashboard"
PEOPLE = "/people"
PERSON = "/people/[handle]"
PROFILE_EDIT = "/profile/edit"
WALLET = "/wallet"
IOUS = "/ious"
FORGOT_PASSWORD = "/password/forgot"
RESET_PASSWORD = "/password/reset"
ACCOUNT_SETTINGS = "/settings/account"


def reset_link(token: str) -> str:
    """The page an emailed reset link opens (the token in its query)."""
    return f"{RESET_PASSWORD}?{urlencode({'token': token})}"


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
INTEGRITY = "/operator/integrity"
MODERATION = "/operator/moderation"
SUSPENDED = "/suspended"  # what a suspended member's log-in shows
NETWORK = "/network"
INTROS = "/network/intros"
GROUPS = "/groups"
GROUP = "/groups/[slug]"
# HTTP routes of the backend (api.py), reached by full navigations
SESSION_START = "/api/session/start"
SESSION_END = "/api/session/end"
EXPORTS = "/api/export"
EXPORT_ROUTE = EXPORTS + "/{archive_id}"
SETTINGS_DATA = "/settings/data"


def export_download(archive_id: str) -> str:
    return f"{EXPORTS}/{quote(archive_id)}"


# a card payment's receipt: its page, and its PDF (a backend route, api.py)
RECEIPT = "/wallet/receipts/[receipt_id]"
RECEIPTS_PDF = "/api/receipts"
RECEIPT_PDF_ROUTE = RECEIPTS_PDF + "/{receipt_id:int}"


def receipt(receipt_id: int) -> str:
    return RECEIPT.replace("[receipt_id]", str(int(receipt_id)))


def receipt_id_from_path(path: str) -> int | None:
    """The <id> of a /wallet/receipts/<id> path, or None."""
    return id_from_path(path, RECEIPT.rpartition("/")[0])


def receipt_pdf(receipt_id: int) -> str:
    return f"{RECEIPTS_PDF}/{int(receipt_id)}"


ALERTS_UNSUBSCRIBE = "/api/alerts/unsubscribe"
# a member's private calendar feed (market/calendar_feed.py): the secret
# token is the whole key, so calendar apps fetch it without a session
CALENDAR_FEEDS = "/api/calendar"
CALENDAR_FEED_ROUTE = CALENDAR_FEEDS + "/{token}.ics"


def calendar_feed(token: str) -> str:
    return f"{CALENDAR_FEEDS}/{quote(token, safe='')}.ics"


SETTINGS_ALERTS = "/settings/alerts"
SETTINGS_PRIVACY = "/settings/privacy"


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
# Not pages: the backend's own routes (a log-in that landed on /api/session/end
# would log straight out) and Reflex's (/_event, /_health, /_upload).
NOT_PAGES = ("/api/", "/_")
NEXT = "next"  # the query parameter that carries the page asked for


def same_site_path(path: object, fallback: str = DASHBOARD) -> str:
    r"""`path` if it is a page of this site ("/market/34?x=1"), else `fallback`.

    Refuses what a browser would take elsewhere: "//evil.example" and
    "/\evil.example" are other hosts, a scheme is another site, and browsers
    drop tabs and newlines from a URL ("/\t/evil.example" is "//evil.example"),
    so no control character passes (they could also split a header)."""
    if not isinstance(path, str) or not path.startswith("/") or len(path) > PATH_MAX:
        return fallback
    if path.startswith(("//", "/\\", *NOT_PAGES)) or "\\" in path:
        return fallback
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        return fallback
    return path


def with_next(page: str, next_path: object) -> str:
    """`page` (the log-in or sign-up page) carrying where to go after it:
    "/login?next=%2Fmarket%2F34", or the bare page when there is nowhere
    (safe) to return to, or the place is that page itself."""
    target = same_site_path(next_path, fallback="")
    if not target or target == HOME or urlsplit(target).path in (LOGIN, SIGNUP):
        return page
    return f"{page}?{urlencode({NEXT: target})}"


def login_to(next_path: object) -> str:
    return with_next(LOGIN, next_path)


def signup_to(next_path: object) -> str:
    return with_next(SIGNUP, next_path)


def add_card_then(next_path: object) -> str:
    """The wallet's Cards, which link back to `next_path` (a page of this
    site) once the member has a card: "/wallet?next=%2Fengagements%2F7#cards"."""
    target = same_site_path(next_path, fallback="")
    query = f"?{urlencode({NEXT: target})}" if target else ""
    return f"{WALLET}{query}#cards"


# direct messages (network/conversations.py): the list, and one conversation
# by the other member's handle
MESSAGES = "/messages"
CONVERSATION = "/messages/[handle]"


def conversation(handle: str) -> str:
    return f"{MESSAGES}/{quote(handle)}"


def conversation_handle_from_path(path: str) -> str:
    """The <handle> of a /messages/<handle> path, or ''."""
    prefix = MESSAGES + "/"
    return unquote(path[len(prefix) :].strip("/")) if path.startswith(prefix) else ""


# your network from elsewhere (issue 23): imported contacts, one contact's
# page, and the sign-up an invitation link opens
CONTACTS = "/network/contacts"
CONTACT = "/network/contacts/[contact_id]"


def contact(contact_id: int) -> str:
    return CONTACT.replace("[contact_id]", str(int(contact_id)))


def contact_id_from_path(path: str) -> int | None:
    """The <id> of a /network/contacts/<id> path, or None."""
    return id_from_path(path, CONTACTS)


def invitation_link(token: str) -> str:
    """Where an invitation's email sends someone: the sign-up, pre-filled."""
    return f"{SIGNUP}?{urlencode({'invite': token})}"


# inviting people I know (issue 23, network/invitations.py)
INVITE_CONTACTS = "/network/contacts/invite"


SETTINGS_AVAILABILITY = "/settings/availability"
