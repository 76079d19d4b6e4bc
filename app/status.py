"""Status enums and their allowed transitions: one table per enum, one function that changes a status.

Stored values are the enums' string values, so pages, the API and exports read the same text as before.
A refused change raises `TransitionRefused` (a ValueError): inside a diagram helper that fails the script,
so the person's submission is refused with nothing changed."""
from enum import StrEnum

__all__ = ["StrEnum", "TransitionRefused", "allowed", "change_status", "check_transition", "parse_status",
           "transitions"]

_TRANSITIONS: dict[type[StrEnum], dict[StrEnum, frozenset[StrEnum]]] = {}


class TransitionRefused(ValueError):
    """A status that is unknown, or a change the enum's transition table does not allow."""


def transitions(enum: type[StrEnum], table: dict[StrEnum, tuple[StrEnum, ...]]) -> type[StrEnum]:
    """Declare which statuses each status of `enum` may change to (statuses left out change to nothing)."""
    _TRANSITIONS[enum] = {status: frozenset(table.get(status, ())) for status in enum}
    return enum


def parse_status(enum: type[StrEnum], value) -> StrEnum:
    """The member of `enum` for a stored or scripted value, or TransitionRefused naming the known ones."""
    try:
        return enum(str(value))
    except ValueError:
        known = ", ".join(s.value for s in enum)
        raise TransitionRefused(f"'{value}' is not a {enum.__name__} (known: {known})") from None


def allowed(enum: type[StrEnum], before, after) -> bool:
    """Whether a record of `enum` may go from `before` to `after` (None before: a new record, any status)."""
    if before is None:
        return True
    return parse_status(enum, after) in _TRANSITIONS[enum][parse_status(enum, before)]


def check_transition(enum: type[StrEnum], before, after) -> StrEnum:
    """The new status as a member of `enum`, or TransitionRefused saying why the change is not allowed."""
    target = parse_status(enum, after)
    if not allowed(enum, before, target):
        nexts = ", ".join(sorted(s.value for s in _TRANSITIONS[enum][parse_status(enum, before)])) or "none"
        raise TransitionRefused(f"a {enum.__name__} cannot go from '{before}' to '{target}' (allowed: {nexts})")
    return target


def change_status(record, enum: type[StrEnum], after, field: str = "status") -> tuple[str | None, StrEnum]:
    """Set `record.<field>` to `after` if the transition table allows it; (before, after)."""
    before = getattr(record, field)
    target = check_transition(enum, before, after)
    setattr(record, field, target)
    return before, target
