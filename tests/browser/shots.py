"""Screenshots browser tests take of what they just checked, for people to
look at (docs/screenshots/ holds the ones the README shows)."""

import os
from pathlib import Path

SHOTS = Path(os.environ.get("MARKETPLACE_SHOTS", "test-artifacts/screenshots"))


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
