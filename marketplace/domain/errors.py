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


class PaymentError(DomainError):
    """Money did not move as asked; nothing was taken twice."""


class PaymentFailed(PaymentError):
    """The payer's card or bank refused the payment (a decline)."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        # the provider's payment the decline left behind, if it sent one
        self.payment_intent: object | None = None


class PaymentsUnavailable(PaymentError):
    """Payments are not configured, or the payment provider can't be reached."""


class PaymentRejected(PaymentError):
    """The payment provider refused the request: an unknown payment, a payment
    in the wrong state (capturing a cancelled one), a reused idempotency key."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class WebhookRejected(DomainError):
    """An incoming webhook is not authentic (bad, missing or stale signature)
    or not a readable event: answer 400 and change nothing."""
