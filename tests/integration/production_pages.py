"""The whole app as `reflex run --env prod --single-port` serves it, in a
process of its own (building it changes the app object for good): Reflex's
ASGI app with the built frontend mounted, wrapped by marketplace/api.py.
Each argument is `METHOD /path`; prints one JSON line, per request its
status and headers. The caller points REFLEX_WEB_WORKDIR at a build."""

from __future__ import annotations

import json
import sys

from starlette.testclient import TestClient


def main() -> None:
    from marketplace.marketplace import app

    client = TestClient(app())  # what Granian's workers serve
    answers = {}
    for request in sys.argv[1:]:
        method, path = request.split(" ", 1)
        response = client.request(method, path)
        answers[request] = {
            "status": response.status_code,
            "headers": dict(response.headers),
        }
    print(json.dumps(answers))


if __name__ == "__main__":
    main()
