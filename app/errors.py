"""Operation errors; app.http.errors turns each into a status code and a message.

A message is an English msgid of the zh catalogue, with named placeholders filled from `params`
(never an f-string): the API answers `message` in English, pages translate `msgid` with `params`."""
from contextvars import ContextVar


class OperationError(Exception):
    """Base: an operation refused, with an HTTP-like status and a stable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, fields: dict | None = None, *, params: dict | None = None, **extra):
        self.msgid = message
        self.params = params or {}
        self.message = message % self.params if self.params else message
        super().__init__(self.message)
        self.fields = fields or {}
        self.extra = extra

    def translated(self, gettext) -> str:
        """The message in the reader's language, given the edge's gettext."""
        return gettext(self.msgid, **self.params) if self.params else gettext(self.msgid)


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

    def __init__(self, message: str, fields: dict | None = None, *, params: dict | None = None,
                 refusal: "Refusal | None" = None, explanation=None, **extra):
        super().__init__(message, fields, params=params, **extra)
        self.refusal = refusal
        self.explanation = explanation  # the engine's reason explained (app.engine.failures), for pages

    @property
    def technical_detail(self) -> str:
        """The engine's own words beyond the explained reason (for designers), or ""."""
        return "" if self.explanation is None or self.refusal is not None else self.explanation.detail

    def translated(self, gettext) -> str:
        """The sentence in the reader's language, with the reason (a helper's refusal, or the engine's
        explained failure) translated too; the API keeps the engine's own English words."""
        reason = self.refusal or self.explanation
        if reason is None:
            return super().translated(gettext)
        return gettext(self.msgid, **(self.params | {"reason": reason.translated(gettext)}))


class Refusal(ValueError):
    """A diagram helper refusing a step: an English msgid with params, like an operation's message.

    The engine reports it inside its own error text; the operation that ran the engine finds it
    again with `refusal_in` so that pages can say it in the reader's language."""

    def __init__(self, message: str, **params):
        self.msgid, self.params = message, params
        self.message = message % params if params else message
        super().__init__(self.message)
        _last_refusal.set(self)

    def translated(self, gettext) -> str:
        """The refusal in the reader's language (an operation error it passes on, translated too)."""
        params = {k: v.translated(gettext) if isinstance(v, OperationError) else v for k, v in self.params.items()}
        return gettext(self.msgid, **params) if params else gettext(self.msgid)


_last_refusal: ContextVar[Refusal | None] = ContextVar("last_refusal", default=None)


class FieldRefusal(Refusal):
    """A helper refusing what a person submitted, naming the form fields at fault: answered as Invalid (400).

    `fields` maps each field to a short, parameter-free msgid that names the rule it breaks."""

    def __init__(self, fields: dict[str, str], message: str, **params):
        self.fields = dict(fields)
        super().__init__(message, **params)



def refusal_in(error_text: str | None) -> Refusal | None:
    """The helper refusal that the engine's error text reports, if it was one (and forget it)."""
    found = _last_refusal.get()
    _last_refusal.set(None)
    return found if found is not None and error_text and found.message in error_text else None

class Unprocessable(OperationError):
    """Well-formed JSON whose content cannot be acted on (e.g. start data or a community refused)."""

    status, code = 422, "unprocessable"
