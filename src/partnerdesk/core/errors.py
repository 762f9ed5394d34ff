"""One error type for the application; the UI and the API turn it into a clear answer.

Services raise these; views show the message (and field errors next to their fields); the API
answers with the single error shape ``{"error": {"status", "code", "message", "fields"}}``.
"""

from django.core.exceptions import ValidationError


class ApplicationError(Exception):
    """A business rule refused the request. ``fields`` maps field names to messages."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None, code=None):
        super().__init__(message)
        self.message = str(message)
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}
        if code:
            self.code = code

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> "ApplicationError":
        if hasattr(error, "error_dict"):
            fields = {
                name: [str(m) for e in errs for m in e.messages]
                for name, errs in error.error_dict.items()
            }
            message = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
            return InvalidInput(message, fields=fields)
        return InvalidInput(" ".join(error.messages))


class InvalidInput(ApplicationError):
    status = 422
    code = "validation_error"


class Conflict(ApplicationError):
    """The request clashes with the current state (a duplicate, a disallowed transition)."""

    status = 409
    code = "conflict"


class Forbidden(ApplicationError):
    status = 403
    code = "forbidden"


class NotFound(ApplicationError):
    status = 404
    code = "not_found"
