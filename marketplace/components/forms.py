"""Form fields with real labels, so screen readers and tests find them by name."""

import reflex as rx

from marketplace.states.session import FORM_KEY, SessionState


def field(
    label: str,
    name: str,
    *,
    hint: str = "",
    type: str = "text",
    default_value=None,
    placeholder: str = "",
    required: bool = False,
    max_length: int | None = None,
    autocomplete: str | None = None,
    input_mode: str | None = None,
) -> rx.Component:
    """A labelled single-line input; `name` is both the form key and the id."""
    props = {
        "id": name,
        "name": name,
        "type": type,
        "placeholder": placeholder,
        "required": required,
        "size": "3",
        "width": "100%",
    }
    if default_value is not None:
        props["default_value"] = default_value
    if max_length:
        props["max_length"] = max_length
    if autocomplete:
        props["auto_complete"] = autocomplete
    if input_mode:  # e.g. "decimal": a numeric keypad without number-box rules
        props["input_mode"] = input_mode
    return rx.vstack(
        rx.el.label(
            label, html_for=name, class_name="rt-Text rt-r-size-2 rt-r-weight-medium"
        ),
        rx.input(**props),
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        spacing="1",
        width="100%",
    )


def text_area(
    label: str,
    name: str,
    *,
    hint: str = "",
    default_value=None,
    max_length: int | None = None,
    rows: str = "4",
) -> rx.Component:
    props = {"id": name, "name": name, "rows": rows, "width": "100%", "size": "3"}
    if default_value is not None:
        props["default_value"] = default_value
    if max_length:
        props["max_length"] = max_length
    return rx.vstack(
        rx.el.label(
            label, html_for=name, class_name="rt-Text rt-r-size-2 rt-r-weight-medium"
        ),
        rx.text_area(**props),
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        spacing="1",
        width="100%",
    )


# a native <select> styled like Radix's inputs
SELECT_STYLE = {
    "width": "100%",
    "padding": "0.55rem 0.6rem",
    "borderRadius": "6px",
    "border": "1px solid var(--gray-a7)",
    "background": "var(--color-surface)",
    "fontSize": "15px",
}


def select_field(
    label: str, name: str, options: dict[str, str], value, on_change=None
) -> rx.Component:
    """A native <select>: labelled, keyboard friendly, posted with the form."""
    events = {"on_change": on_change} if on_change is not None else {}
    return rx.vstack(
        rx.el.label(
            label, html_for=name, class_name="rt-Text rt-r-size-2 rt-r-weight-medium"
        ),
        rx.el.select(
            *[rx.el.option(text, value=key) for key, text in options.items()],
            id=name,
            name=name,
            default_value=value,
            class_name="rt-reset",
            **events,
            style=SELECT_STYLE,
        ),
        spacing="1",
        width="100%",
    )


def form_error(message) -> rx.Component:
    """An inline error callout announced to screen readers."""
    return rx.cond(
        message != "",
        rx.callout(
            message,
            icon="triangle_alert",
            color_scheme="red",
            role="alert",
            width="100%",
        ),
    )


def form_key(form: str) -> rx.Component:
    """The key the server made when it showed this create form, echoed back
    with it: a double click's second submit then writes nothing
    (SessionState._submit_once)."""
    return rx.el.input(
        type="hidden", name=FORM_KEY, value=SessionState.form_keys.get(form, "")
    )
