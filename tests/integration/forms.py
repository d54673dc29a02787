"""Create forms as a page posts them: with the key the server made when it
showed the form (SessionState._submit_once), so a test submits what a
browser would, and a resent form is the same key sent twice."""

from __future__ import annotations

from marketplace.states.session import FORM_KEY


def shown(state, *forms: str):
    """The page shows these forms without its load handler having run."""
    state._show_forms(*forms)
    return state


def posted(state, form: str, fields: dict) -> dict:
    """`fields` with the key of `form` as the page currently shows it."""
    return fields | {FORM_KEY: state.form_keys[form]}


def keyed(state, form: str, fields: dict) -> dict:
    """Show `form` on the page and post `fields` with its key."""
    return posted(shown(state, form), form, fields)
