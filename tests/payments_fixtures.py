"""localstripe, a real HTTP fake of the Stripe API, for the payment tests.

`localstripe` (session-wide) starts scripts/localstripe_server.py on a free
127.0.0.1 port with the Python of .tools/localstripe (installed by
scripts/_setup.sh `setup_localstripe`; MARKETPLACE_LOCALSTRIPE_PYTHON overrides
it), waits until it answers and yields its base URL. Its state lives for the
whole session: tests tell their payments apart by id or metadata, not by count.

`stripe_gateway` is a StripeGateway pointed at it; `stripe_env` sets the
MARKETPLACE_STRIPE_* variables for code that reads settings. Webhooks:
`configure_webhook` points localstripe at a URL (every registered webhook gets
every event), `mute_webhook` stops that again (localstripe can't delete one).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from marketplace.adapters.payments import StripeGateway
from marketplace.settings import get_settings

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = ROOT / "scripts" / "localstripe_server.py"
DEFAULT_PYTHON = ROOT / ".tools" / "localstripe" / "bin" / "python"
TEST_SECRET_KEY = "sk_test_karma_localstripe"
TEST_WEBHOOK_SECRET = "whsec_karma_localstripe_test"
TEST_PUBLISHABLE_KEY = "pk_test_karma_localstripe"  # what Stripe.js is given
STRIPE_SETTINGS = (
    "MARKETPLACE_STRIPE_SECRET_KEY",
    "MARKETPLACE_STRIPE_API_BASE",
    "MARKETPLACE_STRIPE_WEBHOOK_SECRET",
)
START_SECONDS = 30
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _unavailable(reason: str) -> None:
    from tests.conftest import unavailable  # the suite's skip-or-fail-in-CI rule

    unavailable(reason)


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running localstripe, e.g. http://127.0.0.1:40123."""
    python = Path(os.environ.get("MARKETPLACE_LOCALSTRIPE_PYTHON") or DEFAULT_PYTHON)
    if not python.exists():
        _unavailable(
            f"localstripe is not installed at {python}: run scripts/test, or "
            "`source scripts/_setup.sh && setup_localstripe`"
        )
    log_path = tmp_path_factory.mktemp("localstripe") / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [str(python), str(LAUNCHER), "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
    try:
        url = _started(process, log_path)
        yield url
    finally:
        _stop(process)


def _started(process: subprocess.Popen, log_path: Path) -> str:
    deadline = time.monotonic() + START_SECONDS
    ready, _, _ = select.select([process.stdout], [], [], START_SECONDS)
    line = process.stdout.readline().strip() if ready else ""
    url = line.removeprefix("listening on ")
    while url.startswith("http") and time.monotonic() < deadline:
        if _answers(url):
            return url
        time.sleep(0.1)
    _stop(process)
    _unavailable(f"localstripe did not start: {line!r} {log_path.read_text()[-2000:]}")
    raise AssertionError("unreachable")  # unavailable() skips or fails


def _answers(url: str) -> bool:
    request = urllib.request.Request(
        f"{url}/v1/balance", headers={"Authorization": f"Bearer {TEST_SECRET_KEY}"}
    )
    try:
        with _NO_PROXY.open(request, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stdout:
        process.stdout.close()


@pytest.fixture
def stripe_gateway(localstripe: str) -> StripeGateway:
    return StripeGateway(
        TEST_SECRET_KEY, api_base=localstripe, webhook_secret=TEST_WEBHOOK_SECRET
    )


@pytest.fixture
def stripe_env(localstripe: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Settings point at localstripe for this test; yields its URL."""
    monkeypatch.setenv("MARKETPLACE_STRIPE_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("MARKETPLACE_STRIPE_API_BASE", localstripe)
    monkeypatch.setenv("MARKETPLACE_STRIPE_WEBHOOK_SECRET", TEST_WEBHOOK_SECRET)
    get_settings.cache_clear()
    yield localstripe
    monkeypatch.undo()
    get_settings.cache_clear()


def configure_webhook(
    localstripe_url: str,
    name: str,
    url: str,
    secret: str = TEST_WEBHOOK_SECRET,
    events: list[str] | None = None,
) -> None:
    """Have localstripe POST signed events to `url` (all types unless `events`)."""
    body: dict[str, object] = {"url": url, "secret": secret}
    if events is not None:
        body["events"] = events
    request = urllib.request.Request(
        f"{localstripe_url}/_config/webhooks/{name}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with _NO_PROXY.open(request, timeout=5) as response:
        assert response.status == 200, response.read()


def mute_webhook(localstripe_url: str, name: str) -> None:
    """localstripe has no way to delete a webhook: filter out every event."""
    configure_webhook(localstripe_url, name, "http://127.0.0.1:9/", events=[])


@pytest.fixture
def fresh_stripe(stripe_env: str) -> str:
    """`stripe_env` with localstripe emptied first, for a test that reads
    everything Stripe holds (the server is shared by the whole session)."""
    request = urllib.request.Request(f"{stripe_env}/_config/data", method="DELETE")
    with _NO_PROXY.open(request, timeout=5) as response:
        assert response.status == 200
    return stripe_env


# Test cards (Stripe's numbers, which localstripe knows)
CARD_OK = "4242424242424242"
CARD_3DS = "4000002500003155"  # asks for 3-D Secure at setup and at payment
CARD_DECLINED = "4000000000000002"  # declined when saved
CARD_FAILS_LATER = "4000000000000341"  # saves, then every charge is declined


def confirm_card_setup(
    localstripe_url: str, client_secret: str, number: str, *, authenticate=True
) -> dict:
    """What Stripe.js does in the payer's browser with a card they typed:
    confirm the SetupIntent (and, if the bank asks, pass or fail 3-D Secure
    as the payer chose). Returns Stripe's answer as a dict. For service
    tests; the browser tests type into the real card field."""
    setup_id = client_secret.split("_secret_")[0]
    card = {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    body = {
        "key": TEST_PUBLISHABLE_KEY,
        "use_stripe_sdk": True,
        "client_secret": client_secret,
        "payment_method_data": {"type": "card", "card": card},
    }
    answer = _post_json(f"{localstripe_url}/v1/setup_intents/{setup_id}/confirm", body)
    if answer.get("status") == "requires_action":
        step = "confirm" if authenticate else "cancel"
        body = {
            "key": body["key"],
            "use_stripe_sdk": True,
            "client_secret": client_secret,
        }
        answer = _post_json(
            f"{localstripe_url}/v1/setup_intents/{setup_id}/{step}", body
        )
    return answer


def _post_json(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    try:
        with _NO_PROXY.open(request, timeout=10) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return json.loads(refused.read() or b"{}")


def card_on_file(
    gateway: StripeGateway, localstripe_url: str, number: str = CARD_OK
) -> tuple[str, str]:
    """A customer with `number` saved as the payer's browser would save it:
    (customer id, payment method id), for gateway tests."""
    import uuid

    customer = gateway.create_customer(
        email="payer@example.com", member_id=1, idempotency_key=uuid.uuid4().hex
    )
    setup = gateway.start_card_setup(
        customer=customer, member_id=1, idempotency_key=uuid.uuid4().hex
    )
    confirm_card_setup(localstripe_url, setup.client_secret, number)
    return customer, gateway.retrieve_card_setup(setup.id).payment_method


def card_setup_typed(member_id: int, number: str, **browser) -> str:
    """The member opens the card form and types `number` (Stripe.js confirms
    it, passing or failing 3-D Secure as `authenticate` says); returns the
    SetupIntent id the page reports back."""
    from marketplace.db import unit_of_work
    from marketplace.ledger import cards

    with unit_of_work() as s:
        setup = cards.start_card_setup(s, actor_id=member_id)
    confirm_card_setup(
        get_settings().stripe_api_base, setup.client_secret, number, **browser
    )
    return setup.id


def save_card(member_id: int, number: str = CARD_OK, **browser):
    """The member saves `number` in their wallet; returns its CardView."""
    from marketplace.db import unit_of_work
    from marketplace.ledger import cards

    setup_id = card_setup_typed(member_id, number, **browser)
    with unit_of_work() as s:
        return cards.card_saved(s, actor_id=member_id, setup_id=setup_id)


def authenticate_payment(
    localstripe_url: str, client_secret: str, *, success: bool = True
) -> dict:
    """What the stand-in Stripe.js's confirmCardPayment does when the payer
    presses "Complete authentication" (or "Fail authentication")."""
    intent = client_secret.split("_secret_")[0]
    flag = "true" if success else "false"
    return _post_json(
        f"{localstripe_url}/v1/payment_intents/{intent}/_authenticate?success={flag}",
        {"key": "pk_test_karma_localstripe", "client_secret": client_secret},
    )
