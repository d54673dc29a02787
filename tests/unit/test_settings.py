"""Outside development the app refuses to start on a placeholder secret, a
`*` CORS origin or a base URL that is not the public https address, and says
which setting; a good production configuration and development pass."""

from __future__ import annotations

import pytest

from marketplace.settings import production_problems, refuse_unsafe_start

REAL_KEY = "sk_live_51Hq" + "a1B2c3D4e5F6g7H8i9J0" * 4
REAL_WEBHOOK_SECRET = "whsec_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe"
PRODUCTION = {
    "MARKETPLACE_ENV": "production",
    "MARKETPLACE_STRIPE_SECRET_KEY": REAL_KEY,
    "MARKETPLACE_STRIPE_WEBHOOK_SECRET": REAL_WEBHOOK_SECRET,
    "MARKETPLACE_BASE_URL": "https://karma.example.com",
    "REFLEX_CORS_ALLOWED_ORIGINS": "https://karma.example.com",
}


def production(**changes: str | None) -> dict[str, str]:
    """The good production environment with some settings changed (None: unset)."""
    env = {**PRODUCTION, **changes}
    return {name: value for name, value in env.items() if value is not None}


def test_a_good_production_configuration_passes():
    assert production_problems(PRODUCTION) == []
    refuse_unsafe_start(PRODUCTION)  # returns: nothing to refuse


def test_production_without_stripe_passes_paid_terms_are_just_off():
    env = production(
        MARKETPLACE_STRIPE_SECRET_KEY=None, MARKETPLACE_STRIPE_WEBHOOK_SECRET=None
    )
    assert production_problems(env) == []


def test_a_rotated_origin_list_with_spaces_passes():
    env = production(
        REFLEX_CORS_ALLOWED_ORIGINS="https://karma.example.com, https://www.karma.example.com"
    )
    assert production_problems(env) == []


REFUSED = {
    "the demo's secret key": (
        {"MARKETPLACE_STRIPE_SECRET_KEY": "sk_test_karma_demo"},
        "MARKETPLACE_STRIPE_SECRET_KEY",
    ),
    "the demo's webhook secret": (
        {"MARKETPLACE_STRIPE_WEBHOOK_SECRET": "whsec_karma_demo"},
        "MARKETPLACE_STRIPE_WEBHOOK_SECRET",
    ),
    "changeme": (
        {"MARKETPLACE_STRIPE_SECRET_KEY": "sk_live_changeme_changeme_changeme"},
        "MARKETPLACE_STRIPE_SECRET_KEY",
    ),
    "a placeholder word": (
        {"MARKETPLACE_STRIPE_WEBHOOK_SECRET": "whsec_placeholder_for_the_real_one"},
        "MARKETPLACE_STRIPE_WEBHOOK_SECRET",
    ),
    "xxx": (
        {"MARKETPLACE_STRIPE_SECRET_KEY": "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"},
        "MARKETPLACE_STRIPE_SECRET_KEY",
    ),
    "a template": (
        {"MARKETPLACE_STRIPE_WEBHOOK_SECRET": "whsec_<your webhook secret here>"},
        "MARKETPLACE_STRIPE_WEBHOOK_SECRET",
    ),
    "blank": (
        {"MARKETPLACE_STRIPE_WEBHOOK_SECRET": "   "},
        "MARKETPLACE_STRIPE_WEBHOOK_SECRET",
    ),
    "a newline from a secret file": (
        {"MARKETPLACE_STRIPE_WEBHOOK_SECRET": REAL_WEBHOOK_SECRET + "\n"},
        "MARKETPLACE_STRIPE_WEBHOOK_SECRET",
    ),
    "not a Stripe key": (
        {"MARKETPLACE_STRIPE_SECRET_KEY": "pk_live_" + "a1B2c3D4e5F6g7H8i9J0" * 2},
        "MARKETPLACE_STRIPE_SECRET_KEY",
    ),
    "a key without a webhook secret": (
        {"MARKETPLACE_STRIPE_WEBHOOK_SECRET": None},
        "MARKETPLACE_STRIPE_WEBHOOK_SECRET is missing",
    ),
    "no base URL": ({"MARKETPLACE_BASE_URL": None}, "MARKETPLACE_BASE_URL"),
    "a plain http base URL": (
        {"MARKETPLACE_BASE_URL": "http://karma.example.com"},
        "MARKETPLACE_BASE_URL",
    ),
    "the development base URL": (
        {"MARKETPLACE_BASE_URL": "https://localhost:3000"},
        "MARKETPLACE_BASE_URL",
    ),
    "a loopback base URL": (
        {"MARKETPLACE_BASE_URL": "https://127.0.0.1"},
        "MARKETPLACE_BASE_URL",
    ),
    "no CORS origin (rxconfig's default is *)": (
        {"REFLEX_CORS_ALLOWED_ORIGINS": None},
        "REFLEX_CORS_ALLOWED_ORIGINS",
    ),
    "a * CORS origin": (
        {"REFLEX_CORS_ALLOWED_ORIGINS": "*"},
        "REFLEX_CORS_ALLOWED_ORIGINS",
    ),
    "a * among CORS origins": (
        {"REFLEX_CORS_ALLOWED_ORIGINS": "https://karma.example.com,*"},
        "REFLEX_CORS_ALLOWED_ORIGINS",
    ),
}


@pytest.mark.parametrize("changes, named", REFUSED.values(), ids=REFUSED.keys())
def test_each_unsafe_setting_is_refused_by_name(changes, named):
    env = production(**changes)
    problems = production_problems(env)
    assert len(problems) == 1 and named in problems[0]
    with pytest.raises(SystemExit) as refused:
        refuse_unsafe_start(env)
    assert named in str(refused.value.code)


def test_every_problem_is_listed_at_once_so_one_restart_fixes_them_all():
    env = production(
        MARKETPLACE_STRIPE_WEBHOOK_SECRET="whsec_karma_demo",
        MARKETPLACE_BASE_URL=None,
        REFLEX_CORS_ALLOWED_ORIGINS="*",
    )
    assert len(production_problems(env)) == 3


def test_the_refusal_never_repeats_a_secret():
    swapped = REAL_WEBHOOK_SECRET  # pasted into the key's variable by mistake
    env = production(MARKETPLACE_STRIPE_SECRET_KEY=swapped)
    with pytest.raises(SystemExit) as refused:
        refuse_unsafe_start(env)
    message = str(refused.value.code)
    assert "MARKETPLACE_STRIPE_SECRET_KEY" in message and swapped not in message


def test_a_real_random_key_that_contains_a_placeholder_word_is_not_refused():
    env = production(MARKETPLACE_STRIPE_SECRET_KEY=REAL_KEY + "demoXxx")
    assert production_problems(env) == []


@pytest.mark.parametrize("mode", [None, "development", " Development "])
def test_development_is_not_checked(mode):
    env = {
        "MARKETPLACE_STRIPE_SECRET_KEY": "sk_test_karma_demo",
        "MARKETPLACE_STRIPE_WEBHOOK_SECRET": "whsec_karma_demo",
        "REFLEX_CORS_ALLOWED_ORIGINS": "*",
        **({"MARKETPLACE_ENV": mode} if mode is not None else {}),
    }
    assert production_problems(env) == []


def test_any_other_environment_name_is_checked():
    env = production(MARKETPLACE_ENV="staging", REFLEX_CORS_ALLOWED_ORIGINS="*")
    assert production_problems(env)
