"""Text members wrote, shown so that no text can break the page.

Anything a member typed may be one unbroken 300-character word, which a
browser will not wrap: it pushed every member's market list off-screen. Every
page's main column wraps such words anywhere (`WRAP_ANYWHERE`, set by
components/layout.py `page`), so no text widens the page. These pieces add
what lists need: a title cut after a few lines says so with "…" and carries
the whole text as its tooltip, and a name stays on one line the same way.
"""

import reflex as rx

# overflow-wrap:anywhere also lowers the text's minimum width, so flex and
# grid columns holding it can shrink to the screen instead of overflowing
WRAP_ANYWHERE = {"overflow_wrap": "anywhere", "min_width": "0"}


def _clamped(lines: int) -> dict:
    """Cut after `lines` lines; the browser shows "…" where it cut."""
    return {
        "display": "-webkit-box",
        "WebkitLineClamp": str(lines),
        "WebkitBoxOrient": "vertical",
        "overflow": "hidden",
    }


def member_text(value, *, lines: int = 0, **props) -> rx.Component:
    """A member's words: wrapped anywhere; with `lines`, cut after that many
    lines with "…" and the whole text in a tooltip."""
    if lines:
        props = {"title": value, "style": _clamped(lines), **props}
    return rx.text(value, **WRAP_ANYWHERE, **props)


def member_title(value, *, lines: int = 2, **props) -> rx.Component:
    """A member's title as a heading, cut after `lines` lines with "…" and
    the whole title in a tooltip."""
    return rx.heading(
        value, title=value, style=_clamped(lines), **WRAP_ANYWHERE, **props
    )


def member_name(value, **props) -> rx.Component:
    """A name or handle on one line, cut with "…" and whole in the tooltip."""
    return rx.text(
        value,
        title=value,
        white_space="nowrap",
        overflow="hidden",
        text_overflow="ellipsis",
        min_width="0",
        max_width="100%",
        **props,
    )
