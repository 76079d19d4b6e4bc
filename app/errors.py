"""Operation errors; the web and API edges turn each into a status code and a message."""


class OperationError(Exception):
    """Base: an operation refused, with an HTTP-like status and a stable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.extra = extra


class Invalid(OperationError):
    status, code = 400, "invalid"


class Unauthenticated(OperationError):
    status, code = 401, "unauthenticated"


class Forbidden(OperationError):
    status, code = 403, "forbidden"


class NotFound(OperationError):
    status, code = 404, "not_found"


class Conflict(OperationError):
    status, code = 409, "conflict"


class TooManyRequests(OperationError):
    status, code = 429, "too_many_requests"


class Undeployable(OperationError):
    status, code = 422, "undeployable"


class ProcessFailed(OperationError):
    """The diagram failed while applying the request (a script error); nothing was changed."""

    status, code = 422, "process_error"


class Unprocessable(OperationError):
    """Well-formed JSON whose content cannot be acted on (e.g. start data or a community refused)."""

    status, code = 422, "unprocessable"
