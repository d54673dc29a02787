"""Which addresses can show where a member works: not free mail."""

import pytest

from marketplace.domain.errors import InvalidInput
from marketplace.domain.mail_domains import check_work_email, is_free_mail


@pytest.mark.parametrize(
    "domain",
    [
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com",
        "yahoo.com", "icloud.com", "me.com", "aol.com", "proton.me",
        "protonmail.com", "mail.ru", "GMX.de", "gmx.net", "gmx.at", "yandex.ru",
        "yandex.com.tr", "yahoo.co.uk", "hotmail.fr", "outlook.de",
        "mail.yahoo.com", "eu.gmx.net.",
    ],
)  # fmt: skip
def test_free_mail_is_free_mail_whatever_the_country_or_case(domain):
    assert is_free_mail(domain)


@pytest.mark.parametrize(
    "domain",
    [
        "acme.com", "mail.acme.com", "gmail.acme.com", "yahoo.ibm.com",
        "outlook.acme.io", "gmxx.de", "notgmail.com", "yahoo", "example.co.uk",
    ],
)  # fmt: skip
def test_a_company_domain_is_not_free_mail(domain):
    assert not is_free_mail(domain)


def test_a_work_address_gives_its_domain_and_free_mail_is_refused_clearly():
    assert check_work_email("Ada@Mail.Acme.com") == "mail.acme.com"
    with pytest.raises(InvalidInput, match=r"gmx\.de gives an address to anyone"):
        check_work_email("ada@gmx.de")
