"""Form fields with real labels, so screen readers and tests find them by name."""

import reflex as rx
from reflex.vars.base import Var

from marketplace.components import plain
from marketplace.states.session import FORM_KEY, SessionState

LABEL = "rt-Text rt-r-size-2 rt-r-weight-medium"


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
    """A labelled single-line input; `name` is both the form key and the id.
    Radix's TextField drawn as plain elements (components/plain.py): every
    form repeats it."""
    props = {
        "id": name,
        "name": name,
        "type": type,
        "placeholder": placeholder,
        "required": required,
        "spell_check": False,
    }
    if default_value is not None:
        props["default_value"] = default_value
    if max_length:
        props["max_length"] = max_length
    if autocomplete:
        props["auto_complete"] = autocomplete
    if input_mode:  # e.g. "decimal": a numeric keypad without number-box rules
        props["input_mode"] = input_mode
    return _labelled(
        label,
        name,
        rx.el.div(
            rx.el.input(class_name="rt-reset rt-TextFieldInput", **props),
            class_name="rt-TextFieldRoot rt-r-size-3 rt-variant-surface w-full",
        ),
        hint,
    )


def _hint(hint) -> rx.Component:
    """A hint under the field; a Var (a page's own text) may be empty."""
    if isinstance(hint, Var):
        return rx.cond(hint != "", plain.text(hint, size="1", color="gray"))
    return plain.text(hint, size="1", color="gray") if hint else rx.fragment()


def _labelled(label: str, field_id, control: rx.Component, hint) -> rx.Component:
    return plain.stack(
        rx.el.label(label, html_for=field_id, class_name=LABEL),
        control,
        _hint(hint),
        gap="1",
        class_name="w-full",
    )


def text_area(
    label: str,
    name: str,
    *,
    hint: str = "",
    default_value=None,
    max_length: int | None = None,
    rows: str = "4",
    size: str = "3",
    field_id=None,
) -> rx.Component:
    """A labelled text area; `field_id` when several share a `name` (one
    per item), else the name is the id."""
    field_id = name if field_id is None else field_id
    props = {"id": field_id, "name": name, "rows": rows}
    if default_value is not None:
        props["default_value"] = default_value
    if max_length:
        props["max_length"] = max_length
    return _labelled(
        label,
        field_id,
        rx.el.div(
            rx.el.textarea(class_name="rt-reset rt-TextAreaInput", **props),
            class_name=f"rt-TextAreaRoot rt-r-size-{size} rt-variant-surface w-full",
        ),
        hint,
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
    return _labelled(
        label,
        name,
        rx.el.select(
            *[rx.el.option(text, value=key) for key, text in options.items()],
            id=name,
            name=name,
            default_value=value,
            class_name="rt-reset",
            **events,
            # React's inline style: as a style prop, an Emotion class per field
            custom_attrs={"style": SELECT_STYLE},
        ),
        "",
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
