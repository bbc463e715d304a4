"""What the service does, below HTTP: one module per resource, functions of a database
session and typed inputs that return plain data.

Nothing here knows about requests, responses or status codes. Problems are raised as
:class:`~sahelsat.inputs.InputError` (bad input, with the field path), or as the errors
below; :mod:`sahelsat.service.errors` turns each into its HTTP answer, in one place.
"""

from __future__ import annotations

from sahelsat.service.cache import Busy


class UseCaseError(Exception):
    """A refusal that is not about the input's form: ``field`` names what it concerns."""

    def __init__(self, field: str | None, reason: str):
        super().__init__(reason)
        self.field = field
        self.reason = reason


class NotFound(UseCaseError):
    """The thing named does not exist."""


class Conflict(UseCaseError):
    """The thing exists but is not in a state that allows this."""


class Forbidden(UseCaseError):
    """The caller may not do this to this thing."""


class Overloaded(UseCaseError):
    """Too much queued work; ``retry_after`` seconds is a fair wait."""

    def __init__(self, field: str | None, reason: str, retry_after: int = 30):
        super().__init__(field, reason)
        self.retry_after = retry_after


class CapabilityMissing(UseCaseError):
    """A capability (passes, coverage...) that this installation does not provide."""

    def __init__(self, what: str):
        super().__init__(None, f"{what} is not available in this installation")


__all__ = ["Busy", "CapabilityMissing", "Conflict", "Forbidden", "NotFound", "Overloaded",
           "UseCaseError"]  # fmt: skip
