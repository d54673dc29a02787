"""The errors a member or operator can cause, each with a message fit to show.

Handlers catch `DomainError` and show `str(error)` in a toast; anything else is a
bug and is logged, not shown.
"""


class DomainError(Exception):
    """Base for every refusal the product explains to its user."""


class InvalidInput(DomainError):
    """An argument is malformed, out of range or not allowed."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAuthorized(DomainError):
    """The acting member may not do this."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the actor)."""


class Conflict(DomainError):
    """The action clashes with existing data (a taken handle, a duplicate)."""


class TooManyAttempts(DomainError):
    """A throttle is in force; the message says when to try again."""
