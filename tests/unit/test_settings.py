"""Settings are one typed object: junk in a setting stops the app in any
environment, naming the variable. Outside development the app also refuses to
start on a placeholder Stripe or SMTP secret, a missing or placeholder app
secret key, a `*` CORS origin or a base URL that is not the public https
address, and says which setting; a good production configuration and
development pass."""

from __future__ import annotations

import pytest

from marketplace.settings import (
    DEFAULT_DB_URL,
    SettingsError,
    load_settings,
    production_problems,
    refuse_unsafe_start,
)

STRIPE_KEY = "MARKETPLACE_STRIPE_SECRET_KEY"
REAL_KEY = "sk_live_51Hq" + "a1B2c3D4e5F6g7H8i9J0" * 4
REAL_WEBHOOK_SECRET = "whsec_" + "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe"
APP_KEY = "MARKETPLACE_SECRET_KEY"
REAL_APP_KEY = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
PRODUCTION = {
    "MARKETPLACE_ENV": "production",
    APP_KEY: REAL_APP_KEY,
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
    "no app secret key (each node would make its own)": (
        {APP_KEY: None},
        "MARKETPLACE_SECRET_KEY is not set",
    ),
    "an empty app secret key": ({APP_KEY: ""}, "MARKETPLACE_SECRET_KEY is not set"),
    "a blank app secret key": ({APP_KEY: "   "}, "MARKETPLACE_SECRET_KEY is set but"),
    "a placeholder app secret key": (
        {APP_KEY: "changeme-changeme-changeme-changeme"},
        "MARKETPLACE_SECRET_KEY is a placeholder",
    ),
    "an app secret key too short to be random": (
        {APP_KEY: "k4rma-s3cr3t"},
        "MARKETPLACE_SECRET_KEY is a placeholder",
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


def test_the_refusal_never_repeats_the_app_secret_key():
    short = "a1B2c3D4e5F6g7H8"  # real-looking, but too short
    with pytest.raises(SystemExit) as refused:
        refuse_unsafe_start(production(**{APP_KEY: short}))
    message = str(refused.value.code)
    assert APP_KEY in message and short not in message
    assert short not in repr(load_settings({APP_KEY: short}))


def test_development_needs_no_app_secret_key():
    settings = load_settings({})
    assert settings.secret_key == ""  # alerts.py makes one in .data/secret-key


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


# --------------------------------------------------------------------------- SMTP

GOOD_SMTP = {
    "MARKETPLACE_SMTP_HOST": "smtp.mailprovider.net",
    "MARKETPLACE_SMTP_PORT": "587",
    "MARKETPLACE_SMTP_USER": "karma-digest",
    "MARKETPLACE_SMTP_PASSWORD": "Qp7vN2xL9sT4wK8m",
    "MARKETPLACE_SMTP_STARTTLS": "true",
}


def test_a_mail_login_over_starttls_passes():
    assert production_problems(production(**GOOD_SMTP)) == []


def test_a_local_relay_needs_no_login_nor_encryption():
    env = production(MARKETPLACE_SMTP_HOST="127.0.0.1", MARKETPLACE_SMTP_PORT="25")
    assert production_problems(env) == []
    local_login = {**GOOD_SMTP, "MARKETPLACE_SMTP_HOST": "localhost"}
    assert production_problems(production(**local_login)) == []


SMTP_REFUSED = {
    "a placeholder password": (
        {"MARKETPLACE_SMTP_PASSWORD": "changeme"},
        "MARKETPLACE_SMTP_PASSWORD is a placeholder",
    ),
    "a template password": (
        {"MARKETPLACE_SMTP_PASSWORD": "<your smtp password>"},
        "MARKETPLACE_SMTP_PASSWORD is a placeholder",
    ),
    "a password too short to be real": (
        {"MARKETPLACE_SMTP_PASSWORD": "k4rma"},
        "MARKETPLACE_SMTP_PASSWORD is a placeholder",
    ),
    "a blank password": (
        {"MARKETPLACE_SMTP_PASSWORD": "  "},
        "MARKETPLACE_SMTP_PASSWORD is set but blank",
    ),
    "a user without a password": (
        {"MARKETPLACE_SMTP_PASSWORD": None},
        "MARKETPLACE_SMTP_PASSWORD is missing",
    ),
    "a password without a user": (
        {"MARKETPLACE_SMTP_USER": None},
        "MARKETPLACE_SMTP_USER is missing",
    ),
    "a placeholder user": (
        {"MARKETPLACE_SMTP_USER": "you@example.com"},
        "MARKETPLACE_SMTP_USER is a placeholder",
    ),
    "a password sent in clear to another machine": (
        {"MARKETPLACE_SMTP_STARTTLS": None},
        "MARKETPLACE_SMTP_STARTTLS=1",
    ),
}


@pytest.mark.parametrize("changes, named", SMTP_REFUSED.values(), ids=SMTP_REFUSED)
def test_each_unsafe_mail_setting_is_refused_by_name(changes, named):
    env = production(**{**GOOD_SMTP, **changes})
    problems = production_problems(env)
    assert len(problems) == 1 and named in problems[0]


def test_the_mail_password_is_never_repeated():
    password = "hunter2-but-longer"
    env = production(**{**GOOD_SMTP, "MARKETPLACE_SMTP_PASSWORD": password + " "})
    with pytest.raises(SystemExit) as refused:
        refuse_unsafe_start(env)
    assert "MARKETPLACE_SMTP_PASSWORD" in str(refused.value.code)
    assert password not in str(refused.value.code)
    assert password not in repr(load_settings({"MARKETPLACE_SMTP_PASSWORD": password}))


# --------------------------------------------------------------------------- types


def test_no_variable_at_all_gives_the_documented_defaults():
    settings = load_settings({})
    assert settings.environment == "development" and settings.is_development
    assert settings.db_url == DEFAULT_DB_URL
    assert (settings.session_ttl_hours, settings.digest_hour) == (168, 7)
    assert settings.cors_allowed_origins == ("*",)
    assert settings.locale == "en_US" and not settings.stripe_connect


def test_settings_are_read_as_their_types():
    settings = load_settings(
        {
            "MARKETPLACE_SESSION_TTL_HOURS": " 12 ",
            "MARKETPLACE_STRIPE_CONNECT": "yes",
            "MARKETPLACE_SMTP_STARTTLS": "0",
            "MARKETPLACE_TRUST_LIMIT": "0",
            "MARKETPLACE_LIMIT_MAX": "40",
            "MARKETPLACE_LOCALE": "de-DE",
            "REFLEX_CORS_ALLOWED_ORIGINS": "https://a.example, https://b.example,",
            "REFLEX_DB_URL": "postgresql+psycopg://karma@db/karma",
        }
    )
    assert settings.session_ttl_hours == 12
    assert (settings.trust_limit, settings.limit_max) == (0, 40)
    assert settings.stripe_connect is True and settings.smtp_starttls is False
    assert settings.locale == "de_DE"
    assert settings.cors_allowed_origins == ("https://a.example", "https://b.example")
    assert not settings.is_sqlite


def test_an_empty_variable_means_the_default():
    settings = load_settings({"MARKETPLACE_DIGEST_HOUR": "", "REFLEX_DB_URL": ""})
    assert (settings.digest_hour, settings.db_url) == (7, DEFAULT_DB_URL)


def test_settings_are_frozen():
    settings = load_settings({})
    with pytest.raises(ValueError):
        settings.digest_hour = 3


JUNK = {
    "a word for a number": ("MARKETPLACE_SESSION_TTL_HOURS", "abc", "whole number"),
    "a fraction for a number": ("MARKETPLACE_INTRO_KARMA", "1.5", "whole number"),
    "a word for a switch": ("MARKETPLACE_STRIPE_CONNECT", "maybe", "1 or 0"),
    "an hour past midnight": ("MARKETPLACE_DIGEST_HOUR", "24", "at most 23"),
    "a negative fee": ("MARKETPLACE_PLATFORM_FEE_BPS", "-1", "at least 0"),
    "a fee over 100 %": ("MARKETPLACE_PLATFORM_FEE_BPS", "10001", "at most 10000"),
    "a hold Stripe would drop": ("MARKETPLACE_CARD_CAPTURE_DAYS", "7", "at most 6"),
    "no free login failure": ("MARKETPLACE_LOGIN_FREE_FAILURES", "0", "at least 1"),
    "a negative credit limit": ("MARKETPLACE_TRUST_LIMIT", "-5", "at least 0"),
    "no vouch grace": ("MARKETPLACE_VOUCH_GRACE_DAYS", "0", "at least 1"),
    "a port past 65535": ("MARKETPLACE_SMTP_PORT", "70000", "at most 65535"),
    "an unknown locale": ("MARKETPLACE_LOCALE", "klingon", "a locale such as"),
    "Stripe.js not on the web": (
        "MARKETPLACE_STRIPE_JS_URL",
        "javascript:alert(1)",
        "http(s) URL of Stripe.js",
    ),
}


@pytest.mark.parametrize("name, value, reason", JUNK.values(), ids=JUNK)
def test_junk_in_a_setting_is_refused_by_name_even_in_development(name, value, reason):
    with pytest.raises(SettingsError) as refused:
        load_settings({name: value})
    [problem] = refused.value.problems
    assert problem.startswith(name) and reason in problem and repr(value) in problem


def test_stripe_js_defaults_to_stripes_own_and_takes_a_stand_in():
    assert load_settings({}).stripe_js_url == "https://js.stripe.com/v3/"
    assert load_settings({}).stripe_publishable_key == ""
    local = load_settings(
        {
            "MARKETPLACE_STRIPE_JS_URL": "http://127.0.0.1:8420/js.stripe.com/v3/",
            "MARKETPLACE_STRIPE_PUBLISHABLE_KEY": "pk_test_karma_demo",
        }
    )
    assert local.stripe_js_url == "http://127.0.0.1:8420/js.stripe.com/v3/"
    assert local.stripe_publishable_key == "pk_test_karma_demo"


def test_a_secret_key_given_as_the_publishable_key_is_refused_unrepeated():
    with pytest.raises(SettingsError) as refused:
        load_settings({"MARKETPLACE_STRIPE_PUBLISHABLE_KEY": REAL_KEY})
    [problem] = refused.value.problems
    assert problem.startswith("MARKETPLACE_STRIPE_PUBLISHABLE_KEY")
    assert "publishable key" in problem and REAL_KEY not in problem


def test_every_type_error_is_listed_at_once():
    env = {"MARKETPLACE_SESSION_TTL_HOURS": "abc", "MARKETPLACE_DIGEST_HOUR": "99"}
    problems = production_problems(env)
    assert len(problems) == 2
    assert {problem.split()[0] for problem in problems} == set(env)


def test_a_type_error_stops_the_start_with_a_message_not_a_traceback():
    with pytest.raises(SystemExit) as refused:
        refuse_unsafe_start({"MARKETPLACE_SWEEP_SECONDS": "soon"})
    message = str(refused.value.code)
    assert message.startswith("Karma refuses to start")
    assert "MARKETPLACE_SWEEP_SECONDS must be a whole number, got 'soon'" in message


def test_the_refusal_hides_pydantics_error_which_repeats_every_input():
    env = {"MARKETPLACE_SESSION_TTL_HOURS": "abc", STRIPE_KEY: REAL_KEY}
    with pytest.raises(SettingsError) as refused:
        load_settings(env)
    assert "'abc'" in str(refused.value)  # not a secret: shown, to be fixed
    assert REAL_KEY not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__


def test_a_good_production_start_hands_back_the_settings():
    settings = refuse_unsafe_start(PRODUCTION)
    assert settings.environment == "production"
    assert settings.cors_allowed_origins == ("https://karma.example.com",)
