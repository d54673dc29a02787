"""The skills taxonomy is a vocabulary members and the seeder can rely on."""

import string

import pytest
from faker.config import AVAILABLE_LOCALES

from marketplace.domain.profiles import clean_timezone, normalize_tag
from marketplace.domain.taxonomy import (
    BIO_CLOSERS,
    BIO_OPENERS,
    CITIES,
    COMPANIES,
    DOMAIN_OF_SKILL,
    DOMAINS,
    INDUSTRIES,
    SCHOOLS,
    all_skills,
    background_tags,
    skill_label,
)


@pytest.mark.parametrize("tag", all_skills() + background_tags())
def test_every_tag_is_already_in_canonical_spelling(tag):
    assert normalize_tag(tag) == tag


def test_there_are_about_a_dozen_domains_of_ten_to_fifteen_skills():
    assert 10 <= len(DOMAINS) <= 14
    for domain in DOMAINS.values():
        assert 10 <= len(domain.skills) <= 15, domain.key


def test_each_skill_belongs_to_exactly_one_domain():
    skills = all_skills()
    assert len(skills) == len(set(skills)) == len(DOMAIN_OF_SKILL)
    assert DOMAIN_OF_SKILL["b2b-seo"] == "marketing"
    assert DOMAIN_OF_SKILL["series-a-fundraising"] == "fundraising"


def test_background_tags_are_distinct_from_skills_and_each_other():
    background = background_tags()
    assert len(background) == len(set(background))
    assert not set(background) & set(all_skills())
    assert len(COMPANIES) >= 20 and len(SCHOOLS) >= 15 and len(INDUSTRIES) >= 15


def test_domains_need_help_from_other_existing_domains():
    for domain in DOMAINS.values():
        assert domain.needs, domain.key
        assert domain.key not in domain.needs
        assert set(domain.needs) <= set(DOMAINS)


def test_every_city_has_a_real_time_zone_and_a_faker_locale():
    assert 20 <= len(CITIES) <= 30
    for city in CITIES:
        assert clean_timezone(city.timezone) == city.timezone
        assert city.locale in AVAILABLE_LOCALES
    assert len({c.label for c in CITIES}) == len(CITIES)


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_headlines_fit_the_profile_limit_with_the_longest_names():
    company = max(COMPANIES.values(), key=len)
    industry = max(INDUSTRIES.values(), key=len)
    for domain in DOMAINS.values():
        assert len(domain.headlines) >= 4, domain.key
        for template in domain.headlines:
            assert _fields(template) <= {"company", "industry"}, template
            assert len(template.format(company=company, industry=industry)) <= 120


def test_bio_templates_only_use_the_fields_the_seeder_fills():
    known = {"years", "industry", "company", "domain", "city", "give1", "give2"}
    for template in BIO_OPENERS + BIO_CLOSERS:
        assert _fields(template) <= known | {"get1"}, template


@pytest.mark.parametrize(
    "tag,label",
    [
        ("b2b-seo", "B2B SEO"),
        ("a-b-testing", "A/B testing"),
        ("pricing-strategy", "pricing strategy"),
        ("fp&a", "FP&A"),
        ("node.js", "Node.js"),
    ],
)
def test_skill_label_reads_naturally_in_a_sentence(tag, label):
    assert skill_label(tag) == label
