"""Run localstripe, a third-party fake of the Stripe API, on loopback.

    .tools/localstripe/bin/python scripts/localstripe_server.py --port 8420

`scripts/_setup.sh` (`setup_localstripe`) installs localstripe into its own
virtualenv, .tools/localstripe, so its pins never meet the app's. The test
suite starts this script on a free port (`--port 0`); the first line it prints
is `listening on http://127.0.0.1:PORT`. Point the app at it with
MARKETPLACE_STRIPE_API_BASE=http://127.0.0.1:PORT and any key starting `sk_`.

What this adds to `localstripe` itself, each closer to Stripe or safer here:

- It listens on 127.0.0.1 only (localstripe binds every interface).
- State lives in memory only (localstripe pickles every change to
  /tmp/localstripe.pickle, one file shared by every instance on the machine),
  or in the file `--state` names (the demo's payments survive a restart).
- It honours the Idempotency-Key header as Stripe documents: a repeated key with
  the same parameters replays the first response (`Idempotent-Replayed: true`),
  with other parameters it is a 400 `idempotency_error`. localstripe ignores it.
- PaymentIntents accept `description` and report `amount_capturable` and
  `amount_received`, which Stripe always returns and localstripe lacks; a
  capture is refused unless the intent is `requires_capture` (localstripe
  would capture a canceled one).

Everything else (refunds, cancel, manual capture, signed webhooks set up with
POST /_config/webhooks/<name>) is localstripe's own behaviour.
"""

from __future__ import annotations

import argparse
import pickle
import socket
from pathlib import Path

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError

IDEMPOTENT_STATUSES = {200, 402}  # results Stripe saves: the endpoint ran


def keep_state_in_memory() -> None:
    resources.Store.dump_to_disk = lambda self: None


def keep_state_in(path: Path) -> None:
    """Persist to `path` (the demo keeps its payments across restarts)."""

    def dump(store) -> None:
        partial = path.with_suffix(".tmp")
        with open(partial, "wb") as file:
            pickle.dump(dict(store), file, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)

    resources.Store.dump_to_disk = dump
    if path.exists():
        with open(path, "rb") as file:
            dict.update(resources.store, pickle.load(file))


def accept_intent_description() -> None:
    create = resources.PaymentIntent.__init__

    def __init__(self, description=None, **kwargs):
        create(self, **kwargs)
        self.description = description

    resources.PaymentIntent.__init__ = __init__


def report_intent_amounts() -> None:
    capture = resources.Charge._capture

    def _capture(self, amount, on_success=None):
        refuse_capture_unless_authorized(self.payment_intent)
        capture(self, amount, on_success)
        self._amount_captured = self.amount if amount is None else int(amount)

    def amount_capturable(intent):
        return intent.amount if intent.status == "requires_capture" else 0

    def amount_received(intent):
        charge = intent.latest_charge
        if intent.status != "succeeded" or charge is None:
            return 0
        return getattr(charge, "_amount_captured", charge.amount)

    resources.Charge._capture = _capture
    resources.PaymentIntent.amount_capturable = property(amount_capturable)
    resources.PaymentIntent.amount_received = property(amount_received)


def refuse_capture_unless_authorized(intent_id: str | None) -> None:
    """localstripe would capture a canceled intent; Stripe refuses."""
    if intent_id is None:
        return
    status = resources.PaymentIntent._api_retrieve(intent_id).status
    if status != "requires_capture":
        raise UserError(
            400,
            "This PaymentIntent could not be captured because it has a status "
            f"of {status}. Only a PaymentIntent with one of the following "
            "statuses may be captured: requires_capture.",
            {"code": "payment_intent_unexpected_state"},
        )


def idempotency_middleware():
    saved: dict[tuple[str, str], tuple[str, str, int, bytes]] = {}

    @web.middleware
    async def honour_idempotency_key(request, handler):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key:
            return await handler(request)
        scope = (request.headers.get("Authorization", ""), key)
        body = (await request.read()).decode()
        if scope in saved:
            return replay(saved[scope], request.path, body)
        response = await respond(handler, request)
        if response.status in IDEMPOTENT_STATUSES:
            saved[scope] = (request.path, body, response.status, response.body)
        return response

    return honour_idempotency_key


async def respond(handler, request):
    try:
        return await handler(request)
    except UserError as error:
        return error.to_response()


def replay(saved, path: str, body: str):
    saved_path, saved_body, status, payload = saved
    if (saved_path, sorted(saved_body.split("&"))) != (path, sorted(body.split("&"))):
        error = {
            "type": "idempotency_error",
            "message": "Keys for idempotent requests can only be used with the "
            "same parameters they were first used with.",
        }
        return web.json_response({"error": error}, status=400)
    response = web.Response(
        body=payload, status=status, content_type="application/json"
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420, help="0 picks a free one")
    parser.add_argument(
        "--state", type=Path, help="keep state in this file (default: memory only)"
    )
    args = parser.parse_args()

    if args.state:
        keep_state_in(args.state)
    else:
        keep_state_in_memory()
    accept_intent_description()
    report_intent_amounts()
    server.app.middlewares.append(idempotency_middleware())

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    print(f"listening on http://127.0.0.1:{port}", flush=True)
    web.run_app(server.app, sock=sock, print=None, access_log=None, shutdown_timeout=1)


if __name__ == "__main__":
    main()
