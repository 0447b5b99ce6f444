"""Domain errors: raised by the logic, turned into 4xx answers by the web layer."""

from __future__ import annotations


class DomainError(Exception):
    """A user's request that cannot be carried out; ``field`` names the input at fault."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None, **extra: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # More for the API answer, e.g. ``available`` on a refused reservation.
        self.extra = extra


class Invalid(DomainError):
    status_code = 422


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class Forbidden(DomainError):
    status_code = 403


class TooManyAttempts(DomainError):
    status_code = 429
