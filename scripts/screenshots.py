"""Take screenshots of the main pages of a running app (default :3000).

    python scripts/screenshots.py [BASE_URL] [OUT_DIR]

Logs in as the demo member `priya` (seeded by `python -m marketplace seed`) and
saves one PNG a page, desktop and phone width, for a person to look at.
"""

import sys
import uuid
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://localhost:3000"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "test-artifacts/screenshots")
# charts draw their bars with an animation of about a second
SETTLE_MS = 1500
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def shoot(page, name: str, path: str, wait_for: str) -> None:
    page.goto(BASE + path)
    page.get_by_text(wait_for).first.wait_for(timeout=30_000)
    page.wait_for_timeout(SETTLE_MS)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def follow(page, name: str, path: str, wait_for: str) -> None:
    """Open `path`, follow its first card title, and shoot where it leads."""
    page.goto(BASE + path)
    page.get_by_role("main").get_by_role("heading", level=3).first.click()
    page.get_by_text(wait_for).first.wait_for(timeout=30_000)
    page.wait_for_timeout(SETTLE_MS)
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True)


def paid_pages(page, label: str) -> None:
    """The listing form with paid terms chosen, and a paid engagement."""
    page.goto(BASE + "/market/new")
    page.get_by_label("Terms").wait_for(timeout=30_000)
    try:  # the form says so once its state has loaded
        page.get_by_text("Paid help is not available").wait_for(timeout=5_000)
        print("paid terms are off here (no Stripe key): no paid pages")
        return
    except PlaywrightTimeout:
        pass
    page.get_by_label("Terms").select_option(label="Paid (card)")
    page.get_by_label("Currency").wait_for(timeout=30_000)
    page.screenshot(path=str(OUT / f"{label}-listing-paid.png"), full_page=True)
    page.goto(BASE + "/engagements")
    page.get_by_role("link", name="Fractional CFO hour").first.click()
    page.get_by_text("Card held for").wait_for(timeout=30_000)
    page.wait_for_timeout(SETTLE_MS)
    page.screenshot(path=str(OUT / f"{label}-engagement-paid.png"), full_page=True)
    page.goto(BASE + "/engagements")
    page.get_by_role("link", name="Pricing page teardown").first.click()
    page.get_by_text("Waiting for Marcus").first.wait_for(timeout=30_000)
    page.wait_for_timeout(SETTLE_MS)
    page.screenshot(path=str(OUT / f"{label}-card-wait.png"), full_page=True)
    shoot(page, f"{label}-wallet-cards", "/wallet#cards", "Visa ending 4242")


def newcomer_pages(browser, label: str, viewport: tuple[int, int]) -> None:
    """A sign-up's answer, and the banner of a member not verified yet."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    handle = f"shot{uuid.uuid4().hex[:6]}"
    page.goto(BASE + "/signup")
    page.get_by_label("Name").fill("Sam Newcomer")
    page.get_by_label("Email").fill(f"{handle}@example.com")
    page.get_by_label("Handle").fill(handle)
    page.get_by_label("Password").fill("karma-demo-2026")
    page.get_by_role("button", name="Create account").click()
    page.get_by_text("Check your mailbox").first.wait_for(timeout=30_000)
    page.wait_for_timeout(SETTLE_MS)
    page.screenshot(path=str(OUT / f"{label}-signup-sent.png"), full_page=True)
    page.goto(BASE + "/login")
    page.get_by_label("Email").fill(f"{handle}@example.com")
    page.get_by_label("Password").fill("karma-demo-2026")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Verify your email address to post").wait_for(timeout=30_000)
    page.wait_for_timeout(800)
    page.screenshot(path=str(OUT / f"{label}-unverified.png"), full_page=True)
    page.close()


def operator_pages(browser, label: str, viewport: tuple[int, int]) -> None:
    """The integrity report with the demo's planted ring, as ops sees it."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
    page.goto(BASE + "/login")
    page.get_by_label("Email").fill("ops@example.com")
    page.get_by_label("Password").fill("karma-demo-2026")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Profile strength").wait_for(timeout=30_000)
    shoot(page, f"{label}-integrity", "/operator/integrity", "review ring")
    shoot(page, f"{label}-moderation", "/operator/moderation", "Open reports")
    page.close()


def account_pages(page, label: str) -> None:
    """The member's settings: account and devices, email alerts, their data."""
    shoot(page, f"{label}-settings-account", "/settings/account", "Signed-in devices")
    shoot(page, f"{label}-settings-alerts", "/settings/alerts", "Email alerts")
    shoot(page, f"{label}-settings-data", "/settings/data", "Delete my account")
    shoot(page, f"{label}-privacy", "/settings/privacy", "View my profile as")


