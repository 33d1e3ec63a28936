"""The one error tree. Every refusal a user can cause is an `OrderwfError`; the CLI's single
handler maps `exit_code` to the process exit status (1 refused, 2 usage). Anything else is a bug
(exit 3)."""

from __future__ import annotations


class OrderwfError(Exception):
    """A refusal with a sentence a shop admin can act on."""

    exit_code = 1

    def __init__(self, message: str, *, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reasons = reasons or [message]

    def __str__(self) -> str:
        return self.message


class UsageError(OrderwfError):
    """A bad option, a path that does not exist, a value of the wrong form (exit 2)."""

    exit_code = 2


class WorkflowError(OrderwfError):
    """The workflow file is invalid; `findings` holds every problem found."""

    def __init__(self, message: str, findings: list[object] | None = None) -> None:
        super().__init__(message)
        self.findings = findings or []


class NotFound(OrderwfError):
    """An order, product, action, email or outbox message that does not exist."""


class Refused(OrderwfError):
    """The engine refused an action: not allowed in this status, guard failed, bad params,
    bad refund. `reasons` lists every reason."""


class StoreError(OrderwfError):
    """The database cannot be opened, has a newer schema, or a row conflicts."""


class DeliveryError(OrderwfError):
    """An email could not be delivered (the message stays in the outbox)."""
