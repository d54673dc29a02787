"""Work addresses: where an address says its owner works, and where it can't.

A member may verify a second, work address; their profile then shows the
domain alone ("Verified at acme.com"). That only means something where the
domain hands addresses out to its own people: a free-mail provider gives
one to anyone, so its addresses are refused as work addresses.

The list is the providers most members use, by name, plus the families that
exist under many country domains (gmx.de, gmx.at, yahoo.co.uk, ...). It
refuses the common case; it is no proof that a domain is an employer.
"""

from __future__ import annotations

from marketplace.domain.errors import InvalidInput

FREE_MAIL_DOMAINS = frozenset(
    {
        # the big international providers
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com",
        "msn.com", "passport.com", "yahoo.com", "ymail.com", "rocketmail.com",
        "icloud.com", "me.com", "mac.com", "aol.com", "aim.com", "mail.com",
        "email.com", "usa.com", "zoho.com", "zohomail.com", "fastmail.com",
        "fastmail.fm", "hey.com", "hushmail.com", "inbox.com",
        # private mail anyone can open
        "proton.me", "protonmail.com", "protonmail.ch", "pm.me", "tutanota.com",
        "tutanota.de", "tutamail.com", "tuta.io", "tuta.com", "posteo.de",
        "posteo.net", "mailbox.org", "disroot.org", "riseup.net",
        # national providers and internet service providers
        "web.de", "t-online.de", "freenet.de", "arcor.de", "mail.ru", "inbox.ru",
        "list.ru", "bk.ru", "rambler.ru", "ya.ru", "qq.com", "163.com", "126.com",
        "yeah.net", "sina.com", "sohu.com", "aliyun.com", "naver.com", "daum.net",
        "hanmail.net", "rediffmail.com", "libero.it", "virgilio.it", "tiscali.it",
        "alice.it", "orange.fr", "wanadoo.fr", "laposte.net", "free.fr", "sfr.fr",
        "seznam.cz", "centrum.cz", "wp.pl", "o2.pl", "onet.pl", "interia.pl",
        "btinternet.com", "sky.com", "virginmedia.com", "ntlworld.com",
        "comcast.net", "att.net", "verizon.net", "sbcglobal.net", "cox.net",
        "bigpond.com", "optusnet.com.au", "shaw.ca", "rogers.com", "sympatico.ca",
        "uol.com.br", "bol.com.br", "terra.com.br", "ziggo.nl", "kpnmail.nl",
        "telenet.be", "skynet.be", "bluewin.ch", "abv.bg", "ukr.net",
        # throwaway mailboxes
        "mailinator.com", "guerrillamail.com", "sharklasers.com", "yopmail.com",
        "10minutemail.com", "temp-mail.org", "trashmail.com", "maildrop.cc",
    }
)  # fmt: skip
# Providers that take the same name under many country domains: gmx.net,
# gmx.at, yahoo.co.jp, hotmail.fr, yandex.com.tr...
FREE_MAIL_FAMILIES = frozenset(
    {"aol", "gmx", "hotmail", "live", "outlook", "yahoo", "yandex"}
)
# what may follow a family's name: a top-level domain, or a country's
# second level (co.uk, com.br, ne.jp)
_GENERIC_TLDS = frozenset({"com", "net", "org"})
_SECOND_LEVELS = frozenset({"co", "com", "net", "org", "ne", "or"})

FREE_MAIL = (
    "{domain} gives an address to anyone, so it can't show where you work. "
    "Use the address your company gave you."
)


def mail_domain(email: str) -> str:
    """The domain of an address (already normalized), lowercased."""
    return email.rpartition("@")[2].lower().rstrip(".")


def is_free_mail(domain: str) -> bool:
    """Whether anyone can get an address at `domain` (or at the provider it
    is a part of: mail.yahoo.co.uk is Yahoo)."""
    labels = domain.lower().rstrip(".").split(".")
    for start in range(len(labels) - 1):
        name, *suffix = labels[start:]
        if ".".join(labels[start:]) in FREE_MAIL_DOMAINS:
            return True
        if name in FREE_MAIL_FAMILIES and _is_public_suffix(suffix):
            return True
    return False


def _is_public_suffix(labels: list[str]) -> bool:
    def country(label: str) -> bool:
        return len(label) == 2 and label.isascii() and label.isalpha()

    if len(labels) == 1:
        return labels[0] in _GENERIC_TLDS or country(labels[0])
    if len(labels) == 2:
        return labels[0] in _SECOND_LEVELS and country(labels[1])
    return False


def check_work_email(email: str) -> str:
    """A normalized address a member may verify as their work address: not
    at a free-mail provider. Returns its domain, what the profile shows."""
    domain = mail_domain(email)
    if is_free_mail(domain):
        raise InvalidInput(FREE_MAIL.format(domain=domain), "email")
    return domain