def call_pages(page, label: str) -> None:
    """Issue 24: priya's hours, the slot picker on marcus's call offer, and
    her call with lena, which she can move."""
    shoot(page, f"{label}-availability", "/settings/availability", "Save my hours")
    opened = [
        ("slot-picker", "/market", "An hour on your fundraising deck", "Pick a time"),
        ("call", "/engagements", "30-minute design review", "Move the call"),
    ]
    for name, path, link, wait_for in opened:
        page.goto(BASE + path)
        page.get_by_role("link", name=link).first.click()
        page.get_by_text(wait_for).first.wait_for(timeout=30_000)
        page.wait_for_timeout(SETTLE_MS)
        page.screenshot(path=str(OUT / f"{label}-{name}.png"), full_page=True)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for label, viewport in {"desktop": (1280, 860), "phone": (390, 844)}.items():
            page = browser.new_page(
                viewport={"width": viewport[0], "height": viewport[1]}
            )
            shoot(page, f"{label}-home", "/", "Give help. Get help")
            shoot(page, f"{label}-signup", "/signup", "Create account")
            shoot(page, f"{label}-forgot", "/password/forgot", "Send me a link")
            shoot(page, f"{label}-verify-bad", "/verify?token=forged", "not valid")
            # privacy by degree: what a signed-out visitor sees of a profile
            shoot(page, f"{label}-guest-profile", "/people/priya", "Log in to connect")
            newcomer_pages(browser, label, viewport)
            operator_pages(browser, label, viewport)
            page.goto(BASE + "/login")
            page.get_by_label("Email").fill("priya@example.com")
            page.get_by_label("Password").fill("karma-demo-2026")
            page.get_by_role("button", name="Log in").click()
            page.get_by_text("Profile strength").wait_for(timeout=30_000)
            page.get_by_text("Welcome back").wait_for(state="hidden", timeout=15_000)
            page.wait_for_timeout(800)
            page.screenshot(path=str(OUT / f"{label}-dashboard.png"), full_page=True)
            shoot(page, f"{label}-profile", "/people/priya", "Can help with")
            shoot(page, f"{label}-edit", "/profile/edit", "Save profile")
            shoot(page, f"{label}-people", "/people", "members")
            shoot(page, f"{label}-wallet", "/wallet", "Available")
            shoot(page, f"{label}-vouched", "/people/lena", "Vouched for by")
            shoot(page, f"{label}-messages", "/messages", "Message requests")
            shoot(page, f"{label}-conversation", "/messages/lena", "teal you liked")
            shoot(page, f"{label}-ring-profile", "/people/jett-marlow", "different")
            shoot(page, f"{label}-ious", "/ious", "Net per person")
            shoot(page, f"{label}-market", "/market", "My listings")
            follow(page, f"{label}-listing", "/market", "Spots")
            shoot(page, f"{label}-engagements", "/engagements", "Your move")
            follow(page, f"{label}-engagement", "/engagements", "Timeline")
            shoot(page, f"{label}-inbox", "/inbox", "Mark all as read")
            account_pages(page, label)
            # -- issue 23, touchpoints: a profile's "Only you see this" card
            shoot(page, f"{label}-keep-in-touch", "/people/marcus", "Log it")
            # -- end touchpoints
            paid_pages(page, label)
            call_pages(page, label)
            shoot(page, f"{label}-network", "/network", "Northstar SaaS Summit 2027")
            shoot(page, f"{label}-groups", "/groups", "SaaS marketers")
            # issue 23, invitations: invite people you know, and who joined
            shoot(
                page,
                f"{label}-invitations",
                "/network/contacts/invite",
                "Invitations you sent",
            )
            # issue 23: priya's imported LinkedIn contacts (demo/contacts.py)
            shoot(page, f"{label}-contacts", "/network/contacts", "Your contacts")
            page.goto(BASE + "/network")
            page.locator("svg a").last.click()  # someone two steps away
            page.get_by_text("Get a warm intro").wait_for(timeout=30_000)
            page.wait_for_timeout(SETTLE_MS)
            page.screenshot(path=str(OUT / f"{label}-warm-intro.png"), full_page=True)
            page.goto(BASE + "/market")
            page.get_by_role("link", name="Help selling two Northstar").first.click()
            page.get_by_text("Who to ask").first.wait_for(timeout=30_000)
            page.wait_for_timeout(SETTLE_MS)
            page.screenshot(path=str(OUT / f"{label}-who-to-ask.png"), full_page=True)
            page.close()
        browser.close()
    print(f"screenshots in {OUT}/")


if __name__ == "__main__":
    main()
